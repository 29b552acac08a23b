"""Checkpoint health from the REST checkpoint statistics (`flink-jobs diagnose`, signal `checkpoints`).

Read: /jobs/<id>/checkpoints (counts, the latest, a history of the last `web.checkpoints.history`,
default 10), /jobs/<id>/checkpoints/config (interval, timeout, unaligned), the newest failed
checkpoint's details (which vertices never acknowledged it: where the barrier got stuck) and, for the
newest completed one, each vertex's alignment time and start delay.

Judged against configs/alerts.yaml:
- failure ratio: failed / (completed + failed) in the history. Checkpoints that failed before they
  started (e.g. triggered while tasks were still deploying) are counted by Flink but not listed, so
  they do not count here;
- age of the last completed checkpoint in intervals (before the first one: the job's running time);
- the last completed checkpoint's duration against the timeout, and against the interval (longer
  than the interval: checkpoints run back to back), with its alignment time;
- a state leak: the checkpointed size grew at each of the last N completed checkpoints, by more
  than a share, over at least some minutes (a young job's state grows while its first windows fill:
  measured +339% over 5 checkpoints 2 s apart in windowed-counts' first minute).

Under backpressure, aligned barriers queue behind every buffered record in front of the bottleneck
(the guide: "checkpoint barriers ... stuck behind the backlog"): a failing checkpoint names the
bottleneck and suggests unaligned checkpoints or buffer debloating, with their config keys.
"""

from __future__ import annotations

from typing import Any, Optional

from flink_jobs.monitor.findings import Finding, number
from flink_jobs.rest import Json

NEVER = 2**63 - 1  # Flink's interval when checkpointing is off (Long.MAX_VALUE)
UNALIGNED_KEYS = (
    "execution.checkpointing.unaligned.enabled: true (or execution.checkpointing.aligned-checkpoint-timeout: "
    "5 s to start aligned and switch to unaligned when alignment takes longer)"
)
SHORTER_CHECKPOINTS = (
    "make them shorter: less state (state TTL), incremental checkpoints (execution.checkpointing.incremental: "
    "true), and for Python operators a smaller bundle (python.fn-execution.bundle.size: a checkpoint waits for "
    "the bundle in flight)"
)
DEBLOAT_KEY = "taskmanager.network.memory.buffer-debloat.enabled: true (fewer buffered records in flight)"


def _history(stats: Json) -> list[Json]:
    """Completed and failed checkpoints of the history, oldest first (in-progress ones left out)."""
    entries = [e for e in stats.get("history") or [] if isinstance(e, dict)]
    done = [e for e in entries if e.get("status") in ("COMPLETED", "FAILED") and not e.get("is_savepoint")]
    return sorted(done, key=lambda e: number(e.get("id")) or 0)


