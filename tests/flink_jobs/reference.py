"""Plain-Python reference computations over the generator's events: what a job must output.

Deliberately independent of the jobs' code (no flink_jobs.totals, no job module): only the
generator is shared, because the reference and the job must see the same input.
"""

from __future__ import annotations

from collections import defaultdict


def window_start(timestamp: int, size: int) -> int:
    # Flink's TimeWindow.getWindowStartWithOffset with offset 0
    return timestamp - (timestamp + size) % size


def windows(events, size_ms: int) -> dict:
    """(key, window_start) -> {"count", "sum", "min", "max"} over all the given events."""
    result: dict = {}
    for key, value, event_time, _seq in events:
        slot = (key, window_start(event_time, size_ms))
        entry = result.get(slot)
        if entry is None:
            result[slot] = {"count": 1, "sum": value, "min": value, "max": value}
        else:
            entry["count"] += 1
            entry["sum"] += value
            entry["min"] = min(entry["min"], value)
            entry["max"] = max(entry["max"], value)
    return result


def totals(events) -> dict:
    """key -> {"count", "sum", "min", "max", "latest_event_time"} over all the given events."""
    values = defaultdict(list)
    latest: dict = {}
    for key, value, event_time, _seq in events:
        values[key].append(value)
        latest[key] = max(latest.get(key, event_time), event_time)
    return {
        key: {"count": len(v), "sum": sum(v), "min": min(v), "max": max(v), "latest_event_time": latest[key]}
        for key, v in values.items()
    }


def final_windows(records: list) -> dict:
    """Job output -> (key, window_start) -> the last firing (a window re-fires with late data)."""
    final: dict = {}
    for record in records:
        slot = (record["key"], record["window_start"])
        if slot not in final or record["count"] > final[slot]["count"]:
            final[slot] = record
    return final


def enrichment(events, stored: dict) -> dict:
    """seq -> (key, profile or None): what the store holds for each event's key (`stored`: the
    profiles as the loader wrote them, {"k<i>": profile})."""
    return {seq: (key, stored.get(key)) for key, _value, _event_time, seq in events}


def windows_with_watermark_every(events, size_ms: int, out_of_orderness_ms: int, allowed_lateness_ms: int, every: int):
    """Flink's tumbling event-time windows when the bounded-out-of-orderness watermark (max event
    time seen - out_of_orderness - 1) is emitted after every `every` events, as the optimized
    windowed-counts emits it: an event is late when its window's end - 1 + allowed lateness is at
    or below the watermark (WindowOperator.isWindowLate). Returns (windows over the events that are
    not late, as `windows` gives them; the late events, in input order)."""
    late: list = []

    def on_time():
        watermark = max_seen = None
        for n, event in enumerate(events):
            if n and n % every == 0:
                watermark = max_seen - out_of_orderness_ms - 1
            cleanup = window_start(event[2], size_ms) + size_ms - 1 + allowed_lateness_ms
            if watermark is not None and cleanup <= watermark:
                late.append(event)
            else:
                yield event
            max_seen = event[2] if max_seen is None else max(max_seen, event[2])

    return windows(on_time(), size_ms), late
