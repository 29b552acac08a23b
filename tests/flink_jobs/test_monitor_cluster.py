"""flink-jobs backpressure on a real local standalone cluster (1 TaskManager, 2 slots).

One cluster for the module, always stopped. Test jobs run in process mode: a TaskManager that ran a
thread-mode (PEMJA) job cannot start a second one (NoSuchFieldException: loadedLibraryNames).
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from flink_jobs.cluster import cluster_status
from flink_jobs.rest import FlinkRest
from processes import alive, cancel_at, flink_jobs, free_ports, wait_for

pytestmark = pytest.mark.cluster

COMMON = [
    "--set",
    "job.events.count=null",
    "--set",
    "job.sink.type=stdout",
    "--set",
    "flink.python.execution-mode=process",
]
SLOW = ["--set", "job.name=slow-counts", "--set", "job.slow-operator={sleep: 5 ms}"]
HEALTHY = ["--set", "job.name=healthy-counts", "--set", "job.events.rate=50"]
HOT = [
    "--set",
    "job.name=hot-key-counts",
    "--set",
    "job.slow-operator={sleep: 2 ms, keyed: true}",
    "--set",
    "job.events.key-skew=3.0",
    "--set",
    "flink.parallelism.default=2",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("monitor") / "cluster"
    rest, rpc, blob = free_ports(3)
    options = ["--dir", str(directory), "--rest-port", str(rest), "--rpc-port", str(rpc), "--blob-port", str(blob)]
    started = flink_jobs("cluster", "start", *options)
    try:
        assert started.returncode == 0, started.stderr
        yield f"http://127.0.0.1:{rest}"
    finally:
        status = cluster_status(directory)
        stopped = flink_jobs("cluster", "stop", *options)
        assert stopped.returncode == 0, stopped.stderr
        assert not any(alive(pid) for pid in status.pids + status.other_pids)


def submit(rest: str, *overrides) -> str:
    result = flink_jobs("submit", "windowed-counts", "--jobmanager", rest.split("//")[1], *COMMON, *overrides)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()[0]


def backpressure_until(rest: str, job: str, done, timeout: float = 120):
    """Run the CLI every 2 s until done(json) holds; returns (result, json, seconds)."""
    started = time.monotonic()
    while True:
        result = flink_jobs("backpressure", "--rest", rest, "--job", job, "--format", "json", timeout=60)
        assert result.returncode in (0, 1), result.stderr
        data = json.loads(result.stdout)
        if done(data) or time.monotonic() - started > timeout:
            return result, data, time.monotonic() - started
        time.sleep(2)


def test_slow_and_healthy_jobs_side_by_side(cluster):
    with ThreadPoolExecutor(2) as pool:
        slow_id, healthy_id = pool.map(lambda overrides: submit(cluster, *overrides), (SLOW, HEALTHY))
    try:
        # Backpressure reaches the source a moment after the vertex right above the slow operator:
        # wait for the source itself to read HIGH (one reading caught between the two could not).
        result, data, seconds = backpressure_until(
            cluster, slow_id, lambda d: d["bottleneck"] and d["vertices"] and d["vertices"][0]["level"] == "high"
        )
        print(f"slow job: HIGH and bottleneck after {seconds:.0f} s of polling")
        assert data["bottleneck"], data["notes"]
        assert data["bottleneck"]["name"].startswith("slow-operator")
        levels = [(v["name"], v["level"]) for v in data["vertices"]]
        assert levels[0][0].startswith("Source") and levels[0][1] == "high"
        assert result.returncode == 1 and data["alerts"]

        table = flink_jobs("backpressure", "--rest", cluster, "--job", "slow-counts")
        assert table.returncode == 1 and "bottleneck: slow-operator" in table.stdout

        healthy = flink_jobs("backpressure", "--rest", cluster, "--job", healthy_id, "--format", "json")
        assert healthy.returncode == 0, healthy.stdout
        assert json.loads(healthy.stdout)["bottleneck"] is None

        several = flink_jobs("backpressure", "--rest", cluster)
        assert several.returncode == 2 and "choose one with --job" in several.stderr
    finally:
        cancel_at(cluster, slow_id)
        cancel_at(cluster, healthy_id)

    # An ended job (this test's own, CANCELED by now) is not monitored: exit 2.
    ended = flink_jobs("backpressure", "--rest", cluster, "--job", "slow-counts")
    assert ended.returncode == 2 and "is CANCELED" in ended.stderr and "nothing to monitor" in ended.stderr


def test_hot_key_diagnosis(cluster):
    wait_for(lambda: FlinkRest(cluster).get("/overview")["slots-available"] >= 2, 30)  # the last test's jobs end
    hot_id = submit(cluster, *HOT)
    try:
        result, data, seconds = backpressure_until(cluster, hot_id, lambda d: d["hot_key"])
        print(f"hot-key job: diagnosis after {seconds:.0f} s of polling")
        assert data["hot_key"], (data["bottleneck"], data["notes"])
        assert data["bottleneck"]["name"].startswith("slow-operator")
        assert data["hot_key"]["keyed"] and data["hot_key"]["skew"] >= 1.5
        assert any(s["kind"] == "hot-key" for s in data["suggestions"])
        assert result.returncode == 1
    finally:
        cancel_at(cluster, hot_id)


def test_an_unknown_job_exits_2(cluster):
    unknown = flink_jobs("backpressure", "--rest", cluster, "--job", "no-such-job")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: no job `no-such-job` on ")
