"""Measure a pack job's per-subtask capacity on the embedded local Flink, over its REST API.

The job runs in a child process (`python -m flink_jobs.monitor.measure REQUEST`) with `rest.port`
and `rest.bind-address: 127.0.0.1` in its Configuration, its results going to a discarding sink.
The parent polls the counters of every vertex, once a second (`metrics.fetcher.update-interval:
1000`): records in (records out for sources) and `accumulateBusyTimeMs`. Over the window the job
is running, a vertex's true processing rate per subtask is

    TPR = records processed / busy seconds       (= input rate / busy ratio, the autoscaler's)

Counters, not Flink's ...PerSecond meters: those average over 60 s and start from zero, so in a
short run they read low. The job's capacity is the slowest vertex's TPR per subtask.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from flink_jobs.config import load_job_config
from flink_jobs.jobs import job_info
from flink_jobs.rest import TERMINAL_STATES, FlinkRest, NotSampled, RestError
from flink_jobs.runtime import CommandError, build_pipeline, create_environment, local_python_options

COUNTERS = ("numRecordsIn", "numRecordsOut", "accumulateBusyTimeMs")
MIN_BUSY_SECONDS = 0.5  # less busy time than this over the window: too idle to measure


class MeasureError(CommandError):
    """The measurement could not be made (exit_code 1: the job failed)."""


@dataclass
class VertexCapacity:
    name: str
    parallelism: int
    records: float  # processed over the window (in; out for sources)
    busy_seconds: float  # summed over subtasks
    seconds: float  # the window
    per_subtask_rate: Optional[float]  # TPR of one subtask, records per busy second

    @property
    def busy_ratio(self) -> float:
        return self.busy_seconds / (self.seconds * self.parallelism) if self.seconds else 0.0


@dataclass
class Measurement:
    job: str
    events: Optional[int]
    seconds: float
    vertices: list[VertexCapacity] = field(default_factory=list)  # in the job's order
    final_state: str = ""

    @property
    def slowest(self) -> Optional[VertexCapacity]:
        measured = [v for v in self.vertices if v.per_subtask_rate]
        return min(measured, key=lambda v: v.per_subtask_rate or 0.0) if measured else None  # all truthy here

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for vertex, raw in zip(self.vertices, data["vertices"]):
            raw["busy_ratio"] = round(vertex.busy_ratio, 3)
        slowest = self.slowest
        data["per_subtask_rate"] = slowest.per_subtask_rate if slowest else None
        data["slowest_vertex"] = slowest.name if slowest else None
        return data


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _counters(rest: FlinkRest, job_id: str, vertex_id: str) -> dict[str, float]:
    body = rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics?get={','.join(COUNTERS)}&agg=sum")
    values = {}
    for entry in body if isinstance(body, list) else []:
        try:
            values[entry["id"]] = float(entry["sum"])
        except (KeyError, TypeError, ValueError):
            pass
    return values


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGTERM)  # python and its gateway JVM (its own session)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)


def measure(
    job_name: str,
    config_path: str,
    overrides: list[str],
    duration: float = 30.0,
    poll: float = 1.0,
    startup_timeout: float = 120.0,
    log_dir: Path = Path(".flink-jobs") / "logs",
) -> Measurement:
    """Run the job locally for at most `duration` seconds of RUNNING time and measure each vertex."""
    port = _free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = (log_dir / f"measure-{job_name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log").resolve()
    request = {
        "job": job_name,
        "config": str(Path(config_path).resolve()),
        "overrides": list(overrides),
        "rest_port": port,
    }
    with open(log_path, "wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "flink_jobs.monitor.measure", json.dumps(request)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        return _observe(
            child,
            FlinkRest(f"http://127.0.0.1:{port}", timeout=3.0, retries=0),
            job_name,
            duration,
            poll,
            startup_timeout,
            log_path,
        )
    finally:
        _stop(child)


def _observe(
    child, rest: FlinkRest, job_name: str, duration: float, poll: float, startup_timeout: float, log_path: Path
) -> Measurement:
    deadline = time.monotonic() + startup_timeout
    job_id = None
    while job_id is None:
        if child.poll() is not None:
            raise MeasureError(
                f"the local run of {job_name} ended before its REST API answered (exit {child.returncode})", 1, log_path
            )
        if time.monotonic() > deadline:
            raise MeasureError(f"the local run of {job_name} did not start within {startup_timeout:.0f} s", 1, log_path)
        try:
            jobs = rest.get("/jobs/overview").get("jobs") or []
            job_id = jobs[0]["jid"] if jobs else None
        except (RestError, AttributeError, KeyError, IndexError):
            pass
        time.sleep(poll)

    samples = []  # (monotonic time, {vertex id: counters})
    vertices: list[Any] = []  # the job's vertices, from /jobs/<id>
    state, running_since = "", None
    while child.poll() is None:
        try:
            details = rest.get(f"/jobs/{job_id}")
            state = details.get("state", state)
            vertices = details.get("vertices") or vertices
            if state != "RUNNING" or any(v.get("status") != "RUNNING" for v in vertices):
                if state in TERMINAL_STATES:
                    break
                time.sleep(poll)
                continue
            now = time.monotonic()
            counters = {v["id"]: _counters(rest, job_id, v["id"]) for v in vertices}
            samples.append((now, counters))
            running_since = running_since or now
            if now - running_since >= duration:
                break
        except (RestError, NotSampled):
            pass  # the job is finishing, or a vertex not yet reporting
        time.sleep(poll)
    if state == "FAILED" or (child.poll() not in (None, 0) and state != "FINISHED"):
        raise MeasureError(f"{job_name} failed during the measurement run", 1, log_path)
    return _capacities(job_name, vertices, samples, state)


def _capacities(job_name: str, vertices: list[Any], samples: list[Any], state: str) -> Measurement:
    # the window: from the first sample with any busy time to the last one whose counters moved
    useful = [(t, c) for t, c in samples if any(v.get("accumulateBusyTimeMs", 0) > 0 for v in c.values())]
    if len(useful) < 2 or useful[-1][0] - useful[0][0] < 2:
        raise MeasureError(
            f"{job_name} ran too briefly for a measurement ({len(useful)} samples while running): "
            "raise --events or --duration"
        )
    (start, first), (end, last) = useful[0], useful[-1]
    measurement = Measurement(job=job_name, events=None, seconds=end - start, final_state=state)
    for vertex in vertices:
        vid = vertex["id"]
        before, after = first.get(vid, {}), last.get(vid, {})
        source = after.get("numRecordsIn", 0) == 0
        key = "numRecordsOut" if source else "numRecordsIn"
        records = after.get(key, 0) - before.get(key, 0)
        busy = (after.get("accumulateBusyTimeMs", 0) - before.get("accumulateBusyTimeMs", 0)) / 1000.0
        rate = records / busy if busy >= MIN_BUSY_SECONDS and records > 0 else None
        measurement.vertices.append(
            VertexCapacity(
                name=vertex.get("name", vid),
                parallelism=int(vertex.get("parallelism", 1)),
                records=records,
                busy_seconds=busy,
                seconds=end - start,
                per_subtask_rate=rate,
            )
        )
    if measurement.slowest is None:
        raise MeasureError(f"{job_name}: no vertex was busy long enough to measure; raise --events or --duration")
    return measurement


# ------------------------------------------------------------------ the child: run the job locally
def _run(request: dict[str, Any]) -> int:
    from pyflink.datastream.connectors.base import Sink
    from pyflink.java_gateway import get_gateway

    job = job_info(request["job"])
    config = load_job_config(request["config"], request.get("overrides", []), job_name=job.name)
    options = {
        **local_python_options(),
        "rest.port": str(request["rest_port"]),
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "metrics.fetcher.update-interval": "1000",
    }
    env = create_environment(config, options)
    discarding = get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink
    for name, stream in build_pipeline(env, job, config).items():
        stream.sink_to(Sink(discarding())).name(f"{name}-discard")
    env.execute(config.settings.name)
    return 0


if __name__ == "__main__":
    sys.exit(_run(json.loads(sys.argv[1])))
