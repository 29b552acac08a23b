"""The pack's jobs on a real Kafka broker and a real local standalone cluster, exactly once.

Events are written by `produce_events` (the deterministic generator, keyed by the event key, record
timestamp = event time); results are read back with isolation.level=read_committed, so only what
the exactly-once sink committed counts. Expected results come from tests/flink_jobs/reference.py
over the same generated events.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

import pytest

import reference
from flink_jobs.cluster import cluster_status, kill_taskmanager, start_taskmanager
from flink_jobs.config import default_config_path, load_job_config, shipped_events
from flink_jobs.kafka import consume, event_json, produce_events, produce_raw
from flink_jobs.jobs import job_info
from flink_jobs.runtime import run_local
from flink_jobs.rest import FlinkRest
from flink_jobs.submit import stop_with_savepoint, submit, wait_for_job
from processes import alive, all_tasks_running, cancel, completed_checkpoints, local_cluster, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.kafka]

CHECKPOINTED = [
    "flink.execution.checkpointing.interval=2s",
    "flink.restart-strategy.type=fixed-delay",
    "flink.restart-strategy.fixed-delay.attempts=10",
    "flink.restart-strategy.fixed-delay.delay=1s",
]


def kafka_overrides(broker, source_topic: str, sink_topic: str, *more: str) -> list:
    return [
        "job.source.type=kafka",
        f"job.source.bootstrap-servers={broker.bootstrap}",
        f"job.source.topic={source_topic}",
        "job.source.starting-offsets=earliest",
        f"job.source.group-id={source_topic}-group",
        "job.sink.type=kafka",
        f"job.sink.bootstrap-servers={broker.bootstrap}",
        f"job.sink.topic={sink_topic}",
        f"job.sink.transactional-id-prefix={sink_topic}",
        *CHECKPOINTED,
        *more,
    ]


def committed(broker, topic: str, timeout: float = 4.0) -> list:
    return [json.loads(value) for value in consume(broker.bootstrap, topic, committed=True, timeout=timeout)]


def output_topics(broker, prefix: str, streams) -> str:
    """Create <prefix>-<stream> for each result stream (a read_committed reader needs them to exist)."""
    for stream in streams:
        broker.topic_named(f"{prefix}-{stream}", 2)
    return prefix


def window_results(records: list) -> dict:
    got = {(w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")} for w in records}
    assert len(got) == len(records), "no window committed twice"
    return got


def totals_updates(records: list) -> dict:
    """key -> its update counts, sorted (output partitions interleave keys on reading)."""
    updates = defaultdict(list)
    for record in records:
        updates[record["key"]].append(record["count"])
    return {key: sorted(counts) for key, counts in updates.items()}


def every_update_once(events) -> dict:
    """key -> [1, 2, ..., n]: per-event emission commits each of a key's n updates once."""
    return {key: list(range(1, want["count"] + 1)) for key, want in reference.totals(events).items()}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("kafka-cluster")
    with local_cluster(directory, slots=2) as info:
        yield info


def run_on_cluster(cluster, job_name: str, overrides: list) -> str:
    config = load_job_config(str(default_config_path(job_name)), overrides, job_name)
    submitted = submit(job_info(job_name), config, overrides, cluster.rest_url.split("//")[1])
    return submitted.job_id


# --------------------------------------------------------------------------- 1. exact results


def test_windowed_counts_from_four_partitions_to_kafka_equals_the_reference(kafka_broker, cluster):
    source = kafka_broker.topic("wc-events", 4)
    spec = shipped_events(count=200_000, disorder_ms=1000, late_fraction=0.0)
    assert produce_events(kafka_broker.bootstrap, source, spec) == 200_000
    sink = output_topics(kafka_broker, f"{source}-out", ["windows", "late", "invalid"])
    overrides = kafka_overrides(
        kafka_broker,
        source,
        sink,
        "job.source.stopping-offsets=latest",
        "job.events.late-fraction=0",
        "flink.parallelism.default=2",
    )
    job_id = run_on_cluster(cluster, "windowed-counts", overrides)
    assert wait_for_job(cluster.rest_url, job_id, timeout=600) == "FINISHED"

    window = load_job_config(str(default_config_path("windowed-counts")), overrides).settings.window
    assert window_results(committed(kafka_broker, f"{sink}-windows")) == reference.windows(
        spec.events(), window.size_ms
    )
    assert committed(kafka_broker, f"{sink}-late") == []
    assert committed(kafka_broker, f"{sink}-invalid") == []


