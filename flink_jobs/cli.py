"""flink-jobs: run the pack's jobs locally, control a local cluster, submit to a cluster.

Exit codes: 0 success; 1 the Flink job (or its submission) failed: the root cause is printed on
one line and the full trace written to a log file; 2 the command could not start: bad usage,
unknown job, invalid config (`file:line:col: message` for every problem), Java missing, cluster
unreachable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flink_jobs.cluster import ClusterError, ClusterSpec, cluster_status, start_cluster, stop_cluster
from flink_jobs.config import FAIL_ON, ConfigError, default_config_path, load_job_config
from flink_jobs.java_check import JavaMissing
from flink_jobs.jobs import JOBS, UnknownJob, job_info
from flink_jobs.kafka import (
    BrokerSpec,
    KafkaError,
    broker_status,
    consume,
    parse_topic,
    produce_events,
    start_broker,
    stop_broker,
)
from flink_jobs.monitor.commands import add_commands as add_monitor_commands
from flink_jobs.monitor.health_commands import add_commands as add_health_commands
from flink_jobs.redis_store import (
    ProfileSpec,
    RedisError,
    RedisSpec,
    load_profiles,
    redis_status,
    start_redis,
    stop_redis,
)
from flink_jobs.render import RenderError, render, to_yaml
from flink_jobs.runtime import JobFailed, run_local
from flink_jobs.submit import SubmitError, failure_cause, parse_jobmanager, stop_with_savepoint, submit, wait_for_job
from flink_jobs.summary import summarize
from flink_lint.api import at_least, finding_lines
from flink_lint.cli import silence_stdout

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
RENDERED_COLLECT_SINK = (
    "stdout"  # what `render` makes of the collect sink (a pod has no `flink-jobs run` to collect to)
)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _print_stopped(pids: list[int], what: str, directory: str) -> None:
    """What `cluster stop` and `kafka stop` say: the processes they stopped, by pid."""
    print(
        f"stopped: {len(pids)} processes ({', '.join(map(str, pids))})"
        if pids
        else f"no {what} running from {directory}"
    )


def _load(job_name: str, config_path, overrides, fail_on: str = "error", show: str = "warning"):
    """The job and its validated config; the linter's findings at `show` or worse go to stderr."""
    job = job_info(job_name)
    path = config_path or str(default_config_path(job.name))
    config = load_job_config(path, overrides, job_name=job.name, fail_on=fail_on)
    for finding in at_least(config.findings, show):
        print("\n".join(finding_lines(finding)), file=sys.stderr)
    return job, config


def _overrides(args: argparse.Namespace) -> list[str]:
    overrides = list(args.overrides)
    if getattr(args, "events", None) is not None:
        overrides.append(f"job.events.count={args.events}")
    return overrides


def cmd_list(args) -> int:
    for job in JOBS.values():
        print(f"{job.name:<18} {job.summary}")
        print(f"{'':<18} config: {default_config_path(job.name)}; outputs: {', '.join(job.outputs)}")
    return EXIT_OK


def cmd_check(args) -> int:
    job, config = _load(args.job, args.config, _overrides(args), fail_on=args.fail_on, show="info")
    print(f"{config.path}: valid config for {job.name}")
    return EXIT_OK


def cmd_run(args) -> int:
    job, config = _load(args.job, args.config, _overrides(args))
    try:
        result = run_local(job, config, progress_every=0 if args.quiet else args.progress_interval)
    except JobFailed as failed:
        print(f"{config.settings.name}: FAILED: {failed.root_cause}", file=sys.stderr)
        print(f"full trace: {failed.log_path}", file=sys.stderr)
        return EXIT_FAILED
    events = config.settings.events.count if config.settings.source["type"] == "generator" else None
    print("\n".join(summarize(result, events)))
    if config.settings.sink["type"] == "file":
        print(f"  output: {Path(config.settings.sink['path']).resolve()}/<stream>/")
    return EXIT_OK


def _cluster_spec(args):
    return ClusterSpec(
        directory=Path(args.dir),
        rest_port=args.rest_port,
        rpc_port=args.rpc_port,
        blob_port=args.blob_port,
        taskmanagers=args.taskmanagers,
        slots=args.slots,
    )


