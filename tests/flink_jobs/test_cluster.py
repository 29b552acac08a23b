"""flink_jobs.cluster against a real local standalone cluster (no mocks).

Every test uses its own tmp_path directory and ports that are free when the test starts, and stops
its cluster in a finally block. Whole file: about 40-60 s on 2 cores.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
from processes import alive, free_ports, wait_for

from flink_jobs.cluster import (
    MARKER_VARIABLE,
    ClusterError,
    ClusterSpec,
    cluster_status,
    kill_taskmanager,
    port_is_free,
    start_cluster,
    start_taskmanager,
    stop_cluster,
)


def small_spec(directory: Path, **overrides) -> ClusterSpec:
    rest, rpc, blob = free_ports(3)
    spec = dict(
        directory=directory,
        rest_port=rest,
        rpc_port=rpc,
        blob_port=blob,
        jobmanager_memory="1024m",
        taskmanager_memory="1536m",
    )
    spec.update(overrides)
    return ClusterSpec(**spec)


@pytest.mark.cluster
def test_cluster_lifecycle(tmp_path):
    directory = tmp_path / "cluster"
    spec = small_spec(directory)
    try:
        info = start_cluster(spec)
        assert info.rest_url == f"http://127.0.0.1:{spec.rest_port}"
        assert len(info.taskmanager_pids) == 1
        assert all(alive(pid) for pid in info.pids)

        status = cluster_status(directory)
        assert status.running and not status.stale
        assert status.overview is not None, "REST /overview does not answer"
        assert (status.overview.taskmanagers, status.overview.slots_total) == (1, 2)
        assert status.overview.jobs_running == 0
        assert (directory / "state.json").is_file()
        config = (directory / "conf" / "config.yaml").read_text()
        assert "env.java.opts.all" in config and f"rest.port: '{spec.rest_port}'" in config

        with pytest.raises(ClusterError, match="already running"):
            start_cluster(spec)

        second = start_taskmanager(directory)
        assert second not in info.taskmanager_pids and alive(second)
        status = cluster_status(directory)
        assert status.taskmanager_pids == [*info.taskmanager_pids, second]
        assert (status.overview.taskmanagers, status.overview.slots_total) == (2, 4)

        first = info.taskmanager_pids[0]
        killed = kill_taskmanager(directory, first)
        assert first in killed and not any(alive(pid) for pid in killed)
        pid_file = next(directory.glob("pid/flink-*-taskexecutor.pid"))
        assert pid_file.read_text().split() == [str(second)]
        assert cluster_status(directory).taskmanager_pids == [second]
        # heartbeat.timeout 5 s: the JobManager notices the loss within seconds
        assert wait_for(lambda: cluster_status(directory).overview.taskmanagers == 1, timeout=30)
        with pytest.raises(ClusterError, match="not a TaskManager"):
            kill_taskmanager(directory, first)
    finally:
        stopped = stop_cluster(directory)
    assert info.jobmanager_pid in stopped and second in stopped
    assert not any(alive(pid) for pid in [*info.pids, second, *stopped])
    assert all(port_is_free(port) for port in (spec.rest_port, spec.rpc_port, spec.blob_port))
    assert not list(directory.glob("pid/*.pid")) and not (directory / "state.json").exists()
    status = cluster_status(directory)
    assert not status.running and status.pids == [] and status.other_pids == []
    assert stop_cluster(directory) == []


@pytest.mark.cluster
def test_port_in_use_names_the_port(tmp_path):
    directory = tmp_path / "cluster"
    spec = small_spec(directory)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", spec.rpc_port))
        squatter.listen()
        with pytest.raises(ClusterError, match=rf"port {spec.rpc_port} \(jobmanager.rpc.port\)"):
            start_cluster(spec)
    assert not (directory / "state.json").exists()
    assert cluster_status(directory).pids == []


@pytest.mark.cluster
def test_timeout_stops_what_it_started_and_points_to_the_log(tmp_path):
    directory = tmp_path / "cluster"
    spec = small_spec(directory)  # a TaskManager needs ~10 s to register: 2 s cannot be enough
    try:
        with pytest.raises(ClusterError, match=r"not ready after 2 s.*see .*\.log"):
            start_cluster(spec, timeout=2)
        status = cluster_status(directory)
        assert not status.running and status.pids == [] and status.other_pids == []
        assert not (directory / "state.json").exists()
    finally:
        stop_cluster(directory)


def test_stale_state_is_stopped(tmp_path):
    directory = tmp_path / "cluster"
    (directory / "pid").mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (directory / "state.json").write_text(
        f'{{"rest_url": "http://127.0.0.1:1", "ident": "x", "jobmanager": {dead.pid}, "taskmanagers": []}}'
    )
    (directory / "pid" / "flink-x-standalonesession.pid").write_text(f"{dead.pid}\n")
    status = cluster_status(directory)
    assert status.stale and not status.running and status.pids == []
    assert stop_cluster(directory) == []
    assert not (directory / "state.json").exists() and not list((directory / "pid").iterdir())


def test_stop_kills_marked_descendants_and_orphans_only(tmp_path):
    """What stop_cluster does for Python workers, on a plain process tree: children, grandchildren
    and orphans (reparented after their parent died) carrying the cluster's marker die; others live."""
    directory = (tmp_path / "cluster").resolve()
    directory.mkdir()
    env = dict(os.environ, **{MARKER_VARIABLE: str(directory)})
    tree = subprocess.Popen(
        ["bash", "-c", "(sleep 300 &); sleep 300 & sleep 300 & wait"], env=env, start_new_session=True
    )
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        marked = wait_for(
            lambda: (
                len(cluster_status(directory).other_pids) == 4  # bash + 3 sleeps
                and cluster_status(directory).other_pids
            ),
            timeout=10,
            interval=0.1,
        )
        assert marked and tree.pid in marked and bystander.pid not in marked
        killed = stop_cluster(directory, timeout=5)
        assert set(marked) <= set(killed) and bystander.pid not in killed
        tree.wait(timeout=5)
        assert not any(alive(pid) for pid in killed if pid != tree.pid)
        assert alive(bystander.pid)
    finally:
        bystander.kill()
        bystander.wait()
        if tree.poll() is None:
            tree.kill()
            tree.wait()


@pytest.mark.cluster
def test_bad_config_says_why(tmp_path):
    directory = tmp_path / "cluster"
    spec = small_spec(directory, jobmanager_memory="100m")  # below metaspace + overhead
    try:
        with pytest.raises(ClusterError, match=r"jobmanager.sh start failed .*Total Process Memory"):
            start_cluster(spec)
        assert cluster_status(directory).pids == [] and not (directory / "state.json").exists()
    finally:
        stop_cluster(directory)
