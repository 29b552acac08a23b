"""Incremental checkpoints: a large-state backend (rocksdb, forst) with full checkpoints.

**What it does**
Reports `state.backend.type: rocksdb` or `forst` without
`execution.checkpointing.incremental: true` (or the deprecated `state.backend.incremental`).

**Why is this bad**
These backends are chosen for state larger than memory. A full checkpoint uploads all of it
every interval: checkpoints grow slow and expensive with the state, time out under load and
add backpressure. Incremental checkpoints upload only the new SST files.

**Example**
```yaml
state.backend.type: rocksdb
execution.checkpointing.interval: 1 min
```

**Use instead**
```yaml
state.backend.type: rocksdb
execution.checkpointing.interval: 1 min
execution.checkpointing.incremental: true
```

**Fix**
none (adding a key is left to the author).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL406"
NAME = "incremental-checkpoints"
SEVERITY = "info"  # a trade-off: full checkpoints are correct, only slower for large state
FIXABLE = False

KEY = "execution.checkpointing.incremental"


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    backend = _job.state_backend(config, context)
    if backend.value not in _job.LARGE_STATE_BACKENDS:
        return
    incremental = _settings.boolean(config, KEY, context)
    if incremental.value is None and incremental.setting is not None:
        return  # unparsable: invalid-value
    if incremental.value:
        return
    location = (
        incremental.setting.value_location
        if incremental.setting is not None
        else backend.location or _settings.where(config, backend.setting)
    )
    yield Problem(
        f"state backend {backend.value} takes full checkpoints: every checkpoint uploads the whole state",
        location,
        hint=f"set {KEY}: true",
    )
