"""Kafka consumer lag in the diagnosis, without a broker.

Recorded (fixtures/monitor/kafka-*.json, collect() + read_offsets on a 1-TaskManager cluster and a
local broker): windowed-counts reading a 2-partition topic of 20,000 events with job.slow-operator
{sleep: 5 ms}; kafka-starting is its first answer (no lag metric yet, nothing committed),
kafka-lagging 48 s later. The other cases are REST-shaped bodies written here, for what a cluster
does not produce on demand (a broker that times out, a partition never committed). The expected
lags are worked out by hand. The CLI against a real broker and cluster: test_monitor_kafka.py.
"""

import json
from pathlib import Path

import pytest

from flink_jobs.monitor.alerts import AlertsError, Thresholds, load_thresholds
from flink_jobs.monitor.diagnosis import JobSample, diagnose
from flink_jobs.monitor.kafka_lag import KafkaLag, follow, is_kafka_source, lag_metric_ids, source_lag
from flink_jobs.monitor.report import as_json, table

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
SOURCE, SINK = "a" * 32, "b" * 32
OFFSETS = "Source__kafka.KafkaSourceReader.topic.orders.v1.partition.{p}.{kind}"


def pending(total_per_subtask: list) -> list:
    return [
        {
            "id": "Source__kafka.pendingRecords",
            "min": min(total_per_subtask),
            "max": max(total_per_subtask),
            "avg": sum(total_per_subtask) / len(total_per_subtask),
            "sum": sum(total_per_subtask),
        }
    ]


def offsets(**by_partition) -> list:
    """current offsets per partition, as `p0=41` -> the currentOffset metric of partition 0."""
    return [
        {"id": OFFSETS.format(p=name[1:], kind="currentOffset"), "min": v, "max": v, "avg": v, "sum": v}
        for name, v in by_partition.items()
    ]


def job_sample(lag_metrics, broker=None, name="Source: kafka") -> JobSample:
    job = {
        "jid": "c" * 32,
        "name": "lagging",
        "state": "RUNNING",
        "start-time": 1,
        "vertices": [
            {"id": SOURCE, "name": name, "parallelism": 2, "status": "RUNNING"},
            {"id": SINK, "name": "windowed-counts", "parallelism": 2, "status": "RUNNING"},
        ],
    }
    plan = {"plan": {"nodes": [{"id": SOURCE}, {"id": SINK, "inputs": [{"id": SOURCE, "ship_strategy": "HASH"}]}]}}
    return JobSample(
        job=job,
        plan=plan,
        backpressure={},
        metrics={},
        kafka_sources=[SOURCE],
        lag_metrics={SOURCE: lag_metrics},
        broker=broker,
    )


def source_report(diagnosis):
    return next(v for v in diagnosis.vertices if v.id == SOURCE)


def recorded(name: str) -> JobSample:
    return JobSample.from_dict(json.loads((FIXTURES / f"{name}.json").read_text()))


def test_recorded_lagging_kafka_source():
    sample = recorded("kafka-lagging")
    diagnosis = diagnose(sample)
    (source,) = [v for v in diagnosis.vertices if v.kafka_lag]
    assert source.name.startswith("Source: kafka")
    lag = source.kafka_lag
    # currentOffset (last record read) against the broker's end offsets: 9699 - 9698 - 1, 10301 - 4300 - 1
    assert [(p["partition"], p["current"], p["end"], p["lag"]) for p in lag.partitions] == [
        (0, 9698, 9699, 0),
        (1, 4300, 10301, 6000),
    ]
    assert lag.records == 6000 and lag.origin == "broker end offsets - offsets the source read"
    assert "kafka lag Source: kafka -> parse-events -> …: 6,000 records (broker end offsets" in table(diagnosis)


def test_recorded_pending_records_without_the_broker():
    sample = recorded("kafka-lagging")
    sample.broker = None
    (lag,) = [v.kafka_lag for v in diagnose(sample).vertices if v.kafka_lag]
    assert lag.records == 4500 and "pendingRecords" in lag.origin  # what the one subtask reported


