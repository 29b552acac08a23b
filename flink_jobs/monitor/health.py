"""`flink-jobs diagnose`: one verdict on a running job's health, from every signal the REST API has.

    collect_health(rest, job)  -> HealthSample   what the cluster said, signal by signal; a signal
                                                 whose endpoints fail is `not assessed` with the reason
    assess(sample, thresholds) -> Health         pure: findings, ranked, and the verdict (findings.py)

Signals and where they are judged:
- state: job state, vertices not running (stall.py), restarts in a window and the root exception
  of the latest failure (runtime.root_cause: the innermost cause, or the Python error of a UDF);
- backpressure and Kafka lag: the `backpressure` diagnosis (diagnosis.py, kafka_lag.py), reused whole;
- checkpoints (checkpoints.py), event time (event_time.py), TaskManagers (taskmanagers.py).

Only /jobs/<id> is required: without it the cluster is unreadable (exit 2). Every other endpoint that
fails leaves its signal not assessed, which keeps the verdict from being healthy.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional

from flink_jobs.monitor import checkpoints, event_time, taskmanagers
from flink_jobs.monitor.diagnosis import (
    Diagnosis,
    JobNotMonitorable,
    JobSample,
    collect,
    diagnose,
    plan_edges,
    topological_order,
)
from flink_jobs.monitor.findings import Finding, ranked, verdict
from flink_jobs.monitor.stall import find_stall, is_stalled
from flink_jobs.rest import TERMINAL_STATES, FlinkRest, Json, NotSampled, RestError
from flink_jobs.runtime import root_cause

MAX_EXCEPTIONS = 20
MAX_SUBTASKS_READ = 64


@dataclass
class HealthSample:
    """What the REST API said about one job at one moment, for every signal."""

    job: Json
    taken_at: float
    order: list[str]  # vertex ids, sources first
    names: dict[str, str]  # vertex id -> name
    inputs: dict[str, list[str]] = field(default_factory=dict)  # vertex id -> input vertex ids
    backpressure: Optional[JobSample] = None
    job_metrics: Optional[list[Any]] = None  # numRestarts
    exceptions: Optional[Json] = None  # exceptionHistory entries, stack traces cut to their root cause
    overview: Optional[Json] = None  # /overview, when tasks are not running
    checkpoints: Optional[Json] = None
    checkpoint_config: Optional[Json] = None
    checkpoint_failed_detail: Optional[Json] = None
    checkpoint_alignment: dict[str, Any] = field(default_factory=dict)  # vertex id -> subtask details, newest completed
    watermarks: dict[str, Any] = field(default_factory=dict)  # vertex id -> /watermarks body
    upstream_records: dict[str, list[Any]] = field(
        default_factory=dict
    )  # vertex id -> per-subtask numRecordsOut bodies
    upstream_watermarks: dict[str, Optional[float]] = field(default_factory=dict)  # vertex id -> max output watermark
    taskmanagers: dict[str, Any] = field(default_factory=dict)  # TaskManager id -> metrics body
    unread: dict[str, str] = field(default_factory=dict)  # signal -> why it could not be read


@dataclass
class Health:
    job_id: str
    job_name: str
    job_state: str
    taken_at: float
    verdict: str
    findings: list[Finding]  # ranked
    not_assessed: dict[str, str]  # signal -> reason
    not_applicable: dict[str, str]  # signal -> reason
    restarts: dict[str, Any]
    checkpoints: dict[str, Any]
    watermarks: list[dict[str, Any]]
    taskmanagers: list[dict[str, Any]]
    diagnosis: Optional[Diagnosis] = None  # the backpressure diagnosis

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "healthy" else 1

    def to_json(self) -> Json:
        data = asdict(self)
        data["diagnosis"] = self.diagnosis.to_json() if self.diagnosis else None
        data["exit_code"] = self.exit_code
        return data


# ------------------------------------------------------------------ reading
def _entry(entry: Json) -> Json:
    """An exception history entry without its Java stack: the root cause on one line."""
    trace = str(entry.get("stacktrace") or entry.get("exceptionName") or "")
    return {
        "exceptionName": entry.get("exceptionName"),
        "timestamp": entry.get("timestamp"),
        "taskName": entry.get("taskName"),
        "stacktrace": root_cause(trace) if trace.strip() else "",
    }


def collect_health(
    rest: FlinkRest, job_id: str, skew_threshold: float = 1.5, read_broker: Optional[Callable[[list[str]], Json]] = None
) -> HealthSample:
    """One HealthSample. Raises RestError only when the job itself cannot be read."""
    job = rest.get(f"/jobs/{job_id}")
    if not isinstance(job, dict) or not isinstance(job.get("vertices"), list):
        raise RestError(f"{rest.url}/jobs/{job_id} is not a Flink job description")
    if job.get("state") in TERMINAL_STATES:
        raise JobNotMonitorable(f"job {job_id} `{job.get('name')}` is {job.get('state')}: nothing to monitor")
    vertices = [v for v in job["vertices"] if isinstance(v, dict) and v.get("id")]
    names = {v["id"]: str(v.get("name", v["id"])) for v in vertices}
    sample = HealthSample(job=job, taken_at=time.time(), order=[v["id"] for v in vertices], names=names)
    try:
        edges = plan_edges(rest.get(f"/jobs/{job_id}/plan"))
    except RestError:
        edges = {}
    sample.inputs = {vid: [i for i, _ in edges.get(vid, [])] for vid in names}
    sample.order = topological_order(sample.order, sample.inputs)

    def read(signal: str, reader) -> None:
        try:
            reader()
        except JobNotMonitorable:
            raise
        except RestError as error:
            sample.unread[signal] = str(error)

    read("state", lambda: _read_state(rest, job_id, sample))
    read("backpressure", lambda: setattr(sample, "backpressure", collect(rest, job_id, skew_threshold, read_broker)))
    read("checkpoints", lambda: _read_checkpoints(rest, job_id, sample))
    read("event-time", lambda: _read_watermarks(rest, job_id, sample, edges))
    read("taskmanagers", lambda: _read_taskmanagers(rest, sample))
    return sample


def _optional(rest: FlinkRest, path: str):
    """An answer that only adds detail: None when Flink has none."""
    try:
        return rest.get(path)
    except RestError:
        return None


def _read_state(rest: FlinkRest, job_id: str, sample: HealthSample) -> None:
    sample.job_metrics = rest.get(f"/jobs/{job_id}/metrics?get=numRestarts")
    exceptions = rest.get(f"/jobs/{job_id}/exceptions?maxExceptions={MAX_EXCEPTIONS}")
    history = (exceptions or {}).get("exceptionHistory") if isinstance(exceptions, dict) else None
    entries = [_entry(e) for e in (history or {}).get("entries") or [] if isinstance(e, dict)]
    sample.exceptions = {"exceptionHistory": {"entries": entries}}
    if is_stalled(sample.job):
        sample.overview = _optional(rest, "/overview")


def _read_checkpoints(rest: FlinkRest, job_id: str, sample: HealthSample) -> None:
    base = f"/jobs/{job_id}/checkpoints"
    stats, config = rest.get(base), rest.get(f"{base}/config")
    if not isinstance(stats, dict) or not isinstance(config, dict) or _number(config.get("interval")) is None:
        raise RestError(f"{rest.url}{base}: not Flink's checkpoint statistics and configuration (no interval)")
    sample.checkpoints, sample.checkpoint_config = stats, config
    history = [e for e in (sample.checkpoints or {}).get("history") or [] if isinstance(e, dict)]
    failed = [e for e in history if e.get("status") == "FAILED"]
    if failed:
        newest = max(failed, key=lambda e: e.get("id") or 0)
        sample.checkpoint_failed_detail = _optional(rest, f"{base}/details/{newest.get('id')}")
    completed = ((sample.checkpoints or {}).get("latest") or {}).get("completed")
    if isinstance(completed, dict) and completed.get("id") is not None:
        for vid in sample.order:
            body = _optional(rest, f"{base}/details/{completed['id']}/subtasks/{vid}")
            if body is not None:
                sample.checkpoint_alignment[vid] = body


def _read_watermarks(
    rest: FlinkRest, job_id: str, sample: HealthSample, edges: dict[str, list[tuple[str, str]]]
) -> None:
    vertices = {v["id"]: v for v in sample.job["vertices"] if isinstance(v, dict) and v.get("id")}
    for vid in sample.order:
        if edges and not edges.get(vid):
            continue  # a source: no input watermark
        try:
            sample.watermarks[vid] = rest.get(f"/jobs/{job_id}/vertices/{vid}/watermarks")
        except NotSampled:
            continue
        watermark, known = event_time.input_watermark(sample.watermarks[vid])
        records = (vertices[vid].get("metrics") or {}).get("read-records") or 0
        if known and watermark is None and records:  # a stall candidate: do inputs emit watermarks, who sends nothing?
            for upstream, _ in edges.get(vid, []):
                base = f"/jobs/{job_id}/vertices/{upstream}/subtasks"
                sample.upstream_watermarks[upstream] = _max_output_watermark(rest, f"{base}/metrics")
                parallelism = int(vertices.get(upstream, {}).get("parallelism") or 1)
                if 1 < parallelism <= MAX_SUBTASKS_READ:
                    sample.upstream_records[upstream] = [
                        _optional(rest, f"{base}/{i}/metrics?get=numRecordsOut") for i in range(parallelism)
                    ]


def _max_output_watermark(rest: FlinkRest, path: str) -> Optional[float]:
    """The highest output watermark of any operator of a vertex, over its subtasks (None: unknown)."""
    listing = _optional(rest, path)
    ids = [
        str(e.get("id"))
        for e in listing or []
        if isinstance(e, dict) and str(e.get("id")).endswith("currentOutputWatermark")
    ]
    if not ids:
        return None
    body = _optional(rest, f"{path}?get={','.join(urllib.parse.quote(i, safe='') for i in ids)}&agg=max")
    values = [_number(e.get("max")) for e in body or [] if isinstance(e, dict)]
    return max((v for v in values if v is not None), default=None)


def _read_taskmanagers(rest: FlinkRest, sample: HealthSample) -> None:
    listing = rest.get("/taskmanagers")
    wanted = ",".join(taskmanagers.METRICS.values())
    for tm in (listing or {}).get("taskmanagers") or [] if isinstance(listing, dict) else []:
        if isinstance(tm, dict) and tm.get("id"):
            sample.taskmanagers[tm["id"]] = rest.get(f"/taskmanagers/{tm['id']}/metrics?get={wanted}")


# ------------------------------------------------------------------ judging
def assess(sample: HealthSample, thresholds, previous: Optional[Health] = None) -> Health:
    """Judge one sample; `previous`: the watch's last Health (trends, stalls, since when)."""
    job = sample.job
    not_assessed = dict(sample.unread)
    not_applicable: dict[str, str] = {}
    findings: list[Finding] = []

    restarts, state_findings = _state(sample, thresholds)
    findings += state_findings

    diagnosis = None
    if sample.backpressure is not None:
        earlier = previous.diagnosis if previous else None
        diagnosis = diagnose(sample.backpressure, thresholds, earlier)
        findings += _backpressure(diagnosis, not_assessed, not_applicable)
    elif "backpressure" in not_assessed:
        not_assessed["kafka-lag"] = "read with backpressure: " + not_assessed["backpressure"]

    checkpoint_figures: dict[str, Any] = {}
    if sample.checkpoints is not None:
        checkpoint_figures, found = checkpoints.assess(sample, diagnosis, thresholds)
        findings += found

    watermark_figures: list[dict[str, Any]] = []
    if "event-time" not in not_assessed:
        before = {row["id"]: row for row in previous.watermarks} if previous else None
        watermark_figures, found = event_time.assess(sample, before, thresholds)
        findings += found
        waiting = [sample.names.get(vid, vid) for vid in sample.order if sample.inputs.get(vid)]
        if not watermark_figures and waiting:  # its metrics are not fetched yet (or the vertices not running)
            not_assessed["event-time"] = f"no input watermark reported yet by {', '.join(waiting[:3])}"
        elif not watermark_figures:
            not_applicable["event-time"] = "no vertex has an input (one chained vertex): no input watermark"

    tm_figures: list[dict[str, Any]] = []
    if "taskmanagers" not in not_assessed:
        tm_figures, found = taskmanagers.assess(sample.taskmanagers, thresholds)
        findings += found
        silent = [row["id"] for row in tm_figures if row["heap_max"] is None and row["gc_ms_per_s"] is None]
        if not tm_figures:
            not_assessed["taskmanagers"] = "no TaskManager registered"
        elif silent:
            not_assessed["taskmanagers"] = f"no metrics from TaskManager {', '.join(silent[:3])} yet"

    earlier_since = {f.key: f.since for f in previous.findings} if previous else {}
    for finding in findings:
        if finding.since is None:
            finding.since = earlier_since.get(finding.key) or sample.taken_at
    return Health(
        job_id=str(job.get("jid", "")),
        job_name=str(job.get("name", "")),
        job_state=str(job.get("state", "")),
        taken_at=sample.taken_at,
        verdict=verdict(findings, not_assessed),
        findings=ranked(findings),
        not_assessed=not_assessed,
        not_applicable=not_applicable,
        restarts=restarts,
        checkpoints=checkpoint_figures,
        watermarks=watermark_figures,
        taskmanagers=tm_figures,
        diagnosis=diagnosis,
    )


