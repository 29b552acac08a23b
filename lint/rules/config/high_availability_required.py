"""High availability required: operator features that need HA (or deployment recovery) turned on.

**What it does**
For a FlinkDeployment, reports what the operator's validator requires around high availability:
more than one JobManager (`spec.jobManager.replicas` > 1) or
`kubernetes.operator.deployment.rollback.enabled: true` without `high-availability.type`, and
`kubernetes.operator.cluster.health-check.enabled: true` with
`kubernetes.operator.jm-deployment-recovery.enabled: false`. (`upgradeMode: last-state` without
HA is `upgrade-mode-directories`, FL408.)

**Why is this bad**
The admission webhook rejects the resource: `High availability should be enabled when starting
standby JobManagers.`, `HA must be enabled for rollback support.`, `Deployment recovery (...)
must be enabled for job health check (...) support.`

**Example**
```yaml
spec:
  jobManager:
    replicas: 2
    resource: {memory: 2g, cpu: 1}
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    high-availability.type: kubernetes
    high-availability.storageDir: s3://bucket/ha
  jobManager:
    replicas: 2
    resource: {memory: 2g, cpu: 1}
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _settings

CODE = "FL806"
NAME = "high-availability-required"
SEVERITY = "error"
FIXABLE = False

ROLLBACK = "kubernetes.operator.deployment.rollback.enabled"
HEALTH_CHECK = "kubernetes.operator.cluster.health-check.enabled"
RECOVERY = "kubernetes.operator.jm-deployment-recovery.enabled"
HA_HINT = "set high-availability.type: kubernetes and high-availability.storageDir"


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    ha = _deployment.ha_enabled(config, context)
    replicas = _deployment.integer(_deployment.get(config, "spec", "jobManager", "replicas"))
    if replicas is not None and replicas > 1 and not ha:
        yield Problem(
            "High availability should be enabled when starting standby JobManagers.",
            _deployment.at(config, "spec", "jobManager", "replicas"),
            hint=HA_HINT,
        )
    if _deployment.flag(config, ROLLBACK, context, False) and not ha:
        yield Problem(
            "HA must be enabled for rollback support.", _settings.where(config, config.get(ROLLBACK)), hint=HA_HINT
        )
    if _deployment.flag(config, HEALTH_CHECK, context, False) and not _deployment.flag(config, RECOVERY, context, True):
        yield Problem(
            f"Deployment recovery ({RECOVERY}) must be enabled for job health check ({HEALTH_CHECK}) support.",
            _settings.where(config, config.get(HEALTH_CHECK)),
            hint=f"remove {RECOVERY}: false",
        )
