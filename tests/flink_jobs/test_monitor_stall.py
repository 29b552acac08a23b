"""A stalled job on a real local standalone cluster: its only TaskManager killed (kill -9).

The job restarts (fixed-delay) and stays RUNNING in the REST API with every vertex waiting for a
slot; its backpressure reads "ok". `flink-jobs backpressure` must call it stalled, say why, and exit
1; when a TaskManager comes back and the tasks run again, the alert clears (exit 0).
"""

import json

import pytest

from flink_jobs.cluster import cluster_status, kill_taskmanager, start_taskmanager
from flink_jobs.config import default_config_path, load_job_config
from flink_jobs.jobs import job_info
from flink_jobs.submit import submit
from processes import all_tasks_running, cancel, flink_jobs, local_cluster, wait_for

pytestmark = pytest.mark.cluster

OVERRIDES = [
    "job.name=stall-counts",
    "job.events.count=null",
    "job.events.rate=50",
    "job.sink.type=stdout",
    "flink.python.execution-mode=process",
    "flink.restart-strategy.type=fixed-delay",
    "flink.restart-strategy.fixed-delay.attempts=100",
    "flink.restart-strategy.fixed-delay.delay=1s",
]


@pytest.fixture
def cluster(tmp_path):
    with local_cluster(tmp_path / "cluster", taskmanagers=1) as info:
        yield info


def backpressure(rest_url: str, job_id: str, *more):
    result = flink_jobs("backpressure", "--rest", rest_url, "--job", job_id, "--format", "json", *more)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def stalled_alerts(data: dict) -> list:
    return [a for a in data["alerts"] if a["metric"] == "job-stalled"]


def test_a_job_whose_only_taskmanager_died_is_stalled_and_says_why(cluster, tmp_path, capsys):
    config = load_job_config(str(default_config_path("windowed-counts")), OVERRIDES, "windowed-counts")
    job_id = submit(job_info("windowed-counts"), config, OVERRIDES, cluster.rest_url.split("//")[1]).job_id
    try:
        assert wait_for(lambda: all_tasks_running(cluster.rest_url, job_id), 120), "the job starts"
        code, data = backpressure(cluster.rest_url, job_id)
        assert data["stall"] is None and not stalled_alerts(data) and code == 0, data["alerts"]

        (victim,) = cluster_status(cluster.directory).taskmanager_pids
        assert victim in kill_taskmanager(cluster.directory, victim)
        # The JobManager notices the loss after the heartbeat timeout (5 s here), restarts the job,
        # which stays RUNNING with its vertices waiting for slots; the alert comes 30 s later.
        readings = []

        def stalled_long_enough():
            readings.append(backpressure(cluster.rest_url, job_id))
            return stalled_alerts(readings[-1][1])

        assert wait_for(stalled_long_enough, 180, 2), readings[-1][1]["stall"]
        code, data = readings[-1]
        stall = data["stall"]
        assert code == 1
        assert data["job_state"] == "RUNNING", "the REST API still calls it running"
        assert not any(v["status"] == "RUNNING" for v in data["vertices"])
        assert stall["seconds"] > 30 and stall["taskmanagers"] == 0
        assert any(r.startswith("no TaskManager registered") for r in stall["reasons"]), stall["reasons"]
        assert stall["restarts"] >= 1
        assert "is no longer reachable" in stall["last_failure"]
        assert data["bottleneck"] is None
        with capsys.disabled():
            print(
                f"\n  stalled job: alert after {len(readings)} readings, stall {stall['seconds']:.0f} s, "
                f"reasons: {stall['reasons']}"
            )

        table = flink_jobs("backpressure", "--rest", cluster.rest_url, "--job", job_id)
        assert table.returncode == 1
        assert "stalled: 2 of 2 subtasks not running for" in table.stdout
        assert "why: no TaskManager registered" in table.stdout and "CRITICAL job stalled" in table.stdout

        # diagnose: the same stall is its state signal's finding, with why; the verdict critical
        diagnosed = flink_jobs("diagnose", "--rest", cluster.rest_url, "--job", job_id, "--format", "json")
        assert diagnosed.returncode == 1, diagnosed.stderr
        health = json.loads(diagnosed.stdout)
        (stalled,) = [f for f in health["findings"] if f["metric"] == "job-stalled"]
        assert health["verdict"] == "critical" and stalled["severity"] == "critical" and stalled["signal"] == "state"
        assert stalled["message"].startswith("not processing: ") and "no TaskManager registered" in stalled["evidence"]
        assert health["findings"][0] == stalled  # what stops the job ranks first
        assert health["restarts"]["total"] >= 1 and "\n" not in health["restarts"]["root_exception"]

        patient = tmp_path / "alerts.yaml"
        patient.write_text("alerts:\n  job-stalled: {seconds: 86400}\n")
        code, data = backpressure(cluster.rest_url, job_id, "--alerts", str(patient))
        assert data["stall"] and not stalled_alerts(data), "a stall below its threshold is reported, no alert"

        start_taskmanager(cluster.directory)
        assert wait_for(lambda: all_tasks_running(cluster.rest_url, job_id), 180), "the job recovers"
        code, data = backpressure(cluster.rest_url, job_id)
        assert data["stall"] is None and not stalled_alerts(data)
    finally:
        cancel(cluster, job_id)