def test_running_totals_from_kafka_commits_every_update_exactly_once(kafka_broker, cluster):
    source = kafka_broker.topic("rt-events", 4)
    spec = shipped_events(count=200_000, keys=500, disorder_ms=0, late_fraction=0.0)
    produce_events(kafka_broker.bootstrap, source, spec)
    sink = output_topics(kafka_broker, f"{source}-out", ["totals", "invalid"])
    overrides = kafka_overrides(
        kafka_broker,
        source,
        sink,
        "job.source.stopping-offsets=latest",
        "job.emit.mode=per-event",
        "job.state-ttl=null",
        "flink.parallelism.default=2",
    )
    job_id = run_on_cluster(cluster, "running-totals", overrides)
    assert wait_for_job(cluster.rest_url, job_id, timeout=600) == "FINISHED"

    records = committed(kafka_broker, f"{sink}-totals")
    assert len(records) == 200_000
    updates = totals_updates(records)
    assert updates == every_update_once(spec.events())
    last = {r["key"]: r for r in records if r["count"] == len(updates[r["key"]])}
    expected = reference.totals(spec.events())
    assert {k: {f: r[f] for f in ("count", "sum", "min", "max")} for k, r in last.items()} == {
        k: {f: v[f] for f in ("count", "sum", "min", "max")} for k, v in expected.items()
    }


# --------------------------------------------------------------------------- 3. savepoint, resubmit


def test_stop_with_savepoint_and_resubmit_continues_from_its_offsets(kafka_broker, cluster, tmp_path):
    source = kafka_broker.topic("sp-events", 4)
    spec = shipped_events(count=30_000, keys=50, disorder_ms=0, late_fraction=0.0)
    sink = output_topics(kafka_broker, f"{source}-out", ["totals", "invalid"])
    overrides = kafka_overrides(
        kafka_broker,
        source,
        sink,
        "job.emit.mode=per-event",
        "job.state-ttl=null",
        "flink.parallelism.default=2",
        "flink.execution.checkpointing.interval=1s",
    )
    stop, stopped = threading.Event(), threading.Event()
    written = []
    early = 10_000

    def produce():
        # The first events while the first job runs; the rest once it has stopped, through its
        # savepoint and the resubmission. (One paced run of all 30 s could end before the stop
        # when a slow machine takes that long to start the job and commit its first output.)
        count = produce_events(kafka_broker.bootstrap, source, spec, count=early, rate=1000, should_stop=stop.is_set)
        stopped.wait()
        rest = spec.count - early
        written.append(
            count
            + produce_events(
                kafka_broker.bootstrap, source, spec, start=early, count=rest, rate=1000, should_stop=stop.is_set
            )
        )

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        first = run_on_cluster(cluster, "running-totals", overrides)
        assert wait_for(lambda: len(committed(kafka_broker, f"{sink}-totals", 1)) >= 3000, 120, 1), "output flows"
        savepoint = stop_with_savepoint(cluster.rest_url, first, str(tmp_path / "savepoints"))
        assert wait_for_job(cluster.rest_url, first, timeout=60) == "FINISHED"
        before = len(committed(kafka_broker, f"{sink}-totals", 1))
        stopped.set()  # the producer writes the remaining 20,000 across the restart

        config = load_job_config(str(default_config_path("running-totals")), overrides)
        second = submit(
            job_info("running-totals"), config, overrides, cluster.rest_url.split("//")[1], savepoint=savepoint
        ).job_id
        producer.join(timeout=120)
        assert written == [30_000]
        assert wait_for(lambda: len(committed(kafka_broker, f"{sink}-totals", 1)) >= 30_000, 180, 2), (
            "the resubmitted job catches up"
        )
        # two more completed checkpoints would commit any duplicate (3 s of sleep did not make sure of
        # it: a loaded machine's checkpoints can take longer than that)
        target = completed_checkpoints(cluster.rest_url, second) + 2
        assert wait_for(lambda: completed_checkpoints(cluster.rest_url, second) >= target, 120, 0.5)
        cancel(cluster, second)
    finally:
        stop.set()
        stopped.set()
        producer.join(timeout=60)

    records = committed(kafka_broker, f"{sink}-totals")
    assert 0 < before < len(records)
    assert totals_updates(records) == every_update_once(spec.events()), "no duplicate, no gap"


