"""Resource quantity: a CPU, ephemeral storage or other pod resource that the operator cannot parse.

**What it does**
For a FlinkDeployment, parses as the operator's validator does (fabric8's Kubernetes `Quantity`)
`spec.jobManager/taskManager.resource.ephemeralStorage` and every entry of
`resources.requests/limits` but memory (which is `resource-memory`, FL809): each must be a
Kubernetes quantity (`500m`, `2`, `10Gi`, `1e3`), a CPU above 0, any other resource not negative.

**Why is this bad**
The admission webhook rejects the resource: `TaskManager resource ephemeral storage parse error:
...`, `JobManager resource requirements requests cpu parse error: ...`, `TaskManager resource
requirements limits cpu must be positive: 0`. A unit such as `GB` is not one of Kubernetes'
suffixes (`G` or `Gi` is).

**Example**
```yaml
spec:
  taskManager:
    resource: {memory: 2048m, cpu: 1, ephemeralStorage: 10GB}
```

**Use instead**
```yaml
spec:
  taskManager:
    resource: {memory: 2048m, cpu: 1, ephemeralStorage: 10Gi}
```

**Fix**
none: the unit meant is not always clear.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _resources

CODE = "FL812"
NAME = "resource-quantity"
SEVERITY = "error"
FIXABLE = False
HINT = "a Kubernetes quantity: 500m, 2, 10Gi, 10G"


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    for component, name in _resources.COMPONENTS:
        storage = _deployment.get(config, "spec", component, "resource", "ephemeralStorage")
        if storage is None:
            continue
        try:
            _resources.quantity(storage)
        except ValueError as error:
            yield Problem(
                f"{name} resource ephemeral storage parse error: {error}",
                _deployment.at(config, "spec", component, "resource", "ephemeralStorage"),
                hint=HINT,
            )
    for _component, name, section, resource, value, location in _resources.requirements(config):
        if resource == "memory":
            continue  # resource-memory
        try:
            amount = _resources.quantity(value)
        except ValueError as error:
            yield Problem(
                f"{name} resource requirements {section} {resource} parse error: {error}", location, hint=HINT
            )
            continue
        if resource == "cpu" and amount <= 0:
            yield Problem(
                f"{name} resource requirements {section} cpu must be positive: {_resources.text(value)}", location
            )
        elif amount < 0:
            yield Problem(
                f"{name} resource requirements {section} {resource} must not be negative: {_resources.text(value)}",
                location,
            )
