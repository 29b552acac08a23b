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
