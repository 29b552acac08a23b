"""Backpressure diagnosis of one running job: per-vertex figures, the bottleneck, a hot key, alerts.

Reading (`collect`) and judging (`diagnose`) are separate: `collect` turns REST answers into a
`JobSample` (plain JSON, the same shape as the recorded payloads in tests/flink_jobs/fixtures/
monitor/), and `diagnose` is a pure function of a sample and the thresholds.

Figures per vertex (max over subtasks unless said otherwise):
- backpressure ratio = backPressuredTimeMsPerSecond / 1000; level ok <= 0.10 < low <= 0.5 < high,
  Flink's own thresholds; busy and idle ratios likewise from busyTimeMsPerSecond, idleTimeMsPerSecond;
- out/in pool usage (Shuffle.Netty.*), records in/out per second (sum over subtasks);
- skew = max / mean over subtasks of records in (busy time when nothing comes in);
- true processing rate (TPR) = records in / busy ratio (the autoscaler's), and the rate its inputs
  could send: each input's output rate scaled by (busy + backpressured) / busy, the time it would
  spend working if it were not blocked. Their quotient is the "input vs processing rate".

The bottleneck is the vertex right below backpressured ones that is itself not backpressured and
busy (busy ratio >= diagnosis.busy-ratio): backpressure spreads upstream from it.

Two things backpressure figures cannot show are judged too: the consumer lag of Kafka sources
(kafka_lag.py: the input arriving faster than the job reads it) and a stalled job (stall.py: RUNNING
in the REST API while no vertex runs, e.g. after its only TaskManager died).
"""

from __future__ import annotations

import math
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional

from flink_jobs.monitor import planner
from flink_jobs.monitor.alerts import Thresholds
from flink_jobs.monitor.kafka_lag import KafkaLag, follow, is_kafka_source, lag_metric_ids, source_lag
from flink_jobs.monitor.stall import Stall, find_stall, is_stalled
from flink_jobs.rest import TERMINAL_STATES, FlinkRest, Json, NotSampled, RestError

METRICS = (
    "backPressuredTimeMsPerSecond",
    "busyTimeMsPerSecond",
    "idleTimeMsPerSecond",
    "numRecordsInPerSecond",
    "numRecordsOutPerSecond",
    "Shuffle.Netty.Output.Buffers.outPoolUsage",
    "Shuffle.Netty.Input.Buffers.inPoolUsage",
    "Shuffle.Netty.Input.Buffers.inputFloatingBuffersUsage",
)
PER_SUBTASK = ("numRecordsInPerSecond", "busyTimeMsPerSecond")
MAX_SUBTASKS_READ = 64  # per-subtask values are one request each: only for skewed vertices
OK_RATIO, LOW_RATIO = 0.10, 0.5  # Flink's backpressure levels
LAG_METRICS_PER_REQUEST = 40  # per-partition offsets: keep the URL short
RECENT_FAILURES = 5


class JobNotMonitorable(RestError):
    """No such job, no running job, several to choose from, or the job has ended."""


