"""What a configuration says about the job and the cluster it runs on: parallelism, slots,
TaskManagers, state, backpressure-prone operators, checkpointing. Shared by the FL2xx-FL4xx rules.

Facts come from the Flink options and from `config.context`, which the readers fill by kind:
a FlinkDeployment gives "job.parallelism", "taskManager.replicas", "job.upgradeMode" (each a
(value, Location) pair); a pack job config gives "job" (its `job:` section as a dict).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, Optional

from flink_lint.model import FlinkConfig, Location, RuleContext, Setting
from flink_lint.rules.config import _settings

CLUSTER_KINDS = ("config-yaml", "flink-conf", "configmap", "flink-deployment", "flink-session-job")
KUBERNETES_KINDS = ("flink-deployment", "flink-session-job")
LARGE_STATE_BACKENDS = ("rocksdb", "forst")

# Operators that capacity-planning guides rate as high backpressure risk (heavy state, bursts).
BACKPRESSURE_PRONE = {
    "session-window": "session windows",
    "stream-stream-join": "stream-stream joins",
    "interval-join": "interval joins",
    "async-io": "async I/O to an external service",
    "external-lookup": "lookups in an external service",
}
HOT_KEY_SKEW = 1.0  # Zipf exponent from which one key carries a large share of the events


class Fact(NamedTuple):
    value: Any
    location: Optional[Location]
    setting: Optional[Setting] = None


def job_section(config: FlinkConfig) -> dict[str, Any]:
    job = config.context.get("job")
    if isinstance(job, tuple):
        job = job[0]
    return job if isinstance(job, dict) else {}


def typed_section(config: FlinkConfig, name: str, kind: str) -> dict[str, Any]:
    """`job.<name>` of a pack job config (source, sink) when it is a mapping of type `kind`, else {}."""
    if config.kind != "job-config":
        return {}
    value = job_section(config).get(name)
    return value if isinstance(value, dict) and value.get("type") == kind else {}


def _int_fact(config: FlinkConfig, key: str) -> Optional[Fact]:
    value, location = _settings.context_fact(config, key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return Fact(value, location)


def parallelism(config: FlinkConfig, context: RuleContext) -> Fact:
    """The job's parallelism: spec.job.parallelism of a FlinkDeployment, else parallelism.default."""
    declared = _int_fact(config, "job.parallelism")
    if declared is not None:
        return declared
    read = _settings.integer(config, "parallelism.default", context)
    location = read.setting.value_location if read.setting is not None else None
    return Fact(read.value, location, read.setting)


def slots_per_taskmanager(config: FlinkConfig, context: RuleContext) -> Fact:
    read = _settings.integer(config, "taskmanager.numberOfTaskSlots", context)
    location = read.setting.value_location if read.setting is not None else None
    return Fact(read.value, location, read.setting)


def taskmanagers(config: FlinkConfig) -> Optional[Fact]:
    """Number of TaskManagers when the configuration fixes it (FlinkDeployment taskManager.replicas)."""
    return _int_fact(config, "taskManager.replicas")


def has_job(config: FlinkConfig) -> bool:
    """A pack job config, or a FlinkDeployment/FlinkSessionJob that runs a job."""
    if config.kind == "job-config":
        return True
    if config.kind in KUBERNETES_KINDS:
        return (
            any(key in config.context for key in ("job.parallelism", "job.upgradeMode", "job.jarURI", "job"))
            or config.context.get("deployment") == "application"
            or config.kind == "flink-session-job"
        )
    return False


def with_session_cluster(config: FlinkConfig) -> FlinkConfig:
    """A FlinkSessionJob as the operator validates it: the flinkConfiguration of its session
    cluster, when that FlinkDeployment is in the same file, under the job's own (its keys win)."""
    cluster = config.context.get("session_cluster_settings")
    if config.kind != "flink-session-job" or not cluster:
        return config
    return dataclasses.replace(config, settings=[*cluster, *config.settings])


def upgrade_mode(config: FlinkConfig) -> Fact:
    value, location = _settings.context_fact(config, "job.upgradeMode")
    return Fact(value if isinstance(value, str) else None, location)


def state_backend(config: FlinkConfig, context: RuleContext) -> Fact:
    setting = _settings.effective(config, "state.backend.type", context)
    if setting is None:
        return Fact(None, None)
    return Fact(setting.value.strip().lower(), setting.value_location, setting)


def declared_operators(config: FlinkConfig) -> list[str]:
    job = job_section(config)
    declared = job.get("operators") or config.context.get("declares", {}).get("operators") or []
    return [str(name) for name in declared] if isinstance(declared, list) else []


def backpressure_prone(config: FlinkConfig) -> list[str]:
    """Reasons, in words, why the declared job is prone to backpressure (empty: none declared)."""
    reasons = [BACKPRESSURE_PRONE[name] for name in declared_operators(config) if name in BACKPRESSURE_PRONE]
    events = job_section(config).get("events")
    skew = events.get("key-skew") if isinstance(events, dict) else None
    if isinstance(skew, (int, float)) and not isinstance(skew, bool) and skew >= HOT_KEY_SKEW:
        reasons.append(f"a hot key (events.key-skew {skew} >= {HOT_KEY_SKEW})")
    return reasons


def is_stateful(config: FlinkConfig, context: RuleContext) -> Optional[str]:
    """Why the job keeps state, in words, or None when nothing says it does."""
    if config.kind == "job-config":
        job = job_section(config)
        if job.get("stateful") is True:
            return "the job declares `stateful: true`"
        for key, why in (
            ("window", "windows"),
            ("state-ttl", "keyed state with a TTL"),
            ("emit", "keyed running totals"),
        ):
            if key in job:
                return f"the job keeps {why} (job.{key})"
        stateful_operators = [name for name in declared_operators(config) if name in BACKPRESSURE_PRONE]
        if stateful_operators:
            return f"the job declares {', '.join(stateful_operators)}"
        return None
    if config.kind in KUBERNETES_KINDS and has_job(config):
        mode = upgrade_mode(config).value
        if mode in ("savepoint", "last-state"):
            return f"upgradeMode {mode} carries state across upgrades"
        backend = state_backend(config, context).value
        if backend in LARGE_STATE_BACKENDS:
            return f"the state backend is {backend}"
        if _settings.is_set(config, "execution.checkpointing.dir", context):
            return "a checkpoint directory is configured"
    return None


def checkpoint_interval(config: FlinkConfig, context: RuleContext) -> _settings.Read:
    """execution.checkpointing.interval in ms; unset means checkpointing is off."""
    return _settings.duration_ms(config, "execution.checkpointing.interval", context)


def is_batch(config: FlinkConfig) -> bool:
    return (config.value("execution.runtime-mode") or "").strip().upper() == "BATCH"


def job_location(config: FlinkConfig, *path) -> Optional[Location]:
    """Where `job.<path>` is written in a pack job config (its key), or None."""
    positions = config.context.get("positions")
    if positions is None or not hasattr(positions, "location"):
        return None
    job = job_section(config)
    node = job
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return positions.location(("job",) + tuple(path), key=True)
