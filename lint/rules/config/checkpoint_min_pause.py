"""Checkpoint min pause: a minimum pause at least as long as the checkpoint interval.

**What it does**
Reports `execution.checkpointing.min-pause` >= `execution.checkpointing.interval`.

**Why is this bad**
The next checkpoint waits for the pause after the previous one completed, so the interval has
no effect: checkpoints happen every pause + checkpoint duration, less often than the interval
says, and recovery replays more data than planned.

**Example**
```yaml
execution.checkpointing.interval: 30 s
execution.checkpointing.min-pause: 1 min
```

**Use instead**
```yaml
execution.checkpointing.interval: 30 s
execution.checkpointing.min-pause: 10 s
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL404"
NAME = "checkpoint-min-pause"
SEVERITY = "warning"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    interval = _job.checkpoint_interval(config, context)
    pause = _settings.duration_ms(config, "execution.checkpointing.min-pause", context)
    if interval.setting is None or pause.setting is None or not interval.value or pause.value is None:
        return
    if pause.value >= interval.value:
        yield Problem(
            f"min-pause ('{pause.setting.value}') is not shorter than the interval ('{interval.setting.value}'): "
            "the interval has no effect, checkpoints start only a min-pause after the previous one completed",
            pause.setting.value_location,
            hint="use a min-pause shorter than the interval, or drop the interval",
        )
