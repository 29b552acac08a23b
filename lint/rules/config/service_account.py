"""Service account: a FlinkDeployment without `spec.serviceAccount`.

**What it does**
Reports a FlinkDeployment that sets no `spec.serviceAccount`.

**Why is this bad**
The JobManager creates TaskManager pods and HA ConfigMaps through the Kubernetes API with this
account; the admission webhook rejects the resource: `spec.serviceAccount must be defined. If you
use helm, its value should be the same with the name of jobServiceAccount.`

**Example**
```yaml
spec:
  image: flink:2.2
  flinkVersion: v2_2
```

**Use instead**
```yaml
spec:
  image: flink:2.2
  flinkVersion: v2_2
  serviceAccount: flink
```

**Fix**
none: the account is the cluster's (the Helm chart's `jobServiceAccount`, `flink` by default).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL810"
NAME = "service-account"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    if _deployment.get(config, "spec", "serviceAccount") is None:
        yield Problem(
            "spec.serviceAccount must be defined. If you use helm, its value should be the same with the name of "
            "jobServiceAccount.",
            _deployment.at(config, "spec", key=True),
            hint="set spec.serviceAccount: flink (the Helm chart's default jobServiceAccount)",
        )
