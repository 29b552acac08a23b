"""Stateful without checkpointing: a job that keeps state, with checkpointing off.

**What it does**
Reports a job that keeps state but sets no `execution.checkpointing.interval` (checkpointing is
off by default). A pack job config keeps state when its job has windows (`job.window`), keyed
state (`job.state-ttl`, `job.emit`), declares `stateful: true` or stateful operators; a
FlinkDeployment/FlinkSessionJob with a job does when its upgradeMode is savepoint or last-state,
its state backend is rocksdb/forst, or it configures a checkpoint directory (a FlinkSessionJob
with its session cluster's flinkConfiguration under its own, when that FlinkDeployment is in the
same file). Batch jobs (`execution.runtime-mode: BATCH`) are skipped.

**Why is this bad**
Without checkpoints a failure restarts the job from scratch: windows and running totals are lost,
sources rewind to their start offsets, and exactly-once sinks never commit. last-state upgrades
have nothing to restore from.

**Example**
```yaml
job:
  window: {size: 1 min}
flink:
  state.backend.type: hashmap
```

**Use instead**
```yaml
job:
  window: {size: 1 min}
flink:
  state.backend.type: hashmap
  execution.checkpointing.interval: 30 s
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL401"
NAME = "stateful-without-checkpointing"
SEVERITY = "warning"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    config = _job.with_session_cluster(config)  # a session job checkpoints as its session cluster says
    if not _job.has_job(config) or _job.is_batch(config):
        return
    if _settings.is_set(config, "execution.checkpointing.interval", context):
        return
    why = _job.is_stateful(config, context)
    if why is None:
        return
    anchor = _settings.effective(config, "state.backend.type", context) or _settings.effective(
        config, "execution.checkpointing.dir", context
    )
    location = (
        _settings.where(config, anchor)
        if anchor is not None
        else (_job.upgrade_mode(config).location or _settings.where(config))
    )
    yield Problem(
        f"the job keeps state ({why}) but checkpointing is off: a failure restarts it from scratch",
        location,
        hint="set execution.checkpointing.interval (e.g. 30 s)",
    )
