"""Operator-owned key: a flinkConfiguration key that the operator sets itself.

**What it does**
Reports `kubernetes.namespace`, `kubernetes.cluster-id` and `high-availability.cluster-id` in a
FlinkDeployment's `spec.flinkConfiguration`.

**Why is this bad**
The operator derives them from the resource's namespace and name; the admission webhook rejects
the resource: `Forbidden Flink config key: kubernetes.cluster-id`.

**Example**
```yaml
spec:
  flinkConfiguration:
    kubernetes.cluster-id: my-job
```

**Use instead**
```yaml
metadata:
  name: my-job
```

**Fix**
Safe: the key is deleted (the operator sets it).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Edit, FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL804"
NAME = "operator-owned-key"
SEVERITY = "error"
FIXABLE = True

FORBIDDEN = {
    "kubernetes.namespace": "the resource's namespace",
    "kubernetes.cluster-id": "metadata.name",
    "high-availability.cluster-id": "metadata.name",
}


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    for setting in config.settings:
        if setting.key in FORBIDDEN:
            yield Problem(
                f"Forbidden Flink config key: {setting.key} (the operator sets it from {FORBIDDEN[setting.key]})",
                setting.key_location,
                hint="remove it",
                fix=Edit("delete-key", setting.key),
            )