# --------------------------------------------------------------------------- idle partitions


IDLE_SPEC = shipped_events(count=5_000, keys=10, disorder_ms=0, late_fraction=0.0)


def one_partition_job(broker, cluster, prefix: str, idleness: str) -> tuple[str, str]:
    """Unbounded windowed-counts (10 s windows) over a 4-partition topic whose events all went to
    partition 0 (record timestamps: now); returns the sink's topic prefix and the job id."""
    from confluent_kafka import Producer

    source = broker.topic(prefix, 4)
    producer = Producer({"bootstrap.servers": broker.bootstrap})
    for event in IDLE_SPEC.events():
        producer.produce(source, value=event_json(event), partition=0)
    assert producer.flush(30) == 0
    sink = output_topics(broker, f"{source}-out", ["windows", "late", "invalid"])
    overrides = kafka_overrides(
        broker, source, sink, f"job.window.idleness={idleness}", "job.window.size=10s", "flink.parallelism.default=1"
    )
    return sink, run_on_cluster(cluster, "windowed-counts", overrides)


def window_vertex(rest: FlinkRest, job_id: str) -> dict:
    (vertex,) = [v for v in rest.get(f"/jobs/{job_id}")["vertices"] if v["name"].startswith("windowed-counts")]
    return vertex


def test_an_empty_partition_does_not_stall_the_windows(kafka_broker, cluster):
    """Unbounded read of a 4-partition topic with data in one partition only: with idleness the
    windows fire while the job runs, each equal to the reference."""
    sink, job_id = one_partition_job(kafka_broker, cluster, "idle-events", idleness="1s")
    try:
        assert wait_for(lambda: committed(kafka_broker, f"{sink}-windows", 1), 120, 1), (
            "windows fire although three partitions never receive an event"
        )
    finally:
        cancel(cluster, job_id)
    expected = reference.windows(IDLE_SPEC.events(), 10_000)
    fired = window_results(committed(kafka_broker, f"{sink}-windows"))
    assert fired and all(expected[slot] == result for slot, result in fired.items())


def test_without_idleness_an_empty_partition_stalls_event_time(kafka_broker, cluster):
    """What flink-lint's kafka-source-without-idleness rules warn of, reproduced: every event has
    reached the window operator, yet its input watermark never left Long.MIN_VALUE (three partitions
    hold it back) and no window fired."""
    sink, job_id = one_partition_job(kafka_broker, cluster, "stall-events", idleness="null")
    rest = FlinkRest(cluster.rest_url)
    try:
        assert wait_for(lambda: window_vertex(rest, job_id)["metrics"]["read-records"] >= IDLE_SPEC.count, 120, 1), (
            "every event reaches the window operator"
        )
        assert wait_for(lambda: completed_checkpoints(cluster.rest_url, job_id) >= 2, 60, 0.5), (
            "checkpoints complete, so anything fired would be committed"
        )
        vertex = window_vertex(rest, job_id)
        watermarks = rest.get(f"/jobs/{job_id}/vertices/{vertex['id']}/watermarks")
    finally:
        cancel(cluster, job_id)
    assert [w["value"] for w in watermarks] == [str(-(2**63))], watermarks
    assert committed(kafka_broker, f"{sink}-windows") == []


# --------------------------------------------------------------------------- 4. invalid records


def test_invalid_records_are_counted_and_the_job_goes_on(kafka_broker):
    source = kafka_broker.topic("bad-events", 2)
    spec = shipped_events(count=20_000, late_fraction=0.0, disorder_ms=0)
    produce_events(kafka_broker.bootstrap, source, spec, count=10_000)
    garbage = [
        b"not json",
        b'{"key": "k1", "value": 3}',
        b'{"key": 7, "value": 1, "event_time": 1}',
        b'{"key": "k2", "value": "x", "event_time": 1700000000000}',
        b"\xff\xfe",
        b"[1, 2]",
    ]
    produce_raw(kafka_broker.bootstrap, source, [(b"k", g) for g in garbage])
    produce_events(kafka_broker.bootstrap, source, spec, start=10_000, count=10_000)
    overrides = [
        "job.source.type=kafka",
        f"job.source.bootstrap-servers={kafka_broker.bootstrap}",
        f"job.source.topic={source}",
        "job.source.starting-offsets=earliest",
        "job.source.stopping-offsets=latest",
        "job.events.late-fraction=0",
    ]
    config = load_job_config(str(default_config_path("windowed-counts")), overrides, "windowed-counts")
    result = run_local(job_info("windowed-counts"), config, progress_every=0)

    assert sorted(r["line"] for r in result.outputs["invalid"]) == sorted(
        g.decode("utf-8", errors="replace") for g in garbage
    )
    assert all(r["error"] for r in result.outputs["invalid"])
    assert window_results(result.outputs["windows"]) == reference.windows(spec.events(), config.settings.window.size_ms)


