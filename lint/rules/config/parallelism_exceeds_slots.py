"""Parallelism exceeds slots: the job needs more slots than the configuration provides.

**What it does**
Compares the job's parallelism (with slot sharing, a job needs as many slots as its highest
operator parallelism) with the slots available: `taskmanager.numberOfTaskSlots` x the
FlinkDeployment's `taskManager.replicas` when the replicas are fixed, and
`slotmanager.number-of-slots.max` when set. Skipped with the adaptive scheduler
(`jobmanager.scheduler: adaptive`), which runs with the slots it gets.

**Why is this bad**
The default scheduler waits for slots that never come, then fails the job with
`NoResourceAvailableException: Could not acquire the minimum required resources`.

**Example**
```yaml
# FlinkDeployment
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "2"
  taskManager:
    replicas: 2
  job:
    parallelism: 8
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "2"
  taskManager:
    replicas: 4
  job:
    parallelism: 8
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL303"
NAME = "parallelism-exceeds-slots"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    parallelism = _job.parallelism(config, context)
    if not isinstance(parallelism.value, int) or parallelism.value < 1:
        return
    if (config.value("jobmanager.scheduler") or "").strip().lower() == "adaptive":
        return
    p = parallelism.value
    slots = _job.slots_per_taskmanager(config, context)
    replicas = _job.taskmanagers(config)
    if replicas is not None and isinstance(slots.value, int) and slots.value >= 1 and replicas.value >= 1:
        total = slots.value * replicas.value
        if p > total:
            yield Problem(
                f"parallelism {p} needs {p} slots, but {replicas.value} TaskManagers x {slots.value} slots = {total}: "
                "the job cannot be scheduled",
                parallelism.location or replicas.location or _settings.where(config, slots.setting),
                hint=f"use at least {-(-p // slots.value)} TaskManager replicas or "
                f"{-(-p // replicas.value)} slots per TaskManager",
            )
            return
    cap = _settings.integer(config, "slotmanager.number-of-slots.max", context)
    if cap.setting is not None and isinstance(cap.value, int) and 0 <= cap.value < p:
        yield Problem(
            f"parallelism {p} needs {p} slots, but slotmanager.number-of-slots.max caps the cluster at {cap.value}",
            parallelism.location or cap.setting.value_location,
            hint=f"raise slotmanager.number-of-slots.max to at least {p}",
        )
