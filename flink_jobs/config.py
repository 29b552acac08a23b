"""Job configs: validate configs/<job>.yaml through the linter, and turn it into typed settings.

Reading and validating is flink-lint's (flink_lint.api.check_job_config: the same reader, schema,
option catalog and rules as `flink-lint --kind job-config`), so `flink-jobs check` reports exactly
the linter's findings, `--set KEY=VALUE` overrides included. Everything here runs before any JVM
starts: a config with an error fails fast listing every finding (file:line:col, or the `--set`
that caused it), and the CLI exits 2. What stays here is what is not a property of the file: the
typed settings, and the jars of this machine that a Kafka job needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from flink_jobs.events import EventSpec
from flink_jobs.jobs import JOBS
from flink_jobs.kafka import KafkaError, connector_jar, jobpack_jar
from flink_lint.api import JobConfigCheck, Override, check_job_config, finding_lines, kafka_sink_defaults
from flink_lint.catalog.values import parse_duration_ms
from flink_lint.model import Finding
from flink_lint.resources import data_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = data_path("configs")
FAIL_ON = ("error", "warning", "info")  # a config fails on findings at this severity or worse


class ConfigError(Exception):
    """A config with findings at the failing severity; str() lists them, as flink-lint prints them."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
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
    source: dict[str, Any]
    sink: dict[str, Any]
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
    flink: dict[str, str]  # flat Flink option key -> string value, as Configuration.set_string takes it
    findings: list[Finding]  # the linter's findings below the failing severity (warnings, advice)


def default_config_path(job: str) -> Path:
    return CONFIG_DIR / f"{job}.yaml"


FALLBACK_JOB = "windowed-counts"  # the base of a config for no pack job (a file read on its own)


@lru_cache(maxsize=None)
def shipped_job_section(job: str) -> dict[str, Any]:
    """The `job:` section of the shipped configs/<job>.yaml: the defaults of that job's settings
    (a user's config is read over it). Never mutated: callers copy what they change."""
    path = default_config_path(job)
    if not path.is_file():
        path = default_config_path(FALLBACK_JOB)
    check = check_job_config(str(path))
    if check.at_least("error") or check.internal_errors:
        raise ConfigError(_lines(check.at_least("error")) + check.internal_errors)
    return check.job


def shipped_events(job: str = FALLBACK_JOB, **changes: Any) -> EventSpec:
    """The generator's spec of a job's shipped config, with `changes` (EventSpec fields, e.g.
    count=5_000, late_fraction=0.0): EventSpec has no defaults of its own."""
    return replace(_settings(shipped_job_section(job), job).events, **changes)


def _lines(findings: Sequence[Finding]) -> list[str]:
    return [line for finding in findings for line in finding_lines(finding)]


# ------------------------------------------------------------------ typed settings
def _ms(value: Any) -> Optional[int]:
    """A duration the linter has validated (FL003), in milliseconds; None stays None."""
    return None if value is None else parse_duration_ms(value)


def _required_ms(value: Any) -> int:
    """A duration the schema requires (the shipped config has it), in milliseconds."""
    return parse_duration_ms(value)


def _settings(job: dict[str, Any], name: str) -> JobSettings:
    """Typed settings from a validated `job:` section read over the shipped one (every key is there)."""
    events = job["events"]
    spec = EventSpec(
        count=events["count"],
        seed=events["seed"],
        keys=events["keys"],
        key_skew=float(events["key-skew"]),
        value_max=events["value-max"],
        start_ms=events["start"],
        interval_ms=_required_ms(events["interval"]),
        disorder_ms=_required_ms(events["disorder"]),
        late_fraction=float(events["late-fraction"]),
        late_by_ms=_required_ms(events["late-by"]),
        rate=events["rate"],
    )
    window = job.get("window") or {}
    emit = job.get("emit") or {}
    source = dict(job["source"])
    if "monitor-interval" in source:
        source["monitor-interval"] = _ms(source["monitor-interval"])
    sink = dict(job["sink"])
    if sink["type"] == "kafka":
        sink = _kafka_sink(sink, name)
    slow = job.get("slow-operator")
    return JobSettings(
        name=name,
        events=spec,
        source=source,
        sink=sink,
        window=WindowSettings(
            size_ms=_ms(window.get("size")),
            allowed_lateness_ms=_ms(window.get("allowed-lateness")),
            out_of_orderness_ms=_required_ms(window["out-of-orderness"]),
            idleness_ms=_ms(window.get("idleness")),
        ),
        state_ttl_ms=_ms(job.get("state-ttl")),
        emit_mode=emit.get("mode"),
        emit_interval_ms=_ms(emit.get("interval")),
        slow_operator=SlowOperator(
            sleep_ms=_required_ms(slow["sleep"]), every=slow.get("every", 1), keyed=slow.get("keyed", False)
        )
        if slow
        else None,
        failing_operator=FailingOperator(job["failing-operator"]["every"]) if job.get("failing-operator") else None,
        salt_buckets=job.get("salt-buckets"),
        store=_store(job.get("store")),
        pipeline=job.get("pipeline"),
    )


