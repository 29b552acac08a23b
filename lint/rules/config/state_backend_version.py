"""State backend version: a state backend name the target Flink version no longer (or not yet) has.

**What it does**
Checks `state.backend.type` (or the deprecated `state.backend`) against the target version:
Flink 2.x knows `hashmap`, `rocksdb` and `forst`; the 1.x names `filesystem` and `jobmanager`
are gone (they were heap state plus a checkpoint storage, now `execution.checkpointing.storage`).
`forst` needs Flink 2.0 or later.

**Why is this bad**
The job fails when it starts: `Cannot find configured state backend factory class: filesystem`.

**Example**
```yaml
state.backend.type: filesystem
execution.checkpointing.dir: s3://bucket/checkpoints
```

**Use instead**
```yaml
state.backend.type: hashmap
execution.checkpointing.dir: s3://bucket/checkpoints
```

**Fix**
safe: `filesystem` becomes `hashmap` (heap state; checkpoints still go to the configured
directory). `jobmanager` is not fixed: it also chose where checkpoints go.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Edit, FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL405"
NAME = "state-backend-version"
SEVERITY = "error"
FIXABLE = True

REMOVED_IN_2 = {
    "filesystem": "hashmap (checkpoints go to execution.checkpointing.dir)",
    "jobmanager": "hashmap with execution.checkpointing.storage: jobmanager",
}
NEW_IN_2 = ("forst",)


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    backend = _job.state_backend(config, context)
    setting = backend.setting
    if backend.value is None or setting is None or setting.templated:
        return
    where = backend.location or _settings.where(config, setting)
    version = context.catalog.flink_version
    major = version.split(".", 1)[0]
    if major != "1" and backend.value in REMOVED_IN_2:
        fix = Edit("set-value", setting.key, "hashmap") if backend.value == "filesystem" else None
        yield Problem(
            f"state backend '{setting.value}' was removed in Flink 2.0 (target {version}): the job fails with "
            f"'Cannot find configured state backend factory class: {setting.value}'",
            where,
            hint=f"use {REMOVED_IN_2[backend.value]}",
            fix=fix,
        )
    elif major == "1" and backend.value in NEW_IN_2:
        yield Problem(
            f"state backend '{setting.value}' needs Flink 2.0 or later (target {version})",
            where,
            hint="use rocksdb or hashmap",
        )
