"""A hot key, naive and salted, side by side on a local standalone cluster (2 TaskManagers, p=2).

    .venv/bin/python benchmarks/hot_key_rollup.py [--seconds 40] [--skew 3.0] [--salt-buckets 8]

Starts its own cluster (free ports, a temporary directory; stopped at the end, by pid) with two
TaskManagers of one slot each, and runs on it, one after the other, on the same endless Zipf-skewed
stream (thread mode, parallelism 2):
  naive   windowed-counts: one event-time window per key, key_by(key);
  salted  hot-key-rollup: the same windows in two phases, key_by(key#salt) then merged.
After a warm-up, for `--seconds` each: events/s (the source's numRecordsOut over the window), the
busy ratio of every subtask of every vertex (the skew), and what `flink-jobs backpressure` reports
(each vertex's level, the bottleneck, the hot-key diagnosis), the last of its readings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flink_jobs.cluster import ClusterSpec, start_cluster, stop_cluster  # noqa: E402
from flink_jobs.rest import FlinkRest  # noqa: E402
from tests.flink_jobs.processes import free_ports  # noqa: E402

JOBS = (("naive", "windowed-counts"), ("salted", "hot-key-rollup"))


def flink_jobs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flink_jobs.cli", *args], capture_output=True, text=True, timeout=300)


def events_out(rest: FlinkRest, job_id: str, source_id: str) -> float:
    body = rest.get(f"/jobs/{job_id}/vertices/{source_id}/subtasks/metrics?get=numRecordsOut&agg=sum")
    return float(body[0]["sum"]) if body else 0.0


def busy_per_subtask(rest: FlinkRest, job_id: str, vertex: dict) -> list:
    ratios = []
    for index in range(vertex["parallelism"]):
        body = rest.get(f"/jobs/{job_id}/vertices/{vertex['id']}/subtasks/{index}/metrics?get=busyTimeMsPerSecond")
        ratios.append(round(float(body[0]["value"]) / 1000, 2) if body and body[0].get("value") != "NaN" else None)
    return ratios


def measure(rest_url: str, job: str, overrides: list, warmup: float, seconds: float) -> dict:
    rest = FlinkRest(rest_url, timeout=20)
    submitted = flink_jobs("submit", job, "--jobmanager", rest_url.split("//")[1], *overrides)
    if submitted.returncode != 0:
        raise SystemExit(f"{job}: submission failed: {submitted.stderr.strip()}")
    job_id = submitted.stdout.split()[0]
    try:
        time.sleep(warmup)
        vertices = rest.get(f"/jobs/{job_id}")["vertices"]
        source = vertices[0]["id"]
        started, count_before = time.monotonic(), events_out(rest, job_id, source)
        busy: dict = {}
        report = {}
        while time.monotonic() - started < seconds:
            for vertex in vertices:
                busy.setdefault(vertex["name"], []).append(busy_per_subtask(rest, job_id, vertex))
            answer = flink_jobs("backpressure", "--rest", rest_url, "--job", job_id, "--format", "json")
            if answer.returncode in (0, 1):
                report = json.loads(answer.stdout)
            time.sleep(2)
        rate = (events_out(rest, job_id, source) - count_before) / (time.monotonic() - started)
    finally:
        rest.cancel(job_id)
    mean_busy = {
        name: [round(sum(s[i] or 0 for s in samples) / len(samples), 2) for i in range(len(samples[0]))]
        for name, samples in busy.items()
    }
    return {"events_per_s": rate, "busy": mean_busy, "report": report}


def print_result(label: str, job: str, result: dict) -> None:
    report = result["report"]
    print(f"\n{label} ({job}): {result['events_per_s']:,.0f} events/s")
    print(f"  {'vertex':<58} {'busy per subtask':<18} {'level':<6} skew")
    levels = {v["name"]: v for v in report.get("vertices", [])}
    for name, ratios in result["busy"].items():
        vertex = levels.get(name, {})
        skew = f"{vertex['skew']:.2f}" if vertex.get("skew") is not None else "-"
        print(f"  {name[:58]:<58} {str(ratios):<18} {vertex.get('level', '?'):<6} {skew}")
    bottleneck = report.get("bottleneck") or {}
    print(f"  bottleneck: {bottleneck.get('name', 'none')}")
    hot = report.get("hot_key")
    print(f"  hot-key diagnosis: {'YES, ' + json.dumps(hot) if hot else 'no'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40, help="measurement per job (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--skew", type=float, default=3.0, help="Zipf exponent of the keys")
    parser.add_argument("--salt-buckets", type=int, default=8)
    parser.add_argument("--mode", default="thread", choices=["thread", "process"])
    args = parser.parse_args()
    overrides = [
        f"job.events.key-skew={args.skew}",
        "job.events.count=null",
        "job.sink.type=stdout",
        "flink.parallelism.default=2",
        f"flink.python.execution-mode={args.mode}",
    ]
    with tempfile.TemporaryDirectory(prefix="hot-key-bench-") as tmp:
        rest_port, rpc, blob = free_ports(3)
        spec = ClusterSpec(
            directory=Path(tmp) / "cluster",
            rest_port=rest_port,
            rpc_port=rpc,
            blob_port=blob,
            taskmanagers=2,
            slots=1,
            jobmanager_memory="768m",
            taskmanager_memory="1024m",
        )
        info = start_cluster(spec)
        try:
            print(f"cluster: 2 TaskManagers x 1 slot, {info.rest_url}; {args.mode} mode, parallelism 2")
            print(f"events: Zipf {args.skew} over 100 keys, endless; salt-buckets {args.salt_buckets}")
            results = {}
            for label, job in JOBS:
                salted = [f"job.salt-buckets={args.salt_buckets}"] if job == "hot-key-rollup" else []
                set_args = [item for override in overrides + salted for item in ("--set", override)]
                results[label] = measure(info.rest_url, job, set_args, args.warmup, args.seconds)
                print_result(label, job, results[label])
        finally:
            stop_cluster(spec.directory)
    naive, salted = results["naive"]["events_per_s"], results["salted"]["events_per_s"]
    print(f"\nsalted / naive events/s: {salted / naive:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