# ------------------------------------------------------------------ reading
@dataclass
class JobSample:
    """What the REST API said about one job at one moment (JSON-serializable, recordable)."""

    job: Json  # GET /jobs/<id>
    plan: Json  # GET /jobs/<id>/plan (edges)
    backpressure: dict[str, Optional[Json]]  # vertex id -> GET .../backpressure body, None while Flink has no value
    metrics: dict[str, Any]  # vertex id -> GET .../subtasks/metrics?get=...&agg=min,max,avg,sum body
    subtasks: dict[str, list[Any]] = field(default_factory=dict)  # vertex id -> GET .../subtasks/<i>/metrics bodies
    taken_at: float = 0.0
    kafka_sources: list[str] = field(default_factory=list)  # ids of the source vertices that read Kafka
    lag_metrics: dict[str, Any] = field(default_factory=dict)  # vertex id -> pendingRecords, partition offsets
    broker: Optional[Json] = None  # kafka_offsets.read_offsets answer, with --kafka
    overview: Optional[Json] = None  # GET /overview, read when the job looks stalled
    exceptions: Optional[Json] = None  # GET /jobs/<id>/exceptions (first lines only), likewise
    job_metrics: Optional[list[Any]] = None  # GET /jobs/<id>/metrics?get=numRestarts, likewise

    @classmethod
    def from_dict(cls, data: Json) -> "JobSample":
        return cls(
            job=data["job"],
            plan=data.get("plan") or {},
            backpressure=data.get("backpressure") or {},
            metrics=data.get("metrics") or {},
            subtasks=data.get("subtasks") or {},
            taken_at=data.get("taken_at", 0.0),
            kafka_sources=data.get("kafka_sources") or [],
            lag_metrics=data.get("lag_metrics") or {},
            broker=data.get("broker"),
            overview=data.get("overview"),
            exceptions=data.get("exceptions"),
            job_metrics=data.get("job_metrics"),
        )


def list_jobs(rest: FlinkRest) -> list[Json]:
    """[{jid, name, state, start-time, ...}] from /jobs/overview, newest first."""
    overview = rest.get("/jobs/overview")
    jobs = overview.get("jobs") if isinstance(overview, dict) else None
    if not isinstance(jobs, list):
        raise RestError(f"{rest.url}/jobs/overview did not list jobs: unexpected answer")
    return sorted(jobs, key=lambda job: -(job.get("start-time") or 0))


def resolve_job(rest: FlinkRest, selector: Optional[str]) -> Json:
    """The job to monitor: by id or name, or the single running one."""
    jobs = list_jobs(rest)
    running = [job for job in jobs if job.get("state") not in TERMINAL_STATES]

    def describe(candidates):
        return "; ".join(f"{job.get('jid')} {job.get('name')} ({job.get('state')})" for job in candidates)

    if selector is None:
        if len(running) == 1:
            return running[0]
        if not running:
            raise JobNotMonitorable(
                f"no running job on {rest.url}" + (f" (ended: {describe(jobs[:5])})" if jobs else "")
            )
        raise JobNotMonitorable(
            f"{len(running)} jobs are running on {rest.url}; choose one with --job: {describe(running)}"
        )
    matches = [job for job in jobs if job.get("jid") == selector.lower()] or [
        job for job in jobs if job.get("name") == selector
    ]
    if not matches:
        known = describe(running) or "none running"
        raise JobNotMonitorable(f"no job `{selector}` on {rest.url} (running: {known})")
    live = [job for job in matches if job.get("state") not in TERMINAL_STATES]
    if len(live) > 1:
        raise JobNotMonitorable(f"{len(live)} running jobs are named `{selector}`; choose one by id: {describe(live)}")
    if not live:
        job = matches[0]
        raise JobNotMonitorable(f"job {job.get('jid')} `{job.get('name')}` is {job.get('state')}: nothing to monitor")
    return live[0]


