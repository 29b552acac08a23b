"""A Health as a terminal report or as JSON (`flink-jobs diagnose`)."""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from flink_jobs.monitor.health import Health
from flink_jobs.monitor.report import lag_line
from flink_jobs.monitor.taskmanagers import describe as describe_taskmanager


def _clock(epoch: Optional[float]) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else "-"


def _since(finding, now: float) -> str:
    if not finding.since:
        return ""
    return f"since {_clock(finding.since)} ({max(0.0, now - finding.since):.0f} s)"


def _checkpoints_line(figures: dict[str, Any]) -> str:
    if not figures:
        return "-"
    if not figures.get("enabled"):
        return "checkpointing off"
    counts = figures.get("counts") or {}
    parts = [f"completed {counts.get('completed', '-')}, failed {counts.get('failed', '-')}"]
    if figures.get("failure_ratio") is not None:
        parts.append(f"failure ratio {figures['failure_ratio']:.2f} over the last {figures['window']}")
    if figures.get("last_completed_age_s") is not None:
        parts.append(f"last completed {figures['last_completed_age_s']:.0f} s ago")
    if figures.get("last_duration_ms") is not None:
        parts.append(f"took {figures['last_duration_ms']:,.0f} ms")
    if figures.get("alignment_ms"):
        parts.append(f"alignment up to {figures['alignment_ms']:,.0f} ms at {figures['alignment_vertex'][:40]}")
    if figures.get("last_size") is not None:
        parts.append(f"{figures['last_size']:,.0f} bytes")
    timeout = f"{figures['timeout_ms'] / 1000:g} s" if figures.get("timeout_ms") is not None else "-"
    parts.append(
        f"interval {figures['interval_ms'] / 1000:g} s, timeout {timeout}, "
        f"{'unaligned' if figures.get('unaligned') else 'aligned'}"
    )
    return "; ".join(parts)


def _event_time_line(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "-"
    return "; ".join(
        f"{row['name'][:40]}: "
        + ("no watermark yet" if row["watermark"] is None else f"watermark lag {row['lag_s']:,.1f} s")
        for row in rows
    )


def _backpressure_line(health: Health) -> str:
    diagnosis = health.diagnosis
    if diagnosis is None:
        return "-"
    levels = ", ".join(f"{v.name[:30]} {v.level}" for v in diagnosis.vertices)
    bottleneck = f"; bottleneck {diagnosis.bottleneck['name']}" if diagnosis.bottleneck else "; no bottleneck"
    return levels + bottleneck


def table(health: Health) -> str:
    now = health.taken_at
    lines = [
        f"job {health.job_name} ({health.job_id}) {health.job_state}, sampled {_clock(now)}",
        f"verdict: {health.verdict.upper()}",
        "",
    ]
    if health.findings:
        lines.append(f"findings ({len(health.findings)}, most severe first):")
        for index, finding in enumerate(health.findings, 1):
            lines.append(f"{index:>2}. {finding.severity.upper():<8} [{finding.signal}] {finding.message}")
            lines.append(f"      evidence: {finding.evidence}" + (f"; {_since(finding, now)}" if finding.since else ""))
            if finding.suggestion:
                lines.append(f"      change: {finding.suggestion}")
    else:
        lines.append("findings: none")
    for signal, reason in health.not_assessed.items():
        lines.append(f"NOT ASSESSED {signal}: {reason}")
    for signal, reason in health.not_applicable.items():
        lines.append(f"not applicable {signal}: {reason}")
    lines.append("")
    restarts = health.restarts or {}
    state = f"{health.job_state}"
    if restarts.get("in_window") is not None:
        state += f", {restarts['in_window']:.0f} restarts in the last {restarts['window_s'] / 60:g} min"
    if restarts.get("total") is not None:
        state += f" ({restarts['total']:.0f} in all)"
    if restarts.get("root_exception"):
        state += f"; last failure: {restarts['root_exception']}"
    signals = [
        ("state", state),
        ("backpressure", _backpressure_line(health)),
        ("checkpoints", _checkpoints_line(health.checkpoints)),
        ("event time", _event_time_line(health.watermarks)),
    ]
    if health.diagnosis:
        signals += [("kafka lag", lag_line(v.name, v.kafka_lag)) for v in health.diagnosis.vertices if v.kafka_lag]
    signals += [("taskmanager", f"{row['id']}: {describe_taskmanager(row)}") for row in health.taskmanagers]
    lines.append("signals:")
    lines += [f"  {name:<12} {text}" for name, text in signals]
    return "\n".join(lines)


def as_json(health: Health, indent=2) -> str:
    """One JSON document; with indent=None one line (--watch, --record: JSON lines)."""
    return json.dumps(health.to_json(), indent=indent, default=str)
