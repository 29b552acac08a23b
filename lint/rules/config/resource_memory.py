"""Resource memory: a JobManager or TaskManager whose memory is neither in the spec nor derivable.

**What it does**
For a FlinkDeployment, reports a JobManager without `spec.jobManager.resource.memory` (or
`resources.requests/limits.memory`) and without a size Flink can derive its memory from
(`jobmanager.memory.process.size`, `flink.size` or `heap.size`), and the same for the TaskManager
(`taskmanager.memory.process.size`, `flink.size`, or task heap plus managed memory).

**Why is this bad**
The operator sizes the pods from it; the admission webhook rejects the resource: `JobManager
resource memory must be defined using spec.jobManager.resource.memory or
spec.jobManager.resources.requests.memory`.

**Example**
```yaml
spec:
  jobManager:
    resource: {cpu: 1}
```

**Use instead**
```yaml
spec:
  jobManager:
    resource: {memory: 2048m, cpu: 1}
```

**Fix**
none: the size is a capacity decision.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _memory

CODE = "FL809"
NAME = "resource-memory"
SEVERITY = "error"
FIXABLE = False


def _spec_memory(config: FlinkConfig, component: str) -> bool:
    get = _deployment.get
    return any(
        get(config, "spec", component, *path) not in (None, "")
        for path in (("resource", "memory"), ("resources", "requests", "memory"), ("resources", "limits", "memory"))
    )


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    for component, name, derivable in (
        ("jobManager", "JobManager", _memory.jobmanager_size_configured),
        ("taskManager", "TaskManager", _memory.taskmanager_size_configured),
    ):
        if _spec_memory(config, component) or derivable(config, context):
            continue
        present = _deployment.get(config, "spec", component) is not None
        yield Problem(
            f"{name} resource memory must be defined using `spec.{component}.resource.memory` or "
            f"`spec.{component}.resources.requests.memory`",
            _deployment.at(config, "spec", component, key=True)
            if present
            else _deployment.at(config, "spec", key=True),
            hint=f"set spec.{component}.resource.memory (e.g. 2048m)",
        )
