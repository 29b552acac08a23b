"""Resource memory: a JobManager or TaskManager memory that is missing or that the operator cannot parse.

**What it does**
For a FlinkDeployment, reports a JobManager without `spec.jobManager.resource.memory` (or
`resources.requests/limits.memory`) and without a size Flink can derive its memory from
(`jobmanager.memory.process.size`, `flink.size` or `heap.size`), and the same for the TaskManager
(`taskmanager.memory.process.size`, `flink.size`, or task heap plus managed memory). Then, as the
operator's validator parses them, every written memory: `resource.memory` and
`resources.requests/limits.memory` must be a Flink memory size (`2048m`, `2g`: powers of 1024) or
else a Kubernetes quantity (`2Gi`, `2G`) of a whole number of bytes, and a request or limit above 0.

**Why is this bad**
The operator sizes the pods from it; the admission webhook rejects the resource: `JobManager
resource memory must be defined using spec.jobManager.resource.memory or
spec.jobManager.resources.requests.memory`, `TaskManager resource memory parse error: ...`,
`TaskManager resource requirements requests memory must be positive: 0`. A fraction such as
`1.5Gi` is rejected too: the operator turns it into `1610612736.0` bytes, which Flink's MemorySize
does not parse.

**Example**
```yaml
spec:
  jobManager:
    resource: {cpu: 1}
  taskManager:
    resource: {memory: 1.5Gi, cpu: 1}
```

**Use instead**
```yaml
spec:
  jobManager:
    resource: {memory: 2048m, cpu: 1}
  taskManager:
    resource: {memory: 1536m, cpu: 1}
```

**Fix**
none: the size is a capacity decision.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _memory, _resources

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
    yield from _parse_errors(config)


def _parse_errors(config: FlinkConfig) -> Iterator[Problem]:
    for component, name in _resources.COMPONENTS:
        memory = _deployment.get(config, "spec", component, "resource", "memory")
        if memory is not None:
            try:
                _resources.memory_bytes(memory)
            except ValueError as error:
                yield Problem(
                    f"{name} resource memory parse error: {error}",
                    _deployment.at(config, "spec", component, "resource", "memory"),
                    hint="write it as 2048m or 2Gi",
                )
    for _component, name, section, resource, value, location in _resources.requirements(config):
        if resource != "memory":
            continue
        try:
            size = _resources.memory_bytes(value)
        except ValueError as error:
            yield Problem(f"{name} resource requirements {section} memory parse error: {error}", location)
            continue
        if size <= 0:
            yield Problem(
                f"{name} resource requirements {section} memory must be positive: {_resources.text(value)}", location
            )
