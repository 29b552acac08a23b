"""windowed-counts from Kafka to Kafka beside the generator-to-collect run, in one script run.

    .venv/bin/python benchmarks/kafka_throughput.py [--events 200000] [--partitions 4]

Starts its own local broker (free ports, a temporary directory; stopped at the end), writes the
generated events to a topic once, then runs on the embedded local Flink, thread mode, parallelism 1:
  1. generator -> windowed-counts -> collect (the pack's default run);
  2. Kafka (bounded: stopping-offsets latest) -> windowed-counts -> Kafka, exactly-once, with
     checkpoints every 2 s as a production job would.
Prints wall time and events/s of each (JVM and job start-up included), the ratio, and the producer's
rate. Needs `make jvm` (broker and connector jars).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flink_jobs.config import default_config_path, load_job_config  # noqa: E402
from flink_jobs.jobs import job_info  # noqa: E402
from flink_jobs.kafka import BrokerSpec, consume, create_topics, produce_events, start_broker, stop_broker  # noqa: E402
from flink_jobs.runtime import run_local  # noqa: E402


def free_ports(count: int) -> list:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def timed_run(overrides: list) -> float:
    job = job_info("windowed-counts")
    config = load_job_config(str(default_config_path(job.name)), overrides, job.name)
    started = time.perf_counter()
    run_local(job, config, progress_every=0)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    common = [
        f"job.events.count={args.events}",
        "flink.parallelism.default=1",
        "flink.python.execution-mode=thread",
        "flink.execution.checkpointing.interval=2s",
    ]
    with tempfile.TemporaryDirectory(prefix="kafka-bench-") as scratch:
        port, controller = free_ports(2)
        broker = start_broker(BrokerSpec(directory=Path(scratch), port=port, controller_port=controller))
        try:
            spec = load_job_config(str(default_config_path("windowed-counts")), common).settings.events
            create_topics(
                broker.bootstrap, [("events", args.partitions), ("out-windows", 1), ("out-late", 1), ("out-invalid", 1)]
            )
            started = time.perf_counter()
            produce_events(broker.bootstrap, "events", spec)
            produce_seconds = time.perf_counter() - started
            print(
                f"windowed-counts, {args.events:,} events, {args.partitions} partitions, thread mode, parallelism 1, "
                f"load average {os.getloadavg()[0]:.1f} at start"
            )
            print(
                f"  producer (confluent-kafka):           {produce_seconds:6.1f} s  {args.events / produce_seconds:10,.0f} events/s"
            )
            generator = timed_run(common + ["job.sink.type=collect"])
            print(
                f"  generator -> collect:                 {generator:6.1f} s  {args.events / generator:10,.0f} events/s"
            )
            kafka = timed_run(
                common
                + [
                    "job.source.type=kafka",
                    f"job.source.bootstrap-servers={broker.bootstrap}",
                    "job.source.topic=events",
                    "job.source.starting-offsets=earliest",
                    "job.source.stopping-offsets=latest",
                    "job.sink.type=kafka",
                    f"job.sink.bootstrap-servers={broker.bootstrap}",
                    "job.sink.topic=out",
                ]
            )
            print(f"  Kafka -> Kafka (exactly-once):        {kafka:6.1f} s  {args.events / kafka:10,.0f} events/s")
            windows = sum(1 for _ in consume(broker.bootstrap, "out-windows", committed=True, timeout=2))
            print(f"  committed windows read back: {windows:,}")
            print(f"  ratio Kafka->Kafka / generator->collect (events/s): {generator / kafka:.2f}")
        finally:
            stop_broker(Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
