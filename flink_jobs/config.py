"""Job configs: read configs/<job>.yaml, validate it, and turn it into typed settings.

Everything here runs before any JVM starts: a bad config fails fast with `file:line:col: message`
for every problem found (not only the first), and the CLI exits 2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

import yaml

from flink_jobs.events import EventSpec
from flink_jobs.jobs import JOBS
from flink_jobs.kafka import BROKER_MAX_TRANSACTION_TIMEOUT_MS, KafkaError, connector_jar, jobpack_jar
from flink_lint.catalog.values import parse_duration_ms
from flink_lint.documents.yaml_source import YamlDocument, YamlSyntaxError, load_yaml_documents
from flink_lint.resources import data_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = data_path("configs")


@dataclass(frozen=True)
class Problem:
    where: str  # "file:line:col" or "--set key=value"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ConfigError(Exception):
    """One or more problems in a job config; str() lists them one per line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


# The settings below have no defaults of their own: a job's defaults are its shipped config,
# configs/<job>.yaml, and a user's config is read over it (see `shipped_job_section`).
@dataclass(frozen=True)
class WindowSettings:
    size_ms: Optional[int]  # None: the job has no windows (its config sets none)
    allowed_lateness_ms: Optional[int]
    out_of_orderness_ms: int
    idleness_ms: Optional[int]


@dataclass(frozen=True)
class SlowOperator:
    """Testing aid (job.slow-operator): sleep `sleep_ms` on every `every`-th record."""

    sleep_ms: int
    every: int
    keyed: bool


@dataclass(frozen=True)
class FailingOperator:
    """Testing aid (job.failing-operator): raise on every `every`-th record of each subtask."""

    every: int


@dataclass(frozen=True)
class StoreSettings:
    """The enrichment job's profile store (job.store): Redis on host:port, looked up asynchronously."""

    host: str
    port: int
    key_prefix: str
    capacity: int  # lookups in flight at most (AsyncDataStream capacity)
    max_batches: int  # MGET batches in flight at most; lookups queued meanwhile share the next one
    timeout_ms: int
    fallback: str  # the profile of an event whose lookup timed out or failed


@dataclass(frozen=True)
class JobSettings:
    name: str
    events: EventSpec
    source: dict
    sink: dict
    window: WindowSettings
    state_ttl_ms: Optional[int]
    emit_mode: Optional[str]  # None: the job does not emit on a timer (its config has no `emit`)
    emit_interval_ms: Optional[int]
    slow_operator: Optional[SlowOperator]
    failing_operator: Optional[FailingOperator]
    salt_buckets: Optional[int]  # hot-key-rollup: salted keys per key in phase 1
    store: Optional[StoreSettings]  # enrichment: the profile store
    pipeline: Optional[str]  # per-event | optimized; None: the job has one pipeline (its config sets none)

    @property
    def event_time_from_source(self) -> bool:
        """The source assigns timestamps and per-partition watermarks itself (Kafka)."""
        return self.source["type"] == "kafka"


@dataclass
class JobConfig:
    path: str
    settings: JobSettings
    flink: dict  # flat Flink option key -> string value, as Configuration.set_string takes it


def default_config_path(job: str) -> Path:
    return CONFIG_DIR / f"{job}.yaml"


FALLBACK_JOB = "windowed-counts"  # the base of a config for no pack job (a file read on its own)
REPLACED_WHOLE = ("source", "sink", "slow-operator", "failing-operator")  # a user's section replaces the shipped one


def shipped_job_section(job: str) -> dict:
    """The `job:` section of the shipped configs/<job>.yaml: the defaults of that job's settings."""
    path = default_config_path(job)
    if not path.is_file():
        path = default_config_path(FALLBACK_JOB)
    return _read_document(str(path)).value.get("job") or {}