def test_recorded_group_offsets_when_the_source_metrics_are_missing():
    sample = recorded("kafka-lagging")
    sample.lag_metrics = {vid: [] for vid in sample.lag_metrics}
    (lag,) = [v.kafka_lag for v in diagnose(sample).vertices if v.kafka_lag]
    assert lag.records == (9699 - 9699) + (10301 - 2301)  # end - committed (the next offset to read)
    assert lag.origin == "broker end offsets - committed offsets (group probe-group)"


def test_recorded_first_answer_is_not_read():
    diagnosis = diagnose(recorded("kafka-starting"))
    (source,) = [v for v in diagnosis.vertices if v.kafka_lag]
    assert source.kafka_lag.records is None
    assert "group probe-group has no committed offsets" in source.kafka_lag.why_not
    assert "| not read" not in table(diagnosis) and "kafka lag not read" in table(diagnosis)


def test_lag_metric_ids_are_found_in_the_listing():
    listing = [
        {"id": "numRecordsOutPerSecond"},
        {"id": "Source__kafka.pendingRecords"},
        {"id": OFFSETS.format(p=3, kind="currentOffset")},
        {"id": OFFSETS.format(p=3, kind="committedOffset")},
        {"id": "Source__kafka.KafkaSourceReader.KafkaConsumer.records-lag-max"},
    ]
    assert lag_metric_ids(listing) == [listing[1]["id"], listing[2]["id"], listing[3]["id"]]
    assert is_kafka_source("Source: orders", listing) and is_kafka_source("Source: kafka", [])
    assert not is_kafka_source("Source: event-sequence", [{"id": "numRecordsOutPerSecond"}])


def test_pending_records_are_summed_over_subtasks():
    lag = source_lag(pending([120_000, 30_500]), None)
    assert lag.records == 150_500 and "pendingRecords" in lag.origin
    broker = {"bootstrap": "b:9092", "group": None, "committed": {}, "end": {"orders.v1:0": 500}, "error": None}
    assert source_lag(pending([7, 3]), broker).records == 10, "a partition never read: the metric, not a guess"


def test_the_metric_in_place_of_a_broker_that_did_not_answer_says_why():
    error = "broker b:9092 not readable: KafkaError{code=_TIMED_OUT}"
    broker = {"bootstrap": "b:9092", "group": "g", "committed": {}, "end": {}, "error": error}
    lag = source_lag(pending([7, 3]), broker)
    assert lag.records == 10 and lag.origin.startswith("source metric pendingRecords")
    assert lag.origin.endswith(f"; not from the broker: {error}")


def test_no_metric_and_no_broker_is_not_read_never_zero():
    lag = source_lag([], None)
    assert lag.records is None and not lag.read
    assert "no pendingRecords metric" in lag.why_not and "no --kafka" in lag.why_not
    diagnosis = diagnose(job_sample([]))
    assert source_report(diagnosis).kafka_lag.records is None
    assert not [a for a in diagnosis.alerts if a.metric.startswith("kafka")]
    assert "kafka lag Source: kafka: not read (no pendingRecords metric" in table(diagnosis)
    data = json.loads(as_json(diagnosis))
    assert data["vertices"][0]["kafka_lag"]["records"] is None


def test_source_offsets_and_broker_end_offsets():
    # currentOffset is the last record read: partition 0 read up to 41 of end 100 -> 58 left (42..99),
    # partition 1 up to 9 of end 10 -> nothing left.
    broker = {
        "bootstrap": "b:9092",
        "group": None,
        "committed": {},
        "end": {"orders.v1:0": 100, "orders.v1:1": 10},
        "error": None,
    }
    lag = source_lag(offsets(p0=41, p1=9), broker)
    assert lag.records == 58 and lag.origin == "broker end offsets - offsets the source read"
    assert [(p["partition"], p["lag"]) for p in lag.partitions] == [(0, 58), (1, 0)]


def test_committed_offsets_of_the_group_when_the_source_reports_nothing():
    # committed = the next offset to read: 100 - 60 + 10 - 10 = 40
    broker = {
        "bootstrap": "b:9092",
        "group": "g",
        "committed": {"orders.v1:0": 60, "orders.v1:1": 10},
        "end": {"orders.v1:0": 100, "orders.v1:1": 10},
        "error": None,
    }
    lag = source_lag([], broker)
    assert lag.records == 40 and lag.origin == "broker end offsets - committed offsets (group g)"


