"""Checkpoint timeout vs interval: checkpoints may run back to back.

**What it does**
Reports an explicitly set checkpoint timeout longer than the checkpoint interval when
`execution.checkpointing.min-pause` is 0 (the default) and at most one checkpoint runs at a
time: a checkpoint that takes longer than the interval is followed by the next one at once.

**Why is this bad**
Under backpressure checkpoints slow down; with no pause between them the job checkpoints
continuously, barrier alignment stalls processing again and again, and it never catches up.
Flink's docs on large-state tuning recommend a minimum pause for this reason.

**Example**
```yaml
execution.checkpointing.interval: 10 s
execution.checkpointing.timeout: 10 min
```

**Use instead**
```yaml
execution.checkpointing.interval: 10 s
execution.checkpointing.timeout: 10 min
execution.checkpointing.min-pause: 5 s
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL403"
NAME = "checkpoint-timeout-vs-interval"
SEVERITY = "info"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    interval = _job.checkpoint_interval(config, context)
    if interval.setting is None or not interval.value or interval.value < 10:
        return
    timeout = _settings.duration_ms(config, "execution.checkpointing.timeout", context)
    pause = _settings.duration_ms(config, "execution.checkpointing.min-pause", context)
    concurrent = _settings.integer(config, "execution.checkpointing.max-concurrent-checkpoints", context)
    if (
        timeout.setting is None
        or timeout.value is None
        or pause.value is None
        or pause.value > 0
        or timeout.value <= interval.value
    ):
        return
    if isinstance(concurrent.value, int) and concurrent.value > 1:
        return
    h = lambda ms: f"{ms // 1000} s" if ms % 1000 == 0 else f"{ms} ms"  # noqa: E731
    yield Problem(
        f"a checkpoint may take up to the timeout ({h(timeout.value)}), "
        f"longer than the interval ({h(interval.value)}), and min-pause is 0: slow checkpoints run back to back",
        timeout.setting.value_location,
        hint=f"set execution.checkpointing.min-pause (e.g. {h(max(interval.value // 2, 10))})",
    )
