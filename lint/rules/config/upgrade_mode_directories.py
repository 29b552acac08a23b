"""Upgrade mode directories: a Kubernetes upgradeMode without the directories it needs.

**What it does**
For a FlinkDeployment or FlinkSessionJob, checks what the Flink Kubernetes operator's validator
checks before it deploys: upgradeMode `savepoint` or `last-state` needs
`execution.checkpointing.dir`; `savepoint` also needs `execution.checkpointing.savepoint-dir`
(deprecated: `state.savepoints.dir`), and so do periodic savepoints
(`kubernetes.operator.periodic.savepoint.interval`), a manual savepoint
(`spec.job.savepointTriggerNonce`) and the last-state checkpoint age limit
(`kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age`). A FlinkSessionJob is
checked as the operator checks it, with its session cluster's flinkConfiguration under its own
when that FlinkDeployment (`spec.deploymentName`) is in the same file. (`last-state` without
high availability was refused by operators before 1.10; since FLINK-35414 the operator cancels the
job and restores from its last checkpoint, so it is no longer reported.) A stateful upgrade mode
with checkpointing off is
`stateful-without-checkpointing` (FL401); directories on pod-local storage are
`state-on-pod-local-storage` (FL821).

**Why is this bad**
The operator rejects the resource with one error at a time: `Checkpoint directory[...] must be
defined for last-state and savepoint upgrade modes`, `Job could not be upgraded with savepoint
while config key[...] is not set`, `Periodic savepoints cannot be enabled when config key[...] is
not set`.

**Example**
```yaml
spec:
  flinkConfiguration:
    execution.checkpointing.interval: 1 min
  job:
    upgradeMode: savepoint
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    execution.checkpointing.interval: 1 min
    execution.checkpointing.dir: s3://bucket/checkpoints
    execution.checkpointing.savepoint-dir: s3://bucket/savepoints
  job:
    upgradeMode: savepoint
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL408"
NAME = "upgrade-mode-directories"
SEVERITY = "error"
FIXABLE = False

CHECKPOINT_DIR = "execution.checkpointing.dir"
SAVEPOINT_DIR = "execution.checkpointing.savepoint-dir"
PERIODIC_SAVEPOINTS = "kubernetes.operator.periodic.savepoint.interval"
MAX_CHECKPOINT_AGE = "kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age"


def _blank(config: FlinkConfig, key: str, context: RuleContext) -> bool:
    setting = _settings.effective(config, key, context)
    return setting is None or not setting.value.strip()


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind not in _job.KUBERNETES_KINDS:
        return
    config = _job.with_session_cluster(config)  # the operator merges the session cluster's configuration
    mode = _job.upgrade_mode(config)
    where = mode.location or _settings.where(config)
    if mode.value in ("savepoint", "last-state") and _blank(config, CHECKPOINT_DIR, context):
        yield Problem(
            f"Checkpoint directory[{CHECKPOINT_DIR}] must be defined for last-state and savepoint upgrade modes",
            where,
            hint=f"set {CHECKPOINT_DIR} to a durable filesystem",
        )
    if _blank(config, SAVEPOINT_DIR, context):
        if mode.value == "savepoint":
            yield Problem(
                f"Job could not be upgraded with savepoint while config key[{SAVEPOINT_DIR}] is not set",
                where,
                hint=f"set {SAVEPOINT_DIR}",
            )
        elif _settings.context_fact(config, "job.savepointTriggerNonce")[0] is not None:
            yield Problem(
                "Savepoint could not be manually triggered for the running job while config "
                f"key[{SAVEPOINT_DIR}] is not set",
                _settings.context_fact(config, "job.savepointTriggerNonce")[1] or where,
                hint=f"set {SAVEPOINT_DIR}",
            )
        elif (periodic := config.get(PERIODIC_SAVEPOINTS)) is not None:
            yield Problem(
                f"Periodic savepoints cannot be enabled when config key[{SAVEPOINT_DIR}] is not set",
                periodic.key_location,
                hint=f"set {SAVEPOINT_DIR}",
            )
        elif config.get(MAX_CHECKPOINT_AGE) is not None:
            yield Problem(
                f"In order to use max-checkpoint age functionality config key[{SAVEPOINT_DIR}] must be set to allow "
                "triggering savepoint upgrades.",
                _settings.where(config, config.get(MAX_CHECKPOINT_AGE)),
                hint=f"set {SAVEPOINT_DIR}",
            )
