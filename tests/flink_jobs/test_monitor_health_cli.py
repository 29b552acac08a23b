"""flink-jobs diagnose and report without a cluster: bad input gets one line and exit 2, never a
traceback; the thresholds of diagnose are in the shipped alerts file, each with its reason."""

import json
import re
from types import SimpleNamespace

from flink_jobs.monitor import checkpoints, event_time, taskmanagers
from flink_jobs.monitor.alerts import DEFAULT_ALERTS, load_thresholds
from flink_jobs.monitor.health import HealthSample, assess
from processes import flink_jobs, free_ports

DIAGNOSE_THRESHOLDS = (
    "restarts",
    "checkpoint-failure-ratio",
    "checkpoint-age",
    "checkpoint-duration",
    "checkpoint-duration-interval",
    "checkpoint-size-growth",
    "watermark-lag",
    "watermark-stall",
    "gc-time",
    "heap-usage",
)


def reading(taken_at: float, verdict: str = "healthy") -> str:
    return json.dumps({"taken_at": taken_at, "verdict": verdict, "job_id": "j", "job_name": "n", "findings": []})


def test_refused_cluster_exits_2_with_one_line():
    result = flink_jobs("diagnose", "--rest", f"http://127.0.0.1:{free_ports(1)[0]}", timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: cannot reach the Flink REST API") and result.stderr.count("\n") == 1


def test_bad_alerts_file_is_located(tmp_path):
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text("alerts:\n  watermark-stall:\n    seconds: -1\n")
    result = flink_jobs("diagnose", "--rest", "http://127.0.0.1:1", "--alerts", str(alerts), timeout=60)
    assert result.returncode == 2
    assert re.match(rf"error: {re.escape(str(alerts))}:3:\d+: alerts.watermark-stall.seconds: ", result.stderr)


def test_report_of_a_missing_or_broken_record_exits_2(tmp_path):
    missing = flink_jobs("report", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "r.html"))
    assert missing.returncode == 2 and missing.stderr == f"error: {tmp_path / 'none.jsonl'}: no such file\n"

    broken = tmp_path / "broken.jsonl"
    broken.write_text(reading(1.0) + "\nnot json\n" + reading(2.0) + "\n")
    result = flink_jobs("report", str(broken), "--out", str(tmp_path / "r.html"))
    assert result.returncode == 2 and result.stderr.startswith(f"error: {broken}:2: not a reading")

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = flink_jobs("report", str(empty), "--out", str(tmp_path / "r.html"))
    assert result.returncode == 2 and "no readings" in result.stderr


WRONG_SHAPES = {
    '{"taken_at": NaN}': "taken_at is not a time",
    '{"taken_at": 1e308}': "taken_at is not a time",
    '{"taken_at": 1, "diagnosis": "x"}': "diagnosis is not an object",
    '{"taken_at": 1, "diagnosis": {"vertices": [1]}}': "diagnosis.vertices holds something other than objects",
    '{"taken_at": 1, "diagnosis": {"vertices": [{"kafka_lag": 3}]}}': "kafka_lag is not an object",
    '{"taken_at": 1, "checkpoints": [1]}': "checkpoints is not an object",
    '{"taken_at": 1, "watermarks": [1]}': "watermarks holds something other than objects",
    '{"taken_at": 1, "findings": "abc"}': "findings is not a list",
    '{"taken_at": 1, "findings": [{"severity": 3}]}': "findings holds something other than findings",
    '{"taken_at": 1, "findings": [{"metric": ["x"]}]}': "findings holds something other than findings",
    '{"taken_at": 1, "not_assessed": [1]}': "not_assessed is not an object",
    '{"taken_at": 1, "verdict": 5}': "verdict is not a string",
}


def test_report_refuses_a_json_line_of_the_wrong_shape_with_its_line(tmp_path):
    """An edited or foreign JSON-lines file: valid JSON, but not what diagnose writes (one line, exit 2)."""
    for index, (line, why) in enumerate(WRONG_SHAPES.items()):
        record = tmp_path / f"shape{index}.jsonl"
        record.write_text(reading(1.0) + "\n" + line + "\n" + reading(3.0) + "\n")
        result = flink_jobs("report", str(record), "--out", str(tmp_path / "r.html"))
        assert result.returncode == 2, (line, result.stderr)
        assert result.stderr.startswith(f"error: {record}:2: not a reading of flink-jobs diagnose --record: "), line
        assert why in result.stderr and result.stderr.count("\n") == 1, (line, result.stderr)


