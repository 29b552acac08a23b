"""What `flink-jobs diagnose` says: findings with their evidence and suggested change, and the verdict.

The verdict is `critical` when any finding is critical, `degraded` when any is a warning or any
signal could not be read ("not assessed"), `healthy` only when every signal was read and nothing
fired: a signal the monitor could not read never counts as healthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# The signals of a job's health, in the order findings of equal severity are ranked: what stops
# the job first, then what holds it back, then its consequences.
SIGNALS = ("state", "backpressure", "checkpoints", "event-time", "kafka-lag", "taskmanagers")
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
HEALTHY, DEGRADED, CRITICAL = "healthy", "degraded", "critical"


def number(value) -> Optional[float]:
    """A REST value as float (numbers or numeric strings); None when missing, not a number, or NaN."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result else None


@dataclass
class Finding:
    severity: str  # critical | warning | info
    signal: str  # one of SIGNALS
    metric: str  # the threshold's name in configs/alerts.yaml, e.g. checkpoint-failure-ratio
    subject: str  # the vertex, TaskManager or "" for the job
    value: Optional[float]
    threshold: Optional[float]
    message: str  # what is wrong, one line
    evidence: str  # the figures it rests on
    suggestion: str = ""  # what to change
    since: Optional[float] = None  # epoch seconds the condition began (or was first seen)

    @property
    def key(self) -> tuple[str, str]:
        return self.metric, self.subject


def ranked(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, in the order of SIGNALS."""
    return sorted(
        findings,
        key=lambda f: (SEVERITY_RANK.get(f.severity, 3), SIGNALS.index(f.signal) if f.signal in SIGNALS else 99),
    )


def verdict(findings: list[Finding], not_assessed: dict[str, str]) -> str:
    severities = {f.severity for f in findings}
    if "critical" in severities:
        return CRITICAL
    if "warning" in severities or not_assessed:
        return DEGRADED
    return HEALTHY