def collect(
    rest: FlinkRest, job_id: str, skew_threshold: float, read_broker: Optional[Callable[[list[str]], Json]] = None
) -> JobSample:
    """One JobSample of `job_id`. read_broker(topics) -> kafka_offsets answer, called when the job
    has a Kafka source (with --kafka)."""
    job = rest.get(f"/jobs/{job_id}")
    if not isinstance(job, dict) or not isinstance(job.get("vertices"), list):
        raise RestError(f"{rest.url}/jobs/{job_id} is not a Flink job description")
    state = job.get("state")
    if state in TERMINAL_STATES:
        raise JobNotMonitorable(f"job {job_id} `{job.get('name')}` is {state}: nothing to monitor")
    try:
        plan = rest.get(f"/jobs/{job_id}/plan")
    except NotSampled:
        plan = {}
    sample = JobSample(
        job=job, plan=plan if isinstance(plan, dict) else {}, backpressure={}, metrics={}, taken_at=time.time()
    )
    for vertex in job["vertices"]:
        vid = vertex.get("id")
        base = f"/jobs/{job_id}/vertices/{vid}"
        try:
            sample.backpressure[vid] = rest.get(f"{base}/backpressure")
        except NotSampled:
            sample.backpressure[vid] = None
        try:
            sample.metrics[vid] = rest.get(f"{base}/subtasks/metrics?get={','.join(METRICS)}&agg=min,max,avg,sum")
        except NotSampled:
            sample.metrics[vid] = None
        parallelism = int(vertex.get("parallelism") or 1)
        if 1 < parallelism <= MAX_SUBTASKS_READ and _looks_skewed(sample.metrics[vid], skew_threshold):
            sample.subtasks[vid] = []
            for index in range(parallelism):
                try:
                    sample.subtasks[vid].append(
                        rest.get(f"{base}/subtasks/{index}/metrics?get={','.join(PER_SUBTASK)}")
                    )
                except NotSampled:
                    sample.subtasks[vid].append([])
    _collect_lag(rest, job_id, sample, read_broker)
    if is_stalled(job):
        _collect_stall(rest, job_id, sample)
    return sample


def _collect_lag(rest: FlinkRest, job_id: str, sample: JobSample, read_broker) -> None:
    """Lag metrics of the Kafka sources (found by their metric ids or names); the broker's offsets."""
    edges = plan_edges(sample.plan)
    topics = set()
    for vertex in sample.job["vertices"]:
        vid = vertex.get("id")
        if edges and edges.get(vid) != []:  # a source is in the plan without inputs; without a plan, any vertex may be
            continue
        base = f"/jobs/{job_id}/vertices/{vid}/subtasks/metrics"
        try:
            listing = rest.get(base)
        except NotSampled:
            listing = []
        if not is_kafka_source(str(vertex.get("name", "")), listing):
            continue
        sample.kafka_sources.append(vid)
        wanted = lag_metric_ids(listing)
        body: list[Any] = []
        for start in range(0, len(wanted), LAG_METRICS_PER_REQUEST):
            chunk = ",".join(urllib.parse.quote(i, safe="") for i in wanted[start : start + LAG_METRICS_PER_REQUEST])
            try:
                body += rest.get(f"{base}?get={chunk}&agg=min,max,avg,sum") or []
            except NotSampled:
                pass
        sample.lag_metrics[vid] = body
        topics |= {row["topic"] for row in source_lag(body, None).partitions}
    if sample.kafka_sources and read_broker is not None:
        sample.broker = read_broker(sorted(topics))


def _first_lines(exceptions: Any) -> Optional[Json]:
    """/jobs/<id>/exceptions without the Java stacks (a sample stays small and recordable)."""
    if not isinstance(exceptions, dict):
        return None
    written = exceptions.get("exceptionHistory")
    history = written if isinstance(written, dict) else {}
    entries = []
    for entry in history.get("entries") or []:
        if isinstance(entry, dict):
            stack = str(entry.get("stacktrace") or "").strip()
            entries.append(
                {
                    "exceptionName": entry.get("exceptionName"),
                    "timestamp": entry.get("timestamp"),
                    "taskName": entry.get("taskName"),
                    "stacktrace": stack.splitlines()[0] if stack else "",
                }
            )
    return {"exceptionHistory": {"entries": entries, "truncated": history.get("truncated")}}


def _collect_stall(rest: FlinkRest, job_id: str, sample: JobSample) -> None:
    for attribute, path in (
        ("overview", "/overview"),
        ("exceptions", f"/jobs/{job_id}/exceptions?maxExceptions={RECENT_FAILURES}"),
        ("job_metrics", f"/jobs/{job_id}/metrics?get=numRestarts"),
    ):
        try:
            setattr(sample, attribute, rest.get(path))
        except RestError as error:  # reasons are a courtesy: a Flink without the endpoint gives none
            if not isinstance(error, NotSampled) and error.status != 404:
                raise
    sample.exceptions = _first_lines(sample.exceptions)


