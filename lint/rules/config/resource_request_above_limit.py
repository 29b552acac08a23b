"""Resource request above limit: a CPU or memory request larger than its limit.

**What it does**
For a FlinkDeployment, compares `spec.jobManager/taskManager.resources.requests` with `limits`
for `cpu` and `memory`, with the operator's parsers (memory as `resource-memory` reads it, CPU as
a Kubernetes quantity). Values that do not parse are left to `resource-memory` (FL809) and
`resource-quantity` (FL812).

**Why is this bad**
Kubernetes rejects such a pod, and the operator's admission webhook rejects the resource first:
`TaskManager resource requirements memory request (4Gi) must not exceed its limit (2Gi)`.

**Example**
```yaml
spec:
  taskManager:
    resources:
      requests: {memory: 4Gi, cpu: "2"}
      limits: {memory: 2Gi, cpu: "1"}
```

**Use instead**
```yaml
spec:
  taskManager:
    resources:
      requests: {memory: 2Gi, cpu: "1"}
      limits: {memory: 2Gi, cpu: "2"}
```

**Fix**
none: which of the two is wrong is a capacity decision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _resources

CODE = "FL813"
NAME = "resource-request-above-limit"
SEVERITY = "error"
FIXABLE = False
PARSERS: dict[str, Callable[[Any], Decimal | int]] = {"cpu": _resources.quantity, "memory": _resources.memory_bytes}


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    for component, name in _resources.COMPONENTS:
        for resource, parse in PARSERS.items():
            request = _deployment.get(config, "spec", component, "resources", "requests", resource)
            limit = _deployment.get(config, "spec", component, "resources", "limits", resource)
            if request is None or limit is None:
                continue
            try:
                above = parse(request) > parse(limit)
            except ValueError:
                continue  # resource-memory, resource-quantity
            if above:
                yield Problem(
                    f"{name} resource requirements {resource} request ({_resources.text(request)}) must not exceed "
                    f"its limit ({_resources.text(limit)})",
                    _deployment.at(config, "spec", component, "resources", "requests", resource),
                    hint=f"raise spec.{component}.resources.limits.{resource} or lower the request",
                )
