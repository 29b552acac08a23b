"""Event time (`flink-jobs diagnose`, signal `event-time`): watermark lag and stalled watermarks.

Per vertex with inputs, its current input watermark is the minimum over its subtasks of
GET /jobs/<id>/vertices/<v>/watermarks (`<subtask>.currentInputWatermark`). Then:
- watermark lag = the REST API's clock (`now` of /jobs/<id>) minus that watermark: how long after
  their end windows fire. The worst vertex is judged against `alerts.watermark-lag`;
- a stalled watermark: records flow into the vertex (its `read-records` counter grows) while its
  input watermark does not advance. One reading sees a watermark that never advanced (Flink shows
  Long.MIN_VALUE) since the vertex started although one of its inputs emits watermarks (the highest
  `currentOutputWatermark` of its operators); under --watch, one that stays put across readings. An
  input subtask or partition that gets no data holds the minimum back forever unless the watermark
  strategy has idleness: windows never fire. The finding names the upstream subtasks that sent
  no records (their numRecordsOut, read per subtask only for a stalled vertex).
"""

from __future__ import annotations

from typing import Any, Optional

from flink_jobs.monitor.findings import Finding, number

NO_WATERMARK = -(2**62)  # below this: Long.MIN_VALUE, no watermark yet
IDLENESS = (
    "give the watermark strategy idleness so that an input without data stops holding it back: "
    "WatermarkStrategy.with_idleness(...) (job.window.idleness here; for Kafka sources the partitions' idle "
    "timeout), or rebalance before assigning watermarks so that every subtask gets data"
)


def input_watermark(body) -> tuple[Optional[float], bool]:
    """(min input watermark over subtasks in ms or None for none yet, whether the body had any)."""
    entries = body if isinstance(body, list) else []
    values = [
        number(entry.get("value"))
        for entry in entries
        if isinstance(entry, dict) and str(entry.get("id", "")).endswith("currentInputWatermark")
    ]
    known = [v for v in values if v is not None]
    if not known:
        return None, False
    low = min(known)
    return (None if low < NO_WATERMARK else low), True


def silent_subtasks(bodies: list[Any]) -> list[int]:
    """Subtasks whose numRecordsOut is 0, from one metrics body per subtask."""
    silent = []
    for index, body in enumerate(bodies or []):
        for entry in body if isinstance(body, list) else []:
            if isinstance(entry, dict) and entry.get("id") == "numRecordsOut" and number(entry.get("value")) == 0:
                silent.append(index)
    return silent


def _fed_watermarks(sample, vid: str) -> bool:
    """Some input of `vid` emits watermarks (else it has none to wait for: watermarks are made in or
    after it, or the job has no event time)."""
    return any(
        value is not None and value > NO_WATERMARK
        for upstream, value in (sample.upstream_watermarks or {}).items()
        if upstream in sample.inputs.get(vid, ())
    )


def assess(
    sample, previous: Optional[dict[str, dict[str, Any]]], thresholds
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """(per-vertex figures, findings). `previous`: the last reading's figures by vertex id (--watch)."""
    now_ms = number(sample.job.get("now")) or sample.taken_at * 1000
    vertices = {v.get("id"): v for v in sample.job.get("vertices") or [] if isinstance(v, dict)}
    figures, findings = [], []
    for vid in sample.order:
        if vid not in sample.watermarks or vid not in vertices:
            continue
        vertex = vertices[vid]
        watermark, known = input_watermark(sample.watermarks[vid])
        if not known:
            continue
        records = number((vertex.get("metrics") or {}).get("read-records"))
        row = {
            "id": vid,
            "name": sample.names.get(vid, vid),
            "watermark": watermark,
            "lag_s": round((now_ms - watermark) / 1000, 3) if watermark is not None and now_ms else None,
            "records_in": records,
            "stalled_since": None,
        }
        before = (previous or {}).get(vid)
        flowing = bool(records) and (
            before is None or before.get("records_in") is None or records > before["records_in"]
        )
        if watermark is None:
            if flowing and _fed_watermarks(sample, vid):
                row["stalled_since"] = (number(vertex.get("start-time")) or now_ms) / 1000
        elif before and before.get("watermark") == watermark:
            # the same counter as before is a metric not refreshed yet: it neither starts nor ends a stall
            unchanged = records is not None and records == before.get("records_in")
            row["stalled_since"] = before.get("stalled_since") or (before.get("taken_at") if flowing else None)
            if not (flowing or unchanged):
                row["stalled_since"] = None
        row["taken_at"] = now_ms / 1000
        figures.append(row)
        if row["stalled_since"] and now_ms / 1000 - row["stalled_since"] > thresholds.watermark_stall_seconds:
            findings.append(_stall(sample, row, now_ms, thresholds))

    lagging = [r for r in figures if r["lag_s"] is not None and not r["stalled_since"]]
    worst = max(lagging, key=lambda r: r["lag_s"], default=None)
    fired = thresholds.severity("watermark-lag", worst["lag_s"]) if worst else None
    if fired and worst is not None:
        findings.append(
            Finding(
                fired[0],
                "event-time",
                "watermark-lag",
                worst["name"],
                worst["lag_s"],
                fired[1],
                f"event time at {worst['name']} is {_duration(worst['lag_s'])} behind the clock",
                f"watermark-lag {worst['lag_s']:,.0f} s > {fired[1]:g} s (processing time minus the input watermark, "
                "min over subtasks)",
                "windows fire this late: if the input is a backlog (replay, catching up) it shrinks as the job catches "
                "up; if it grows, the job is slower than its input (see backpressure, Kafka lag); otherwise lower the "
                "out-of-orderness of the watermark strategy",
            )
        )
    return figures, findings


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:,.0f} days"


def _stall(sample, row: dict[str, Any], now_ms: float, thresholds) -> Finding:
    stalled_for = now_ms / 1000 - row["stalled_since"]
    watermark = "no watermark yet (Long.MIN_VALUE)" if row["watermark"] is None else f"stuck at {row['watermark']:.0f}"
    silent = [
        f"subtask{'s' if len(subtasks) > 1 else ''} {', '.join(map(str, subtasks))} of {sample.names.get(uid, uid)} "
        "sent no records"
        for uid, subtasks in ((uid, silent_subtasks(bodies)) for uid, bodies in (sample.upstream_records or {}).items())
        if subtasks and uid in sample.inputs.get(row["id"], ())
    ]
    evidence = (
        f"watermark-stall {stalled_for:.0f} s > {thresholds.watermark_stall_seconds:g} s: input watermark {watermark} "
        f"while it read {row['records_in']:,.0f} records"
    )
    if silent:
        evidence += "; " + "; ".join(silent)
    return Finding(
        "critical",
        "event-time",
        "watermark-stall",
        row["name"],
        round(stalled_for, 1),
        thresholds.watermark_stall_seconds,
        f"the watermark of {row['name']} does not advance while records flow: its event-time windows never fire",
        evidence,
        IDLENESS,
        row["stalled_since"],
    )
