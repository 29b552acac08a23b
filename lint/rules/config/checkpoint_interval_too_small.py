"""Checkpoint interval too small: a checkpoint interval or timeout below 10 ms.

**What it does**
Checks `execution.checkpointing.interval` and `execution.checkpointing.timeout` are at least 10 ms
(`CheckpointConfig`'s minimum; a value without unit is milliseconds, so `10` is 10 ms and `0`
is rejected).

**Why is this bad**
The job fails at submission with `Checkpoint interval must be larger than or equal to 10 ms`
(or `Checkpoint timeout must be larger than or equal to 10 ms`). A unitless `5` meant as seconds
is a common cause.

**Example**
```yaml
execution.checkpointing.interval: 5
```

**Use instead**
```yaml
execution.checkpointing.interval: 5 s
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _settings

CODE = "FL402"
NAME = "checkpoint-interval-too-small"
SEVERITY = "error"
FIXABLE = False

MINIMAL_CHECKPOINT_TIME_MS = 10
CHECKED = (("execution.checkpointing.interval", "interval"), ("execution.checkpointing.timeout", "timeout"))


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    for key, what in CHECKED:
        read = _settings.duration_ms(config, key, context)
        if read.setting is None or read.value is None or read.value >= MINIMAL_CHECKPOINT_TIME_MS:
            continue
        unitless = read.setting.value.strip().isdigit()
        yield Problem(
            f"Checkpoint {what} must be larger than or equal to {MINIMAL_CHECKPOINT_TIME_MS} ms "
            f"(found '{read.setting.value}' = {read.value} ms)",
            read.setting.value_location,
            hint="a value without unit is milliseconds: write the unit, e.g. '30 s'"
            if unitless
            else f"use at least {MINIMAL_CHECKPOINT_TIME_MS} ms",
        )
