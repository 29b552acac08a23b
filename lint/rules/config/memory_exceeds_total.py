"""Memory exceeds total: memory components that cannot fit in the configured total.

**What it does**
Derives the TaskManager memory as Flink does at startup (`TaskExecutorProcessUtils`) and reports
the conflicts Flink refuses to start with: framework heap + task heap + task off-heap +
framework off-heap + managed + network above `taskmanager.memory.flink.size` (or the Flink
memory left of `taskmanager.memory.process.size`); JVM metaspace + JVM overhead above the process
size; total Flink memory + metaspace above the process size when both totals are set; JVM overhead
min above max or its fraction outside [0, 1). For a FlinkDeployment without a process size the
pod's `taskManager.resource.memory` is the process size, as the operator sets it. The JobManager's
metaspace + overhead are checked against `jobmanager.memory.process.size`. Network min/max/fraction
are `network-memory-range`'s.

**Why is this bad**
The TaskManager (or JobManager) does not start: `Sum of configured Framework Heap Memory (...),
Framework Off-Heap Memory (...), Task Off-Heap Memory (...), Managed Memory (...) and Network
Memory (...) exceed configured Total Flink Memory (...)`.

**Example**
```yaml
taskmanager.memory.process.size: 1g
taskmanager.memory.managed.size: 1g
```

**Use instead**
```yaml
taskmanager.memory.process.size: 4g
taskmanager.memory.managed.size: 1g
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _memory, _settings
from flink_lint.rules.config.network_buffers_insufficient import _kubernetes_memory

CODE = "FL502"
NAME = "memory-exceeds-total"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind == "job-config":
        return  # the MiniCluster derives its own sizes (TaskExecutorResourceUtils.adjustForLocalExecution)
    try:
        _memory.derive_taskmanager(config, context, _kubernetes_memory(config))
    except _memory.NotConfigured:
        pass
    except _memory.MemoryConflict as conflict:
        if conflict.area != "network":
            yield Problem(
                f"TaskManager: {conflict.message}",
                _settings.where(config, conflict.setting, value=True),
                hint="raise the total or lower the components",
            )
    jobmanager = _memory.jobmanager_conflict(config, context)
    if jobmanager is not None:
        yield Problem(
            f"JobManager: {jobmanager.message}",
            _settings.where(config, jobmanager.setting, value=True),
            hint="raise jobmanager.memory.process.size or lower metaspace/overhead",
        )