def test_report_leaves_out_a_last_line_cut_short(tmp_path):
    record = tmp_path / "cut.jsonl"
    record.write_text(reading(1.0) + "\n" + reading(2.0, "degraded") + "\n" + reading(3.0)[:20])
    page = tmp_path / "r.html"
    result = flink_jobs("report", str(record), "--out", str(page))
    assert result.returncode == 0 and "2 readings" in result.stdout
    assert "1 healthy, 1 degraded" in page.read_text()


def test_diagnose_thresholds_are_shipped_with_their_reasons():
    thresholds = load_thresholds()
    assert thresholds.restarts and thresholds.watermark_stall_seconds > 0 and thresholds.gc_time
    lines = DEFAULT_ALERTS.read_text().splitlines()
    for name in DIAGNOSE_THRESHOLDS:
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:"))
        assert "#" in lines[index] and "#" in lines[index + 1], f"{name}: no reason written beside it"


def watch_sample(now_s: float, watermark_ms: float, records: int):
    """The parts of a HealthSample that event_time reads: one window vertex fed by one source."""
    return SimpleNamespace(
        job={
            "now": now_s * 1000,
            "vertices": [
                {"id": "src", "name": "source", "metrics": {"read-records": 0}},
                {"id": "win", "name": "window", "start-time": 0, "metrics": {"read-records": records}},
            ],
        },
        taken_at=now_s,
        order=["src", "win"],
        names={"src": "source", "win": "window"},
        inputs={"src": [], "win": ["src"]},
        watermarks={"win": [{"id": "0.currentInputWatermark", "value": str(watermark_ms)}]},
        upstream_watermarks={},
        upstream_records={},
    )


def test_a_watermark_stuck_across_watch_readings_while_records_flow_is_a_stall():
    thresholds = load_thresholds()
    stuck = thresholds.watermark_stall_seconds
    previous, findings = None, []
    # readings every 10 s: the watermark stays at 5,000 ms while records keep arriving; one
    # reading repeats the counter (a metric not refreshed yet), which must not end the stall
    counters = [100, 200, 200, 300, 400, 500, 600]
    for step, records in enumerate(counters):
        rows, found = event_time.assess(watch_sample(1000 + 10 * step, 5000, records), previous, thresholds)
        previous = {row["id"]: row for row in rows}
        findings = [f for f in found if f.metric == "watermark-stall"]
        if step * 10 <= stuck:
            assert not findings, (step, findings)
    assert len(findings) == 1
    assert findings[0].since == 1000 and "stuck at 5000" in findings[0].evidence

    # once the watermark moves, the stall is over
    rows, found = event_time.assess(watch_sample(1080, 9000, 700), previous, thresholds)
    assert not [f for f in found if f.metric == "watermark-stall"] and rows[0]["stalled_since"] is None


def test_a_taskmanager_in_gc_above_the_threshold_is_a_finding():
    thresholds = load_thresholds()
    warning = thresholds.gc_time["warning"]

    def body(gc_ms_per_s: float) -> list:
        values = {metric: 100 * 2**20 for metric in taskmanagers.METRICS.values()}
        values["Status.JVM.Memory.Heap.Used"] = 50 * 2**20
        values["Status.JVM.GarbageCollector.All.TimeMsPerSecond"] = gc_ms_per_s
        return [{"id": metric, "value": str(value)} for metric, value in values.items()]

    rows, findings = taskmanagers.assess({"tm-calm": body(warning / 2), "tm-busy": body(warning * 2)}, thresholds)
    assert [(f.metric, f.subject, f.severity) for f in findings] == [("gc-time", "tm-busy", "warning")]
    assert "heap 50 MB of 100 MB" in findings[0].evidence and len(rows) == 2


def test_steady_checkpoint_growth_over_minutes_is_a_leak_and_a_young_job_filling_windows_is_not():
    thresholds = load_thresholds()
    n, minutes = thresholds.checkpoint_growth_checkpoints, thresholds.checkpoint_growth_minutes

    def completed(spacing_s: float) -> list:
        return [
            {
                "id": i,
                "status": "COMPLETED",
                "checkpointed_size": 1000 * 2**i,
                "trigger_timestamp": i * spacing_s * 1000,
            }
            for i in range(n)
        ]

    leak = checkpoints.size_growth(completed(minutes * 60 / (n - 1)), thresholds)
    assert leak and leak.metric == "checkpoint-size-growth" and leak.value == 2 ** (n - 1) - 1
    assert checkpoints.size_growth(completed(2), thresholds) is None  # the same growth in seconds: a young job


