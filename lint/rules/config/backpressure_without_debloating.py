"""Backpressure without debloating: a job that declares backpressure-prone operators, with
neither buffer debloating nor unaligned checkpoints enabled.

**What it does**
For a pack job config that declares operators that capacity-planning guides rate as high
backpressure risk (`operators: [session-window, stream-stream-join, interval-join, async-io,
external-lookup]`) or a hot key (`events.key-skew` >= 1.0), recommends
`taskmanager.network.memory.buffer-debloat.enabled: true` or
`execution.checkpointing.unaligned.enabled: true` when neither is set.

**Why is this bad**
Under backpressure the network buffers fill up: aligned checkpoint barriers queue behind the
in-flight data, checkpoints slow down or time out, and recovery falls further behind. Buffer
debloating keeps in-flight data to about one second of throughput; unaligned checkpoints let
barriers overtake it (at the cost of persisting it).

**Example**
```yaml
job:
  operators: [session-window]
flink:
  execution.checkpointing.interval: 30 s
```

**Use instead**
```yaml
job:
  operators: [session-window]
flink:
  execution.checkpointing.interval: 30 s
  taskmanager.network.memory.buffer-debloat.enabled: true
```

**Fix**
none (a recommendation).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL204"
NAME = "backpressure-without-debloating"
SEVERITY = "info"
FIXABLE = False

DEBLOAT = "taskmanager.network.memory.buffer-debloat.enabled"
UNALIGNED = "execution.checkpointing.unaligned.enabled"


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    reasons = _job.backpressure_prone(config)
    if not reasons or _job.is_batch(config):
        return
    if _settings.boolean(config, DEBLOAT, context).value or _settings.boolean(config, UNALIGNED, context).value:
        return
    anchor = (
        _settings.effective(config, DEBLOAT, context)
        or _settings.effective(config, UNALIGNED, context)
        or _settings.effective(config, "execution.checkpointing.interval", context)
    )
    yield Problem(
        f"the job is prone to backpressure ({', '.join(reasons)}) but neither buffer debloating nor unaligned "
        "checkpoints are enabled: checkpoints will stall behind full network buffers",
        _settings.where(config, anchor)
        if anchor is not None
        else (
            _job.job_location(config, "operators")
            or _job.job_location(config, "events", "key-skew")
            or _settings.where(config)
        ),
        hint=f"set {DEBLOAT}: true (or {UNALIGNED}: true)",
    )