def _kafka_sink(sink: dict[str, Any], name: str) -> dict[str, Any]:
    """The Kafka sink with the schema's defaults (kafka_sink_defaults(): exactly-once, a transaction
    timeout the broker accepts, as its transaction.max.timeout.ms defaults to 15 min and the linter's
    FL613 refuses more) and transactional ids unique per job (its name)."""
    defaults = kafka_sink_defaults()
    timeout = sink.get("transaction-timeout", defaults["transaction-timeout"])
    sink = {"delivery-guarantee": defaults["delivery-guarantee"], "transactional-id-prefix": name, **sink}
    properties = {key: str(value) for key, value in (sink.get("properties") or {}).items()}
    if "transaction-timeout" in sink or "transaction.timeout.ms" not in properties:
        properties["transaction.timeout.ms"] = str(_ms(timeout))
    sink["properties"] = properties
    return sink


def _store(section: Optional[dict[str, Any]]) -> Optional[StoreSettings]:
    if not section:
        return None
    return StoreSettings(
        host=section["host"],
        port=section["port"],
        key_prefix=section["key-prefix"],
        capacity=section["capacity"],
        max_batches=section["max-batches"],
        timeout_ms=_required_ms(section["timeout"]),
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


def _local_jar_problems(flink: dict[str, str], check: JobConfigCheck) -> list[str]:
    """Jars of pipeline.jars that are not on this machine (a property of the machine, not the file)."""
    problems = []
    for jar in (j.strip() for j in flink.get("pipeline.jars", "").split(";") if j.strip()):
        local = jar[len("file://") :] if jar.startswith("file://") else jar
        if "://" not in local and not os.path.isfile(local):
            problems.append(f"{check.where('flink', 'pipeline.jars')}: pipeline.jars: file not found: {local}")
    return problems


def _pipeline_problems(settings: JobSettings, job_name: str, check: JobConfigCheck) -> list[str]:
    """`job.pipeline: optimized` needs a job that has an optimized pipeline (the pack's job registry,
    not a property of the file); what the optimized pipeline cannot do is flink-lint's FL623."""
    if settings.pipeline != "optimized":
        return []
    job = JOBS.get(job_name or settings.name)
    if job is not None and job.optimized:
        return []
    return [f"{check.where('job', 'pipeline')}: job `{job_name or settings.name}` has no optimized pipeline"]


def _read(path: str, overrides: Sequence[Override], job_name: str) -> JobConfigCheck:
    """The linter's check of `path` read over the shipped config of its job: `job_name`, else the
    config's own job.name, else its file name."""
    if not job_name:
        document = check_job_config(path, overrides).document
        job = document.get("job") if isinstance(document, dict) else None
        name = job.get("name") if isinstance(job, dict) else None
        job_name = name if isinstance(name, str) and name else Path(path).stem
    return check_job_config(path, overrides, base=shipped_job_section(job_name))


def load_job_config(path: str, overrides: Sequence[str] = (), job_name: str = "", fail_on: str = "error") -> JobConfig:
    """Read, override, validate (flink-lint's job-config findings); raises ConfigError listing
    every finding at `fail_on` or worse. The findings below it are the JobConfig's `findings`."""
    problems, parsed = [], []
    for text in overrides:
        try:
            parsed.append(Override.parse(text))
        except ValueError as error:
            problems.append(f"--set {text}: {error}")
    check = _read(path, parsed, job_name)
    failing = check.at_least(fail_on)
    if problems or failing or check.internal_errors:
        raise ConfigError(problems + _lines(failing) + check.internal_errors)

    job = check.job
    name = job.get("name") or job_name or Path(path).stem
    settings = _settings(job, name)
    flink = dict(check.flink)
    if "kafka" in (settings.source["type"], settings.sink["type"]):
        try:
            flink["pipeline.jars"] = _with_kafka_jars(
                flink.get("pipeline.jars", ""), settings.source["type"] == "kafka"
            )
        except KafkaError as error:
            problems.append(f"{check.where('job')}: {error}")
        problems += _local_jar_problems(flink, check)
    problems += _pipeline_problems(settings, job_name, check)
    if problems:
        raise ConfigError(problems)
    return JobConfig(path=path, settings=settings, flink=flink, findings=check.findings)