def _size(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return ""


def stuck_at(failed_detail: Optional[Json], order: list[str], names: dict[str, str]) -> Optional[str]:
    """The first vertex (sources first) that did not acknowledge the failed checkpoint."""
    tasks = (failed_detail or {}).get("tasks") if isinstance(failed_detail, dict) else None
    if not isinstance(tasks, dict):
        return None
    for vid in order:
        task = tasks.get(vid)
        if isinstance(task, dict) and (task.get("num_acknowledged_subtasks") or 0) < (task.get("num_subtasks") or 0):
            return names.get(vid, vid)
    return None


def _alignment(details: dict[str, Any], names: dict[str, str]) -> tuple[Optional[float], str]:
    """(max alignment duration in ms, vertex) of the newest completed checkpoint."""
    best, where = None, ""
    for vid, body in (details or {}).items():
        summary = body.get("summary") if isinstance(body, dict) else None
        duration = number(((summary or {}).get("alignment") or {}).get("duration", {}).get("max"))
        if duration is not None and (best is None or duration > best):
            best, where = duration, names.get(vid, vid)
    return best, where


def assess(sample, diagnosis, thresholds) -> tuple[dict[str, Any], list[Finding]]:
    """(figures, findings) of the checkpoint statistics in `sample` (a HealthSample)."""
    stats, config = sample.checkpoints or {}, sample.checkpoint_config or {}
    interval_ms, timeout_ms = number(config.get("interval")), number(config.get("timeout"))
    now_ms = number(sample.job.get("now")) or sample.taken_at * 1000
    figures: dict[str, Any] = {
        "interval_ms": interval_ms,
        "timeout_ms": timeout_ms,
        "unaligned": config.get("unaligned_checkpoints"),
    }
    if interval_ms is None or interval_ms >= NEVER or interval_ms <= 0:
        figures["enabled"] = False
        return figures, [
            Finding(
                "info",
                "checkpoints",
                "checkpointing",
                "",
                None,
                None,
                "checkpointing is off",
                "execution.checkpointing.interval is not set",
                "a failure replays the input from the start and exactly-once sinks never commit: set "
                "execution.checkpointing.interval",
            )
        ]
    figures["enabled"] = True
    written = stats.get("counts")
    counts = written if isinstance(written, dict) else {}
    figures["counts"] = counts
    history = _history(stats)
    completed = [e for e in history if e.get("status") == "COMPLETED"]
    failed = [e for e in history if e.get("status") == "FAILED"]
    latest = completed[-1] if completed else None
    figures["failure_ratio"] = len(failed) / len(history) if history else None
    figures["window"] = len(history)
    figures["last_duration_ms"] = number(latest.get("end_to_end_duration")) if latest else None
    figures["last_size"] = number(latest.get("checkpointed_size")) if latest else None
    figures["last_failed_duration_ms"] = number(failed[-1].get("end_to_end_duration")) if failed else None
    figures["alignment_ms"], figures["alignment_vertex"] = _alignment(sample.checkpoint_alignment, sample.names)
    findings = []

    ratio = figures["failure_ratio"]
    fired = thresholds.severity("checkpoint-failure-ratio", ratio)
    if fired:
        findings.append(_failures(sample, diagnosis, figures, failed, completed, fired))

    last_ack = number(latest.get("latest_ack_timestamp")) if latest else None
    running_since = number((sample.job.get("timestamps") or {}).get("RUNNING"))
    since = last_ack or running_since
    if since and now_ms:
        age_s = max(0.0, (now_ms - since) / 1000)
        figures["last_completed_age_s"] = age_s if last_ack else None
        intervals = age_s / (interval_ms / 1000)
        fired = thresholds.severity("checkpoint-age", intervals)
        if fired:
            what = (
                f"last completed checkpoint {age_s:.0f} s ago"
                if last_ack
                else f"no checkpoint completed in {age_s:.0f} s"
            )
            findings.append(
                Finding(
                    fired[0],
                    "checkpoints",
                    "checkpoint-age",
                    "",
                    round(intervals, 1),
                    fired[1],
                    f"{what}: {intervals:.1f} intervals of {interval_ms / 1000:g} s",
                    f"checkpoint-age {intervals:.1f} intervals > {fired[1]:g}; completed {counts.get('completed')}, "
                    f"failed {counts.get('failed')}, in progress {counts.get('in_progress')}",
                    "a failure now replays everything since then and exactly-once sinks hold their output back: "
                    "see the checkpoint failures and backpressure findings",
                    since / 1000,
                )
            )

    duration = figures["last_duration_ms"]
    alignment = (
        f"; alignment up to {figures['alignment_ms']:,.0f} ms at {figures['alignment_vertex']}"
        if figures["alignment_ms"]
        else ""
    )
    if duration is not None and timeout_ms and latest is not None:
        fired = thresholds.severity("checkpoint-duration", duration / timeout_ms)
        if fired:
            back_to_back = " (longer than the interval: checkpoints run back to back)" if duration > interval_ms else ""
            findings.append(
                Finding(
                    fired[0],
                    "checkpoints",
                    "checkpoint-duration",
                    "",
                    round(duration / timeout_ms, 3),
                    fired[1],
                    f"checkpoint {latest.get('id')} took {duration / 1000:.1f} s of a {timeout_ms / 1000:g} s timeout",
                    f"checkpoint-duration {duration / timeout_ms:.2f} of the timeout > {fired[1]:g}; interval "
                    f"{interval_ms / 1000:g} s{back_to_back}{alignment}",
                    _relief(diagnosis, figures),
                    (number(latest.get("trigger_timestamp")) or 0) / 1000 or None,
                )
            )

    fired = thresholds.severity("checkpoint-duration-interval", duration / interval_ms) if duration else None
    if fired and latest is not None and not any(f.metric == "checkpoint-duration" for f in findings):
        findings.append(
            Finding(
                fired[0],
                "checkpoints",
                "checkpoint-duration-interval",
                "",
                round(duration / interval_ms, 3),
                fired[1],
                f"checkpoint {latest.get('id')} took {duration / 1000:.1f} s, longer than the {interval_ms / 1000:g} s "
                "interval: checkpoints run back to back",
                f"checkpoint-duration-interval {duration / interval_ms:.2f} of the interval > {fired[1]:g}; timeout "
                f"{(timeout_ms or 0) / 1000:g} s{alignment}",
                "the job is always checkpointing: "
                + (_relief(diagnosis, figures) if _backpressured(diagnosis) else SHORTER_CHECKPOINTS)
                + "; or space them out (execution.checkpointing.interval, execution.checkpointing.min-pause)",
                (number(latest.get("trigger_timestamp")) or 0) / 1000 or None,
            )
        )

    growth = size_growth(completed, thresholds)
    if growth:
        findings.append(growth)
    return figures, findings


def _relief(diagnosis, figures: dict[str, Any]) -> str:
    """What makes checkpoints under backpressure pass: unaligned or debloated buffers, then the bottleneck."""
    bottleneck = diagnosis.bottleneck if diagnosis else None
    backpressured = diagnosis is not None and any(v.level in ("low", "high") for v in diagnosis.vertices)
    fix = next((s["text"] for s in (diagnosis.suggestions if diagnosis else []) if s["kind"] != "rate-limit"), "")
    if not backpressured:
        return "raise execution.checkpointing.timeout, or make the state smaller (state TTL, incremental checkpoints)"
    where = f"in front of {bottleneck['name']}" if bottleneck else "in the backpressured vertices"
    if figures.get("unaligned"):
        text = (
            f"unaligned checkpoints are on, yet they take long under backpressure (records buffered {where}): "
            f"enable buffer debloating, {DEBLOAT_KEY}"
        )
    else:
        text = (
            f"under backpressure, aligned barriers wait behind every record buffered {where}: enable unaligned "
            f"checkpoints, {UNALIGNED_KEYS}; or buffer debloating, {DEBLOAT_KEY}"
        )
    return text + (f"; and relieve the bottleneck: {fix}" if fix else "")


def _failures(
    sample, diagnosis, figures: dict[str, Any], failed: list[Json], completed: list[Json], fired: tuple[str, float]
) -> Finding:
    newest = failed[-1]
    message = str(newest.get("failure_message") or "no failure message").strip().splitlines()[0][:200]
    stuck = stuck_at(sample.checkpoint_failed_detail, sample.order, sample.names)
    bottleneck = diagnosis.bottleneck["name"] if diagnosis and diagnosis.bottleneck else None
    named = bottleneck or stuck
    last_completed_id = (number(completed[-1].get("id")) if completed else None) or -1
    run = [e for e in failed if (number(e.get("id")) or 0) > last_completed_id] or failed
    counts = figures["counts"]
    evidence = (
        f"checkpoint-failure-ratio {figures['failure_ratio']:.2f} > {fired[1]:g} over the last {figures['window']} "
        f"checkpoints (all time: {counts.get('completed')} completed, {counts.get('failed')} failed); "
        f"latest: {message}"
    )
    if stuck:
        evidence += f"; checkpoint {newest.get('id')} was never acknowledged by {stuck}"
    change = _relief(diagnosis, figures)
    if "restart" in message.lower():
        change = f"they fail because the job is restarting ({message}): fix the cause of the restarts first"
    return Finding(
        fired[0],
        "checkpoints",
        "checkpoint-failure-ratio",
        named or "",
        round(figures["failure_ratio"], 3),
        fired[1],
        f"{len(failed)} of the last {figures['window']} checkpoints failed"
        + (f", under backpressure with the bottleneck {named}" if named and _backpressured(diagnosis) else ""),
        evidence,
        change,
        (number(run[0].get("trigger_timestamp")) or 0) / 1000 or None,
    )


def _backpressured(diagnosis) -> bool:
    return diagnosis is not None and any(v.level in ("low", "high") for v in diagnosis.vertices)


def size_growth(completed: list[Json], thresholds) -> Optional[Finding]:
    n = thresholds.checkpoint_growth_checkpoints
    found = [number(e.get("checkpointed_size")) for e in completed[-n:]]
    sizes = [s for s in found if s is not None and s > 0]
    if len(found) < n or len(sizes) < len(found):
        return None
    rising = all(b > a for a, b in zip(sizes, sizes[1:]))
    growth = (sizes[-1] - sizes[0]) / sizes[0]
    first, last = (number(completed[i].get("trigger_timestamp")) or 0 for i in (-n, -1))
    if not rising or growth <= thresholds.checkpoint_growth_ratio:
        return None
    if (last - first) / 60000 < thresholds.checkpoint_growth_minutes:
        return None
    return Finding(
        "warning",
        "checkpoints",
        "checkpoint-size-growth",
        "",
        round(growth, 3),
        thresholds.checkpoint_growth_ratio,
        f"checkpointed size grew at each of the last {n} checkpoints: {_size(sizes[0])} -> {_size(sizes[-1])} "
        f"(+{growth:.0%})",
        f"checkpoint-size-growth +{growth:.0%} > +{thresholds.checkpoint_growth_ratio:.0%} over {n} checkpoints in a "
        f"row, {(last - first) / 60000:.0f} min",
        "state that only grows is a leak: give state a TTL (job.state-ttl / StateTtlConfig), clear it in timers, "
        "and check that keys are bounded (no ids, no timestamps as keys)",
        (number(completed[-n].get("trigger_timestamp")) or 0) / 1000 or None,
    )
