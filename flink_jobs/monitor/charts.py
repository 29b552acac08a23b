"""`flink-jobs report FILE --out report.html`: the readings of `diagnose --record` as time charts.

One self-contained page: inline CSS and inline SVG, no script, no font, no image, nothing fetched
when it is viewed (mail it, attach it to a ticket, open it offline). Charts share one time axis:
- the verdict of each reading and its findings (critical, warning, info), hover for the message;
- backpressure ratio per vertex; records in and out per second per vertex; Kafka lag per source;
- checkpoint duration (the last completed and the last failed checkpoint at each reading) and
  checkpointed size (the last completed);
- watermark lag per vertex.
Every data point is an SVG circle with class `point` (a test counts them in headless Chromium).
"""

from __future__ import annotations

import html
import json
import math
import time
from typing import Any

from flink_jobs.rest import Json

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 200, 90, 40, 16, 28
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
SEVERITY_COLOR = {"critical": "#c62828", "warning": "#ef8f00", "info": "#607d8b", "not assessed": "#6a1b9a"}
VERDICT_COLOR = {"healthy": "#2e7d32", "degraded": "#ef8f00", "critical": "#c62828", "unreadable": "#424242"}


class RecordError(Exception):
    """The record file cannot be charted; str() is one line."""


def read_records(path: str) -> list[Json]:
    """The readings of a `diagnose --record` file, oldest first. A last line cut short (a watch
    stopped mid-write) is left out; any other line that is not a reading is an error."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        raise RecordError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RecordError(f"{path}: cannot read: {error}") from None
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    records: list[Any] = []
    for index, (number, line) in enumerate(numbered):
        try:
            record = json.loads(line)
        except ValueError:
            if index == len(numbered) - 1 and records:
                break
            raise RecordError(f"{path}:{number}: not a reading of flink-jobs diagnose --record") from None
        wrong = _not_a_reading(record)
        if wrong:
            raise RecordError(f"{path}:{number}: not a reading of flink-jobs diagnose --record: {wrong}")
        records.append(record)
    if not records:
        raise RecordError(f"{path}: no readings (write some with flink-jobs diagnose --record {path})")
    return sorted(records, key=lambda r: r["taken_at"])


KIND_NAMES = {str: "a string", dict: "an object", list: "a list"}
LAST_CLOCK = 253402300799  # 9999-12-31 23:59:59 UTC: the last second a clock label can show


def _not_a_reading(record) -> str:
    """What keeps a JSON line from being charted as a reading ("" when it can be): the fields the
    charts read must have the types diagnose writes (an edited or foreign file is refused, one line)."""
    if not isinstance(record, dict):
        return "not a JSON object"
    taken_at = record.get("taken_at")
    if isinstance(taken_at, bool) or not isinstance(taken_at, (int, float)) or not 0 <= taken_at <= LAST_CLOCK:
        return "taken_at is not a time in epoch seconds"
    shapes = {
        "verdict": str,
        "error": str,
        "job_id": str,
        "job_name": str,
        "diagnosis": dict,
        "checkpoints": dict,
        "not_assessed": dict,
        "watermarks": list,
        "findings": list,
    }
    for name, kind in shapes.items():
        if record.get(name) is not None and not isinstance(record[name], kind):
            return f"{name} is not {KIND_NAMES[kind]}"
    vertices = (record.get("diagnosis") or {}).get("vertices")
    if vertices is not None and not isinstance(vertices, list):
        return "diagnosis.vertices is not a list"
    for name, rows in (("diagnosis.vertices", vertices), ("watermarks", record.get("watermarks"))):
        if any(not isinstance(row, dict) for row in rows or []):
            return f"{name} holds something other than objects"
    if any(v.get("kafka_lag") is not None and not isinstance(v["kafka_lag"], dict) for v in vertices or []):
        return "diagnosis.vertices[].kafka_lag is not an object"
    for finding in record.get("findings") or []:
        if not isinstance(finding, dict) or not all(
            isinstance(finding.get(name), (str, type(None))) for name in ("severity", "metric", "subject")
        ):
            return "findings holds something other than findings (objects with severity, metric and subject)"
    return ""


# ------------------------------------------------------------------ series from readings
def _vertices(record: Json) -> list[Json]:
    return ((record.get("diagnosis") or {}).get("vertices")) or []


def series(records: list[Json]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """chart id -> {series name: [(t, value)]}; with readings of several jobs, a series per job."""
    charts: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {}
        for name in ("backpressure", "records", "kafka-lag", "checkpoint-duration", "checkpoint-size", "watermark-lag")
    }

    several_jobs = len({record.get("job_id") for record in records}) > 1

    def add(chart: str, name: str, t: float, value) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            charts[chart].setdefault(job + name, []).append((t, float(value)))

    for record in records:
        t = record["taken_at"]
        job = f"{record.get('job_name')}: " if several_jobs else ""  # one line per job, never joined across
        for vertex in _vertices(record):
            name = str(vertex.get("name", ""))[:40]
            add("backpressure", name, t, vertex.get("backpressure"))
            add("records", f"{name} in", t, vertex.get("records_in"))
            add("records", f"{name} out", t, vertex.get("records_out"))
            add("kafka-lag", name, t, (vertex.get("kafka_lag") or {}).get("records"))
        figures = record.get("checkpoints") or {}
        add("checkpoint-duration", "last completed", t, figures.get("last_duration_ms"))
        add("checkpoint-duration", "last failed", t, figures.get("last_failed_duration_ms"))
        add("checkpoint-size", "checkpointed size", t, figures.get("last_size"))
        for row in record.get("watermarks") or []:
            add("watermark-lag", str(row.get("name", ""))[:40], t, row.get("lag_s"))
    return charts


# ------------------------------------------------------------------ drawing
def _scale(low: float, high: float, size: float, flip: bool = False):
    span = (high - low) or 1.0

    def place(value: float) -> float:
        share = (value - low) / span
        return (1 - share) * size if flip else share * size

    return place


def _number_label(value: float) -> str:
    if abs(value) >= 1e9:
        return f"{value / 1e9:.1f}G"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


def _frame(chart_id: str, start: float, end: float, body: list[str]) -> str:
    x = _scale(start, end, WIDTH - LEFT - RIGHT)
    ticks = []
    for i in range(5):
        t = start + (end - start) * i / 4
        px = LEFT + x(t)
        ticks.append(
            f'<line x1="{px:.1f}" y1="{TOP}" x2="{px:.1f}" y2="{HEIGHT - BOTTOM}" class="grid"/>'
            f'<text x="{px:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{_clock(t)}</text>'
        )
    return (
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" class="plot"/>'
        + "".join(ticks)
        + "".join(body)
        + "</svg>"
    )


def line_chart(
    chart_id: str,
    title: str,
    unit: str,
    data: dict[str, list[tuple[float, float]]],
    start: float,
    end: float,
    empty: str,
) -> str:
    if not data:
        return (
            f'<section><h2>{html.escape(title)}</h2><p class="empty" id="{chart_id}">{html.escape(empty)}</p></section>'
        )
    values = [v for points in data.values() for _, v in points]
    low, high = min(0.0, min(values)), max(values) or 1.0
    x = _scale(start, end, WIDTH - LEFT - RIGHT)
    y = _scale(low, high, HEIGHT - TOP - BOTTOM, flip=True)
    body = []
    for i in range(3):
        value = low + (high - low) * i / 2
        py = TOP + y(value)
        body.append(
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{_number_label(value)}</text>'
            f'<line x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - RIGHT}" y2="{py:.1f}" class="grid"/>'
        )
    legend = []
    for index, (name, points) in enumerate(sorted(data.items())):
        color = PALETTE[index % len(PALETTE)]
        coords = [(LEFT + x(t), TOP + y(v)) for t, v in points]
        body.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="1.6" '
            f'points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in coords)}"/>'
        )
        for (px, py), (t, v) in zip(coords, points):
            body.append(
                f'<circle class="point" data-series="{html.escape(name)}" cx="{px:.1f}" cy="{py:.1f}" r="2.6" '
                f'fill="{color}"><title>{html.escape(name)} {_clock(t)}: {_number_label(v)} {unit}</title></circle>'
            )
        legend.append(f'<span><i style="background:{color}"></i>{html.escape(name)}</span>')
    return (
        f"<section><h2>{html.escape(title)} <small>({html.escape(unit)})</small></h2>"
        + _frame(chart_id, start, end, body)
        + f'<div class="legend">{"".join(legend)}</div></section>'
    )


def findings_chart(records: list[Json], start: float, end: float) -> str:
    """One row per severity: a mark at each reading for each finding; the verdict strip on top."""
    rows = ("critical", "warning", "info", "not assessed")
    x = _scale(start, end, WIDTH - LEFT - RIGHT)
    height = HEIGHT - TOP - BOTTOM
    row_y = {row: TOP + 22 + i * (height - 22) / len(rows) for i, row in enumerate(rows)}
    body = [f'<text x="{LEFT - 6}" y="{TOP + 12}" text-anchor="end">verdict</text>']
    body += [f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{row}</text>' for row, py in row_y.items()]
    for record in records:
        px = LEFT + x(record["taken_at"])
        verdict = str(record.get("verdict", ""))
        body.append(
            f'<rect class="verdict point" x="{px - 4:.1f}" y="{TOP + 4}" width="8" height="12" '
            f'fill="{VERDICT_COLOR.get(verdict, "#999")}"><title>{_clock(record["taken_at"])}: '
            f"{html.escape(verdict)}{html.escape(': ' + record['error'] if record.get('error') else '')}</title></rect>"
        )
        marks = [(f.get("severity") or "info", f.get("message", "")) for f in record.get("findings") or []]
        marks += [("not assessed", f"{s}: {r}") for s, r in (record.get("not_assessed") or {}).items()]
        for severity, message in marks:
            row = severity if severity in row_y else "info"
            body.append(
                f'<circle class="point finding" cx="{px:.1f}" cy="{row_y[row]:.1f}" r="4" '
                f'fill="{SEVERITY_COLOR[row]}"><title>{_clock(record["taken_at"])} {html.escape(severity)}: '
                f"{html.escape(str(message))}</title></circle>"
            )
    return "<section><h2>Verdict and findings</h2>" + _frame("findings", start, end, body) + "</section>"


def _finding_list(records: list[Json]) -> str:
    """Each distinct finding once: first and last seen, and its message, evidence and change."""
    seen: dict[Any, Any] = {}
    for record in records:
        for finding in record.get("findings") or []:
            key = (finding.get("metric"), finding.get("subject"))
            entry = seen.setdefault(key, {"first": record["taken_at"], "finding": finding})
            entry["last"], entry["finding"] = record["taken_at"], finding
    if not seen:
        return "<p>No findings in these readings.</p>"
    items = []
    for entry in sorted(seen.values(), key=lambda e: e["first"]):
        f = entry["finding"]
        items.append(
            f'<li><b class="{html.escape(str(f.get("severity")))}">{html.escape(str(f.get("severity", "")).upper())}</b> '
            f"{_clock(entry['first'])}–{_clock(entry['last'])} {html.escape(str(f.get('message', '')))}"
            f"<br><small>evidence: {html.escape(str(f.get('evidence', '')))}</small>"
            + (f"<br><small>change: {html.escape(str(f['suggestion']))}</small>" if f.get("suggestion") else "")
            + "</li>"
        )
    return "<ol>" + "".join(items) + "</ol>"


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px} h2{font-size:15px;margin:18px 0 4px} small{color:#555}
svg text{font-size:11px;fill:#444} .plot{fill:#fafafa;stroke:#ccc} .grid{stroke:#e6e6e6}
.legend span{margin-right:14px;font-size:12px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.empty{color:#777;font-style:italic} .critical{color:#c62828} .warning{color:#ef8f00} .info{color:#607d8b}
li{margin-bottom:6px}
"""