def _number(value) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _state(sample: HealthSample, thresholds) -> tuple[dict[str, Any], list[Finding]]:
    """Restarts and the root exception; the job or its vertices not running."""
    job = sample.job
    now_ms = _number(job.get("now")) or sample.taken_at * 1000
    findings = []
    stall = find_stall(job, sample.overview, sample.exceptions, sample.job_metrics, now_ms)
    if stall:
        over = stall.seconds is not None and stall.seconds > thresholds.job_stalled_seconds
        findings.append(
            Finding(
                "critical" if over else "info",
                "state",
                "job-stalled",
                "",
                round(stall.seconds, 1) if stall.seconds is not None else None,
                thresholds.job_stalled_seconds,
                f"not processing: {stall.describe()}",
                f"job-stalled {stall.seconds or 0:.0f} s {'>' if over else '<='} {thresholds.job_stalled_seconds:g} s; "
                + "; ".join(stall.reasons),
                stall.reasons[0],
                (now_ms - stall.seconds * 1000) / 1000 if stall.seconds is not None else None,
            )
        )
    entries = sorted(
        ((sample.exceptions or {}).get("exceptionHistory") or {}).get("entries") or [],
        key=lambda e: -(_number(e.get("timestamp")) or 0),
    )
    total = next(
        (
            _number(m.get("value"))
            for m in sample.job_metrics or []
            if isinstance(m, dict) and m.get("id") == "numRestarts"
        ),
        None,
    )
    window_s = thresholds.restart_window_seconds
    uptime_s = max(0.0, (now_ms - (_number(job.get("start-time")) or now_ms)) / 1000)
    if total is not None and uptime_s <= window_s:
        in_window = total
    elif sample.exceptions is not None:
        in_window = sum(1 for e in entries if (_number(e.get("timestamp")) or 0) >= now_ms - window_s * 1000)
    else:
        in_window = None
    span_min = max(min(window_s, uptime_s), 1.0) / 60
    restarts = {
        "total": total,
        "in_window": in_window,
        "window_s": window_s,
        "per_minute": round(in_window / span_min, 2) if in_window is not None else None,
        "root_exception": entries[0]["stacktrace"] if entries else None,
        "last_failure_at": (_number(entries[0].get("timestamp")) or 0) / 1000 if entries else None,
        "task": entries[0].get("taskName") if entries else None,
    }
    fired = thresholds.severity("restarts", in_window)
    if fired:
        ago = (now_ms / 1000 - restarts["last_failure_at"]) if restarts["last_failure_at"] else None
        root = restarts["root_exception"] or "the REST API lists no exception"
        window_entries = [e for e in entries if (_number(e.get("timestamp")) or 0) >= now_ms - window_s * 1000]
        first = min((_number(e.get("timestamp")) or 0 for e in window_entries), default=0) / 1000 or None
        findings.append(
            Finding(
                fired[0],
                "state",
                "restarts",
                restarts["task"] or "",
                in_window,
                fired[1],
                f"restarted {in_window:.0f} time{'s' if in_window != 1 else ''} in the last {window_s / 60:g} min "
                f"({restarts['per_minute']:g}/min): {root}",
                f"restarts {in_window:.0f} > {fired[1]:g} in {min(window_s, uptime_s):.0f} s (numRestarts "
                f"{total if total is None else int(total)} in all)"
                + (f"; last failure {ago:.0f} s ago" if ago is not None else "")
                + (f" in {restarts['task']}" if restarts["task"] else ""),
                "fix the root exception: the restart strategy only retries it (restart-strategy.type), and each "
                "restart replays the input since the last checkpoint",
                first,
            )
        )
    return restarts, findings


