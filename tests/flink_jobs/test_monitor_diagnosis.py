"""The diagnosis on REST payloads recorded from a real local cluster (fixtures/monitor/*.json).

Recorded with flink-jobs submit windowed-counts on a 1-TaskManager cluster:
- slow-high: job.slow-operator {sleep: 5 ms} at parallelism 1, ~20 s after start;
- slow-first-answers: the same job's first answers (/backpressure lags the metrics: says ok);
- hot-key: slow-operator {sleep: 2 ms, keyed: true}, key-skew 3.0, parallelism 2;
- healthy: events.rate 100/s; vertex-initializing: its first answers (HTTP 500 from /backpressure).
"""

import json
import re
from pathlib import Path

import pytest

from flink_jobs.monitor import planner
from flink_jobs.monitor.alerts import AlertsError, Thresholds, load_thresholds
from flink_jobs.monitor.diagnosis import (
    JobSample,
    aggregate_metrics,
    diagnose,
    level_of,
    number,
    subtask_values,
    topological_order,
)
from flink_jobs.monitor.report import as_json, table

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
SLOW = "90bea66de1c231edf33913ecd54406c1"
SOURCE = "cbc357ccb763df2852fee8c4fc7d55f2"
HOT = "e70bbd798b564e0a50e10e343f1ac56b"


def sample(name: str) -> JobSample:
    return JobSample.from_dict(json.loads((FIXTURES / f"{name}.json").read_text()))


def test_slow_operator_is_the_bottleneck_below_a_high_source():
    diagnosis = diagnose(sample("slow-high"))
    levels = {v.id: v.level for v in diagnosis.vertices}
    assert levels[SOURCE] == "high" and levels[SLOW] == "ok"
    assert diagnosis.bottleneck["id"] == SLOW
    assert "HIGH Source: event-sequence" in diagnosis.bottleneck["reason"]
    assert diagnosis.hot_key is None
    kinds = [s["kind"] for s in diagnosis.suggestions]
    assert kinds == ["scale-out", "rate-limit"]
    assert diagnosis.exit_code == 1
    fired = {(a.metric, a.severity) for a in diagnosis.alerts}
    assert ("backpressure-ratio", "warning") in fired  # 0.776: above 0.5, not above 0.8
    assert ("buffer-pool-usage", "warning") in fired
    assert ("input-vs-processing-rate", "warning") in fired


def test_vertices_come_in_topological_order():
    names = [v.name for v in diagnose(sample("hot-key")).vertices]
    assert names[0] == "Source: event-sequence"
    assert names[1].startswith("generate-events") and names[2].startswith("slow-operator")
    assert names[3].startswith("windowed-counts")


def test_scale_out_factor_follows_the_planner():
    diagnosis = diagnose(sample("slow-high"))
    slow = next(v for v in diagnosis.vertices if v.id == SLOW)
    needed = planner.utilization_parallelism(slow.input_rate_potential, slow.processing_rate / slow.parallelism, 0.7)
    assert f"from 1 to {needed} subtasks" in diagnosis.suggestions[0]["text"]
    assert slow.rate_ratio == pytest.approx(slow.input_rate_potential / slow.processing_rate)


def test_hot_key_at_the_keyed_bottleneck():
    diagnosis = diagnose(sample("hot-key"))
    assert diagnosis.bottleneck["id"] == HOT
    assert diagnosis.hot_key["keyed"] is True and diagnosis.hot_key["subtask"] == 0
    assert diagnosis.hot_key["skew"] >= 1.5 and diagnosis.hot_key["share"] > 0.8
    hot = [s for s in diagnosis.suggestions if s["kind"] == "hot-key"]
    assert hot and "salt the key" in hot[0]["text"] and "two phases" in hot[0]["text"]
    assert not [s for s in diagnosis.suggestions if s["kind"] == "scale-out"]
    assert any(a.severity == "critical" for a in diagnosis.alerts)


def test_healthy_job_has_no_bottleneck_and_no_alert():
    diagnosis = diagnose(sample("healthy"))
    assert diagnosis.bottleneck is None and diagnosis.alerts == [] and diagnosis.exit_code == 0


def test_a_vertex_without_values_is_not_yet_sampled_not_an_error():
    diagnosis = diagnose(sample("vertex-initializing"))
    source = diagnosis.vertices[0]
    assert not source.sampled and source.note.startswith("not yet sampled")
    assert diagnosis.exit_code == 0
    assert "not yet sampled" in table(diagnosis)


def test_first_answers_use_the_metrics_not_the_lagging_backpressure_endpoint():
    diagnosis = diagnose(sample("slow-first-answers"))
    source = next(v for v in diagnosis.vertices if v.id == SOURCE)
    assert source.flink_level == "ok" and source.level == "low"  # 342 ms/s backpressured already
    assert diagnosis.bottleneck["id"] == SLOW


def test_stricter_thresholds_make_it_critical():
    diagnosis = diagnose(sample("slow-high"), Thresholds(backpressure_ratio={"warning": 0.3, "critical": 0.7}))
    assert ("backpressure-ratio", "critical") in {(a.metric, a.severity) for a in diagnosis.alerts}


def test_table_and_json_output():
    diagnosis = diagnose(sample("slow-high"))
    text = table(diagnosis)
    assert "<- bottleneck" in text and "HIGH" in text and "suggest (scale-out)" in text
    data = json.loads(as_json(diagnosis))
    assert data["exit_code"] == 1 and data["bottleneck"]["id"] == SLOW
    assert [v["level"] for v in data["vertices"]] == ["high", "ok", "ok"]


