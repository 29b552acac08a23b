"""`flink-jobs diagnose` and `flink-jobs report`, added to the CLI by `add_commands(subparsers)`.

diagnose exit codes: 0 healthy, 1 degraded or critical (a finding, or a signal not assessed), 2 the
cluster could not be read (refused, timeout, not JSON, unknown or ended job, bad --alerts file).
Under --watch: 2 if the last reading failed, else 1 if any reading was not healthy, else 0.
report exit codes: 0 written, 2 the record file is missing, empty or not diagnose records.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from flink_jobs.monitor.charts import RecordError, read_records, render
from flink_jobs.monitor.commands import UnusableArguments, _error, _positive, add_job_reading_arguments, job_readers
from flink_jobs.monitor.diagnosis import resolve_job
from flink_jobs.monitor.health import assess, collect_health
from flink_jobs.monitor.health_report import as_json, table
from flink_jobs.rest import RestError

EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_UNREADABLE = 0, 1, 2


def add_commands(commands) -> None:
    diagnose = commands.add_parser(
        "diagnose",
        help="one verdict on a running job's health: healthy, degraded or critical, with ranked findings",
        description="Reads the job's state and restarts, checkpoints, watermarks, backpressure and Kafka lag, "
        "and its TaskManagers' memory and GC; judges them against configs/alerts.yaml. Each finding has its "
        "evidence and the change to make. A signal that cannot be read is `not assessed` and the verdict is "
        "then never healthy. Exit 0 healthy, 1 degraded or critical, 2 the cluster could not be read.",
    )
    add_job_reading_arguments(diagnose)
    diagnose.add_argument("--watch", type=_positive, metavar="SECONDS", help="read again every SECONDS until Ctrl-C")
    diagnose.add_argument("--record", metavar="FILE", help="append every reading to FILE as a JSON line")
    diagnose.add_argument("--count", type=int, help=argparse.SUPPRESS)  # --watch readings, for tests
    diagnose.set_defaults(handler=cmd_diagnose)

    report = commands.add_parser(
        "report",
        help="render a `diagnose --record` file as one self-contained HTML page of time charts",
        description="Charts over time: backpressure per vertex, records in/out, Kafka lag, checkpoint duration "
        "and size, watermark lag, and the findings on the time axis. Inline SVG, nothing loaded at view time. "
        "Exit 0 written, 2 the file is missing, empty or not diagnose readings (file:line and why).",
    )
    report.add_argument("file", metavar="FILE", help="JSON lines written by diagnose --record")
    report.add_argument("--out", required=True, metavar="HTML", help="the page to write")
    report.set_defaults(handler=cmd_report)


def _reading(rest, args, thresholds, read_broker, previous):
    job = resolve_job(rest, args.job)
    sample = collect_health(rest, job["jid"], thresholds.skew, read_broker)
    return assess(sample, thresholds, previous)


def _append(path, line: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as record:
            record.write(line + "\n")


def cmd_diagnose(args) -> int:
    try:
        thresholds, rest, read_broker = job_readers(args)
        if args.record:
            Path(args.record).parent.mkdir(parents=True, exist_ok=True)
            open(args.record, "a", encoding="utf-8").close()  # writable before the first reading
    except UnusableArguments as error:
        return _error(str(error))
    except OSError as error:
        return _error(f"--record {args.record}: {error.strerror or error}")

    code, unhealthy, readings, health = EXIT_UNREADABLE, False, 0, None
    try:
        while True:
            readings += 1
            try:
                health = _reading(rest, args, thresholds, read_broker, health)
                code = health.exit_code
                unhealthy = unhealthy or code != EXIT_HEALTHY
                _append(args.record, as_json(health, indent=None))
                text = as_json(health, indent=None if args.watch else 2) if args.format == "json" else table(health)
            except RestError as error:
                code, text = EXIT_UNREADABLE, f"error: {error}"
                _append(
                    args.record, json.dumps({"taken_at": time.time(), "verdict": "unreadable", "error": str(error)})
                )
                if not args.watch:
                    print(text, file=sys.stderr)
                    return code
            if args.watch and args.format == "table":
                print(f"flink-jobs diagnose --rest {rest.url}   every {args.watch:g} s   {time.strftime('%H:%M:%S')}")
            print(text, flush=True)
            if not args.watch or (args.count is not None and readings >= args.count):
                break
            time.sleep(args.watch)
    except KeyboardInterrupt:
        pass
    if code == EXIT_UNREADABLE:
        return code
    return EXIT_UNHEALTHY if unhealthy else EXIT_HEALTHY


def cmd_report(args) -> int:
    try:
        records = read_records(args.file)
    except RecordError as error:
        return _error(str(error))
    try:
        Path(args.out).write_text(render(records, source=args.file), encoding="utf-8")
    except OSError as error:
        return _error(f"--out {args.out}: {error.strerror or error}")
    readings = sum(1 for r in records if r.get("verdict") != "unreadable")
    print(f"wrote {args.out}: {readings} readings of {args.file}")
    return EXIT_HEALTHY
