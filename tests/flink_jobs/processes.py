"""Ports and processes, for tests that start real clusters."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from flink_jobs.cluster import ClusterSpec, cluster_status, start_cluster, stop_cluster
from flink_jobs.rest import FlinkRest, RestError
from flink_jobs.submit import wait_for_job


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now (held together while choosing, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def wait_for(condition, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    return condition()


@contextmanager
def local_cluster(directory: Path, **spec_options):
    """A local standalone cluster on free ports for a test; on exit stopped, and nothing it started
    (JobManager, TaskManagers, Python workers) may be left alive."""
    rest, rpc, blob = free_ports(3)
    spec = ClusterSpec(directory=directory, rest_port=rest, rpc_port=rpc, blob_port=blob, **spec_options)
    info = start_cluster(spec)
    try:
        yield info
    finally:
        status = cluster_status(spec.directory)
        stop_cluster(spec.directory)
        leftovers = [pid for pid in status.pids + status.other_pids if alive(pid)]
        assert not leftovers, f"processes left behind: {leftovers}"


def completed_checkpoints(rest_url: str, job_id: str) -> int:
    """0 while the cluster cannot answer (restarting, a TaskManager gone)."""
    try:
        return FlinkRest(rest_url).get(f"/jobs/{job_id}/checkpoints")["counts"]["completed"]
    except (RestError, KeyError, TypeError):
        return 0


def all_tasks_running(rest_url: str, job_id: str) -> bool:
    """The job runs and so do all its tasks (a finished source task counts as running)."""
    try:
        job = FlinkRest(rest_url).get(f"/jobs/{job_id}")
    except RestError:
        return False
    return job["state"] == "RUNNING" and all(
        v["status"] == "RUNNING" for v in job["vertices"] if v["status"] != "FINISHED"
    )


def cancel(cluster, job_id: str) -> None:
    """Cancel a running job of a cluster fixture and wait until it is CANCELED."""
    cancel_at(cluster.rest_url, job_id)


def cancel_at(rest_url: str, job_id: str) -> None:
    """Cancel a running job (REST answers 409 while the job is between states: try again) and wait
    until it is CANCELED (a CANCELLING job still counts as live)."""

    def cancelled() -> bool:
        try:
            FlinkRest(rest_url, timeout=10).cancel(job_id)
            return True
        except RestError as error:
            if error.status != 409:
                raise
            return False

    assert wait_for(cancelled, 60, 1), f"job {job_id} could be cancelled"
    assert wait_for_job(rest_url, job_id, timeout=120) == "CANCELED"


def flink_jobs(*args: str, env=None, timeout: float = 300, cwd=None) -> subprocess.CompletedProcess:
    """The flink-jobs command as a user runs it (this interpreter), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "flink_jobs.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
