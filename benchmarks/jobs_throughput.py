"""Throughput of the pack's jobs on the embedded local Flink: four variants side by side in one run.

    .venv/bin/python benchmarks/jobs_throughput.py [--job windowed-counts] [--events 60000]
        [--optimized-events 3000000] [--sql-events 5000000] [--json PATH]
        [--variant optimized ...] [--set flink.python.fn-execution.bundle.size=10 ...]

For each job, at parallelism 1, with the job's shipped config otherwise:
  process    the per-event pipeline (job.pipeline: per-event), python.execution-mode: process
  thread     the same in thread mode (the shipped configs' mode)
  optimized  job.pipeline: optimized (events in blocks, pre-aggregated in Python), thread mode
  sql        the same aggregation in Flink SQL through PyFlink's TableEnvironment: the datagen
             connector into a blackhole sink, pure JVM (the practical limit on this machine)
Results go to a discarding sink (blackhole for SQL): the figures are the job, not a sink.

events/s: events / the job's net runtime (JobExecutionResult.getNetRuntime: the JobManager's time
from the job's start to its end; JVM and mini-cluster start-up are not in it). CPU s per million
events: CPU time (utime + stime, children's included) of every process below this one (the Flink
JVM and, in process mode, its Python workers; thread mode runs Python inside the JVM) read from
/proc, from the moment the REST API shows the job RUNNING to the end of the run. `--json PATH`
writes {"<job>": {"<variant>": {"events_per_s": float, "cpu_s_per_million": float}}}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flink_jobs.config import default_config_path, load_job_config  # noqa: E402
from flink_jobs.jobs import job_info  # noqa: E402
from flink_jobs.progress import free_port, rest_options  # noqa: E402
from flink_jobs.rest import FlinkRest, RestError  # noqa: E402
from flink_jobs.runtime import build_pipeline, create_environment, local_python_options  # noqa: E402

JOBS = ("windowed-counts", "running-totals")
VARIANTS = {  # name -> config overrides (the per-event and optimized variants)
    "process": ["job.pipeline=per-event", "flink.python.execution-mode=process"],
    "thread": ["job.pipeline=per-event", "flink.python.execution-mode=thread"],
    "optimized": ["job.pipeline=optimized", "flink.python.execution-mode=thread"],
}

# The events of the generator's shipped settings, in SQL: key k<0..keys-1>, value 1..1000, event
# time up to 1 s behind the clock (the shipped `disorder: 1 s`, within the watermark's 2 s). datagen
# draws at random; its `sequence` kind is no option: it holds every number of its range in memory
# first (10 million: a 3.8 GB JVM).
EVENTS_DDL = """
CREATE TEMPORARY TABLE events (
  key_index INT, v BIGINT, ts TIMESTAMP_LTZ(3),
  k AS CONCAT('k', CAST(key_index AS STRING)),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (
  'connector' = 'datagen', 'rows-per-second' = '1000000000', 'number-of-rows' = '{count}',
  'fields.key_index.min' = '0', 'fields.key_index.max' = '{max_key}',
  'fields.v.min' = '1', 'fields.v.max' = '1000', 'fields.ts.max-past' = '1 s'
)"""
SQL = {
    "windowed-counts": (
        "CREATE TEMPORARY TABLE sink (k STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), "
        "c BIGINT, s BIGINT, lo BIGINT, hi BIGINT) WITH ('connector' = 'blackhole')",
        "INSERT INTO sink SELECT k, window_start, window_end, COUNT(*), SUM(v), MIN(v), MAX(v) "
        "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end",
    ),
    "running-totals": (
        "CREATE TEMPORARY TABLE sink (k STRING, c BIGINT, s BIGINT, lo BIGINT, hi BIGINT, latest TIMESTAMP_LTZ(3)) "
        "WITH ('connector' = 'blackhole')",
        "INSERT INTO sink SELECT k, COUNT(*), SUM(v), MIN(v), MAX(v), MAX(ts) FROM events GROUP BY k",
    ),
}
# running-totals emits on a 1 s timer: SQL's equivalent is a mini-batch of 1 s.
SQL_OPTIONS = {
    "running-totals": {
        "table.exec.mini-batch.enabled": "true",
        "table.exec.mini-batch.allow-latency": "1 s",
        "table.exec.mini-batch.size": "10000",
    }
}


def tree_cpu_seconds(root: int = os.getpid()) -> float:
    """utime + stime + cutime + cstime of every process below `root` (not root itself), in seconds."""
    children, times = defaultdict(list), {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        children[int(fields[1])].append(int(entry))
        times[int(entry)] = sum(int(value) for value in fields[11:15])
    total, stack = 0, list(children[root])
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0)
        stack.extend(children[pid])
    return total / os.sysconf("SC_CLK_TCK")


class CpuFromRunning(threading.Thread):
    """Reads the process tree's CPU time when the REST API first shows the job RUNNING."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.rest = FlinkRest(f"http://127.0.0.1:{port}", timeout=2.0, retries=0)
        self.cpu_at_running = None
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set() and self.cpu_at_running is None:
            try:
                jobs = self.rest.get("/jobs/overview").get("jobs") or []
                if any(job.get("state") == "RUNNING" for job in jobs):
                    self.cpu_at_running = tree_cpu_seconds()
            except RestError:
                pass
            self.done.wait(0.1)

    def cpu_since_running(self, fallback: float) -> float:
        self.done.set()
        end = tree_cpu_seconds()
        return end - (self.cpu_at_running if self.cpu_at_running is not None else fallback)


def run_datastream(job_name: str, variant: str, events: int, extra: list = ()) -> tuple[float, float]:
    """(seconds of net runtime, CPU seconds) of one per-event or optimized run; `extra` overrides
    go over the variant's."""
    from pyflink.datastream.connectors.base import Sink
    from pyflink.java_gateway import get_gateway

    job = job_info(job_name)
    overrides = [*VARIANTS[variant], f"job.events.count={events}", "flink.parallelism.default=1", *extra]
    config = load_job_config(str(default_config_path(job.name)), overrides, job.name)
    port = free_port()
    env = create_environment(config, {**local_python_options(), **rest_options(port)})
    discarding = get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink
    for name, stream in build_pipeline(env, job, config).items():
        stream.sink_to(Sink(discarding())).name(f"{name}-discard")
    before = tree_cpu_seconds()
    watcher = CpuFromRunning(port)
    watcher.start()
    result = env.execute(config.settings.name)
    return result.get_net_runtime() / 1000.0, watcher.cpu_since_running(before)


def run_sql(job_name: str, events: int) -> tuple[float, float]:
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    keys = load_job_config(str(default_config_path(job_name)), [], job_name).settings.events.keys
    port = free_port()
    configuration = Configuration()
    options = {
        "parallelism.default": "1",
        "execution.checkpointing.interval": "10 s",  # as the job configs
        **rest_options(port),
        **SQL_OPTIONS.get(job_name, {}),
    }
    for key, value in options.items():
        configuration.set_string(key, value)
    settings = EnvironmentSettings.new_instance().in_streaming_mode().with_configuration(configuration).build()
    table_env = TableEnvironment.create(settings)
    table_env.execute_sql(EVENTS_DDL.format(count=events, max_key=keys - 1))
    sink_ddl, insert = SQL[job_name]
    table_env.execute_sql(sink_ddl)
    before = tree_cpu_seconds()
    watcher = CpuFromRunning(port)
    watcher.start()
    result = table_env.execute_sql(insert)
    execution = result.get_job_client().get_job_execution_result().result()
    return execution.get_net_runtime() / 1000.0, watcher.cpu_since_running(before)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", choices=JOBS, action="append", help="one job (repeatable; default both)")
    parser.add_argument("--events", type=int, default=60_000, help="events of the per-event variants")
    parser.add_argument("--optimized-events", type=int, default=3_000_000)
    parser.add_argument("--sql-events", type=int, default=5_000_000)
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--variant", choices=(*VARIANTS, "sql"), action="append", help="run only these (repeatable)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override for the per-event and optimized variants, e.g. flink.python.fn-execution.bundle.size=10",
    )
    args = parser.parse_args(argv)
    counts = {"process": args.events, "thread": args.events, "optimized": args.optimized_events, "sql": args.sql_events}
    counts = {variant: n for variant, n in counts.items() if not args.variant or variant in args.variant}
    if args.overrides:
        print(f"overrides: {' '.join(args.overrides)}")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start, parallelism 1")
    print(f"{'job':<16} {'variant':<10} {'events':>11} {'seconds':>8} {'events/s':>11} {'CPU s/M events':>15}")
    figures: dict = {}
    for job_name in args.job or JOBS:
        figures[job_name] = {}
        for variant, events in counts.items():
            if variant == "sql":
                seconds, cpu = run_sql(job_name, events)
            else:
                seconds, cpu = run_datastream(job_name, variant, events, args.overrides)
            figures[job_name][variant] = {"events_per_s": events / seconds, "cpu_s_per_million": cpu * 1e6 / events}
            print(
                f"{job_name:<16} {variant:<10} {events:>11,} {seconds:>8.2f} {events / seconds:>11,.0f} "
                f"{cpu * 1e6 / events:>15.2f}",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    for job_name, variants in figures.items():
        rate = {variant: values["events_per_s"] for variant, values in variants.items()}
        if len(rate) < 4:
            continue
        print(
            f"{job_name}: optimized/thread {rate['optimized'] / rate['thread']:.1f}x, "
            f"optimized/sql {rate['optimized'] / rate['sql']:.2f}x, thread/process {rate['thread'] / rate['process']:.1f}x"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