def _looks_skewed(metrics, threshold: float) -> bool:
    aggregates = aggregate_metrics(metrics)
    return any((_skew(aggregates.get(name)) or 0) >= threshold for name in PER_SUBTASK)


# ------------------------------------------------------------------ parsing
def number(value) -> Optional[float]:
    """A metric value as float: REST gives numbers in aggregates and strings per subtask; NaN -> None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) or math.isinf(result) else result


def aggregate_metrics(body: Any) -> dict[str, dict[str, Optional[float]]]:
    """[{"id", "min", "max", "avg", "sum"}] -> {id: {"min": .., "max": .., "avg": .., "sum": ..}} (floats)."""
    result: dict[str, dict[str, Optional[float]]] = {}
    if not isinstance(body, list):
        return result
    for entry in body:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            values = {key: number(entry.get(key)) for key in ("min", "max", "avg", "sum")}
            if "value" in entry:  # a single-subtask answer
                values = {key: number(entry["value"]) for key in ("min", "max", "avg", "sum")}
            result[entry["id"]] = values
    return result


def subtask_values(bodies: Optional[list[Any]], metric: str) -> list[Optional[float]]:
    """[[{"id", "value": "12.5"}], ...] (one body per subtask) -> [12.5, ...]."""
    values = []
    for body in bodies or []:
        found = None
        for entry in body if isinstance(body, list) else []:
            if isinstance(entry, dict) and entry.get("id") == metric:
                found = number(entry.get("value"))
        values.append(found)
    return values


def _skew(aggregate: Optional[dict[str, Any]]) -> Optional[float]:
    if not aggregate or not aggregate.get("avg") or aggregate.get("max") is None:
        return None
    return aggregate["max"] / aggregate["avg"]


def level_of(ratio: Optional[float]) -> str:
    if ratio is None:
        return "unknown"
    return "ok" if ratio <= OK_RATIO else "low" if ratio <= LOW_RATIO else "high"


def topological_order(vertex_ids: list[str], edges: dict[str, list[str]]) -> list[str]:
    """Sources first; ties keep the order of `vertex_ids`. edges: vertex id -> [input vertex ids]."""
    remaining = {vid: [i for i in edges.get(vid, []) if i in vertex_ids] for vid in vertex_ids}
    order: list[str] = []
    while remaining:
        ready = [vid for vid in vertex_ids if vid in remaining and not remaining[vid]]
        if not ready:  # a cycle (iterations) or a broken plan: keep the listed order
            ready = [vid for vid in vertex_ids if vid in remaining][:1]
        for vid in ready:
            del remaining[vid]
            order.append(vid)
        for inputs in remaining.values():
            inputs[:] = [i for i in inputs if i not in ready]
    return order


def plan_edges(plan: Json) -> dict[Any, list[tuple[Any, str]]]:
    """vertex id -> [(input id, ship strategy)] from /jobs/<id>/plan."""
    nodes = ((plan or {}).get("plan") or {}).get("nodes") or []
    return {
        node.get("id"): [(edge.get("id"), edge.get("ship_strategy", "")) for edge in node.get("inputs") or []]
        for node in nodes
        if isinstance(node, dict)
    }


# ------------------------------------------------------------------ judging
@dataclass
class VertexReport:
    id: str
    name: str
    parallelism: int
    status: str
    inputs: list[list[str]]  # [input vertex id, ship strategy]
    sampled: bool
    note: str = ""
    level: str = "unknown"
    flink_level: Optional[str] = None  # what /backpressure says (it lags the metrics a little)
    backpressure: Optional[float] = None
    busy: Optional[float] = None
    busy_mean: Optional[float] = None
    idle: Optional[float] = None
    out_pool: Optional[float] = None
    in_pool: Optional[float] = None
    floating_pool: Optional[float] = None
    records_in: Optional[float] = None
    records_out: Optional[float] = None
    skew: Optional[float] = None
    skew_of: str = ""  # "records in" or "busy time"
    processing_rate: Optional[float] = None  # TPR over all subtasks
    input_rate_potential: Optional[float] = None
    rate_ratio: Optional[float] = None
    hottest_subtask: Optional[int] = None
    hottest_share: Optional[float] = None  # of records in
    kafka_lag: Optional[KafkaLag] = None  # Kafka sources only

    @property
    def is_source(self) -> bool:
        return not self.inputs


@dataclass
class Alert:
    severity: str
    metric: str
    vertex: str
    value: float
    threshold: float
    message: str


@dataclass
class Diagnosis:
    job_id: str
    job_name: str
    job_state: str
    taken_at: float
    vertices: list[VertexReport]
    bottleneck: Optional[dict[str, str]] = None  # {"id", "name", "reason"}
    hot_key: Optional[dict[str, Any]] = None
    suggestions: list[dict[str, str]] = field(default_factory=list)  # {"kind", "vertex", "text"}
    notes: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    stall: Optional[Stall] = None  # the job is not processing (stall.py)

    @property
    def exit_code(self) -> int:
        return 1 if self.alerts else 0

    def to_json(self) -> Json:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def _vertex_report(vertex: Json, inputs: list[tuple[str, str]], sample: JobSample) -> VertexReport:
    vid = vertex.get("id", "")
    report = VertexReport(
        id=vid,
        name=str(vertex.get("name", vid)),
        parallelism=int(vertex.get("parallelism") or 1),
        status=str(vertex.get("status", "")),
        inputs=[list(edge) for edge in inputs],
        sampled=False,
    )
    backpressure = sample.backpressure.get(vid)
    if isinstance(backpressure, dict) and backpressure.get("backpressureLevel"):
        report.flink_level = backpressure["backpressureLevel"]
    aggregates = aggregate_metrics(sample.metrics.get(vid))
    busy = aggregates.get("busyTimeMsPerSecond", {})
    if report.status != "RUNNING":
        report.note = f"not yet sampled ({report.status.lower() or 'no status'})"
        return report
    if busy.get("max") is None:
        report.note = "not yet sampled (no busy time yet)"
        return report

    def ratio(metric: str, key: str = "max") -> Optional[float]:
        value = aggregates.get(metric, {}).get(key)
        return None if value is None else value / 1000.0

    def value(metric: str, key: str = "max") -> Optional[float]:
        return aggregates.get(metric, {}).get(key)

    report.sampled = True
    report.backpressure = ratio("backPressuredTimeMsPerSecond")
    report.level = level_of(report.backpressure)
    report.busy, report.busy_mean = ratio("busyTimeMsPerSecond"), ratio("busyTimeMsPerSecond", "avg")
    report.idle = ratio("idleTimeMsPerSecond", "avg")
    report.out_pool = value("Shuffle.Netty.Output.Buffers.outPoolUsage")
    report.in_pool = value("Shuffle.Netty.Input.Buffers.inPoolUsage")
    report.floating_pool = value("Shuffle.Netty.Input.Buffers.inputFloatingBuffersUsage")
    report.records_in = value("numRecordsInPerSecond", "sum")
    report.records_out = value("numRecordsOutPerSecond", "sum")
    records_skew = _skew(aggregates.get("numRecordsInPerSecond")) if not report.is_source else None
    if records_skew is not None:
        report.skew, report.skew_of = records_skew, "records in"
    else:
        report.skew, report.skew_of = _skew(aggregates.get("busyTimeMsPerSecond")), "busy time"
    processed = report.records_out if report.is_source else report.records_in
    report.processing_rate = planner.true_processing_rate(processed, report.busy)
    per_subtask_in = subtask_values(sample.subtasks.get(vid), "numRecordsInPerSecond")
    known = [v for v in per_subtask_in if v is not None]
    if known and sum(known) > 0:
        hottest = max(range(len(per_subtask_in)), key=lambda i: per_subtask_in[i] or -1)
        report.hottest_subtask = hottest
        report.hottest_share = (per_subtask_in[hottest] or 0) / sum(known)
    elif isinstance(backpressure, dict) and report.parallelism > 1:
        subtasks = [s for s in backpressure.get("subtasks") or [] if number(s.get("busyRatio")) is not None]
        if subtasks:
            report.hottest_subtask = int(max(subtasks, key=lambda s: number(s["busyRatio"]) or 0.0)["subtask"])
    return report


def _send_potential(upstream: VertexReport) -> Optional[float]:
    """The rate `upstream` would send if it were never backpressured."""
    if not upstream.sampled or upstream.records_out is None:
        return None
    if (upstream.backpressure or 0) <= OK_RATIO:
        return upstream.records_out  # not held back: what it sends is what it has
    busy = upstream.busy_mean or 0
    if busy < planner.MIN_BUSY_RATIO:
        return None  # blocked almost all the time (a cheap source): its potential is unknown
    return upstream.records_out * min(1.0, busy + (upstream.backpressure or 0)) / busy


def diagnose(
    sample: JobSample, thresholds: Optional[Thresholds] = None, previous: Optional["Diagnosis"] = None
) -> Diagnosis:
    """Judge one sample. `previous`: the diagnosis of the watch's previous refresh (lag trends).
    `thresholds`: by default the shipped configs/alerts.yaml."""
    thresholds = Thresholds() if thresholds is None else thresholds
    job = sample.job
    edges = plan_edges(sample.plan)
    listed = [v for v in job.get("vertices") or [] if isinstance(v, dict) and v.get("id")]
    by_id = {v["id"]: v for v in listed}
    order = topological_order([v["id"] for v in listed], {vid: [i for i, _ in edges.get(vid, [])] for vid in by_id})
    reports = {vid: _vertex_report(by_id[vid], edges.get(vid, []), sample) for vid in order}
    for report in reports.values():
        if report.is_source or not report.sampled:
            continue
        potentials = [_send_potential(reports[i]) for i, _ in report.inputs if i in reports]
        known_potentials = [p for p in potentials if p is not None]
        if potentials and len(known_potentials) == len(potentials):
            report.input_rate_potential = sum(known_potentials)
            if report.processing_rate:
                report.rate_ratio = report.input_rate_potential / report.processing_rate

    earlier = {v.id: v.kafka_lag for v in previous.vertices} if previous and previous.job_id == job.get("jid") else {}
    for vid in sample.kafka_sources:
        if vid in reports:
            lag = source_lag(sample.lag_metrics.get(vid), sample.broker)
            reports[vid].kafka_lag = follow(lag, earlier.get(vid), thresholds.kafka_lag_growth_min_records)

    diagnosis = Diagnosis(
        job_id=str(job.get("jid", "")),
        job_name=str(job.get("name", "")),
        job_state=str(job.get("state", "")),
        taken_at=sample.taken_at,
        vertices=[reports[vid] for vid in order],
    )
    diagnosis.stall = find_stall(
        job, sample.overview, sample.exceptions, sample.job_metrics, sample.taken_at * 1000 if sample.taken_at else None
    )
    _localize(diagnosis, reports, thresholds)
    _alerts(diagnosis, thresholds)
    return diagnosis


def _short(name: str, width: int = 60) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _localize(diagnosis: Diagnosis, reports: dict[str, VertexReport], thresholds: Thresholds) -> None:
    sampled = [r for r in reports.values() if r.sampled]
    unsampled = [r for r in reports.values() if not r.sampled]
    if unsampled:
        diagnosis.notes.append(
            f"{len(unsampled)} of {len(reports)} vertices not yet sampled "
            f"({', '.join(_short(r.name, 30) for r in unsampled)})"
        )
    held_back = {r.id for r in sampled if r.level != "ok"}
    candidates = [
        r
        for r in sampled
        if r.level == "ok" and (r.busy or 0) >= thresholds.busy_ratio and any(i in held_back for i, _ in r.inputs)
    ]
    if not held_back:
        busy = [r for r in sampled if not r.is_source and (r.busy or 0) >= thresholds.busy_ratio]
        for r in busy:
            diagnosis.notes.append(
                f"{_short(r.name)} is busy {r.busy:.2f} without backpressure upstream: "
                "at its limit, not (yet) holding anything back"
            )
        return
    if not candidates:
        below = [r for r in sampled if r.level == "ok" and any(i in held_back for i, _ in r.inputs)]
        detail = ", ".join(f"{_short(r.name, 40)} busy {r.busy:.2f}" for r in below) or "no vertex below them sampled"
        diagnosis.notes.append(
            f"backpressure at {len(held_back)} vertices but no busy vertex below them "
            f"(busy ratio >= {thresholds.busy_ratio:g}): {detail}"
        )
        return
    bottleneck = max(candidates, key=lambda r: (r.busy or 0, -order_index(diagnosis, r.id)))
    upstream = [reports[i] for i, _ in bottleneck.inputs if i in held_back]
    reason = (
        f"busy {bottleneck.busy:.2f} and not backpressured ({bottleneck.backpressure:.2f}), right below "
        + ", ".join(f"{r.level.upper()} {_short(r.name, 40)} ({r.backpressure:.2f})" for r in upstream)
    )
    diagnosis.bottleneck = {"id": bottleneck.id, "name": bottleneck.name, "reason": reason}

    strategies = [strategy for i, strategy in bottleneck.inputs]
    if bottleneck.parallelism > 1 and bottleneck.skew is not None and bottleneck.skew >= thresholds.skew:
        keyed = any(s.upper() == "HASH" for s in strategies)
        where = (
            f"subtask {bottleneck.hottest_subtask} gets {bottleneck.hottest_share:.0%} of the records"
            if bottleneck.hottest_share is not None
            else f"subtask {bottleneck.hottest_subtask} is the busiest"
            if bottleneck.hottest_subtask is not None
            else ""
        )
        diagnosis.hot_key = {
            "vertex": bottleneck.id,
            "skew": round(bottleneck.skew, 3),
            "skew_of": bottleneck.skew_of,
            "subtask": bottleneck.hottest_subtask,
            "share": bottleneck.hottest_share,
            "keyed": keyed,
        }
        cause = "a hot key" if keyed else f"uneven input ({'/'.join(strategies) or 'unknown'} edge, not keyed)"
        diagnosis.suggestions.append(
            {
                "kind": "hot-key",
                "vertex": bottleneck.id,
                "text": (
                    f"likely {cause}: {_short(bottleneck.name, 40)} has max/mean {bottleneck.skew_of} {bottleneck.skew:.2f} "
                    f"over {bottleneck.parallelism} subtasks" + (f" ({where})" if where else "") + "; more subtasks do "
                    "not split one key: salt the key (key + random suffix, merge the partial results) or aggregate in "
                    "two phases (pre-aggregate before key_by)"
                ),
            }
        )
    else:
        diagnosis.suggestions.append(
            {"kind": "scale-out", "vertex": bottleneck.id, "text": _scale_out_text(bottleneck, thresholds)}
        )
    for source in (r for r in sampled if r.is_source and r.level == "high"):
        limit = (
            f" to at most {bottleneck.processing_rate * thresholds.target_utilization:,.0f} records/s "
            f"({thresholds.target_utilization:g} x what {_short(bottleneck.name, 30)} processes)"
            if bottleneck.processing_rate
            else ""
        )
        diagnosis.suggestions.append(
            {
                "kind": "rate-limit",
                "vertex": source.id,
                "text": (
                    f"source {_short(source.name, 40)} cannot keep up: it is backpressured {source.backpressure:.2f} of the "
                    f"time, so reading falls behind the input (lag grows); until the bottleneck is fixed, rate-limit the "
                    f"source{limit}, e.g. job.events.rate or the connector's fetch limits"
                ),
            }
        )


def order_index(diagnosis: Diagnosis, vid: str) -> int:
    return next((i for i, r in enumerate(diagnosis.vertices) if r.id == vid), 0)


def _scale_out_text(bottleneck: VertexReport, thresholds: Thresholds) -> str:
    u = thresholds.target_utilization
    p = bottleneck.parallelism
    if bottleneck.processing_rate and bottleneck.input_rate_potential:
        per_subtask = bottleneck.processing_rate / p
        needed = planner.utilization_parallelism(bottleneck.input_rate_potential, per_subtask, u)
        return (
            f"scale out {_short(bottleneck.name, 40)} from {p} to {needed} subtasks (x{needed / p:.1f}): it "
            f"processes at most ~{bottleneck.processing_rate:,.0f} records/s (TPR = records in / busy ratio), its "
            f"inputs could send ~{bottleneck.input_rate_potential:,.0f}/s; parallelism = ceil(rate / ({u:g} x "
            f"{per_subtask:,.0f}/s per subtask)); or make it cheaper"
        )
    needed = max(p + 1, math.ceil(p * (bottleneck.busy or 1) / u))
    return (
        f"scale out {_short(bottleneck.name, 40)} from {p} to at least {needed} subtasks (busy {bottleneck.busy:.2f}, "
        f"target utilization {u:g}; the input rate is not measurable yet), or make it cheaper"
    )


def _alerts(diagnosis: Diagnosis, thresholds: Thresholds) -> None:
    stall = diagnosis.stall
    if stall and stall.seconds is not None and stall.seconds > thresholds.job_stalled_seconds:
        diagnosis.alerts.append(
            Alert(
                "critical",
                "job-stalled",
                "",
                round(stall.seconds, 1),
                thresholds.job_stalled_seconds,
                f"job stalled: {stall.describe()}, more than {thresholds.job_stalled_seconds:g} s: "
                + stall.reasons[0].split(" (")[0].split(":")[0],
            )
        )
    for r in diagnosis.vertices:
        lag = r.kafka_lag
        if lag is not None and lag.read and lag.records is not None:  # severity() is None without records
            fired = thresholds.severity("kafka-lag", lag.records)
            if fired:
                severity, threshold = fired
                diagnosis.alerts.append(
                    Alert(
                        severity,
                        "kafka-lag",
                        r.name,
                        lag.records,
                        threshold,
                        f"Kafka lag {lag.records:,} records > {threshold:,.0f} at {_short(r.name, 50)}",
                    )
                )
            if lag.rises >= thresholds.kafka_lag_growth_samples:
                diagnosis.alerts.append(
                    Alert(
                        "warning",
                        "kafka-lag-growth",
                        r.name,
                        lag.rises,
                        thresholds.kafka_lag_growth_samples,
                        f"Kafka lag grew at {lag.rises} refreshes in a row (now {lag.records:,} "
                        f"records, +{lag.change:,} since the last) at {_short(r.name, 50)}",
                    )
                )
        if not r.sampled:
            continue
        pools = [v for v in (r.out_pool, r.in_pool) if v is not None]
        checks = (
            ("backpressure-ratio", r.backpressure, "backpressure ratio"),
            ("buffer-pool-usage", max(pools) if pools else None, "buffer pool usage"),
            ("input-vs-processing-rate", r.rate_ratio, "input vs processing rate"),
        )
        for metric, value, label in checks:
            fired = thresholds.severity(metric, value)
            if fired and value is not None:
                severity, threshold = fired
                diagnosis.alerts.append(
                    Alert(
                        severity,
                        metric,
                        r.name,
                        round(value, 3),
                        threshold,
                        f"{label} {value:.2f} > {threshold:g} at {_short(r.name, 50)}",
                    )
                )