def checkpoint_sample(duration_ms: float, interval_ms: float, timeout_ms: float):
    """The parts of a HealthSample that checkpoints.assess reads: three completed checkpoints, the last
    one `duration_ms` long and acknowledged a moment ago."""
    now = 1_000_000_000
    history = [
        {
            "id": i,
            "status": "COMPLETED",
            "is_savepoint": False,
            "trigger_timestamp": now - (4 - i) * interval_ms - duration_ms,
            "latest_ack_timestamp": now - (4 - i) * interval_ms,
            "end_to_end_duration": duration_ms,
            "checkpointed_size": 1000,
        }
        for i in (1, 2, 3)
    ]
    return SimpleNamespace(
        job={"now": now, "timestamps": {"RUNNING": now - 60_000}},
        taken_at=now / 1000,
        checkpoints={"counts": {"completed": 3, "failed": 0}, "history": history},
        checkpoint_config={"interval": interval_ms, "timeout": timeout_ms, "unaligned_checkpoints": False},
        checkpoint_alignment={},
        checkpoint_failed_detail=None,
        order=[],
        names={},
    )


def test_a_checkpoint_longer_than_its_interval_is_a_finding_once():
    """Measured on a cluster: a 1,000-record Python bundle made each checkpoint take 10 s at a 2 s interval."""
    thresholds = load_thresholds()
    _, findings = checkpoints.assess(checkpoint_sample(10_043, 2_000, 600_000), None, thresholds)
    assert [(f.metric, f.severity) for f in findings] == [("checkpoint-duration-interval", "warning")]
    assert (
        findings[0].value == round(10_043 / 2_000, 3)
        and findings[0].threshold == thresholds.checkpoint_duration_interval["warning"]
    )
    assert "back to back" in findings[0].message and "python.fn-execution.bundle.size" in findings[0].suggestion
    assert "execution.checkpointing.min-pause" in findings[0].suggestion

    _, findings = checkpoints.assess(checkpoint_sample(80, 2_000, 600_000), None, thresholds)
    assert findings == []

    # near its timeout as well: one finding, the one against the timeout
    _, findings = checkpoints.assess(checkpoint_sample(10_043, 2_000, 12_000), None, thresholds)
    assert [(f.metric, f.severity) for f in findings] == [("checkpoint-duration", "critical")]


def test_watermarks_not_reported_yet_are_not_assessed_and_a_single_vertex_has_none_to_report():
    """Every vertex with an input reports an input watermark (Long.MIN_VALUE without event time) once
    Flink has fetched its metrics; before that, event time could not be read: never healthy."""

    def sample(inputs: dict) -> HealthSample:
        names = {vid: f"vertex {vid}" for vid in inputs}
        job = {"jid": "j", "name": "n", "state": "RUNNING", "now": 10_000, "start-time": 0, "vertices": []}
        read = {"tm": [{"id": metric, "value": "0"} for metric in taskmanagers.METRICS.values()]}
        return HealthSample(job=job, taken_at=10.0, order=list(inputs), names=names, inputs=inputs, taskmanagers=read)

    waiting = assess(sample({"src": [], "win": ["src"]}), load_thresholds())
    assert waiting.not_assessed == {"event-time": "no input watermark reported yet by vertex win"}
    assert waiting.verdict == "degraded" and waiting.exit_code == 1

    chained = assess(sample({"src": []}), load_thresholds())
    assert "event-time" in chained.not_applicable and chained.not_assessed == {}
    assert chained.verdict == "healthy"


def test_a_taskmanager_without_metrics_yet_or_none_at_all_is_not_assessed():
    def health(taskmanagers: dict):
        job = {"jid": "j", "name": "n", "state": "RUNNING", "now": 10_000, "start-time": 0, "vertices": []}
        sample = HealthSample(job=job, taken_at=10.0, order=["src"], names={"src": "s"}, inputs={"src": []})
        sample.taskmanagers = taskmanagers
        return assess(sample, load_thresholds())

    fresh = health({"tm-1": []})  # Flink answers [] until it has fetched the TaskManager's metrics
    assert fresh.not_assessed == {"taskmanagers": "no metrics from TaskManager tm-1 yet"}
    assert fresh.verdict == "degraded"
    assert health({}).not_assessed == {"taskmanagers": "no TaskManager registered"}
