"""Parallelism below capacity: the job's parallelism cannot carry its declared peak rate with headroom.

**What it does**
For a pack job config that declares its capacity,

```yaml
job:
  capacity: {peak-rate: 40000, per-subtask-rate: 5000, headroom: 2.0}  # events/s
```

checks parallelism >= ceil(peak-rate x headroom / per-subtask-rate). The headroom defaults to 2.0,
the "design for 2x peak" rule of capacity-planning guides, which leaves room for catch-up after a
restart and for bursts. Also reports when that parallelism is above `pipeline.max-parallelism`.

**Why is this bad**
A job sized for its average or bare peak rate has no slack: every burst or recovery builds
backpressure and lag that it never catches up on.

**Example**
```yaml
job:
  capacity: {peak-rate: 40000, per-subtask-rate: 5000}
flink:
  parallelism.default: 8
```

**Use instead**
```yaml
job:
  capacity: {peak-rate: 40000, per-subtask-rate: 5000}
flink:
  parallelism.default: 16   # ceil(40000 x 2.0 / 5000)
```

**Fix**
none.
"""

from __future__ import annotations

import math
from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL304"
NAME = "parallelism-below-capacity"
SEVERITY = "warning"
FIXABLE = False

DEFAULT_HEADROOM = 2.0


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    capacity = _job.job_section(config).get("capacity", {})
    if not isinstance(capacity, dict):
        return
    peak, per_subtask = capacity.get("peak-rate"), capacity.get("per-subtask-rate")
    headroom = capacity.get("headroom", DEFAULT_HEADROOM)
    if not (_number(peak) and _number(per_subtask) and _number(headroom)):
        return
    needed = math.ceil(peak * headroom / per_subtask)
    parallelism = _job.parallelism(config, context)
    if not isinstance(parallelism.value, int) or parallelism.value < 1:
        return
    where = parallelism.location or _job.job_location(config, "capacity") or _settings.where(config)
    formula = f"ceil({peak:g} x {headroom:g} / {per_subtask:g}) = {needed}"
    if parallelism.value < needed:
        yield Problem(
            f"parallelism {parallelism.value} is below the {needed} subtasks that the declared peak rate needs with "
            f"{headroom:g}x headroom: {formula}",
            where,
            hint=f"set parallelism.default to at least {needed}",
        )
    maximum = _settings.integer(config, "pipeline.max-parallelism", context)
    if maximum.setting is not None and isinstance(maximum.value, int) and 0 < maximum.value < needed:
        yield Problem(
            f"pipeline.max-parallelism {maximum.value} caps the job below the {needed} subtasks its declared peak "
            f"rate needs ({formula}); max parallelism cannot be raised later without losing keyed state",
            maximum.setting.value_location,
            hint=f"set pipeline.max-parallelism to at least {needed}",
        )