def _backpressure(diagnosis: Diagnosis, not_assessed: dict[str, str], not_applicable: dict[str, str]) -> list[Finding]:
    """The backpressure diagnosis' alerts as findings (the stall is judged with the state)."""
    unsampled = [v.name for v in diagnosis.vertices if v.status == "RUNNING" and not v.sampled]
    if unsampled:
        not_assessed["backpressure"] = f"{len(unsampled)} running vertices not yet sampled: {', '.join(unsampled)}"
    sources = [v for v in diagnosis.vertices if v.kafka_lag is not None]
    unread = [f"{v.name}: {v.kafka_lag.why_not}" for v in sources if v.kafka_lag is not None and not v.kafka_lag.read]
    if not sources:
        not_applicable["kafka-lag"] = "no Kafka source"
    elif unread:
        not_assessed["kafka-lag"] = "; ".join(unread)
    bottleneck = diagnosis.bottleneck
    advice = "; ".join(s["text"] for s in diagnosis.suggestions) or "see `flink-jobs backpressure` for the vertex table"
    if bottleneck:
        advice = f"the bottleneck is {bottleneck['name']} ({bottleneck['reason']}): {advice}"
    by_name = {v.name: v for v in diagnosis.vertices}
    findings: list[Finding] = []
    for alert in diagnosis.alerts:
        if alert.metric == "job-stalled":
            continue
        vertex = by_name.get(alert.vertex)
        figures = (
            f"; busy {vertex.busy:.2f}, out-pool {vertex.out_pool if vertex.out_pool is not None else float('nan'):.2f}"
            if vertex and vertex.sampled and vertex.busy is not None
            else ""
        )
        findings.append(
            Finding(
                alert.severity,
                "kafka-lag" if alert.metric.startswith("kafka-lag") else "backpressure",
                alert.metric,
                alert.vertex,
                alert.value,
                alert.threshold,
                alert.message,
                f"{alert.metric} {alert.value:g} > {alert.threshold:g}{figures}",
                advice if not findings or not bottleneck else f"the same bottleneck, {bottleneck['name']}: see above",
            )
        )
    return findings
