"""flink-jobs kafka start|stop|status, produce and consume, as a user types them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from flink_jobs.cluster import port_is_free
from flink_jobs.config import default_config_path, load_job_config
from processes import alive, flink_jobs, free_ports

pytestmark = pytest.mark.kafka


def test_broker_start_status_stop_leaves_nothing_behind(tmp_path):
    port, controller = free_ports(2)
    directory = tmp_path / "kafka"
    started = flink_jobs(
        "kafka",
        "start",
        "--dir",
        str(directory),
        "--port",
        str(port),
        "--controller-port",
        str(controller),
        "--topic",
        "events:4",
        "--topic",
        "other",
    )
    assert started.returncode == 0, started.stderr
    pid = int(started.stdout.split("Kafka broker ")[1].split(",")[0])
    try:
        assert alive(pid) and not port_is_free(port)
        status = flink_jobs("kafka", "status", "--dir", str(directory))
        assert status.returncode == 0 and "events:4" in status.stdout and "other:1" in status.stdout
        again = flink_jobs("kafka", "start", "--dir", str(directory), "--port", str(port))
        assert again.returncode == 2 and "already running" in again.stderr and "Traceback" not in again.stderr
    finally:
        stopped = flink_jobs("kafka", "stop", "--dir", str(directory))
    assert stopped.returncode == 0 and str(pid) in stopped.stdout
    assert not alive(pid) and port_is_free(port) and port_is_free(controller)
    status = flink_jobs("kafka", "status", "--dir", str(directory))
    assert status.returncode == 1 and "not running" in status.stdout


def test_produce_keys_events_and_consume_reads_them_back(kafka_broker):
    topic = kafka_broker.topic("cli", 3)
    produced = flink_jobs(
        "produce",
        topic,
        "--events",
        "3000",
        "--bootstrap",
        kafka_broker.bootstrap,
        "--set",
        "job.events.keys=7",
        "--set",
        "job.events.seed=5",
    )
    assert produced.returncode == 0, produced.stderr
    consumed = flink_jobs("consume", topic, "--committed", "--timeout", "3", "--bootstrap", kafka_broker.bootstrap)
    assert consumed.returncode == 0, consumed.stderr
    records = [json.loads(line) for line in consumed.stdout.splitlines()]
    spec = load_job_config(
        str(default_config_path("windowed-counts")), ["job.events.count=3000", "job.events.keys=7", "job.events.seed=5"]
    ).settings.events
    expected = {e.seq: e for e in spec.events()}
    assert sorted(r["seq"] for r in records) == list(range(3000))
    assert all((r["key"], r["value"], r["event_time"]) == expected[r["seq"]][:3] for r in records)
    limited = flink_jobs("consume", topic, "--max", "10", "--bootstrap", kafka_broker.bootstrap)
    assert len(limited.stdout.splitlines()) == 10


def test_a_key_stays_in_one_partition(kafka_broker):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    topic = kafka_broker.topic("keyed", 4)
    assert flink_jobs("produce", topic, "--events", "2000", "--bootstrap", kafka_broker.bootstrap).returncode == 0
    consumer = Consumer({"bootstrap.servers": kafka_broker.bootstrap, "group.id": "keyed-check"})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(4)])
    partitions_of: dict = {}
    # Until all 2,000 are read (a deadline, not a 3 s pause: a loaded machine's first fetch can take that)
    read, deadline = 0, time.monotonic() + 60
    while read < 2000 and time.monotonic() < deadline:
        message = consumer.poll(1)
        if message is not None and not message.error():
            partitions_of.setdefault(json.loads(message.value())["key"], set()).add(message.partition())
            read += 1
    consumer.close()
    assert read == 2000
    assert len(partitions_of) == 100 and all(len(p) == 1 for p in partitions_of.values())
    assert len(set().union(*partitions_of.values())) == 4


def test_unreachable_broker_and_unknown_topic_are_one_line_exit_2(kafka_broker):
    (closed,) = free_ports(1)
    for args in (
        ["produce", "t", "--events", "5", "--bootstrap", f"127.0.0.1:{closed}"],
        ["consume", "t", "--bootstrap", f"127.0.0.1:{closed}"],
        ["consume", "no-such-topic", "--bootstrap", kafka_broker.bootstrap],
    ):
        result = flink_jobs(*args)
        assert result.returncode == 2, result
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_output_into_a_closed_pipe_ends_quietly(kafka_broker):
    topic = kafka_broker.topic("pipe", 1)
    flink_jobs("produce", topic, "--events", "50000", "--bootstrap", kafka_broker.bootstrap)
    reader = subprocess.Popen(
        [sys.executable, "-m", "flink_jobs.cli", "consume", topic, "--bootstrap", kafka_broker.bootstrap],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert json.loads(reader.stdout.readline())["seq"] == 0
    reader.stdout.close()  # what `| head -1` does
    _, stderr = reader.communicate(timeout=120)
    assert reader.returncode == 141 and stderr == b"", stderr.decode()


@pytest.mark.flink
def test_the_shipped_kafka_config_runs_kafka_to_kafka_exactly(kafka_broker, tmp_path):
    """The README's commands with configs/windowed-counts.kafka.yaml (broker and topics moved to
    the test's broker): committed windows equal the reference."""
    import reference

    topic = kafka_broker.topic("readme", 4)
    for stream in ("windows", "late", "invalid"):
        kafka_broker.topic_named(f"{topic}-out-{stream}", 1)
    at = ["--bootstrap", kafka_broker.bootstrap]
    assert flink_jobs("produce", topic, "--events", "20000", *at).returncode == 0
    moved = [
        "--set",
        f"job.source.bootstrap-servers={kafka_broker.bootstrap}",
        "--set",
        f"job.source.topic={topic}",
        "--set",
        f"job.sink.bootstrap-servers={kafka_broker.bootstrap}",
        "--set",
        f"job.sink.topic={topic}-out",
    ]
    run = flink_jobs("run", "windowed-counts", "--config", "configs/windowed-counts.kafka.yaml", "--quiet", *moved)
    assert run.returncode == 0, run.stderr
    windows = [
        json.loads(line)
        for line in flink_jobs(
            "consume", f"{topic}-out-windows", "--committed", "--timeout", "3", *at
        ).stdout.splitlines()
    ]
    late = [
        json.loads(line)
        for line in flink_jobs("consume", f"{topic}-out-late", "--committed", "--timeout", "3", *at).stdout.splitlines()
    ]
    # The events `produce` wrote: windowed-counts' shipped spec (the Kafka config's own spec plays no part).
    spec = load_job_config(str(default_config_path("windowed-counts")), ["job.events.count=20000"]).settings.events
    size = load_job_config("configs/windowed-counts.kafka.yaml").settings.window.size_ms
    events = list(spec.events())
    got = {
        (w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")}
        for w in reference.final_windows(windows).values()
    }
    # Windows that no event late on purpose falls into are exact whatever the watermark did.
    on_purpose = [e for e in events if spec.is_late_on_purpose(e.seq)]
    touched = {(e.key, reference.window_start(e.event_time, size)) for e in on_purpose}
    untouched = {slot: want for slot, want in reference.windows(events, size).items() if slot not in touched}
    assert {slot: got.get(slot) for slot in untouched} == untouched
    # Late events are among those pushed `late-by` into the past on purpose (the watermark trails the
    # slowest partition, so some of those may still be in time): in-window + late = input, per window.
    late_seqs = {r["seq"] for r in late}
    assert late_seqs <= {e.seq for e in on_purpose}
    in_time = [e for e in events if e.seq not in late_seqs]
    assert got == reference.windows(in_time, size)
