"""Submission, unchanged, to a real local standalone cluster: `flink-jobs cluster start` + `submit`."""

import pytest

import reference
from files import committed_records
from flink_jobs.cluster import cluster_status
from flink_jobs.config import default_config_path, load_job_config
from processes import alive, flink_jobs as run_flink_jobs, free_ports

pytestmark = pytest.mark.cluster


def flink_jobs(*args, **kwargs):
    return run_flink_jobs(*args, **{"timeout": 600, **kwargs})


def test_submitted_windowed_counts_commits_exactly_the_reference(tmp_path):
    rest, rpc, blob = free_ports(3)
    cluster = [
        "--dir",
        str(tmp_path / "cluster"),
        "--rest-port",
        str(rest),
        "--rpc-port",
        str(rpc),
        "--blob-port",
        str(blob),
    ]
    output = tmp_path / "out"
    overrides = [
        "--events",
        "40000",
        "--set",
        "job.sink.type=file",
        "--set",
        f"job.sink.path={output}",
        "--set",
        "job.events.late-fraction=0.01",
        "--set",
        "job.window.size=20s",
        "--set",
        "flink.parallelism.default=2",
        "--set",
        "flink.execution.checkpointing.interval=2s",
    ]
    started = flink_jobs("cluster", "start", *cluster)
    try:
        assert started.returncode == 0, started.stderr
        submitted = flink_jobs("submit", "windowed-counts", "--jobmanager", f"127.0.0.1:{rest}", "--wait", *overrides)
        assert submitted.returncode == 0, submitted.stdout + submitted.stderr
        job_id = submitted.stdout.strip().splitlines()[0]
        assert len(job_id) == 32 and "FINISHED" in submitted.stderr
        # The same TaskManager runs a second thread-mode job (PEMJA loads once per TaskManager).
        again = flink_jobs(
            "submit",
            "windowed-counts",
            "--jobmanager",
            f"127.0.0.1:{rest}",
            "--wait",
            "--events",
            "2000",
            "--set",
            "job.sink.type=file",
            "--set",
            f"job.sink.path={tmp_path / 'again'}",
        )
        assert again.returncode == 0 and "FINISHED" in again.stderr, again.stderr
        # ... and a job of another module, whose code the interpreter has not imported yet: it is
        # found in the job's own shipped copy (flink_jobs.__path__ follows sys.path).
        other = flink_jobs(
            "submit",
            "running-totals",
            "--jobmanager",
            f"127.0.0.1:{rest}",
            "--wait",
            "--events",
            "3000",
            "--set",
            "job.emit.mode=per-event",
            "--set",
            "job.state-ttl=null",
            "--set",
            "job.sink.type=file",
            "--set",
            f"job.sink.path={tmp_path / 'other'}",
            "--set",
            "flink.execution.checkpointing.interval=1s",
        )
        assert other.returncode == 0 and "FINISHED" in other.stderr, other.stderr
    finally:
        status = cluster_status(tmp_path / "cluster")
        stopped = flink_jobs("cluster", "stop", *cluster)
    assert stopped.returncode == 0, stopped.stderr
    assert status.jobmanager_pid and status.taskmanager_pids
    assert not any(alive(pid) for pid in status.pids + status.other_pids), "stop leaves nothing behind"

    totals = reference.totals(
        load_job_config(str(default_config_path("running-totals")), ["job.events.count=3000"]).settings.events.events()
    )
    updates = committed_records(tmp_path / "other", "totals")
    assert len(updates) == 3000
    assert {u["key"]: u["sum"] for u in updates if u["count"] == totals[u["key"]]["count"]} == {
        key: want["sum"] for key, want in totals.items()
    }

    config = load_job_config(
        str(default_config_path("windowed-counts")),
        ["job.events.count=40000", "job.events.late-fraction=0.01", "job.window.size=20s"],
    )
    windows = reference.final_windows(committed_records(output, "windows"))
    late = committed_records(output, "late")
    late_by_window = reference.windows([(e["key"], e["value"], e["event_time"], e["seq"]) for e in late], 20_000)
    expected = reference.windows(config.settings.events.events(), 20_000)
    assert sum(w["count"] for w in windows.values()) + len(late) == 40_000
    for slot, want in expected.items():
        counted = windows.get(slot, {"count": 0, "sum": 0})
        went_late = late_by_window.get(slot, {"count": 0, "sum": 0})
        assert (counted["count"] + went_late["count"], counted["sum"] + went_late["sum"]) == (
            want["count"],
            want["sum"],
        )


def test_submit_to_an_unreachable_cluster_exits_2_with_one_line():
    (port,) = free_ports(1)
    result = flink_jobs(
        "submit", "windowed-counts", "--jobmanager", f"127.0.0.1:{port}", "--set", "job.sink.type=stdout"
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach the Flink REST API at http://127.0.0.1:{port}: connection refused"
    ]


def test_submit_refuses_the_collect_sink():
    result = flink_jobs("submit", "windowed-counts", "--jobmanager", "127.0.0.1:1")
    assert result.returncode == 2
    assert "sink `collect` returns results to `flink-jobs run` only" in result.stderr
    assert "Traceback" not in result.stderr
