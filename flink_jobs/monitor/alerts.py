"""Alert thresholds: configs/alerts.yaml (or --alerts FILE), validated by schemas/alerts.schema.json.

A file may set only some thresholds; the rest keep the shipped defaults. Every problem is reported
as `file:line:col: message`, like job configs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import jsonschema

from flink_jobs.config import CONFIG_DIR
from flink_lint.documents.yaml_source import YamlSyntaxError, load_yaml_documents
from flink_lint.resources import data_path

DEFAULT_ALERTS = CONFIG_DIR / "alerts.yaml"
SCHEMA = data_path("schemas", "alerts.schema.json")
SEVERITIES = ("critical", "warning")  # most severe first


class AlertsError(Exception):
    """The alerts file is unreadable or invalid; str() lists the problems, one per line."""


@dataclass(frozen=True)
class Thresholds:
    backpressure_ratio: dict = field(default_factory=lambda: {"warning": 0.5, "critical": 0.8})
    buffer_pool_usage: dict = field(default_factory=lambda: {"warning": 0.8})
    input_vs_processing_rate: dict = field(default_factory=lambda: {"warning": 2.0})
    kafka_lag: dict = field(default_factory=lambda: {"warning": 100000})
    kafka_lag_growth_samples: int = 3
    kafka_lag_growth_min_records: int = 1000
    job_stalled_seconds: float = 30.0
    busy_ratio: float = 0.8
    skew: float = 1.5
    target_utilization: float = 0.7

    def severity(self, metric: str, value: Optional[float]) -> Optional[tuple[str, float]]:
        """(severity, threshold) of the worst level `value` is strictly above, else None."""
        if value is None:
            return None
        levels = getattr(self, metric.replace("-", "_"))
        for severity in SEVERITIES:
            if severity in levels and value > levels[severity]:
                return severity, levels[severity]
        return None


def _read(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AlertsError(f"{path}: alerts file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AlertsError(f"{path}: cannot read: {error}") from None
    try:
        documents = [d for d in load_yaml_documents(text) if d.value is not None]
    except YamlSyntaxError as error:
        raise AlertsError(f"{path}:{error.position.line}:{error.position.column}: invalid YAML: {error.message}") from None
    if not documents:
        return None, {}
    if len(documents) > 1:
        raise AlertsError(f"{path}:1:1: expected one YAML document, found {len(documents)}")
    return documents[0], documents[0].value


def load_thresholds(path: Optional[str] = None) -> Thresholds:
    """The shipped defaults overlaid with `path` (default configs/alerts.yaml)."""
    path = Path(path) if path else DEFAULT_ALERTS
    document, value = _read(path)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    problems = []
    for error in sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path)):
        position = document.position_of(tuple(error.absolute_path)) if document else None
        where = f"{path}:{position.line}:{position.column}" if position else str(path)
        dotted = ".".join(map(str, error.absolute_path)) or "alerts file"
        problems.append(f"{where}: {dotted}: {error.message}")
    if problems:
        raise AlertsError("\n".join(problems))
    defaults = Thresholds()
    alerts, diagnosis = value.get("alerts") or {}, value.get("diagnosis") or {}
    growth = alerts.get("kafka-lag-growth") or {}
    return Thresholds(
        backpressure_ratio=alerts.get("backpressure-ratio", defaults.backpressure_ratio),
        buffer_pool_usage=alerts.get("buffer-pool-usage", defaults.buffer_pool_usage),
        input_vs_processing_rate=alerts.get("input-vs-processing-rate", defaults.input_vs_processing_rate),
        kafka_lag=alerts.get("kafka-lag", defaults.kafka_lag),
        kafka_lag_growth_samples=growth.get("samples", defaults.kafka_lag_growth_samples),
        kafka_lag_growth_min_records=growth.get("min-records", defaults.kafka_lag_growth_min_records),
        job_stalled_seconds=(alerts.get("job-stalled") or {}).get("seconds", defaults.job_stalled_seconds),
        busy_ratio=diagnosis.get("busy-ratio", defaults.busy_ratio),
        skew=diagnosis.get("skew", defaults.skew),
        target_utilization=diagnosis.get("target-utilization", defaults.target_utilization),
    )
