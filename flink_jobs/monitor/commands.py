"""`flink-jobs backpressure` and `flink-jobs plan`, added to the CLI by `add_commands(subparsers)`.

backpressure exit codes: 0 no alert, 1 an alert fired, 2 the cluster could not be read (refused,
timeout, not JSON, unknown or ended job, bad --alerts file): one line on stderr, never a traceback.
plan exit codes: 0 done, 1 the measured job failed, 2 bad input or no measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from flink_jobs.cluster import ClusterSpec, cluster_status
from flink_jobs.config import ConfigError, default_config_path, load_job_config
from flink_jobs.java_check import JavaMissing, require_java
from flink_jobs.jobs import UnknownJob, job_info
from flink_jobs.monitor import planner
from flink_jobs.monitor.alerts import AlertsError, load_thresholds
from flink_jobs.monitor.diagnosis import collect, diagnose, resolve_job
from flink_jobs.monitor.measure import MeasureError, measure
from flink_jobs.monitor.planner import DEFAULT_HEADROOM
from flink_jobs.monitor.report import as_json, table
from flink_jobs.rest import FlinkRest, RestError

EXIT_OK, EXIT_ALERT, EXIT_UNREADABLE = 0, 1, 2


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_UNREADABLE


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def add_job_reading_arguments(parser) -> None:
    """The options of a command that reads a running job (backpressure, diagnose); see job_readers()."""
    parser.add_argument(
        "--rest",
        metavar="URL",
        help="the cluster's REST API, e.g. http://127.0.0.1:8081 (default: that of the cluster `flink-jobs "
        "cluster start` runs from .flink-jobs/cluster)",
    )
    parser.add_argument("--job", metavar="ID|NAME", help="job id or name (default: the single running job)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--alerts", metavar="FILE", help="alert thresholds (default configs/alerts.yaml)")
    parser.add_argument("--timeout", type=_positive, default=5.0, help="seconds per REST request (default %(default)s)")
    parser.add_argument(
        "--kafka",
        metavar="BOOTSTRAP",
        help="Kafka bootstrap servers: the lag of Kafka sources is the end offsets minus the "
        "offsets they read (without it: their pendingRecords metric, which misses what "
        "the consumer already fetched); needs confluent-kafka",
    )
    parser.add_argument(
        "--group",
        metavar="ID",
        help="the job's Kafka consumer group (job.source.group-id): its committed offsets "
        "stand in for partitions the source reports no offset for (with --kafka)",
    )


class UnusableArguments(Exception):
    """The options of a job-reading command cannot be used: one line for the user (exit 2)."""


def job_readers(args):
    """(thresholds, FlinkRest, read_broker or None) from add_job_reading_arguments()' options;
    raises UnusableArguments."""
    from flink_jobs.monitor.kafka_offsets import KafkaClientMissing

    if args.group and not args.kafka:
        raise UnusableArguments("--group needs --kafka BOOTSTRAP (the broker that holds the group's offsets)")
    if args.rest is None:
        args.rest = local_cluster_rest()
    try:
        return load_thresholds(args.alerts), FlinkRest(args.rest, timeout=args.timeout), _broker_reader(args)
    except (AlertsError, RestError, KafkaClientMissing) as error:
        raise UnusableArguments(str(error)) from None


def local_cluster_rest() -> str:
    """The REST URL of the cluster `flink-jobs cluster start` runs from its default folder (the
    default of --rest); raises UnusableArguments when none runs there."""
    status = cluster_status(ClusterSpec.directory)
    if not status.running or not status.rest_url:
        raise UnusableArguments(
            f"no --rest URL given and no flink-jobs cluster running from {ClusterSpec.directory}: "
            "pass --rest http://HOST:PORT"
        )
    return status.rest_url


def add_commands(commands) -> None:
    """Register the monitor's subcommands on the flink-jobs subparsers."""
    backpressure = commands.add_parser(
        "backpressure",
        help="diagnose backpressure of a running job over a cluster's REST API",
        description="Per-vertex backpressure, busy time, buffer usage, rates and skew in topological order; "
        "the bottleneck and what to do about it; the consumer lag of Kafka sources and its trend "
        "over --watch refreshes; a stalled job (vertices not running) and why; alerts from thresholds. "
        "Exit 0 no alert, 1 an alert fired, 2 the cluster could not be read.",
    )
    add_job_reading_arguments(backpressure)
    backpressure.add_argument(
        "--watch",
        type=_positive,
        metavar="SECONDS",
        help="refresh every SECONDS until Ctrl-C (with --format json: one JSON object per line)",
    )
    backpressure.add_argument("--count", type=int, help=argparse.SUPPRESS)  # --watch refreshes, for tests
    backpressure.set_defaults(handler=cmd_backpressure)

    plan = commands.add_parser(
        "plan",
        help="parallelism for a peak rate; measure a job's per-subtask capacity",
        description="parallelism = ceil(peak x headroom / per-subtask capacity). With --measure JOB the "
        "capacity is measured on the embedded local Flink: true processing rate = records in / "
        "busy ratio (Flink's autoscaler), and the parallelism for --peak at the target utilization.",
    )
    plan.add_argument("--peak", type=_positive, metavar="EVENTS_PER_S", help="peak input rate, events/s")
    plan.add_argument("--per-task", type=_positive, metavar="EVENTS_PER_S", help="capacity of one subtask, events/s")
    plan.add_argument(
        "--headroom", type=_positive, default=DEFAULT_HEADROOM, help="capacity over peak (default %(default)s)"
    )
    plan.add_argument("--measure", metavar="JOB", help="measure this pack job's per-subtask capacity locally")
    plan.add_argument("--events", type=int, help="events for the measurement run (job.events.count)")
    plan.add_argument(
        "--duration", type=_positive, default=30.0, help="stop measuring after this many seconds of running"
    )
    plan.add_argument(
        "--utilization",
        type=_positive,
        help="target busy ratio (default: diagnosis.target-utilization of configs/alerts.yaml)",
    )
    plan.add_argument("--config", help="job config YAML (default configs/<job>.yaml)")
    plan.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value for the measurement run",
    )
    plan.add_argument(
        "--write",
        action="store_true",
        help="store job.capacity (peak-rate, per-subtask-rate, headroom) in the job config",
    )
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.set_defaults(handler=cmd_plan)


