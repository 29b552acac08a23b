"""Exactly-once under TaskManager failure, on a real local standalone cluster.

The job checkpoints every 2 s, restarts with a fixed delay (set through configuration keys) and
writes through the exactly-once FileSink. Mid-run the TaskManager is killed with SIGKILL (with
the Python workers it spawned), a new TaskManager is started, and the job must finish with output
equal to the plain-Python reference: nothing lost, nothing twice.
"""

import time
from collections import defaultdict

import pytest

import reference
from files import committed_records
from flink_jobs.cluster import cluster_status, kill_taskmanager, start_taskmanager
from flink_jobs.config import default_config_path, load_job_config
from flink_jobs.jobs import job_info
from flink_jobs.jobs.windowed_counts_blocks import BLOCK_SIZE
from flink_jobs.rest import FlinkRest
from flink_jobs.submit import submit, wait_for_job
from processes import alive, all_tasks_running, completed_checkpoints, local_cluster, wait_for

pytestmark = pytest.mark.cluster

FAULT_TOLERANT = [
    "flink.execution.checkpointing.interval=2s",
    # The rate-limited generator backpressures the sequence source: aligned barriers would queue
    # behind the buffered records (measured: 10 s per checkpoint at 1,500 events/s).
    "flink.execution.checkpointing.unaligned.enabled=true",
    "flink.restart-strategy.type=fixed-delay",
    "flink.restart-strategy.fixed-delay.attempts=10",
    "flink.restart-strategy.fixed-delay.delay=1s",
    "flink.parallelism.default=2",
]


@pytest.fixture
def cluster(tmp_path):
    with local_cluster(tmp_path / "cluster") as info:
        yield info


def run_with_kills(info, job_name: str, overrides: list, kills: int) -> list:
    """Submit, then `kills` times: wait for 2 more checkpoints, kill -9 the TaskManager, start a
    new one. Returns the recovery times (kill to all tasks running again), in seconds."""
    config = load_job_config(str(default_config_path(job_name)), overrides, job_name)
    submitted = submit(job_info(job_name), config, overrides, info.rest_url.split("//")[1])
    recoveries = []
    for _ in range(kills):
        target = completed_checkpoints(info.rest_url, submitted.job_id) + 2
        assert wait_for(lambda target=target: completed_checkpoints(info.rest_url, submitted.job_id) >= target, 120), (
            "the job checkpoints"
        )
        (victim,) = cluster_status(info.directory).taskmanager_pids
        killed_at = time.monotonic()
        killed = kill_taskmanager(info.directory, victim)
        assert victim in killed and not alive(victim)
        start_taskmanager(info.directory)
        # The JobManager notices the loss after the heartbeat timeout (5 s in the test cluster),
        # restarts from the last checkpoint and deploys the tasks on the new TaskManager.
        assert wait_for(lambda: not all_tasks_running(info.rest_url, submitted.job_id), 60, 0.25), "the loss is noticed"
        assert wait_for(lambda: all_tasks_running(info.rest_url, submitted.job_id), 120, 0.25), "the job recovers"
        recoveries.append(time.monotonic() - killed_at)
    assert wait_for_job(info.rest_url, submitted.job_id, timeout=600) == "FINISHED"
    restarts = FlinkRest(info.rest_url).get(f"/jobs/{submitted.job_id}/exceptions")
    assert restarts.get("exceptionHistory", {}).get("entries"), "the kills really failed the job"
    return recoveries


def report(capsys, line: str) -> None:
    """Recovery times go to the terminal even when the test passes (pytest captures print)."""
    with capsys.disabled():
        print(f"\n  {line}")


@pytest.mark.parametrize("kills", [1, 2])
def test_windowed_counts_loses_nothing_when_the_taskmanager_dies(cluster, tmp_path, kills, capsys):
    output = tmp_path / "out"
    overrides = [
        f"job.events.count={30_000 * kills}",
        "job.events.rate=1500",
        "job.events.late-fraction=0",
        "job.window.size=10s",
        "job.sink.type=file",
        f"job.sink.path={output}",
        *FAULT_TOLERANT,
    ]
    recoveries = run_with_kills(cluster, "windowed-counts", overrides, kills)
    report(
        capsys, f"windowed-counts, {kills} TaskManager kill(s): recovery {', '.join(f'{r:.1f} s' for r in recoveries)}"
    )

    config = load_job_config(str(default_config_path("windowed-counts")), overrides)
    expected = reference.windows(config.settings.events.events(), 10_000)
    windows = committed_records(output, "windows")
    got = {(w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")} for w in windows}
    assert len(windows) == len(got), "no window committed twice"
    assert got == expected
    assert committed_records(output, "late") == []


def test_running_totals_commits_every_update_exactly_once_through_a_kill(cluster, tmp_path, capsys):
    output = tmp_path / "out"
    overrides = [
        "job.events.count=40000",
        "job.events.rate=1500",
        "job.events.keys=200",
        "job.emit.mode=per-event",
        "job.state-ttl=null",
        "job.sink.type=file",
        f"job.sink.path={output}",
        *FAULT_TOLERANT,
    ]
    recoveries = run_with_kills(cluster, "running-totals", overrides, kills=1)
    report(capsys, f"running-totals, 1 TaskManager kill: recovery {recoveries[0]:.1f} s")

    config = load_job_config(str(default_config_path("running-totals")), overrides)
    expected = reference.totals(config.settings.events.events())
    updates = defaultdict(list)
    for record in committed_records(output, "totals"):
        updates[record["key"]].append(record["count"])
    assert {key: sorted(c) for key, c in updates.items()} == {
        key: list(range(1, want["count"] + 1)) for key, want in expected.items()
    }, "every update of every key exactly once: restored state, no replayed duplicates"


def test_optimized_windowed_counts_restores_its_blocks_state_exactly(cluster, tmp_path, capsys):
    # job.pipeline: optimized keeps its open windows and its watermark in one pickled state record
    # and the source's position in blocks: after a kill it must resume where the checkpoint was,
    # every window and every late event committed exactly once, equal to the reference.
    output = tmp_path / "out"
    overrides = [
        "job.pipeline=optimized",
        "job.events.count=20000000",  # not rate-limitable: enough blocks to outlast two checkpoints
        "job.events.late-fraction=0.001",
        "job.sink.type=file",
        f"job.sink.path={output}",
        *FAULT_TOLERANT,
    ]
    recoveries = run_with_kills(cluster, "windowed-counts", overrides, kills=1)
    report(capsys, f"windowed-counts optimized, 1 TaskManager kill: recovery {recoveries[0]:.1f} s")

    config = load_job_config(str(default_config_path("windowed-counts")), overrides)
    window = config.settings.window
    expected, late = reference.windows_with_watermark_every(
        config.settings.events.events(), window.size_ms, window.out_of_orderness_ms, 0, BLOCK_SIZE
    )
    windows = committed_records(output, "windows")
    got = {(w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")} for w in windows}
    assert len(windows) == len(got), "no window committed twice"
    assert got == expected
    committed_late = sorted(
        (e["key"], e["value"], e["event_time"], e["seq"]) for e in committed_records(output, "late")
    )
    assert committed_late == sorted(tuple(event) for event in late)