def _over_shipped(job: dict, shipped: dict) -> dict:
    """The user's `job:` section read over the shipped one: mappings merge key by key, except the
    sections of REPLACED_WHOLE (a Kafka source inherits nothing of the generator's). The name is not
    inherited: a config without one is named after the job it runs, or its file."""
    merged = {key: value for key, value in shipped.items() if key != "name"}
    for key, value in job.items():
        base = merged.get(key)
        mergeable = isinstance(base, dict) and isinstance(value, dict) and key not in REPLACED_WHOLE
        merged[key] = {**base, **value} if mergeable else value
    return merged


# ------------------------------------------------------------------ loading and overrides
def _parse_assignment(assignment: str) -> tuple[tuple, Any]:
    """`job.window.size=5 s` -> (("job", "window", "size"), "5 s"); `flink.<key>=v` keeps the dotted key."""
    key, sep, raw = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError("expected KEY=VALUE, e.g. job.window.size=5s or flink.parallelism.default=4")
    section, _, rest = key.partition(".")
    if section not in ("job", "flink") or not rest:
        raise ValueError("KEY must start with `job.` or `flink.`")
    path = ("flink", rest) if section == "flink" else ("job", *rest.split("."))
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return path, value


def _apply_override(root: dict, path: tuple, value: Any) -> None:
    node = root
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _read_document(path: str) -> YamlDocument:
    location = f"{path}:1:1"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(path, "config file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem(location, f"cannot read config: {error}")]) from None
    try:
        documents = load_yaml_documents(text)
    except YamlSyntaxError as error:
        where = f"{path}:{error.position.line}:{error.position.column}"
        raise ConfigError([Problem(where, f"invalid YAML: {error.message}")]) from None
    documents = [d for d in documents if d.value is not None]
    if len(documents) != 1:
        raise ConfigError([Problem(location, f"expected one YAML document, found {len(documents)}")])
    return documents[0]


# ------------------------------------------------------------------ validation
@dataclass
class _Locator:
    """Where a value of the config came from: the `--set` that wrote it, or its file position."""

    path: str
    document: YamlDocument
    overridden: dict = field(default_factory=dict)  # key path -> the --set text

    def __call__(self, *keys, key: bool = False) -> str:
        for override_path, text in self.overridden.items():
            if keys[: len(override_path)] == override_path or override_path[: len(keys)] == keys:
                return f"--set {text}"
        position = self.document.key_position_of(keys) if key else self.document.position_of(keys)
        return f"{self.path}:{position.line}:{position.column}"


def _schema_problems(value: dict, where: _Locator) -> list[Problem]:
    from flink_lint.rules.config.schema import schema_errors

    return [
        Problem(where(*error.path, key=error.at_key), error.message + (f" ({error.hint})" if error.hint else ""))
        for error in schema_errors(value)
    ]


def _duration(raw: Any, name: str, problems: list, where, positive: bool = False) -> Optional[int]:
    """Milliseconds, or 0 with a problem recorded (the caller raises ConfigError)."""
    if raw is None:
        return None
    try:
        milliseconds = parse_duration_ms(raw)
    except ValueError as error:
        problems.append(Problem(where, f"{name}: {error}"))
        return 0
    if positive and milliseconds == 0:
        problems.append(Problem(where, f"{name} must be at least 1 ms"))
    return milliseconds


def flink_entries(section: dict, path: tuple = ("flink",)):
    """config.yaml semantics: nested mappings become dotted keys, values become Flink strings.
    Yields (dotted key, value, path in the document)."""
    for key, value in section.items():
        child = path + (key,)
        dotted = ".".join(map(str, child[1:]))
        if isinstance(value, dict):
            yield from flink_entries(value, child)
        elif isinstance(value, bool):
            yield dotted, "true" if value else "false", child
        elif isinstance(value, list):
            yield dotted, ";".join(str(item) for item in value), child
        else:
            yield dotted, str(value), child


def _flink_option_problems(entries: list, where) -> list[Problem]:
    """Keys Flink would silently ignore and values it would reject when the option is read."""
    from flink_lint.catalog import load_catalog
    from flink_lint.catalog.values import value_error

    catalog = load_catalog()
    problems = []
    for key, value, path in entries:
        if not catalog.is_known(key):
            hint = catalog.suggest(key, limit=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
            problems.append(
                Problem(where(*path, key=True), f"unknown Flink option `{key}`{suggestion}: Flink would ignore it")
            )
            continue
        option = catalog.option(key) or catalog.option(catalog.replacement_for(key) or "")
        error = value_error(option, value) if option and option.get("type") else None
        if error:
            problems.append(Problem(where(*path, key=True), f"invalid value for Flink option `{key}`: {error}"))
    return problems


def _settings(value: dict, locate: _Locator, shipped: dict) -> tuple[JobSettings, list]:
    """Typed settings from the user's `job:` section over the shipped one (every key is there)."""
    problems: list[Problem] = []
    job = _over_shipped(value.get("job") or {}, shipped)

    def where(*keys: str) -> str:
        return locate("job", *keys)

    def duration(section: dict, key: str, *path: str, positive: bool = False) -> Optional[int]:
        name = ".".join((*path, key))
        return _duration(section.get(key), name, problems, where(*path, key), positive=positive)

    events = job.get("events") or {}
    spec = EventSpec(
        count=events["count"],
        seed=events["seed"],
        keys=events["keys"],
        key_skew=float(events["key-skew"]),
        value_max=events["value-max"],
        start_ms=events["start"],
        interval_ms=duration(events, "interval", "events", positive=True),
        disorder_ms=duration(events, "disorder", "events"),
        late_fraction=float(events["late-fraction"]),
        late_by_ms=duration(events, "late-by", "events"),
        rate=events["rate"],
    )

    window = job.get("window") or {}
    window_settings = WindowSettings(
        size_ms=duration(window, "size", "window", positive=True),
        allowed_lateness_ms=duration(window, "allowed-lateness", "window"),
        out_of_orderness_ms=duration(window, "out-of-orderness", "window"),
        idleness_ms=duration(window, "idleness", "window"),
    )

    emit = job.get("emit") or {}
    source = dict(job["source"])
    if "monitor-interval" in source:
        source["monitor-interval"] = duration(source, "monitor-interval", "source")
    sink = dict(job["sink"])
    if sink["type"] == "kafka":
        sink = _kafka_sink(sink, problems, where)
    settings = JobSettings(
        name=job.get("name", ""),
        events=spec,
        source=source,
        sink=sink,
        window=window_settings,
        state_ttl_ms=duration(job, "state-ttl"),
        emit_mode=emit.get("mode"),
        emit_interval_ms=duration(emit, "interval", "emit"),
        slow_operator=_slow_operator(job.get("slow-operator"), problems, where),
        failing_operator=FailingOperator(job["failing-operator"]["every"]) if job.get("failing-operator") else None,
        salt_buckets=job.get("salt-buckets"),
        store=_store(job.get("store"), problems, where),
        pipeline=job.get("pipeline"),
    )
    return settings, problems


def _kafka_sink(sink: dict, problems: list, where) -> dict:
    """Defaults of the Kafka sink: exactly-once, and a
    transaction timeout the broker accepts (its transaction.max.timeout.ms defaults to 15 min)."""
    sink = {"delivery-guarantee": "exactly-once", **sink}
    timeout_ms = _duration(
        sink.get("transaction-timeout", "10 min"),
        "sink.transaction-timeout",
        problems,
        where("sink", "transaction-timeout"),
        positive=True,
    )
    properties = {key: str(value) for key, value in (sink.get("properties") or {}).items()}
    if "transaction.timeout.ms" in properties and "transaction-timeout" not in sink:
        try:
            timeout_ms = int(properties["transaction.timeout.ms"])
        except ValueError:
            problems.append(
                Problem(
                    where("sink", "properties", "transaction.timeout.ms"),
                    "transaction.timeout.ms must be an integer number of milliseconds",
                )
            )
    if timeout_ms and timeout_ms > BROKER_MAX_TRANSACTION_TIMEOUT_MS and sink["delivery-guarantee"] == "exactly-once":
        problems.append(
            Problem(
                where("sink", "transaction-timeout"),
                (
                    f"a transaction timeout of {timeout_ms} ms is above the broker's default transaction.max.timeout.ms "
                    f"({BROKER_MAX_TRANSACTION_TIMEOUT_MS} ms = 15 min): the job fails when it starts writing"
                ),
            )
        )
    properties["transaction.timeout.ms"] = str(timeout_ms)
    sink["properties"] = properties
    return sink


def _slow_operator(section: Optional[dict], problems: list, where) -> Optional[SlowOperator]:
    if not section:
        return None
    sleep_ms = _duration(section["sleep"], "slow-operator.sleep", problems, where("slow-operator", "sleep"))
    return SlowOperator(sleep_ms=sleep_ms, every=section.get("every", 1), keyed=section.get("keyed", False))


def _store(section: Optional[dict], problems: list, where) -> Optional[StoreSettings]:
    if not section:
        return None
    return StoreSettings(
        host=section["host"],
        port=section["port"],
        key_prefix=section["key-prefix"],
        capacity=section["capacity"],
        max_batches=section["max-batches"],
        timeout_ms=_duration(section["timeout"], "store.timeout", problems, where("store", "timeout"), positive=True),
        fallback=section["fallback"],
    )


def _with_kafka_jars(jars: str, kafka_source: bool) -> str:
    """pipeline.jars plus Flink's Kafka connector (unless the user put a Kafka jar there) and, for a
    Kafka source, our event-time assigner's jar."""
    entries = [j.strip() for j in jars.split(";") if j.strip()]
    if not any("kafka" in os.path.basename(j).lower() for j in entries):
        entries.append(connector_jar().as_uri())
    if kafka_source:
        entries.append(jobpack_jar().as_uri())
    return ";".join(entries)


def _unbounded(settings: JobSettings) -> bool:
    source = settings.source
    return {
        "generator": settings.events.count is None,
        "files": bool(source.get("monitor-interval")),
        "kafka": source.get("stopping-offsets") != "latest",
    }[source["type"]]


def _cross_checks(settings: JobSettings, flink: dict, where: _Locator) -> list[Problem]:
    """Combinations the schema cannot express: each would fail or lose data at run time."""
    problems = []
    sink, source = settings.sink["type"], settings.source["type"]
    checkpointing = flink.get("execution.checkpointing.interval")
    if sink == "file" and not checkpointing and flink.get("execution.runtime-mode", "").upper() != "BATCH":
        problems.append(
            Problem(
                where("job", "sink"),
                (
                    "sink type `file` commits files only on checkpoints: set flink `execution.checkpointing.interval` "
                    "(e.g. 10 s), or nothing is ever committed"
                ),
            )
        )
    if (
        sink == "kafka"
        and settings.sink["delivery-guarantee"] == "exactly-once"
        and not checkpointing
        and flink.get("execution.runtime-mode", "").upper() != "BATCH"
        and _unbounded(settings)
    ):
        # A bounded input commits at its end (the committer's endInput); an endless one never does.
        problems.append(
            Problem(
                where("job", "sink"),
                (
                    "an exactly-once Kafka sink commits its transactions only on checkpoints: set flink "
                    "`execution.checkpointing.interval` (e.g. 10 s), or read_committed consumers see nothing"
                ),
            )
        )
    if "kafka" in (sink, source):
        jars = [j.strip() for j in flink.get("pipeline.jars", "").split(";") if j.strip()]
        for jar in jars:
            local = jar[len("file://") :] if jar.startswith("file://") else jar
            if "://" not in local and not os.path.isfile(local):
                problems.append(Problem(where("flink", "pipeline.jars"), f"pipeline.jars: file not found: {local}"))
    if settings.events.count is None and source == "generator" and sink == "collect":
        problems.append(
            Problem(
                where("job", "events", "count"),
                ("an unbounded generator (events.count: null) never finishes: use sink `stdout`, `file` or `kafka`"),
            )
        )
    if (
        settings.emit_mode not in (None, "per-event")
        and settings.emit_interval_ms is not None
        and settings.emit_interval_ms < 10
    ):
        problems.append(Problem(where("job", "emit", "interval"), "emit.interval must be at least 10 ms"))
    return problems


def _pipeline_problems(settings: JobSettings, job_name: str, where: _Locator) -> list[Problem]:
    """`job.pipeline: optimized` builds its events itself, in blocks, from the generator's spec."""
    if settings.pipeline != "optimized":
        return []
    job = JOBS.get(job_name or settings.name)
    unsupported = [
        (job is None or not job.optimized, f"job `{job_name or settings.name}` has no optimized pipeline"),
        (
            settings.source["type"] != "generator",
            f"the optimized pipeline reads the generator only, not source `{settings.source['type']}`: "
            "use `pipeline: per-event`",
        ),
        (settings.events.rate is not None, "the optimized pipeline has no rate limit: set events.rate to null"),
        (settings.slow_operator is not None, "slow-operator is a per-event testing aid: remove it"),
        (
            settings.emit_mode not in (None, "timer"),
            "the optimized running-totals emits on a timer only (emit.mode: timer): per-event emission "
            "writes one record per event",
        ),
    ]
    return [Problem(where("job", "pipeline"), message) for failed, message in unsupported if failed]


def load_job_config(path: str, overrides: list[str] = (), job_name: str = "") -> JobConfig:
    """Read, override, validate; raises ConfigError listing every problem with its location."""
    document = _read_document(path)
    value = document.value
    problems: list[Problem] = []
    if not isinstance(value, dict):
        position = document.position_of(())
        raise ConfigError(
            [Problem(f"{path}:{position.line}:{position.column}", "a job config is a mapping with a `job:` section")]
        )
    for key_path, first, again in document.duplicates:
        problems.append(
            Problem(
                f"{path}:{again.line}:{again.column}",
                f"duplicate key `{key_path[-1]}` (first at line {first.line}); Flink rejects duplicates",
            )
        )
    overridden = {}
    for assignment in overrides:
        try:
            key_path, new_value = _parse_assignment(assignment)
        except ValueError as error:
            problems.append(Problem(f"--set {assignment}", str(error)))
            continue
        _apply_override(value, key_path, new_value)
        overridden[key_path] = assignment
    where = _Locator(path, document, overridden)
    schema_problems = _schema_problems(value, where)
    if schema_problems:  # the typed checks below rely on the schema's types
        raise ConfigError(problems + schema_problems)

    entries = list(flink_entries(value.get("flink") or {}))
    flink = {key: flat_value for key, flat_value, _ in entries}
    job = value.get("job") or {}
    settings, setting_problems = _settings(
        value, where, shipped_job_section(job_name or job.get("name") or Path(path).stem)
    )
    problems += setting_problems
    if not settings.name:
        settings = replace(settings, name=job_name or Path(path).stem)
    if settings.sink["type"] == "kafka":  # transactional ids unique per job: the job's name
        settings.sink.setdefault("transactional-id-prefix", settings.name)

    problems += _flink_option_problems(entries, where)
    if "kafka" in (settings.source["type"], settings.sink["type"]):
        try:
            flink["pipeline.jars"] = _with_kafka_jars(
                flink.get("pipeline.jars", ""), settings.source["type"] == "kafka"
            )
        except KafkaError as error:
            problems.append(Problem(where("job"), str(error)))
    problems += _cross_checks(settings, flink, where)
    problems += _pipeline_problems(settings, job_name, where)
    if problems:
        raise ConfigError(problems)
    return JobConfig(path=path, settings=settings, flink=flink)
