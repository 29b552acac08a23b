"""The pack's jobs. Each is a module with build(env, events, settings) -> {name: DataStream}.

The registry is explicit data (no registration by import side effect) and importing it does not
import pyflink, so `flink-jobs list` and config validation start fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from flink_jobs import follow_sys_path

__path__ = follow_sys_path(__name__, __path__)  # see flink_jobs/__init__.py


@dataclass(frozen=True)
class JobInfo:
    name: str
    module: str
    summary: str
    outputs: tuple[str, ...]
    optimized: str = ""  # the module of the job's optimized pipeline (job.pipeline: optimized), if any

    def load(self, pipeline: str = "per-event"):
        return importlib.import_module(self.optimized if pipeline == "optimized" else self.module)


JOBS = {
    job.name: job
    for job in (
        JobInfo(
            "windowed-counts",
            "flink_jobs.jobs.windowed_counts",
            "event-time tumbling windows per key: count, sum, min, max; late events to a side output",
            ("windows", "late"),
            optimized="flink_jobs.jobs.windowed_counts_blocks",
        ),
        JobInfo(
            "running-totals",
            "flink_jobs.jobs.running_totals",
            "per-key running count, sum, min, max and latest event time in one ValueState record per key",
            ("totals",),
            optimized="flink_jobs.jobs.running_totals_blocks",
        ),
        JobInfo(
            "hot-key-rollup",
            "flink_jobs.jobs.hot_key_rollup",
            "per-key event-time windows over a skewed stream in two phases: salted keys, then merged",
            ("windows", "late"),
        ),
        JobInfo(
            "enrichment",
            "flink_jobs.jobs.enrichment",
            "each event enriched with its key's profile from Redis, async lookups batched into MGETs",
            ("enriched",),
        ),
    )
}


class UnknownJob(KeyError):
    def __str__(self) -> str:
        return f"unknown job `{self.args[0]}`; known jobs: {', '.join(sorted(JOBS))}"


def job_info(name: str) -> JobInfo:
    try:
        return JOBS[name]
    except KeyError:
        raise UnknownJob(name) from None
