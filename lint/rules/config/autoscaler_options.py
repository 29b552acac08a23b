"""Autoscaler options: autoscaler settings outside the ranges the operator accepts.

**What it does**
When `job.autoscaler.enabled` is true, checks the ranges of the operator's AutoscalerValidator:
`utilization.target` in [0, 1], `utilization.max` in [target, 1], `utilization.min` in
[0, target], `scale-down.max-factor`, `scale-up.max-factor` and `target.utilization.boundary` at
least 0, `memory.gc-pressure.threshold` and `memory.heap-usage.threshold` in [0, 1]; and that
`job.autoscaler.metrics.window` is not shorter than `kubernetes.operator.reconcile.interval`.
(Deprecated keys such as `job.autoscaler.target.utilization` are read as their replacements.)

**Why is this bad**
The admission webhook rejects the resource (`The AutoScalerOption job.autoscaler.utilization.target
is invalid, it should be a value within the range [0.0, 1.0]`); a metrics window shorter than the
reconcile interval keeps a single sample and autoscaling is never applied.

**Example**
```yaml
spec:
  flinkConfiguration:
    job.autoscaler.enabled: "true"
    job.autoscaler.utilization.target: "70"
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    job.autoscaler.enabled: "true"
    job.autoscaler.utilization.target: "0.7"
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _job, _settings

CODE = "FL811"
NAME = "autoscaler-options"
SEVERITY = "error"
FIXABLE = False

PREFIX = "job.autoscaler."
TARGET_DEFAULT = 0.7  # AutoScalerOptions.UTILIZATION_TARGET
DEPRECATED = {"utilization.target": "target.utilization"}  # operator keys: not in Flink's catalog


def _number(config: FlinkConfig, key: str, context: RuleContext) -> tuple[Any, ...]:
    old = DEPRECATED.get(key[len(PREFIX) :])
    setting = _settings.effective(config, key, context) or (config.get(PREFIX + old) if old else None)
    if setting is None:
        return None, None
    try:
        return float(setting.value), setting
    except ValueError:
        return None, setting


def _range(config, context, name: str, low: Optional[float], high: Optional[float]) -> Iterator[Problem]:
    value, setting = _number(config, PREFIX + name, context)
    if value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{low if low is not None else '-Infinity'}, {high if high is not None else '+Infinity'}]"
        yield Problem(
            f"The AutoScalerOption {setting.key} is invalid, it should be a value within the range {bounds}",
            setting.value_location,
            hint=f"use a value within {bounds}",
        )


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind not in _job.KUBERNETES_KINDS or not _deployment.flag(config, PREFIX + "enabled", context, False):
        return
    target, _ = _number(config, PREFIX + "utilization.target", context)
    target = TARGET_DEFAULT if target is None else target
    yield from _range(config, context, "scale-down.max-factor", 0.0, None)
    yield from _range(config, context, "scale-up.max-factor", 0.0, None)
    yield from _range(config, context, "utilization.target", 0.0, 1.0)
    yield from _range(config, context, "target.utilization.boundary", 0.0, None)
    yield from _range(config, context, "utilization.max", target, 1.0)
    yield from _range(config, context, "utilization.min", 0.0, target)
    yield from _range(config, context, "memory.gc-pressure.threshold", 0.0, 1.0)
    yield from _range(config, context, "memory.heap-usage.threshold", 0.0, 1.0)
    window = _settings.duration_ms(config, PREFIX + "metrics.window", context, default="15 min")
    reconcile = _settings.duration_ms(config, "kubernetes.operator.reconcile.interval", context, default="1 min")
    if window.value is not None and reconcile.value is not None and window.value < reconcile.value:
        yield Problem(
            f"The autoscaler metric window ({PREFIX}metrics.window={window.value} ms) must not be smaller than the "
            f"operator reconcile interval (kubernetes.operator.reconcile.interval={reconcile.value} ms), otherwise "
            "fewer than two metric samples are retained and autoscaling is never applied.",
            _settings.where(config, window.setting, reconcile.setting),
            hint="use a metrics window of several reconcile intervals (default 15 min)",
        )