def test_a_partition_without_a_committed_offset_leaves_the_lag_not_read():
    broker = {
        "bootstrap": "b:9092",
        "group": "g",
        "committed": {"orders.v1:0": 60},
        "end": {"orders.v1:0": 100, "orders.v1:1": 10},
        "error": None,
    }
    lag = source_lag([], broker)
    assert lag.records is None and lag.why_not.endswith("nothing read or committed yet from orders.v1:1")


@pytest.mark.parametrize(
    "broker, why",
    [
        (
            {
                "bootstrap": "b:9092",
                "group": "g",
                "committed": {},
                "end": {},
                "error": "broker b:9092 not readable: Timed out",
            },
            "broker b:9092 not readable: Timed out",
        ),
        ({"bootstrap": "b:9092", "group": None, "committed": {}, "end": {"t:0": 5}, "error": None}, "no --group"),
        (
            {"bootstrap": "b:9092", "group": "g", "committed": {}, "end": {"t:0": 5}, "error": None},
            "group g has no committed offsets on b:9092",
        ),
    ],
)
def test_why_a_lag_was_not_read(broker, why):
    lag = source_lag([], broker)
    assert lag.records is None and why in lag.why_not


def test_trend_over_readings():
    readings = [1_000, 5_000, 5_000, 9_500, 14_000, 14_400, 3_000]
    lags, previous = [], None
    for records in readings:
        previous = follow(KafkaLag(records), previous, min_records=1000)
        lags.append((previous.trend, previous.change, previous.rises))
    assert lags == [
        (None, None, 0),
        ("growing", 4_000, 1),
        ("growing", 0, 1),  # the same value again: the metric was not refreshed, the run goes on
        ("growing", 4_500, 2),
        ("growing", 4_500, 3),
        ("steady", 400, 0),  # within min-records
        ("shrinking", -11_400, 0),
    ]
    assert follow(KafkaLag(None), KafkaLag(5), 1000).trend is None


def test_lag_above_the_threshold_fires_and_exits_1():
    diagnosis = diagnose(job_sample(pending([80_000, 30_000])))
    alert = next(a for a in diagnosis.alerts if a.metric == "kafka-lag")
    assert alert.value == 110_000 and alert.threshold == 100_000 and alert.severity == "warning"
    assert diagnosis.exit_code == 1
    below = diagnose(job_sample(pending([50_000, 49_999])))
    assert not below.alerts and below.exit_code == 0


def test_lag_growing_for_n_refreshes_fires():
    thresholds = Thresholds()
    previous = None
    fired = []
    for records in (1_000, 3_000, 5_000, 7_000):
        previous = diagnose(job_sample(pending([records, 0])), thresholds, previous)
        fired.append([a.metric for a in previous.alerts])
    assert fired == [[], [], [], ["kafka-lag-growth"]]  # 3 rises in a row, the default
    lag = source_report(previous).kafka_lag
    assert (lag.trend, lag.change, lag.rises) == ("growing", 2_000, 3)
    assert "growing +2,000, 3 rises in a row" in table(previous)


def test_shipped_kafka_and_stall_thresholds():
    thresholds = load_thresholds()
    assert thresholds.kafka_lag == {"warning": 100000}
    assert (thresholds.kafka_lag_growth_samples, thresholds.kafka_lag_growth_min_records) == (3, 1000)
    assert thresholds.job_stalled_seconds == 30
    assert thresholds == Thresholds(), "the dataclass defaults are the shipped file's"


@pytest.mark.parametrize(
    "text, message",
    [
        ("alerts:\n  kafka-lag: {warning: -5}\n", "alerts.kafka-lag.warning: -5 is less than the minimum of 0"),
        (
            "alerts:\n  kafka-lag-growth: {samples: 0}\n",
            "alerts.kafka-lag-growth.samples: 0 is less than the minimum of 1",
        ),
        ("alerts:\n  job-stalled: {}\n", "alerts.job-stalled: 'seconds' is a required property"),
    ],
)
def test_invalid_kafka_and_stall_thresholds_name_the_line(tmp_path, text, message):
    path = tmp_path / "alerts.yaml"
    path.write_text(text)
    with pytest.raises(AlertsError, match=message):
        load_thresholds(str(path))
