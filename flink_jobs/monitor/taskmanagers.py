"""TaskManager memory and GC (`flink-jobs diagnose`, signal `taskmanagers`).

One request per TaskManager: GET /taskmanagers/<id>/metrics?get=<METRICS>. Heap used versus max,
GC time per second (Flink's own rate of all collectors), managed memory (RocksDB, batch operators,
Python workers) and network memory (shuffle buffers) used versus total. A TaskManager above
`alerts.gc-time` or `alerts.heap-usage` is a finding: a TaskManager that spends its time in GC
processes slowly and looks like a bottleneck to the backpressure diagnosis.
"""

from __future__ import annotations

from typing import Any, Optional

from flink_jobs.monitor.findings import Finding, number

METRICS = {
    "heap_used": "Status.JVM.Memory.Heap.Used",
    "heap_max": "Status.JVM.Memory.Heap.Max",
    "gc_ms_per_s": "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "managed_used": "Status.Flink.Memory.Managed.Used",
    "managed_total": "Status.Flink.Memory.Managed.Total",
    "network_used": "Status.Shuffle.Netty.UsedMemory",
    "network_total": "Status.Shuffle.Netty.TotalMemory",
}
MB = 1024 * 1024


def figures_of(tm_id: str, body: Any) -> dict[str, Any]:
    values = (
        {entry.get("id"): number(entry.get("value")) for entry in body if isinstance(entry, dict)}
        if isinstance(body, list)
        else {}
    )
    row: dict[str, Any] = {"id": tm_id, **{name: values.get(metric) for name, metric in METRICS.items()}}
    row["heap_usage"] = row["heap_used"] / row["heap_max"] if row["heap_used"] is not None and row["heap_max"] else None
    return row


def _mb(value: Optional[float]) -> str:
    return "-" if value is None else f"{value / MB:,.0f} MB"


def describe(row: dict[str, Any]) -> str:
    """`heap 120 MB of 416 MB, GC 3 ms/s, managed 0 MB of 435 MB, network 0 MB of 108 MB`."""
    gc = "-" if row["gc_ms_per_s"] is None else f"{row['gc_ms_per_s']:.0f} ms/s"
    return (
        f"heap {_mb(row['heap_used'])} of {_mb(row['heap_max'])}, GC {gc}, managed {_mb(row['managed_used'])} of "
        f"{_mb(row['managed_total'])}, network {_mb(row['network_used'])} of {_mb(row['network_total'])}"
    )


def assess(taskmanagers: dict[str, Any], thresholds) -> tuple[list[dict[str, Any]], list[Finding]]:
    """(per-TaskManager figures, findings) from {TaskManager id: metrics body}."""
    rows = [figures_of(tm_id, body) for tm_id, body in sorted(taskmanagers.items())]
    findings = []
    for row in rows:
        fired = thresholds.severity("gc-time", row["gc_ms_per_s"])
        if fired:
            findings.append(
                Finding(
                    fired[0],
                    "taskmanagers",
                    "gc-time",
                    row["id"],
                    row["gc_ms_per_s"],
                    fired[1],
                    f"TaskManager {row['id']} spends {row['gc_ms_per_s'] / 10:.0f}% of its time in GC",
                    f"gc-time {row['gc_ms_per_s']:.0f} ms/s > {fired[1]:g}; {describe(row)}",
                    "give it more heap (taskmanager.memory.task.heap.size or a larger taskmanager.memory.process.size), "
                    "keep large state off the heap (state.backend.type: rocksdb), fewer slots per TaskManager",
                )
            )
        fired = thresholds.severity("heap-usage", row["heap_usage"])
        if fired:
            findings.append(
                Finding(
                    fired[0],
                    "taskmanagers",
                    "heap-usage",
                    row["id"],
                    round(row["heap_usage"], 3),
                    fired[1],
                    f"TaskManager {row['id']} heap {row['heap_usage']:.0%} full",
                    f"heap-usage {row['heap_usage']:.2f} > {fired[1]:g}; {describe(row)}",
                    "a heap this full ends in long GC pauses or OutOfMemoryError: more heap "
                    "(taskmanager.memory.task.heap.size), or state off the heap (state.backend.type: rocksdb)",
                )
            )
    return rows, findings
