"""Kafka consumer lag through `flink-jobs diagnose`, on a real broker and a real standalone cluster.

The setup of test_monitor_kafka.py (its cluster, producer at PRODUCE_RATE events/s, windowed-counts
reading a 2-partition topic): with job.slow-operator {sleep: 5 ms} the job falls behind and diagnose
reports a kafka-lag finding with its evidence, verdict not healthy, exit 1; the same job without
the slow operator keeps up, and diagnose reads its lag (assessed, neither "not assessed" nor "not
applicable") without a kafka-lag finding.
"""

import json

import pytest

from processes import cancel, flink_jobs, wait_for
from test_monitor_kafka import TEST_ALERTS, cluster, producer, run_job  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.cluster, pytest.mark.kafka]

LAG_THRESHOLD = 5000  # kafka-lag warning in TEST_ALERTS


def diagnose(rest_url: str, bootstrap: str, job_id: str, group: str, alerts) -> tuple[int, dict]:
    result = flink_jobs(
        "diagnose",
        "--rest",
        rest_url,
        "--job",
        job_id,
        "--kafka",
        bootstrap,
        "--group",
        group,
        "--alerts",
        str(alerts),
        "--format",
        "json",
    )
    assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def source_lag(health: dict) -> dict:
    (lag,) = [v["kafka_lag"] for v in health["diagnosis"]["vertices"] if v["kafka_lag"]]
    return lag


def from_the_broker(health: dict) -> bool:
    """The lag was computed from the broker's end offsets. A reading whose broker request timed out (a
    loaded machine) falls back to the source's pendingRecords metric, and says so in its origin."""
    return source_lag(health)["origin"].startswith("broker end offsets - ")


def lag_findings(health: dict) -> list:
    return [f for f in health["findings"] if f["signal"] == "kafka-lag"]


def diagnose_until(
    flink, broker, produce, alerts, name: str, until, timeout: float, *overrides
) -> list[tuple[int, dict]]:
    """Produce into a new 2-partition topic, run the job on it, diagnose it every few seconds until
    until(health) holds (asserted, with the lags read), cancel it; returns every reading, the last
    being the one that held."""
    topic = broker.topic(name, 2)
    produce(topic)
    job_id, group = run_job(flink, broker, topic, name, *overrides)
    readings: list[tuple[int, dict]] = []
    try:

        def holds():
            readings.append(diagnose(flink.rest_url, broker.bootstrap, job_id, group, alerts))
            return until(readings[-1][1])

        assert wait_for(holds, timeout, 2), [source_lag(h).get("records") for _, h in readings]
    finally:
        cancel(flink, job_id)
    return readings


def test_diagnose_reports_the_lag_of_a_slow_kafka_job_and_none_for_one_that_keeps_up(
    cluster,  # noqa: F811
    kafka_broker,
    producer,  # noqa: F811
    tmp_path,
    capsys,
):
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(TEST_ALERTS)

    readings = diagnose_until(
        cluster,
        kafka_broker,
        producer,
        alerts,
        "diagnose-lag-slow",
        lambda health: lag_findings(health) and from_the_broker(health),
        180,
        "job.slow-operator={sleep: 5 ms}",
    )
    code, health = readings[-1]
    lag = source_lag(health)
    with capsys.disabled():
        print(
            f"\n  diagnose, slow job: lag readings {[(source_lag(h)['records'], source_lag(h)['origin']) for _, h in readings]}"
        )
    assert code == 1 and health["exit_code"] == 1 and health["verdict"] in ("degraded", "critical")
    assert "kafka-lag" not in health["not_assessed"] and "kafka-lag" not in health["not_applicable"]
    (finding,) = [f for f in lag_findings(health) if f["metric"] == "kafka-lag"]
    assert finding["severity"] in ("warning", "critical") and finding["threshold"] == LAG_THRESHOLD
    assert finding["value"] == lag["records"] > LAG_THRESHOLD
    assert lag["origin"].startswith("broker end offsets - ")
    assert finding["evidence"].startswith(f"kafka-lag {lag['records']:g} > {LAG_THRESHOLD:g}")
    assert finding["subject"] and finding["suggestion"] and finding["since"]

    def caught_up(health: dict) -> bool:
        records = source_lag(health)["records"]
        return records is not None and records < 1000 and from_the_broker(health)

    readings = diagnose_until(
        cluster,
        kafka_broker,
        producer,
        alerts,
        "diagnose-lag-fast",
        caught_up,
        120,
        "job.source.starting-offsets=latest",
    )
    # the reading that saw it caught up (another reading a moment later may catch a burst of the producer)
    code, health = readings[-1]
    lag = source_lag(health)
    with capsys.disabled():
        print(
            f"  diagnose, fast job: lag {lag['records']} ({lag['origin']}), verdict {health['verdict']}, "
            f"findings {[(f['severity'], f['metric'], f['value']) for f in health['findings']]}, "
            f"not assessed {health['not_assessed']}"
        )
    assert "kafka-lag" not in health["not_assessed"] and "kafka-lag" not in health["not_applicable"]
    assert lag["records"] is not None and lag["records"] < LAG_THRESHOLD
    assert lag["origin"].startswith("broker end offsets - ")
    assert lag_findings(health) == [], health["findings"]
    assert code == health["exit_code"]
