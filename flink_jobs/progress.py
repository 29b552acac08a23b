"""Progress of a local run, read from the job's own counters in the embedded Flink's REST API.

    windowed-counts: 120,000 / 200,000 events (60%), 9,800 events/s, about 8 s left

Events done are the per-event source vertex's numRecordsOut (the counter `flink-jobs backpressure`
and `plan --measure` read), or, for the optimized pipelines, whose source emits block ids far ahead
of their processing, the block operator's own counter of the events it made (events.BLOCK_EVENTS_METRIC).
The rate is taken over the last
readings, the time left is what remains at that rate; an unbounded run, or a source whose total is
not known (files, Kafka), shows the events read and the rate only. On a terminal the line is
updated in place (\\r); piped, a plain line every `every` seconds. Always on stderr: stdout keeps
the results.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Optional

from flink_jobs.rest import FlinkRest, RestError

METRICS_UPDATE_MS = 1000  # metrics.fetcher.update-interval (Flink's default, 10 s, is too slow to watch)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rest_options(port: int) -> dict[str, str]:
    """Options that open the embedded Flink's REST API on loopback at `port`, counters refreshed each second."""
    return {
        "rest.port": str(port),
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "metrics.fetcher.update-interval": str(METRICS_UPDATE_MS),
    }


@dataclass
class Reading:
    state: str  # the job's state in the REST API
    events: float  # events done so far
    at: float  # time.monotonic() of the reading


class JobCounter:
    """Reads the one job of an embedded Flink: its state and one counter, summed over subtasks:
    `metric` (a user metric, found by its name in the vertex that has it) or, when None, the first
    vertex's numRecordsOut."""

    def __init__(self, rest: FlinkRest, metric: Optional[str] = None):
        self.rest, self.metric = rest, metric
        self.where: Optional[tuple[str, str, str]] = None  # (job id, vertex id, metric id) once found

    def read(self) -> Optional[Reading]:
        """None before the job and its counter are there."""
        if self.where is None:
            self.where = self._find()
            if self.where is None:
                return None
        job_id, vertex_id, metric_id = self.where
        state = self.rest.get(f"/jobs/{job_id}").get("state", "")
        answer = self.rest.get(f"/jobs/{job_id}/vertices/{vertex_id}/subtasks/metrics?get={metric_id}&agg=sum")
        events = sum(float(entry.get("sum", 0)) for entry in answer if isinstance(entry, dict))
        return Reading(state, events, time.monotonic())

    def _find(self) -> Optional[tuple[str, str, str]]:
        jobs = self.rest.get("/jobs/overview").get("jobs") or []
        if not jobs:
            return None
        job_id = jobs[0]["jid"]
        vertices = self.rest.get(f"/jobs/{job_id}").get("vertices") or []
        if self.metric is None:
            return (job_id, vertices[0]["id"], "numRecordsOut") if vertices else None
        for vertex in vertices:
            names = [
                entry.get("id", "")
                for entry in self.rest.get(f"/jobs/{job_id}/vertices/{vertex['id']}/subtasks/metrics")
            ]
            found = [name for name in names if name.endswith(f".{self.metric}")]
            if found:
                return job_id, vertex["id"], found[0]
        return None  # registered when the operator opens


def describe(job: str, done: float, total: Optional[int], rate: Optional[float]) -> str:
    speed = f"{rate:,.0f} events/s" if rate is not None else "measuring the rate"
    if not total:
        return f"{job}: {done:,.0f} events, {speed}"
    done = min(done, total)
    left = ""
    if rate:
        left = f", about {(total - done) / rate:,.0f} s left" if done < total else ", finishing"
    return f"{job}: {done:,.0f} / {total:,} events ({100 * done / total:.0f}%), {speed}{left}"


class Progress:
    """Prints the progress of the job behind `rest_url` until stopped (a context manager)."""

    def __init__(
        self,
        job: str,
        rest_url: str,
        total: Optional[int],
        metric: Optional[str] = None,
        every: float = 10.0,
        stream=sys.stderr,
        poll: float = 1.0,
    ):
        self.job, self.total = job, total
        self.counter = JobCounter(FlinkRest(rest_url, timeout=2.0, retries=0), metric)
        self.every, self.stream, self.poll = every, stream, poll
        self.terminal = stream.isatty()
        self.readings: list[Reading] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._shown = ""

    def rate(self) -> Optional[float]:
        """Events/s over the readings of the last 5 s (at least two, a second apart)."""
        recent = [r for r in self.readings if r.at >= self.readings[-1].at - 5.0] if self.readings else []
        if len(recent) < 2 or recent[-1].at - recent[0].at < 0.9:
            return None
        return (recent[-1].events - recent[0].events) / (recent[-1].at - recent[0].at)

    def line(self) -> str:
        if not self.readings or self.readings[-1].state != "RUNNING" or not self.readings[-1].events:
            return f"{self.job}: starting"
        return describe(self.job, self.readings[-1].events, self.total, self.rate())

    def _loop(self):
        last_printed = time.monotonic()
        if self.terminal:  # a line at once: the first reading comes only when the job runs
            self._show(self.line())
        while not self._stop.wait(self.poll if self.terminal else min(self.poll, self.every)):
            try:
                reading = self.counter.read()
            except (RestError, KeyError, TypeError, ValueError, AttributeError):
                continue  # not up yet, or shutting down: the next reading will tell
            if reading is None:
                continue
            self.readings.append(reading)
            if self.terminal:
                self._show(self.line())
            elif time.monotonic() - last_printed >= self.every:
                last_printed = time.monotonic()
                print(self.line(), file=self.stream, flush=True)

    def _show(self, text: str) -> None:
        padding = " " * max(0, len(self._shown) - len(text))
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
        self._shown = text

    def __enter__(self):
        if self.every > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self.terminal and self._shown:
            self.stream.write("\n")
            self.stream.flush()