def cmd_cluster(args) -> int:
    try:
        if args.action == "start":
            info = start_cluster(_cluster_spec(args))
            print(f"started: JobManager {info.jobmanager_pid}, TaskManagers {info.taskmanager_pids}")
            print(f"  REST {info.rest_url}   logs {info.log_dir}")
            print(f"  submit: flink-jobs submit JOB --jobmanager {info.rest_url.split('//', 1)[1]}")
        elif args.action == "stop":
            _print_stopped(stop_cluster(Path(args.dir)), "cluster", args.dir)
        else:
            status = cluster_status(Path(args.dir))
            print(status.describe())
            return EXIT_OK if status.running else EXIT_FAILED
    except ClusterError as error:
        return _error(str(error))
    return EXIT_OK


def cmd_submit(args) -> int:
    job, config = _load(args.job, args.config, _overrides(args))
    try:
        submitted = submit(
            job, config, _overrides(args), args.jobmanager, python=args.python, savepoint=args.from_savepoint
        )
        print(submitted.job_id)
        if not args.wait:
            return EXIT_OK
        state = wait_for_job(submitted.rest_url, submitted.job_id, timeout=args.timeout)
    except SubmitError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.log_path:
            print(f"full output: {error.log_path}", file=sys.stderr)
        return error.exit_code
    print(f"{config.settings.name}: {state}", file=sys.stderr)
    if state != "FINISHED":
        print(f"root cause: {failure_cause(submitted.rest_url, submitted.job_id)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_render(args) -> int:
    overrides = _overrides(args)
    job, config = _load(args.job, args.config, overrides)
    if config.settings.sink["type"] == "collect":  # the shipped configs: no `flink-jobs run` in a pod to collect to
        overrides.append(f"job.sink.type={RENDERED_COLLECT_SINK}")
        job, config = _load(args.job, args.config, overrides, show="error")
        print(
            f"note: sink `collect` returns results to `flink-jobs run` only; the deployment prints them instead "
            f"(--set job.sink.type={RENDERED_COLLECT_SINK}: the TaskManagers' logs). Keep them with "
            "--set job.sink.type=kafka or file",
            file=sys.stderr,
        )
    try:
        text = to_yaml(render(job, config, overrides, image=args.image, state_dir=args.state_dir), job)
    except RenderError as error:
        return _error(str(error))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: ConfigMap + FlinkDeployment for {job.name}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_stop(args) -> int:
    try:
        host, port = parse_jobmanager(args.jobmanager)
        location = stop_with_savepoint(f"http://{host}:{port}", args.job_id, str(Path(args.savepoint_dir).resolve()))
    except SubmitError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    print(location)
    return EXIT_OK


def cmd_kafka(args) -> int:
    if args.action == "start":
        spec = BrokerSpec(
            directory=Path(args.dir),
            port=args.port,
            controller_port=args.controller_port,
            topics=[parse_topic(t) for t in args.topics],
        )
        info = start_broker(spec)
        print(f"started: Kafka broker {info.pid}, bootstrap {info.bootstrap}")
        print(f"  topics {', '.join(f'{n}:{p}' for n, p in spec.topics) or 'none'}   log {info.log_file}")
    elif args.action == "stop":
        _print_stopped(stop_broker(Path(args.dir)), "broker", args.dir)
    else:
        status = broker_status(Path(args.dir))
        print(status.describe())
        return EXIT_OK if status.running else EXIT_FAILED
    return EXIT_OK


def cmd_redis(args) -> int:
    if args.action == "start":
        info = start_redis(RedisSpec(directory=Path(args.dir), port=args.port or RedisSpec.port))
        print(f"started: redis-server {info.pid}, 127.0.0.1:{info.port}   log {info.log_file}")
    elif args.action == "stop":
        stopped = stop_redis(Path(args.dir))
        print(
            f"stopped: redis-server {', '.join(map(str, stopped))}" if stopped else f"no server running from {args.dir}"
        )
    elif args.action == "status":
        running, line = redis_status(Path(args.dir))
        print(line)
        return EXIT_OK if running else EXIT_FAILED
    else:
        _, config = _load("enrichment", args.config, list(args.overrides))
        store = config.settings.store
        spec = ProfileSpec(keys=config.settings.events.keys, seed=args.seed, missing_fraction=args.missing_fraction)
        written, missing = load_profiles(store.host, args.port or store.port, store.key_prefix, spec)
        print(f"loaded {written} profiles ({store.key_prefix}k0..k{spec.keys - 1}); {missing} keys left without one")
    return EXIT_OK


def _bootstrap(args) -> str:
    """--bootstrap, else the broker `flink-jobs kafka start` runs from .flink-jobs/kafka."""
    if args.bootstrap:
        return args.bootstrap
    status = broker_status(BrokerSpec.directory)
    return status.bootstrap if status.running else BrokerSpec().bootstrap


def cmd_produce(args) -> int:
    events_job = args.job or "windowed-counts"
    _, config = _load(events_job, args.config, list(args.overrides) + [f"job.events.count={args.events}"])
    bootstrap = _bootstrap(args)
    written = produce_events(
        bootstrap, args.topic, config.settings.events, start=args.start, count=args.events, rate=args.rate
    )
    print(
        f"produced {written} events (seq {args.start}..{args.start + written - 1}) to {args.topic} on {bootstrap}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_consume(args) -> int:
    for value in consume(
        _bootstrap(args), args.topic, committed=args.committed, max_records=args.max, timeout=args.timeout
    ):
        print(value)
    return EXIT_OK


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", help=f"one of: {', '.join(JOBS)}")
    parser.add_argument("--config", help="job config YAML (default: configs/<job>.yaml)")
    parser.add_argument("--events", type=int, help="number of generated events (job.events.count)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value: job.window.size=30s, flink.parallelism.default=2",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flink-jobs",
        description=__doc__.split("\n\n")[0],
        epilog="exit codes: 0 ok, 1 job failed, 2 could not start (usage, config, Java, cluster)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the pack's jobs").set_defaults(handler=cmd_list)

    check = commands.add_parser(
        "check",
        help="validate a job config without running it",
        description=(
            "Validate a job config (read over the job's shipped configs/<job>.yaml, --set overrides "
            "applied) with flink-lint's job-config checks: schema, Flink option catalog and rules, the "
            "findings printed as flink-lint prints them. Exit 2 when a finding is at --fail-on or worse. "
            "run and submit check the same way but stop only on errors: warnings are printed and the job runs."
        ),
    )
    _job_options(check)
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="warning",
        help="fail on findings of this severity or worse (default %(default)s, as flink-lint)",
    )
    check.set_defaults(handler=cmd_check)

    run = commands.add_parser("run", help="run a job on the embedded local Flink and summarize")
    _job_options(run)
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument(
        "--progress-interval",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="piped: a progress line every SECONDS (default %(default)s); a terminal gets one line updated in place",
    )
    run.set_defaults(handler=cmd_run)

    cluster = commands.add_parser("cluster", help="a local standalone Flink cluster")
    cluster.add_argument("action", choices=["start", "stop", "status"])
    cluster.add_argument("--dir", default=".flink-jobs/cluster", help="conf/log/pid folder (default %(default)s)")
    cluster.add_argument("--rest-port", type=int, default=18081)
    cluster.add_argument("--rpc-port", type=int, default=16123)
    cluster.add_argument("--blob-port", type=int, default=16124)
    cluster.add_argument("--taskmanagers", type=int, default=1)
    cluster.add_argument("--slots", type=int, default=2)
    cluster.set_defaults(handler=cmd_cluster)

    submit = commands.add_parser("submit", help="submit a job to a cluster with `flink run -py`")
    _job_options(submit)
    submit.add_argument("--jobmanager", required=True, metavar="HOST:PORT", help="the cluster's REST address")
    submit.add_argument("--python", help="the TaskManagers' Python (default: this one for a local cluster)")
    submit.add_argument("--wait", action="store_true", help="wait for the job to end; exit 1 unless FINISHED")
    submit.add_argument("--timeout", type=float, default=600, help="seconds to wait with --wait")
    submit.add_argument("--from-savepoint", metavar="PATH", help="start from this savepoint (state and Kafka offsets)")
    submit.set_defaults(handler=cmd_submit)

    render = commands.add_parser(
        "render", help="write a FlinkDeployment (and the ConfigMap of its config) for the Kubernetes operator"
    )
    _job_options(render)
    render.add_argument(
        "--image", help="the image the Dockerfile builds (default flink-jobpack:<version>-flink<flink>)"
    )
    render.add_argument(
        "--state-dir",
        default="s3://flink-jobpack",
        metavar="URI",
        help="durable base for checkpoints, savepoints and HA of a stateful job (default %(default)s/<name>/...)",
    )
    render.add_argument("--out", help="write here instead of stdout")
    render.set_defaults(handler=cmd_render)

    stop = commands.add_parser("stop", help="stop a running job with a savepoint; prints the savepoint's path")
    stop.add_argument("job_id")
    stop.add_argument("--jobmanager", required=True, metavar="HOST:PORT", help="the cluster's REST address")
    stop.add_argument("--savepoint-dir", required=True, help="directory for the savepoint (shared with the cluster)")
    stop.set_defaults(handler=cmd_stop)

    kafka = commands.add_parser("kafka", help="a local Kafka broker (KRaft, loopback)")
    kafka.add_argument("action", choices=["start", "stop", "status"])
    kafka.add_argument(
        "--dir", default=str(BrokerSpec.directory), help="storage/log/state folder (default %(default)s)"
    )
    kafka.add_argument("--port", type=int, default=BrokerSpec.port, help="client port (default %(default)s)")
    kafka.add_argument("--controller-port", type=int, default=BrokerSpec.controller_port)
    kafka.add_argument(
        "--topic",
        dest="topics",
        action="append",
        default=[],
        metavar="NAME:PARTITIONS",
        help="create this topic when started (repeatable)",
    )
    kafka.set_defaults(handler=cmd_kafka)

    produce = commands.add_parser("produce", help="write the generated events to a Kafka topic as JSON")
    produce.add_argument("topic")
    produce.add_argument("--events", type=int, required=True, help="number of events")
    produce.add_argument("--rate", type=float, help="events per second (default: as fast as possible)")
    produce.add_argument("--start", type=int, default=0, help="sequence number of the first event")
    produce.add_argument("--bootstrap", help="HOST:PORT (default: the broker of `flink-jobs kafka start`)")
    produce.add_argument("--job", help="take job.events from this job's config (default windowed-counts)")
    produce.add_argument("--config", help="take job.events from this job config")
    produce.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="job.events.KEY=VALUE",
        help="override the event spec: job.events.keys=10, job.events.key-skew=1.2",
    )
    produce.set_defaults(handler=cmd_produce)

    consume = commands.add_parser("consume", help="print a topic's records as JSON lines")
    consume.add_argument("topic")
    consume.add_argument(
        "--committed",
        action="store_true",
        help="only records of committed transactions (isolation.level=read_committed)",
    )
    consume.add_argument("--max", type=int, help="stop after N records")
    consume.add_argument("--timeout", type=float, default=5.0, help="stop after S seconds without a record")
    consume.add_argument("--bootstrap", help="HOST:PORT (default: the broker of `flink-jobs kafka start`)")
    consume.set_defaults(handler=cmd_consume)

    redis = commands.add_parser("redis", help="a local Redis server (loopback) for the enrichment job's profiles")
    redis.add_argument("action", choices=["start", "stop", "status", "load-profiles"])
    redis.add_argument("--dir", default=str(RedisSpec.directory), help="config/log/state folder (default %(default)s)")
    redis.add_argument(
        "--port", type=int, help=f"start: port (default {RedisSpec.port}); load-profiles: job.store.port"
    )
    redis.add_argument("--config", help="load-profiles: keys and store from this enrichment config")
    redis.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    redis.add_argument("--seed", type=int, default=ProfileSpec.seed, help="profiles' seed (default %(default)s)")
    redis.add_argument("--missing-fraction", type=float, default=ProfileSpec.missing_fraction)
    redis.set_defaults(handler=cmd_redis)

    add_monitor_commands(commands)  # backpressure, plan
    add_health_commands(commands)  # diagnose, report
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (UnknownJob, ConfigError, JavaMissing, KafkaError, RedisError) as error:
        return _error(str(error))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (`| head`): end quietly
        silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