# ------------------------------------------------------------------ backpressure
def _snapshot(rest, selector, thresholds, read_broker=None, previous=None):
    job = resolve_job(rest, selector)
    return diagnose(collect(rest, job["jid"], thresholds.skew, read_broker), thresholds, previous)


def _broker_reader(args):
    """read_broker(topics) for collect(), or None without --kafka; raises KafkaClientMissing."""
    from flink_jobs.monitor.kafka_offsets import read_offsets, require_client

    if not args.kafka:
        return None
    require_client()
    return lambda topics: read_offsets(args.kafka, args.group, topics, timeout=args.timeout)


def _render(diagnosis, output_format: str, one_line: bool = False) -> str:
    return as_json(diagnosis, indent=None if one_line else 2) if output_format == "json" else table(diagnosis)


def cmd_backpressure(args) -> int:
    try:
        thresholds, rest, read_broker = job_readers(args)
    except UnusableArguments as error:
        return _error(str(error))
    if not args.watch:
        try:
            diagnosis = _snapshot(rest, args.job, thresholds, read_broker)
        except RestError as error:
            return _error(str(error))
        print(_render(diagnosis, args.format))
        return diagnosis.exit_code

    clear = "\x1b[H\x1b[2J" if sys.stdout.isatty() and args.format == "table" else ""
    code, fired, refreshes, diagnosis = EXIT_UNREADABLE, False, 0, None
    try:
        while args.count is None or refreshes < args.count:
            refreshes += 1
            try:
                diagnosis = _snapshot(rest, args.job, thresholds, read_broker, previous=diagnosis)
                code = diagnosis.exit_code
                fired = fired or bool(diagnosis.alerts)
                text = _render(diagnosis, args.format, one_line=True)
            except RestError as error:
                code, text = EXIT_UNREADABLE, f"error: {error}"
            stamp = time.strftime("%H:%M:%S")
            if args.format == "json":
                print(text, flush=True)
            else:
                print(
                    f"{clear}flink-jobs backpressure --rest {rest.url}   every {args.watch:g} s   {stamp}   Ctrl-C stops\n"
                    f"{text}\n",
                    flush=True,
                )
            if args.count is None or refreshes < args.count:
                time.sleep(args.watch)
    except KeyboardInterrupt:
        pass
    # a watch that could read the cluster reports whether any alert fired while it ran
    return code if code == EXIT_UNREADABLE else (EXIT_ALERT if fired else EXIT_OK)