def render(records: list[Json], source: str = "") -> str:
    """The HTML page of `records` (readings of diagnose --record, oldest first)."""
    readings = [r for r in records if r.get("verdict") != "unreadable"]
    start, end = records[0]["taken_at"], records[-1]["taken_at"]
    if end - start < 1:
        start, end = start - 1, end + 1
    data = series(readings)
    names = sorted({f"{r.get('job_name')} ({r.get('job_id')})" for r in readings if r.get("job_id")})
    verdicts = [r.get("verdict") for r in records]
    charts = [
        findings_chart(records, start, end),
        line_chart(
            "backpressure",
            "Backpressure per vertex",
            "ratio of time",
            data["backpressure"],
            start,
            end,
            "no vertex was sampled",
        ),
        line_chart(
            "records",
            "Records in and out per vertex",
            "records/s",
            data["records"],
            start,
            end,
            "no vertex was sampled",
        ),
        line_chart(
            "kafka-lag",
            "Kafka lag per source",
            "records",
            data["kafka-lag"],
            start,
            end,
            "no Kafka lag in these readings (no Kafka source, or the lag could not be read)",
        ),
        line_chart(
            "checkpoint-duration",
            "Checkpoint duration (last completed, last failed)",
            "ms",
            data["checkpoint-duration"],
            start,
            end,
            "no checkpoint in these readings",
        ),
        line_chart(
            "checkpoint-size",
            "Checkpointed size (last completed)",
            "bytes",
            data["checkpoint-size"],
            start,
            end,
            "no completed checkpoint in these readings",
        ),
        line_chart(
            "watermark-lag",
            "Watermark lag per vertex",
            "s",
            data["watermark-lag"],
            start,
            end,
            "no watermark in these readings (no event time, or watermarks not yet advanced)",
        ),
    ]
    summary = ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(verdicts))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>flink-jobs diagnose: {html.escape(', '.join(names) or 'no job')}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>flink-jobs diagnose: {html.escape(', '.join(names) or 'no job')}</h1>"
        f"<p>{len(records)} readings from {_clock(records[0]['taken_at'])} to {_clock(records[-1]['taken_at'])} "
        f"({html.escape(summary)}){' of ' + html.escape(source) if source else ''}.</p>"
        + "".join(charts)
        + "<h2>Findings</h2>"
        + _finding_list(readings)
        + "</body></html>\n"
    )