@pytest.mark.parametrize(
    "ratio, level", [(0.0, "ok"), (0.1, "ok"), (0.11, "low"), (0.5, "low"), (0.51, "high"), (None, "unknown")]
)
def test_levels_are_flinks(ratio, level):
    assert level_of(ratio) == level


def test_metric_values_arrive_as_strings_per_subtask():
    assert number("992") == 992.0 and number("NaN") is None and number(None) is None and number("x") is None
    bodies = [
        [{"id": "numRecordsInPerSecond", "value": "116.5"}],
        [],
        [{"id": "numRecordsInPerSecond", "value": "NaN"}],
    ]
    assert subtask_values(bodies, "numRecordsInPerSecond") == [116.5, None, None]
    assert aggregate_metrics([{"id": "busyTimeMsPerSecond", "min": "1", "max": 2, "avg": "NaN", "sum": 3}]) == {
        "busyTimeMsPerSecond": {"min": 1.0, "max": 2.0, "avg": None, "sum": 3.0}
    }


def test_topological_order_keeps_listed_order_for_ties():
    assert topological_order(["c", "b", "a", "d"], {"c": ["b"], "b": ["a"], "d": []}) == ["a", "d", "b", "c"]


def test_shipped_alert_thresholds_are_the_documented_ones():
    thresholds = load_thresholds()
    assert thresholds.backpressure_ratio == {"warning": 0.5, "critical": 0.8}
    assert thresholds.buffer_pool_usage == {"warning": 0.8}
    assert thresholds.input_vs_processing_rate == {"warning": 2.0}
    assert thresholds.severity("backpressure-ratio", 0.81) == ("critical", 0.8)
    assert thresholds.severity("backpressure-ratio", 0.5) is None


def test_invalid_alerts_file_names_the_line(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("alerts:\n  backpressure-ratio:\n    warning: high\n")
    with pytest.raises(
        AlertsError, match=r"alerts.yaml:3:14: alerts.backpressure-ratio.warning: 'high' is not of type"
    ):
        load_thresholds(str(path))
    path.write_text("alerts:\n  backpresure-ratio: {warning: 0.5}\n")
    with pytest.raises(AlertsError, match=r"alerts.yaml:2:3: unknown key `backpresure-ratio` in alerts \(did you mean"):
        load_thresholds(str(path))


def test_partial_alerts_file_keeps_other_defaults(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("diagnosis:\n  skew: 3\n")
    thresholds = load_thresholds(str(path))
    assert thresholds.skew == 3 and thresholds.backpressure_ratio == {"warning": 0.5, "critical": 0.8}


def test_capacity_rules():
    assert planner.headroom_parallelism(40000, 5000) == 16
    assert planner.headroom_parallelism(10000, 5000, 1.0) == 2
    assert planner.utilization_parallelism(50000, 24000, 0.7) == 3  # pyflink.md section 11
    assert planner.utilization_parallelism(50000, 8800, 0.7) == 9
    assert planner.true_processing_rate(100, 0.5) == 200 and planner.true_processing_rate(100, 0.01) is None
    with pytest.raises(ValueError):
        planner.headroom_parallelism(0, 5000)


def test_write_capacity_keeps_comments_and_nulls(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(
        "# head comment\njob:\n  name: x   # the name\n  events:\n    rate: null  # unlimited\n"
        "\nflink:\n  parallelism.default: 1  # one\n"
    )
    planner.write_capacity(str(path), 8017.4, peak=20000, headroom=2.0)
    planner.write_capacity(str(path), 7000.0, headroom=2.0)
    text = path.read_text()
    assert "# head comment" in text and "# the name" in text and "rate: null  # unlimited" in text
    assert "parallelism.default: 1  # one" in text
    assert re.search(r"\n  capacity: +# events/s", text)
    assert "    peak-rate: 20000\n    per-subtask-rate: 7000\n    headroom: 2.0\n" in text


def test_a_job_without_taskmanager_is_stalled_not_healthy():
    # stalled-no-taskmanager: windowed-counts (restart-strategy fixed-delay) on a 1-TaskManager
    # cluster, recorded 45 s after the TaskManager was killed: job RUNNING, every vertex CREATED.
    recorded = sample("stalled-no-taskmanager")
    assert recorded.job["state"] == "RUNNING"
    diagnosis = diagnose(recorded)
    stall = diagnosis.stall
    assert stall.taskmanagers == 0 and stall.restarts == 1
    assert stall.seconds == pytest.approx((recorded.job["now"] - recorded.job["timestamps"]["RUNNING"]) / 1000)
    assert stall.reasons[0].startswith("no TaskManager registered")
    assert "is no longer reachable" in stall.last_failure
    assert [a.metric for a in diagnosis.alerts] == ["job-stalled"] and diagnosis.exit_code == 1
    text = table(diagnosis)
    assert f"stalled: 2 of 2 subtasks not running for {stall.seconds:.0f} s (2 SCHEDULED)" in text
    assert "why: no TaskManager registered" in text and "alerts: none" not in text
    patient = diagnose(recorded, Thresholds(job_stalled_seconds=3600))
    assert patient.stall and not patient.alerts and patient.exit_code == 0
