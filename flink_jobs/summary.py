"""A compact, human-readable summary of a finished local run."""

from __future__ import annotations

import datetime
from typing import Any

from flink_jobs.runtime import RunResult


def _utc(epoch_ms: int) -> str:
    return datetime.datetime.fromtimestamp(epoch_ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _final_per(records: list[dict[str, Any]], key_fields: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The last firing/update per key: the one with the highest count (counts only grow)."""
    final: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        key = tuple(record[field] for field in key_fields)
        if key not in final or record["count"] >= final[key]["count"]:
            final[key] = record
    return final


def describe_stream(name: str, records: list[dict[str, Any]]) -> str:
    line = f"  {name:<8} {len(records):>9,} records"
    if name == "windows" and records:
        final = _final_per(records, ("key", "window_start"))
        events = sum(r["count"] for r in final.values())
        keys = len({r["key"] for r in final.values()})
        line += f"  ({len(final):,} windows over {keys:,} keys, {events:,} events counted)"
    elif name == "totals" and records:
        final = _final_per(records, ("key",))
        events = sum(r["count"] for r in final.values())
        line += f"  ({len(final):,} keys, {events:,} events counted)"
    return line


def summarize(result: RunResult, events: int | None) -> list[str]:
    rate = f", {events / result.seconds:,.0f} events/s" if events and result.seconds else ""
    count = f"{events:,} events, " if events else ""
    lines = [
        f"{result.job}: finished in {result.seconds:.1f} s on the embedded local Flink ({count}sink {result.sink}{rate})"
    ]
    for name, records in result.outputs.items():
        lines.append(describe_stream(name, records))
    for name, key_fields in (("windows", ("key", "window_start")), ("totals", ("key",))):
        if result.outputs.get(name):
            busiest = sorted(_final_per(result.outputs[name], key_fields).values(), key=lambda r: -r["count"])[:3]
            lines.append(
                "  busiest: "
                + ", ".join(
                    f"{r['key']}"
                    + (f" @{_utc(r['window_start'])}" if name == "windows" else "")
                    + f" ({r['count']} events)"
                    for r in busiest
                )
            )
    return lines
