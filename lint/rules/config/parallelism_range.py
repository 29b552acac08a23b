"""Parallelism range: parallelism, max parallelism or task slots outside what Flink accepts.

**What it does**
Checks `parallelism.default` (and a FlinkDeployment's `job.parallelism`) is at least 1 (or -1,
"use the default") and at most 32768; `pipeline.max-parallelism` is -1 (derived) or within
1..32768; `taskmanager.numberOfTaskSlots` is at least 1 (-1 is read as 1).

**Why is this bad**
Flink rejects the job or the TaskManager: `Parallelism must be at least one, or
ExecutionConfig.PARALLELISM_DEFAULT (use system default).`, `Maximum parallelism must be between 1
and 32768. Found: ...`, `The maximum parallelism must be greater than 0.`, `Number of task slots
must be at least one.`

**Example**
```yaml
parallelism.default: 0
pipeline.max-parallelism: 65536
```

**Use instead**
```yaml
parallelism.default: 4
pipeline.max-parallelism: 32768
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL301"
NAME = "parallelism-range"
SEVERITY = "error"
FIXABLE = False

UPPER_BOUND = 32768  # KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    parallelism = _job.parallelism(config, context)
    where = parallelism.location or _settings.where(config)
    if isinstance(parallelism.value, int):
        p = parallelism.value
        if p < 1 and p != -1:
            yield Problem(
                f"parallelism {p}: Parallelism must be at least one, or ExecutionConfig.PARALLELISM_DEFAULT "
                "(use system default).",
                where,
                hint="use a parallelism of at least 1",
            )
        elif p > UPPER_BOUND:
            yield Problem(
                f"parallelism {p} is above {UPPER_BOUND}, the largest maximum parallelism Flink supports",
                where,
                hint=f"use at most {UPPER_BOUND}",
            )
    maximum = _settings.integer(config, "pipeline.max-parallelism", context)
    if maximum.setting is not None and isinstance(maximum.value, int) and maximum.value != -1:
        if maximum.value <= 0:
            yield Problem(
                "The maximum parallelism must be greater than 0.",
                maximum.setting.value_location,
                hint="use -1 (derived from the parallelism) or 1..32768",
            )
        elif maximum.value > UPPER_BOUND:
            yield Problem(
                f"Maximum parallelism must be between 1 and {UPPER_BOUND}. Found: {maximum.value}",
                maximum.setting.value_location,
                hint=f"use at most {UPPER_BOUND}",
            )
    slots = _job.slots_per_taskmanager(config, context)
    if slots.setting is not None and isinstance(slots.value, int) and slots.value < 1 and slots.value != -1:
        yield Problem(
            f"{slots.value} task slots: Number of task slots must be at least one.",
            slots.setting.value_location,
            hint="use at least 1 slot per TaskManager",
        )