# --------------------------------------------------------------------------- 2. kill -9 twice


@pytest.fixture
def fault_cluster(tmp_path):
    with local_cluster(tmp_path / "cluster") as info:
        yield info


def test_two_taskmanager_kills_lose_and_duplicate_nothing(kafka_broker, fault_cluster, capsys):
    source = kafka_broker.topic("kill-events", 4)
    spec = shipped_events(count=60_000, disorder_ms=1000, late_fraction=0.0)
    produce_events(kafka_broker.bootstrap, source, spec)
    sink = output_topics(kafka_broker, f"{source}-out", ["windows", "late", "invalid"])
    overrides = kafka_overrides(
        kafka_broker,
        source,
        sink,
        "job.source.stopping-offsets=latest",
        "job.events.late-fraction=0",
        "job.window.size=10s",
        "flink.parallelism.default=2",
        "flink.execution.checkpointing.unaligned.enabled=true",
        "job.slow-operator.sleep=1ms",
        "job.slow-operator.every=1",
    )
    job_id = run_on_cluster(fault_cluster, "windowed-counts", overrides)
    recoveries = []
    for _ in range(2):
        target = completed_checkpoints(fault_cluster.rest_url, job_id) + 2
        assert wait_for(lambda target=target: completed_checkpoints(fault_cluster.rest_url, job_id) >= target, 120), (
            "checkpoints"
        )
        (victim,) = cluster_status(fault_cluster.directory).taskmanager_pids
        killed_at = time.monotonic()
        killed = kill_taskmanager(fault_cluster.directory, victim)
        assert victim in killed and not alive(victim)
        start_taskmanager(fault_cluster.directory)
        assert wait_for(lambda: not all_tasks_running(fault_cluster.rest_url, job_id), 60, 0.25), "loss noticed"
        assert wait_for(lambda: all_tasks_running(fault_cluster.rest_url, job_id), 120, 0.25), "recovered"
        recoveries.append(time.monotonic() - killed_at)
    assert wait_for_job(fault_cluster.rest_url, job_id, timeout=600) == "FINISHED"
    assert len(FlinkRest(fault_cluster.rest_url).get(f"/jobs/{job_id}/exceptions")["exceptionHistory"]["entries"]) >= 2
    with capsys.disabled():
        print(f"\n  Kafka windowed-counts, 2 TaskManager kills: recovery {', '.join(f'{r:.1f} s' for r in recoveries)}")

    assert window_results(committed(kafka_broker, f"{sink}-windows")) == reference.windows(spec.events(), 10_000)
    assert committed(kafka_broker, f"{sink}-late") == []


# --------------------------------------------------------------------------- at-least-once


def test_at_least_once_sink_writes_without_transactions(kafka_broker):
    """delivery-guarantee at-least-once: records are visible without read_committed (no
    transaction), and without a failure each window is there once."""
    source = kafka_broker.topic("alo-events", 2)
    spec = shipped_events(count=20_000, late_fraction=0.0, disorder_ms=0)
    produce_events(kafka_broker.bootstrap, source, spec)
    sink = output_topics(kafka_broker, f"{source}-out", ["windows", "late", "invalid"])
    overrides = kafka_overrides(
        kafka_broker,
        source,
        sink,
        "job.source.stopping-offsets=latest",
        "job.sink.delivery-guarantee=at-least-once",
        "job.events.late-fraction=0",
    )
    config = load_job_config(str(default_config_path("windowed-counts")), overrides, "windowed-counts")
    run_local(job_info("windowed-counts"), config, progress_every=0)
    uncommitted = [json.loads(v) for v in consume(kafka_broker.bootstrap, f"{sink}-windows", timeout=3)]
    assert window_results(uncommitted) == reference.windows(spec.events(), config.settings.window.size_ms)
