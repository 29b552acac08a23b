"""Alert thresholds: configs/alerts.yaml (or --alerts FILE), validated by schemas/alerts.schema.json.

A file may set only some thresholds; the rest keep the shipped defaults: the file is read over
configs/alerts.yaml, which is the only place a default is written (Thresholds' fields default to it).
The file is read and validated by the linter's layer (flink_lint.api.validate_yaml: the reader,
hostile-input limits and schema errors of job configs); every problem is reported as
`file:line:col: message`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from flink_jobs.config import CONFIG_DIR
from flink_lint.api import location_text, validate_yaml
from flink_lint.resources import data_path

DEFAULT_ALERTS = CONFIG_DIR / "alerts.yaml"
SCHEMA = data_path("schemas", "alerts.schema.json")
SEVERITIES = ("critical", "warning")  # most severe first


class AlertsError(Exception):
    """The alerts file is unreadable or invalid; str() lists the problems, one per line."""


def _shipped(name: str):
    """A field whose default is the shipped configs/alerts.yaml's value."""
    return field(default_factory=lambda: copy.deepcopy(shipped_thresholds()[name]))


@dataclass(frozen=True)
class Thresholds:
    backpressure_ratio: dict[str, Any] = _shipped("backpressure_ratio")
    buffer_pool_usage: dict[str, Any] = _shipped("buffer_pool_usage")
    input_vs_processing_rate: dict[str, Any] = _shipped("input_vs_processing_rate")
    kafka_lag: dict[str, Any] = _shipped("kafka_lag")
    kafka_lag_growth_samples: int = _shipped("kafka_lag_growth_samples")
    kafka_lag_growth_min_records: int = _shipped("kafka_lag_growth_min_records")
    job_stalled_seconds: float = _shipped("job_stalled_seconds")
    busy_ratio: float = _shipped("busy_ratio")
    skew: float = _shipped("skew")
    target_utilization: float = _shipped("target_utilization")
    restarts: dict[str, Any] = _shipped("restarts")
    restart_window_seconds: float = _shipped("restart_window_seconds")
    checkpoint_failure_ratio: dict[str, Any] = _shipped("checkpoint_failure_ratio")
    checkpoint_age: dict[str, Any] = _shipped("checkpoint_age")
    checkpoint_duration: dict[str, Any] = _shipped("checkpoint_duration")
    checkpoint_duration_interval: dict[str, Any] = _shipped("checkpoint_duration_interval")
    checkpoint_growth_checkpoints: int = _shipped("checkpoint_growth_checkpoints")
    checkpoint_growth_ratio: float = _shipped("checkpoint_growth_ratio")
    checkpoint_growth_minutes: float = _shipped("checkpoint_growth_minutes")
    watermark_lag: dict[str, Any] = _shipped("watermark_lag")
    watermark_stall_seconds: float = _shipped("watermark_stall_seconds")
    gc_time: dict[str, Any] = _shipped("gc_time")
    heap_usage: dict[str, Any] = _shipped("heap_usage")

    def severity(self, metric: str, value: Optional[float]) -> Optional[tuple[str, float]]:
        """(severity, threshold) of the worst level `value` is strictly above, else None."""
        if value is None:
            return None
        levels = getattr(self, metric.replace("-", "_"))
        for severity in SEVERITIES:
            if severity in levels and value > levels[severity]:
                return severity, levels[severity]
        return None


def _validated(path: Path) -> dict[str, Any]:
    """The alerts file read and checked by the linter's layer (its reader, limits and schema errors)."""
    validated = validate_yaml(str(path), SCHEMA)
    if validated.problems:
        raise AlertsError(
            "\n".join(
                f"{location_text(problem.location)}: {problem.message}" + (f" ({problem.hint})" if problem.hint else "")
                for problem in validated.problems
            )
        )
    return validated.value if validated.value is not None else {}


def _is_levels(entry) -> bool:
    return isinstance(entry, dict) and set(entry) <= set(SEVERITIES)


def _over(value: dict[str, Any], shipped: dict[str, Any]) -> dict[str, Any]:
    """`value` read over the shipped file, section by section and threshold by threshold. A threshold
    of severity levels is replaced whole (a level left out does not fire); the settings of the others
    (kafka-lag-growth's samples and min-records) merge one by one."""
    merged = {}
    for section in shipped.keys() | value.keys():
        base, mine = dict(shipped.get(section) or {}), value.get(section) or {}
        for key, entry in mine.items():
            old = base.get(key)
            base[key] = {**old, **entry} if isinstance(old, dict) and not _is_levels(old) else entry
        merged[section] = base
    return merged


def _fields(value: dict[str, Any]) -> dict[str, Any]:
    """Thresholds' fields from a complete alerts file (the shipped one, or a file read over it)."""
    alerts, diagnosis = value["alerts"], value["diagnosis"]
    return dict(
        backpressure_ratio=alerts["backpressure-ratio"],
        buffer_pool_usage=alerts["buffer-pool-usage"],
        input_vs_processing_rate=alerts["input-vs-processing-rate"],
        kafka_lag=alerts["kafka-lag"],
        kafka_lag_growth_samples=alerts["kafka-lag-growth"]["samples"],
        kafka_lag_growth_min_records=alerts["kafka-lag-growth"]["min-records"],
        job_stalled_seconds=alerts["job-stalled"]["seconds"],
        busy_ratio=diagnosis["busy-ratio"],
        skew=diagnosis["skew"],
        target_utilization=diagnosis["target-utilization"],
        restarts=alerts["restarts"],
        restart_window_seconds=diagnosis["restart-window-seconds"],
        checkpoint_failure_ratio=alerts["checkpoint-failure-ratio"],
        checkpoint_age=alerts["checkpoint-age"],
        checkpoint_duration=alerts["checkpoint-duration"],
        checkpoint_duration_interval=alerts["checkpoint-duration-interval"],
        checkpoint_growth_checkpoints=alerts["checkpoint-size-growth"]["checkpoints"],
        checkpoint_growth_ratio=alerts["checkpoint-size-growth"]["ratio"],
        checkpoint_growth_minutes=alerts["checkpoint-size-growth"]["minutes"],
        watermark_lag=alerts["watermark-lag"],
        watermark_stall_seconds=alerts["watermark-stall"]["seconds"],
        gc_time=alerts["gc-time"],
        heap_usage=alerts["heap-usage"],
    )


@lru_cache(maxsize=1)
def _shipped_file() -> dict[str, Any]:
    """The shipped configs/alerts.yaml, read and validated once (never mutated: copy what you keep)."""
    return _validated(DEFAULT_ALERTS)


@lru_cache(maxsize=1)
def shipped_thresholds() -> dict[str, Any]:
    """The shipped configs/alerts.yaml as Thresholds' field values: the defaults, written once."""
    return _fields(_shipped_file())


def load_thresholds(path: Optional[str] = None) -> Thresholds:
    """`path` (default configs/alerts.yaml) read over the shipped configs/alerts.yaml."""
    value = _validated(Path(path)) if path else _shipped_file()
    merged = _over(value, _shipped_file())
    return Thresholds(**copy.deepcopy(_fields(merged)))  # _over shares the shipped file's entries
