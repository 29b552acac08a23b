"""The hot key on a real standalone cluster (2 TaskManagers, 1 slot each, parallelism 2), naive and
salted on the same endless Zipf stream: `flink-jobs backpressure` diagnoses a hot key in the naive
window (windowed-counts, key_by(key)) and not in the two-phase hot-key-rollup. Figures printed;
benchmarks/hot_key_rollup.py measures them side by side."""

import json
import time

import pytest

from flink_jobs.rest import FlinkRest
from processes import flink_jobs, local_cluster, wait_for

pytestmark = pytest.mark.cluster

STREAM = [
    "job.events.count=null",
    "job.events.key-skew=3.0",  # k0: ~83% of the events
    "job.sink.type=stdout",
    "flink.parallelism.default=2",
    "flink.python.execution-mode=thread",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hot-key") / "cluster"
    with local_cluster(
        directory, taskmanagers=2, slots=1, jobmanager_memory="768m", taskmanager_memory="1024m"
    ) as info:
        yield info.rest_url


def submit(rest_url: str, job: str, *overrides: str) -> str:
    args = [item for override in (*STREAM, *overrides) for item in ("--set", override)]
    result = flink_jobs("submit", job, "--jobmanager", rest_url.split("//")[1], *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()[0]


def diagnosis(rest_url: str, job_id: str) -> dict:
    result = flink_jobs("backpressure", "--rest", rest_url, "--job", job_id, "--format", "json", timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def keyed_hot_key(data: dict) -> bool:
    """The hot-key diagnosis: strong skew of records on a keyed edge into the bottleneck."""
    return bool(data["hot_key"] and data["hot_key"]["keyed"])


def summary(data: dict) -> str:
    vertices = ", ".join(f"{v['name'][:24]}: {v['level']} busy {v['busy']} skew {v['skew']}" for v in data["vertices"])
    return f"{vertices}; bottleneck {(data['bottleneck'] or {}).get('name', 'none')[:30]}"


def stop(rest_url: str, job_id: str) -> None:
    FlinkRest(rest_url, timeout=10).cancel(job_id)
    wait_for(lambda: FlinkRest(rest_url).get("/overview")["slots-available"] == 2, 60)


def test_the_naive_window_shows_the_hot_key_and_the_salted_rollup_does_not(cluster):
    naive = submit(cluster, "windowed-counts", "job.name=naive-counts")
    try:
        started = time.monotonic()
        found = wait_for(lambda: keyed_hot_key(d := diagnosis(cluster, naive)) and d, 180, 3)
        assert found, "the naive window never showed the hot-key diagnosis (keyed)"
        print(f"naive: after {time.monotonic() - started:.0f} s {summary(found)}; hot key {found['hot_key']}")
        assert found["hot_key"]["skew"] >= 1.5
        assert found["bottleneck"]["name"].startswith("windowed-counts")
        assert any(s["kind"] == "hot-key" for s in found["suggestions"])
    finally:
        stop(cluster, naive)

    salted = submit(cluster, "hot-key-rollup", "job.name=salted-rollup", "job.salt-buckets=8")
    try:
        assert wait_for(lambda: all(v["busy"] is not None for v in diagnosis(cluster, salted)["vertices"]), 120, 3)
        readings = []
        for _ in range(8):  # ~30 s of readings once every vertex reports
            readings.append(diagnosis(cluster, salted))
            time.sleep(2)
        print(f"salted: {summary(readings[-1])}")
        # On two loaded cores, one TaskManager's GIL can starve its generator subtask for a moment:
        # uneven input on the rebalance edge (not keyed) is reported, and that is not a hot key.
        uneven = [r["hot_key"] for r in readings if r["hot_key"]]
        print(f"salted: {len(uneven)} of {len(readings)} readings with uneven, unkeyed input: {uneven}")
        # A meter of records in per second can read one subtask at 0 for a moment when a loaded machine
        # stalls it (skew exactly 2.0 at parallelism 2, seen once in a CI run): the hot-key diagnosis
        # must not persist. The naive job shows it in every reading once it appears.
        keyed = [r["hot_key"] for r in readings if keyed_hot_key(r)]
        assert len(keyed) <= 1, keyed
        # The same momentary stall can show on the salted windows' records in: one reading of the 8 may
        # read skewed, never more (one reading, the last, decided this before and could hit it).
        skews = [next(v["skew"] for v in r["vertices"] if v["name"].startswith("salted-windows")) for r in readings]
        print(f"salted: skew of the salted windows per reading {skews}")
        skewed = [skew for skew in skews if skew is None or skew >= 1.5]
        assert len(skewed) <= 1, ("the salted keys spread the hot key over both subtasks", skews)
    finally:
        stop(cluster, salted)
