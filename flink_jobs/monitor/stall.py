"""A stalled job: RUNNING in the REST API, yet nothing is processed.

After its only TaskManager dies, a job with a restart strategy restarts and stays RUNNING with
every vertex CREATED or SCHEDULED, waiting for slots that never come (until the slot request times
out, 5 min by default, and the next restart begins). Its backpressure reads "ok" and its busy time is
empty: a backpressure monitor alone would call it healthy. So a job counts as stalled when it is not
RUNNING (RESTARTING, FAILING, INITIALIZING, ...) or any vertex is neither RUNNING nor FINISHED, and
the alert fires when that has lasted longer than `alerts.job-stalled.seconds`.

How long: from the REST API's own clock (`now` in /jobs/<id>), since the latest of the job's entry
into its current state (`timestamps`) and its latest failure (/jobs/<id>/exceptions): a region
failover restarts vertices without changing the job state, the failure timestamp covers it. Never
from the monitor's clock, so one reading is enough and a watch adds nothing.

Why, from what the cluster says: no TaskManager registered, or no free slot (/overview); the number
of restarts (job metric `numRestarts`, else the failures listed in /jobs/<id>/exceptions) and the
latest failure's first line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

PROCESSING = {"RUNNING", "FINISHED"}
WAITING_FOR_SLOTS = {"CREATED", "SCHEDULED"}


@dataclass
class Stall:
    seconds: Optional[float]  # None: the REST API gave no timestamps to measure from
    job_state: str
    waiting: dict[str, int]  # subtask status -> count, over the vertices that are not processing
    subtasks: int  # all of the job's subtasks
    reasons: list[str] = field(default_factory=list)
    taskmanagers: Optional[int] = None
    slots_total: Optional[int] = None
    slots_available: Optional[int] = None
    restarts: Optional[int] = None
    last_failure: Optional[str] = None
    last_failure_seconds_ago: Optional[float] = None

    def describe(self) -> str:
        """`job RESTARTING, 2 of 2 subtasks not running for 43 s (2 SCHEDULED)`."""
        waiting = ", ".join(f"{count} {status}" for status, count in sorted(self.waiting.items()))
        how_long = f"for {self.seconds:.0f} s" if self.seconds is not None else "for an unknown time"
        state = "" if self.job_state == "RUNNING" else f"job {self.job_state}, "
        return f"{state}{sum(self.waiting.values())} of {self.subtasks} subtasks not running {how_long} ({waiting})"


def is_stalled(job: dict[str, Any]) -> bool:
    """The job is not RUNNING, or some vertex is neither RUNNING nor FINISHED."""
    vertices = [v for v in job.get("vertices") or [] if isinstance(v, dict)]
    return job.get("state") != "RUNNING" or any(v.get("status") not in PROCESSING for v in vertices)


def _int(value) -> Optional[int]:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _waiting(job: dict[str, Any]) -> dict[str, int]:
    """Subtask status -> count over the vertices that are not processing (from the vertex `tasks`)."""
    counts: dict[str, int] = {}
    for vertex in job.get("vertices") or []:
        if not isinstance(vertex, dict) or vertex.get("status") in PROCESSING:
            continue
        written = vertex.get("tasks")
        tasks = written if isinstance(written, dict) else {}
        found = False
        for status, count in tasks.items():
            number = _int(count) or 0
            if status not in PROCESSING and number > 0:
                counts[status] = counts.get(status, 0) + number
                found = True
        if not found:
            status = str(vertex.get("status") or "UNKNOWN")
            counts[status] = counts.get(status, 0) + int(vertex.get("parallelism") or 1)
    return counts


def _failures(exceptions: Any) -> list[dict[str, Any]]:
    """Entries of /jobs/<id>/exceptions' exceptionHistory, newest first."""
    history = (exceptions or {}).get("exceptionHistory") if isinstance(exceptions, dict) else None
    entries = (history or {}).get("entries") if isinstance(history, dict) else None
    entries = [e for e in entries or [] if isinstance(e, dict)]
    return sorted(entries, key=lambda e: -(_int(e.get("timestamp")) or 0))


def _first_line(entry: dict[str, Any]) -> str:
    text = str(entry.get("stacktrace") or entry.get("exceptionName") or "").strip()
    line = text.splitlines()[0] if text else ""
    return line.split("Exception: ", 1)[-1][:200]


def _restarts(job_metrics) -> Optional[int]:
    for entry in job_metrics if isinstance(job_metrics, list) else []:
        if isinstance(entry, dict) and entry.get("id") == "numRestarts":
            return _int(entry.get("value"))
    return None


def find_stall(
    job: dict[str, Any],
    overview: Optional[dict[str, Any]],
    exceptions: Optional[dict[str, Any]],
    job_metrics: Any,
    taken_at_ms: Optional[float] = None,
) -> Optional[Stall]:
    """The stall of `job` (GET /jobs/<id>) with its reasons, or None when every vertex processes."""
    if not is_stalled(job):
        return None
    state = str(job.get("state") or "")
    now = _int(job.get("now")) or (int(taken_at_ms) if taken_at_ms else None)
    written = job.get("timestamps")
    timestamps = written if isinstance(written, dict) else {}
    failures = _failures(exceptions)
    starts = [_int(timestamps.get(state)) or 0, _int(failures[0].get("timestamp")) or 0 if failures else 0]
    since = max(starts) or None
    subtasks = sum(int(v.get("parallelism") or 1) for v in job.get("vertices") or [] if isinstance(v, dict))
    stall = Stall(
        seconds=max(0.0, (now - since) / 1000) if now and since else None,
        job_state=state,
        waiting=_waiting(job),
        subtasks=subtasks,
        restarts=_restarts(job_metrics),
    )
    if stall.restarts is None and exceptions is not None:
        stall.restarts = len(failures)
    if failures:
        stall.last_failure = _first_line(failures[0])
        failed_at = _int(failures[0].get("timestamp"))
        if now and failed_at:
            stall.last_failure_seconds_ago = max(0.0, (now - failed_at) / 1000)

    if isinstance(overview, dict):
        stall.taskmanagers = _int(overview.get("taskmanagers"))
        stall.slots_total = _int(overview.get("slots-total"))
        stall.slots_available = _int(overview.get("slots-available"))
    waiting_for_slots = any(status in WAITING_FOR_SLOTS for status in stall.waiting)
    if stall.taskmanagers == 0:
        stall.reasons.append(
            "no TaskManager registered (/overview: 0 TaskManagers, 0 slots): "
            "start one, or check why it died (its log, the last failure)"
        )
    elif waiting_for_slots and stall.slots_available == 0:
        stall.reasons.append(
            f"no free slots: {stall.slots_total} of {stall.slots_total} taken on "
            f"{stall.taskmanagers} TaskManager(s); add TaskManagers or lower the parallelism"
        )
    if stall.restarts:
        stall.reasons.append(f"restarted {stall.restarts} time{'s' if stall.restarts != 1 else ''}")
    if stall.last_failure:
        ago = f" ({stall.last_failure_seconds_ago:.0f} s ago)" if stall.last_failure_seconds_ago is not None else ""
        stall.reasons.append(f"last failure{ago}: {stall.last_failure}")
    if not stall.reasons:
        stall.reasons.append("the REST API gives no cause: see the JobManager log")
    return stall
