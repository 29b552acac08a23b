"""A diagnosis as a terminal table or as JSON."""

from __future__ import annotations

import json
import time
from typing import Optional

from flink_jobs.monitor.diagnosis import Diagnosis, VertexReport
from flink_jobs.monitor.kafka_lag import KafkaLag

NAME_WIDTH = 34
COLUMNS = ("#", "vertex", "P", "level", "bp", "busy", "idle", "out-pool", "in-pool", "in/s", "out/s", "skew")


def _ratio(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


def _rate(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f}k" if value >= 10_000 else f"{value:,.0f}"


def _count(value: Optional[int]) -> str:
    return "not read" if value is None else f"{value:,}"


def lag_line(name: str, lag: KafkaLag) -> str:
    """`kafka lag <source>: 12,345 records (from ...), growing +4,000 (2 rises in a row)`."""
    if not lag.read:
        return f"kafka lag {_name(name)}: not read ({lag.why_not})"
    text = f"kafka lag {_name(name)}: {lag.records:,} records ({lag.origin})"
    if lag.trend:
        rises = f", {lag.rises} rises in a row" if lag.rises else ""
        text += f", {lag.trend} {lag.change:+,}{rises}"
    return text


def _name(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def _row(index: int, vertex: VertexReport, bottleneck_id: Optional[str]) -> list[str]:
    lag = _count(vertex.kafka_lag.records) if vertex.kafka_lag else ""
    if not vertex.sampled:
        return [str(index), _name(vertex.name), str(vertex.parallelism), "-", vertex.note] + [""] * 7 + [lag]
    level = vertex.level.upper() if vertex.level == "high" else vertex.level
    skew = "-" if vertex.skew is None or vertex.parallelism == 1 else f"{vertex.skew:.2f}"
    marker = "  <- bottleneck" if vertex.id == bottleneck_id else ""
    return [
        str(index),
        _name(vertex.name),
        str(vertex.parallelism),
        level,
        _ratio(vertex.backpressure),
        _ratio(vertex.busy),
        _ratio(vertex.idle),
        _ratio(vertex.out_pool),
        _ratio(vertex.in_pool),
        _rate(vertex.records_in),
        _rate(vertex.records_out),
        skew + marker,
        lag,
    ]


def table(diagnosis: Diagnosis) -> str:
    taken = time.strftime("%H:%M:%S", time.localtime(diagnosis.taken_at)) if diagnosis.taken_at else "-"
    lines = [
        f"job {diagnosis.job_name} ({diagnosis.job_id}) {diagnosis.job_state}, "
        f"{len(diagnosis.vertices)} vertices, sampled {taken}"
    ]
    bottleneck_id = (diagnosis.bottleneck or {}).get("id")
    columns = list(COLUMNS) + (["kafka lag"] if any(v.kafka_lag for v in diagnosis.vertices) else [])
    rows = [columns] + [_row(i, v, bottleneck_id)[: len(columns)] for i, v in enumerate(diagnosis.vertices, 1)]
    widths = [
        max(len(row[c]) for row in rows if not (row[4].startswith("not yet") and c == 4)) for c in range(len(columns))
    ]
    right = {0, 2, 4, 5, 6, 7, 8, 9, 10, 12}
    for row in rows:
        if row[3] == "-" and row[4].startswith("not yet"):
            lag = f"  kafka lag {row[12]}" if len(row) > 12 and row[12] else ""
            lines.append(
                "  ".join(
                    cell.rjust(widths[c]) if c in right else cell.ljust(widths[c]) for c, cell in enumerate(row[:4])
                )
                + "  "
                + row[4]
                + lag
            )
            continue
        lines.append(
            "  ".join(
                cell.rjust(widths[c]) if c in right else cell.ljust(widths[c]) for c, cell in enumerate(row)
            ).rstrip()
        )
    lines.append("")
    if diagnosis.stall:  # "stalled" once the alert fired; before that, a job starting or restarting
        stalled = any(alert.metric == "job-stalled" for alert in diagnosis.alerts)
        lines.append(f"{'stalled' if stalled else 'not running'}: {diagnosis.stall.describe()}")
        for reason in diagnosis.stall.reasons:
            lines.append(f"  why: {reason}")
    for vertex in diagnosis.vertices:
        if vertex.kafka_lag:
            lines.append(lag_line(vertex.name, vertex.kafka_lag))
    if diagnosis.bottleneck:
        lines.append(f"bottleneck: {diagnosis.bottleneck['name']}")
        lines.append(f"  why: {diagnosis.bottleneck['reason']}")
    else:
        lines.append("bottleneck: none" + (" (the job is not processing)" if diagnosis.stall else ""))
    for suggestion in diagnosis.suggestions:
        lines.append(f"suggest ({suggestion['kind']}): {suggestion['text']}")
    for note in diagnosis.notes:
        lines.append(f"note: {note}")
    if diagnosis.alerts:
        lines.append(f"alerts ({len(diagnosis.alerts)}):")
        for alert in diagnosis.alerts:
            lines.append(f"  {alert.severity.upper():<8} {alert.message}")
    else:
        lines.append("alerts: none")
    return "\n".join(lines)


def as_json(diagnosis: Diagnosis, indent=2) -> str:
    """One JSON document; with indent=None one line (for --watch: a JSON-lines stream)."""
    return json.dumps(diagnosis.to_json(), indent=indent, default=str)
