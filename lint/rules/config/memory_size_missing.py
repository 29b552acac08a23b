"""Memory size missing: a cluster configuration that sets no TaskManager or JobManager memory size.

**What it does**
For cluster configuration files (`config.yaml`, `flink-conf.yaml`, ConfigMaps) that configure a
process's memory at all (any `taskmanager.memory.*` / `taskmanager.heap*` key, or the
`jobmanager.` equivalents), reports when the TaskManager has none of `taskmanager.memory.process.size`, `taskmanager.memory.flink.size`, or
both `taskmanager.memory.task.heap.size` and `taskmanager.memory.managed.size`; and when the
JobManager has none of `jobmanager.memory.process.size`, `jobmanager.memory.flink.size`,
`jobmanager.memory.heap.size`. A file that says nothing about a process's memory is taken as a
fragment layered over the distribution's config.yaml (which sets both process sizes).
Kubernetes resources are skipped (the operator derives the sizes from the pod resources), and so
are pack job configs (the MiniCluster sizes itself).

**Why is this bad**
The process refuses to start: `Either required fine-grained memory
(taskmanager.memory.task.heap.size and taskmanager.memory.managed.size), or Total Flink Memory
size (Key: 'taskmanager.memory.flink.size' ...), or Total Process Memory size (Key:
'taskmanager.memory.process.size' ...) need to be configured explicitly.` Old keys such as
`taskmanager.heap.size` no longer count in Flink 2.x.

**Example**
```yaml
taskmanager.heap.size: 4096m
taskmanager.numberOfTaskSlots: 4
```

**Use instead**
```yaml
taskmanager.memory.process.size: 4096m
jobmanager.memory.process.size: 1600m
taskmanager.numberOfTaskSlots: 4
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _memory, _settings

CODE = "FL501"
NAME = "memory-size-missing"
SEVERITY = "error"  # the process refuses to start
FIXABLE = False

FILE_KINDS = ("config-yaml", "flink-conf", "configmap")


def _mentions_memory(config: FlinkConfig, process: str) -> bool:
    return any(s.key.startswith((f"{process}.memory.", f"{process}.heap")) for s in config.settings)


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind not in FILE_KINDS or not config.settings:
        return
    if _mentions_memory(config, "taskmanager") and not _memory.taskmanager_size_configured(config, context):
        related = next(s for s in config.settings if s.key.startswith(("taskmanager.memory.", "taskmanager.heap")))
        yield Problem(
            "no TaskManager memory size: Flink needs taskmanager.memory.process.size, taskmanager.memory.flink.size, "
            "or task.heap.size and managed.size, and refuses to start without one",
            _settings.where(config, related),
            hint="set taskmanager.memory.process.size (e.g. 1728m)",
        )
    if _mentions_memory(config, "jobmanager") and not _memory.jobmanager_size_configured(config, context):
        related = next(s for s in config.settings if s.key.startswith(("jobmanager.memory.", "jobmanager.heap")))
        yield Problem(
            "no JobManager memory size: Flink needs jobmanager.memory.process.size, jobmanager.memory.flink.size "
            "or jobmanager.memory.heap.size, and refuses to start without one",
            _settings.where(config, related),
            hint="set jobmanager.memory.process.size (e.g. 1600m)",
        )
