"""Throughput of the pack's jobs on the embedded local Flink, variants side by side in one run.

    .venv/bin/python benchmarks/jobs_throughput.py [--events 100000] [--job windowed-counts]

Prints wall time and events/s for: thread mode at parallelism 1 and 2, process mode at 1, and
the same aggregation in plain Python (no Flink) as the ceiling; then the ratios. Wall time
includes the ~5 s of JVM and job start-up, so use enough events for a steady state.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flink_jobs.config import default_config_path, load_job_config  # noqa: E402
from flink_jobs.jobs import job_info  # noqa: E402
from flink_jobs.runtime import run_local  # noqa: E402

VARIANTS = {
    "thread, parallelism 1": ["flink.python.execution-mode=thread", "flink.parallelism.default=1"],
    "thread, parallelism 2": ["flink.python.execution-mode=thread", "flink.parallelism.default=2"],
    "process, parallelism 1": ["flink.python.execution-mode=process", "flink.parallelism.default=1"],
}


def plain_python(config) -> float:
    started = time.perf_counter()
    acc: dict = defaultdict(lambda: [0, 0])
    size = config.settings.window.size_ms
    for key, value, event_time, _ in config.settings.events.events():
        slot = acc[(key, event_time - event_time % size)]
        slot[0] += 1
        slot[1] += value
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--job", default="windowed-counts")
    args = parser.parse_args()
    job = job_info(args.job)
    base = [f"job.events.count={args.events}", "job.sink.type=collect"]
    print(f"{args.job}, {args.events:,} events, load average {os.getloadavg()[0]:.1f} at start")
    seconds = {}
    for name, overrides in VARIANTS.items():
        config = load_job_config(str(default_config_path(job.name)), base + overrides, job.name)
        result = run_local(job, config, progress_every=0)
        seconds[name] = result.seconds
        print(f"  {name:<24} {result.seconds:7.1f} s  {args.events / result.seconds:>10,.0f} events/s")
    config = load_job_config(str(default_config_path(job.name)), base, job.name)
    seconds["plain Python, no Flink"] = plain_python(config)
    print(
        f"  {'plain Python, no Flink':<24} {seconds['plain Python, no Flink']:7.2f} s  "
        f"{args.events / seconds['plain Python, no Flink']:>10,.0f} events/s"
    )
    reference = seconds["thread, parallelism 1"]
    print("ratios (wall time vs thread, parallelism 1):")
    for name, value in seconds.items():
        print(f"  {name:<24} {value / reference:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
