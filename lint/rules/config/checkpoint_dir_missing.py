"""Checkpoint directory missing: a cluster configuration that enables checkpointing but names
no checkpoint directory.

**What it does**
For cluster configurations (`config.yaml`, `flink-conf.yaml`, ConfigMaps, FlinkDeployment and
FlinkSessionJob) that set `execution.checkpointing.interval`, reports a missing
`execution.checkpointing.dir` (or its deprecated `state.checkpoints.dir`). Pack job configs run
on the embedded MiniCluster and are skipped; FlinkDeployments whose upgradeMode needs the
directory are reported by `upgrade-mode-directories` instead.

**Why is this bad**
Without a directory Flink keeps checkpoints in the JobManager's heap (JobManagerCheckpointStorage):
they are lost with the JobManager, and state larger than a few MB fails the checkpoints.

**Example**
```yaml
execution.checkpointing.interval: 1 min
```

**Use instead**
```yaml
execution.checkpointing.interval: 1 min
execution.checkpointing.dir: s3://bucket/checkpoints
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL407"
NAME = "checkpoint-dir-missing"
SEVERITY = "warning"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind not in _job.CLUSTER_KINDS:
        return
    interval = _job.checkpoint_interval(config, context)
    if interval.setting is None or _settings.is_set(config, "execution.checkpointing.dir", context):
        return
    if config.kind in _job.KUBERNETES_KINDS and _job.upgrade_mode(config).value in ("savepoint", "last-state"):
        return
    storage = config.value("execution.checkpointing.storage") or config.value("state.checkpoint-storage") or ""
    if storage.strip().lower() == "jobmanager":
        return  # chosen on purpose
    yield Problem(
        "checkpointing is on but no checkpoint directory is set: checkpoints stay in the JobManager's memory "
        "and are lost with it",
        interval.setting.key_location,
        hint="set execution.checkpointing.dir to a durable filesystem (s3://, hdfs://)",
    )
