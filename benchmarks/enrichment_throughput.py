"""enrichment against a slow store: events/s vs capacity / latency, and TaskManager memory meanwhile.

    .venv/bin/python benchmarks/enrichment_throughput.py [--runs 100:20,50:20,100:50] [--seconds 30]

Starts its own redis-server (`flink-jobs redis start`'s code, loaded with the profiles) and a local
standalone cluster (1 TaskManager, 1 slot; free ports, a temporary directory; both stopped at the
end, by pid). For each CAPACITY:LATENCY_MS run a latency proxy (tests/flink_jobs/latency_proxy.py)
delays every request to Redis by LATENCY_MS, and the endless enrichment job (process mode,
parallelism 1, stdout sink) runs for a warm-up and then `--seconds`:
  events/s   the lookup operator's numRecordsOut over the window, beside the ideal capacity / latency;
  in flight  the job's maxInFlight gauge and, on the wire, the most keys in MGETs in flight;
  memory     the TaskManager's Status.JVM.Memory.Heap.Used (REST) and its Python workers' RSS,
             sampled every 2 s: first and last third of the window.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "flink_jobs"))

from flink_jobs.cluster import ClusterSpec, start_cluster, stop_cluster  # noqa: E402
from flink_jobs.redis_store import ProfileSpec, RedisSpec, load_profiles, start_redis, stop_redis  # noqa: E402
from flink_jobs.rest import FlinkRest  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402
from processes import flink_jobs, free_ports  # noqa: E402


def python_workers_rss_mb(taskmanager_pid: int) -> float:
    """Resident memory of the Python processes below the TaskManager (its workers), MB."""
    processes = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{name}/status").read_text()
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss_kb = int(fields.get("VmRSS", "0 kB").split()[0])
        processes[int(name)] = (int(fields["PPid"]), rss_kb if b"python" in cmdline else 0)
    below, frontier = set(), {taskmanager_pid}
    while frontier:
        frontier = {pid for pid, (parent, _) in processes.items() if parent in frontier} - below
        below |= frontier
    return sum(processes[pid][1] for pid in below) / 1024


def metric_ids(rest: FlinkRest, job_id: str, vertex_id: str, suffix: str) -> list:
    listing = rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics")
    return [m["id"] for m in listing if m["id"].endswith(suffix)]


def vertex_sum(rest: FlinkRest, job_id: str, vertex_id: str, metric: str, agg: str = "sum") -> float:
    body = rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics?get={metric}&agg={agg}")
    return float(body[0][agg]) if body else 0.0


def run(rest_url: str, taskmanager_pid: int, redis_port: int, capacity: int, latency_ms: int, args) -> dict:
    rest = FlinkRest(rest_url, timeout=20)
    with LatencyProxy(redis_port, delay=latency_ms / 1000) as proxy:
        overrides = [
            "job.events.count=null",
            "job.sink.type=stdout",
            f"job.store.port={proxy.port}",
            f"job.store.capacity={capacity}",
            "flink.parallelism.default=1",
        ]
        submitted = flink_jobs(
            "submit",
            "enrichment",
            "--jobmanager",
            rest_url.split("//")[1],
            *[x for o in overrides for x in ("--set", o)],
        )
        if submitted.returncode != 0:
            raise SystemExit(f"submission failed: {submitted.stderr.strip()}")
        job_id = submitted.stdout.split()[0]
        try:
            time.sleep(args.warmup)
            vertices = rest.get(f"/jobs/{job_id}")["vertices"]
            lookup = next(v for v in vertices if "lookup-profiles" in v["name"])
            tm_id = rest.get("/taskmanagers")["taskmanagers"][0]["id"]
            out_metric = next(iter(metric_ids(rest, job_id, lookup["id"], "lookedUp")))
            started, before = time.monotonic(), vertex_sum(rest, job_id, lookup["id"], out_metric)
            heap, rss = [], []
            while time.monotonic() - started < args.seconds:
                body = rest.get(f"/taskmanagers/{tm_id}/metrics?get=Status.JVM.Memory.Heap.Used")
                heap.append(float(body[0]["value"]) / 2**20)
                rss.append(python_workers_rss_mb(taskmanager_pid))
                time.sleep(2)
            rate = (vertex_sum(rest, job_id, lookup["id"], out_metric) - before) / (time.monotonic() - started)
            gauges = metric_ids(rest, job_id, lookup["id"], "maxInFlight")
            max_in_flight = max(vertex_sum(rest, job_id, lookup["id"], g, "max") for g in gauges) if gauges else None
        finally:
            rest.cancel(job_id)
            time.sleep(3)
        traffic = proxy.traffic
    third = max(1, len(heap) // 3)
    return {
        "capacity": capacity,
        "latency_ms": latency_ms,
        "ideal": capacity / (latency_ms / 1000),
        "events_per_s": rate,
        "max_in_flight": max_in_flight,
        "max_keys_on_wire": traffic.max_keys_in_flight,
        "keys_per_mget": traffic.keys / traffic.mgets if traffic.mgets else 0,
        "heap_first": (min(heap[:third]), max(heap[:third])),
        "heap_last": (min(heap[-third:]), max(heap[-third:])),
        "rss_first": max(rss[:third]),
        "rss_last": max(rss[-third:]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="100:20,50:20,100:50", help="CAPACITY:LATENCY_MS,...")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=20)
    args = parser.parse_args()
    runs = [tuple(map(int, item.split(":"))) for item in args.runs.split(",")]
    with tempfile.TemporaryDirectory(prefix="enrichment-bench-") as tmp:
        redis_port, rest_port, rpc, blob = free_ports(4)
        redis_dir = Path(tmp) / "redis"
        start_redis(RedisSpec(directory=redis_dir, port=redis_port))
        spec = ClusterSpec(
            directory=Path(tmp) / "cluster",
            rest_port=rest_port,
            rpc_port=rpc,
            blob_port=blob,
            taskmanagers=1,
            slots=1,
            jobmanager_memory="768m",
            taskmanager_memory="1024m",
        )
        try:
            load_profiles("127.0.0.1", redis_port, "profile:", ProfileSpec(keys=100))
            info = start_cluster(spec)
            print(f"redis-server on {redis_port}; cluster {info.rest_url}: 1 TaskManager, process mode, parallelism 1")
            print(
                f"{'capacity':>8} {'latency':>8} {'ideal/s':>8} {'events/s':>9} {'ratio':>6} {'in flight':>9} "
                f"{'on wire':>8} {'keys/MGET':>9}  heap MB first -> last third    Python RSS MB"
            )
            for capacity, latency_ms in runs:
                r = run(info.rest_url, info.taskmanager_pids[0], redis_port, capacity, latency_ms, args)
                print(
                    f"{capacity:>8} {latency_ms:>6}ms {r['ideal']:>8,.0f} {r['events_per_s']:>9,.0f} "
                    f"{r['events_per_s'] / r['ideal']:>6.2f} {r['max_in_flight'] or '-':>9} {r['max_keys_on_wire']:>8} "
                    f"{r['keys_per_mget']:>9.1f}  {r['heap_first'][0]:.0f}-{r['heap_first'][1]:.0f} -> "
                    f"{r['heap_last'][0]:.0f}-{r['heap_last'][1]:.0f}    {r['rss_first']:.0f} -> {r['rss_last']:.0f}",
                    flush=True,
                )
        finally:
            stop_cluster(spec.directory)
            stop_redis(redis_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
