"""enrichment on a real standalone cluster against a slow store (a latency proxy in front of a real
redis-server): the in-flight limit holds (the job's maxInFlight gauge and the keys on the wire),
nothing times out, and the TaskManager's heap (REST Status.JVM.Memory.Heap.Used) stays flat while
the store is slow: a slow store becomes backpressure, not memory. Figures printed;
benchmarks/enrichment_throughput.py measures rates and memory for several capacities/latencies."""

import time

import pytest

from flink_jobs.redis_store import ProfileSpec, RedisSpec, load_profiles, start_redis, stop_redis
from flink_jobs.rest import FlinkRest
from latency_proxy import LatencyProxy
from processes import alive, flink_jobs, free_ports, local_cluster, wait_for

pytestmark = pytest.mark.cluster

CAPACITY = 50


def lookup_metric(rest: FlinkRest, job_id: str, vertex_id: str, suffix: str, agg: str):
    listing = rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics")
    ids = [m["id"] for m in listing if m["id"].endswith(suffix)]
    if not ids:
        return None
    body = rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics?get={ids[0]}&agg={agg}")
    return float(body[0][agg]) if body else None


def test_slow_store_keeps_in_flight_bounded_and_heap_flat(tmp_path):
    (redis_port,) = free_ports(1)
    redis = start_redis(RedisSpec(directory=tmp_path / "redis", port=redis_port))
    try:
        load_profiles("127.0.0.1", redis_port, "profile:", ProfileSpec(keys=100))
        with (
            LatencyProxy(redis_port, delay=0.030) as proxy,
            local_cluster(
                tmp_path / "cluster", taskmanagers=1, slots=1, jobmanager_memory="768m", taskmanager_memory="1024m"
            ) as cluster,
        ):
            overrides = [
                "job.events.count=null",
                "job.sink.type=stdout",
                f"job.store.port={proxy.port}",
                f"job.store.capacity={CAPACITY}",
            ]
            args = [item for override in overrides for item in ("--set", override)]
            submitted = flink_jobs("submit", "enrichment", "--jobmanager", cluster.rest_url.split("//")[1], *args)
            assert submitted.returncode == 0, submitted.stderr
            job_id = submitted.stdout.split()[0]
            rest = FlinkRest(cluster.rest_url, timeout=20)
            vertices = rest.get(f"/jobs/{job_id}")["vertices"]
            lookup = next(v for v in vertices if "lookup-profiles" in v["name"])
            taskmanager = rest.get("/taskmanagers")["taskmanagers"][0]["id"]
            assert wait_for(lambda: lookup_metric(rest, job_id, lookup["id"], "lookedUp", "sum"), 120, 2)
            time.sleep(10)  # warm-up
            heap_mb, started = [], time.monotonic()
            out_before = lookup_metric(rest, job_id, lookup["id"], "lookedUp", "sum")
            for _ in range(20):
                body = rest.get(f"/taskmanagers/{taskmanager}/metrics?get=Status.JVM.Memory.Heap.Used")
                heap_mb.append(float(body[0]["value"]) / 2**20)
                time.sleep(2)
            rate = (lookup_metric(rest, job_id, lookup["id"], "lookedUp", "sum") - out_before) / (
                time.monotonic() - started
            )
            max_in_flight = lookup_metric(rest, job_id, lookup["id"], "maxInFlight", "max")
            timeouts = lookup_metric(rest, job_id, lookup["id"], "lookupTimeouts", "sum")
            backpressure = flink_jobs("backpressure", "--rest", cluster.rest_url, "--job", job_id)
            assert rest.get(f"/jobs/{job_id}")["state"] == "RUNNING"
            rest.cancel(job_id)
        traffic = proxy.traffic
    finally:
        assert redis.pid in stop_redis(tmp_path / "redis") and not alive(redis.pid)
    third = len(heap_mb) // 3
    print(
        f"\n{rate:,.0f} events/s (ideal {CAPACITY} / 30 ms = {CAPACITY / 0.030:,.0f}); maxInFlight {max_in_flight}; "
        f"keys on the wire at most {traffic.max_keys_in_flight}, {traffic.keys / max(traffic.mgets, 1):.1f} per MGET; "
        f"heap MB first third {min(heap_mb[:third]):.0f}-{max(heap_mb[:third]):.0f}, "
        f"last third {min(heap_mb[-third:]):.0f}-{max(heap_mb[-third:]):.0f}\n{backpressure.stdout}"
    )
    assert 0 < max_in_flight <= CAPACITY, "never more lookups in flight than the capacity (the job's gauge)"
    assert traffic.max_keys_in_flight <= CAPACITY, "never more keys in MGETs in flight than the capacity"
    assert timeouts == 0
    # Flat: the heap after the warm-up moves with GC, but does not grow with the run's length.
    assert max(heap_mb[-third:]) <= 1.5 * max(heap_mb[:third]) + 32, heap_mb