# ------------------------------------------------------------------ plan
def cmd_plan(args) -> int:
    if args.measure:
        return _plan_measured(args)
    if args.peak is None or args.per_task is None:
        return _error("plan needs --peak and --per-task, or --measure JOB (with --peak for a parallelism)")
    parallelism = planner.headroom_parallelism(args.peak, args.per_task, args.headroom)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "peak_rate": args.peak,
                    "per_subtask_rate": args.per_task,
                    "headroom": args.headroom,
                    "parallelism": parallelism,
                }
            )
        )
    else:
        print(f"parallelism {parallelism} = ceil({args.peak:g} x {args.headroom:g} / {args.per_task:g})")
    return EXIT_OK


def _plan_measured(args) -> int:
    overrides = list(args.overrides) + ([f"job.events.count={args.events}"] if args.events is not None else [])
    if args.utilization is None:
        args.utilization = load_thresholds().target_utilization
    try:
        job = job_info(args.measure)
        config_path = args.config or str(default_config_path(job.name))
        config = load_job_config(config_path, overrides, job_name=job.name)
        if args.utilization > 1:
            return _error("--utilization is a busy ratio in (0, 1]")
        require_java()
        measurement = measure(job.name, config_path, overrides, duration=args.duration)
    except (UnknownJob, ConfigError, JavaMissing) as error:
        return _error(str(error))
    except MeasureError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.log_path:
            print(f"full output: {error.log_path}", file=sys.stderr)
        return error.exit_code
    measurement.events = config.settings.events.count
    slowest = measurement.slowest
    if slowest is None or not slowest.per_subtask_rate:
        return _error(f"no vertex of {job.name} was busy enough to measure its rate; run more events (--events)")
    capacity = slowest.per_subtask_rate
    result = measurement.to_json()
    result["utilization"] = args.utilization
    result["headroom"] = args.headroom
    result["current_parallelism"] = int(config.flink.get("parallelism.default", 1))
    if args.peak:
        result["peak_rate"] = args.peak
        result["parallelism_at_utilization"] = planner.utilization_parallelism(args.peak, capacity, args.utilization)
        result["parallelism_with_headroom"] = planner.headroom_parallelism(args.peak, capacity, args.headroom)
    if args.write:
        planner.write_capacity(config_path, capacity, args.peak, args.headroom)
        result["written_to"] = config_path
    if args.format == "json":
        print(json.dumps(result, indent=2))
        return EXIT_OK
    print(
        f"{job.name}: measured {measurement.seconds:.0f} s of a local run "
        f"({measurement.events if measurement.events else 'unbounded'} events, parallelism {result['current_parallelism']})"
    )
    for vertex in measurement.vertices:
        rate = f"{vertex.per_subtask_rate:,.0f}/s per subtask" if vertex.per_subtask_rate else "too idle to measure"
        mark = "  <- slowest" if vertex is slowest else ""
        print(f"  {vertex.name[:60]:<60} P{vertex.parallelism}  busy {vertex.busy_ratio:.2f}  {rate}{mark}")
    print(f"per-subtask capacity: {capacity:,.0f} events/s (true processing rate = records / busy seconds)")
    if args.peak:
        print(
            f"for a peak of {args.peak:,.0f}/s: parallelism {result['parallelism_at_utilization']} at target "
            f"utilization {args.utilization:g} (ceil(peak / ({args.utilization:g} x {capacity:,.0f}))); "
            f"{result['parallelism_with_headroom']} with {args.headroom:g}x headroom "
            f"(ceil(peak x {args.headroom:g} / {capacity:,.0f}), flink-lint FL304)"
        )
    if args.write:
        print(f"wrote job.capacity to {config_path}")
    return EXIT_OK
