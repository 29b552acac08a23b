"""Job optimized pipeline: `job.pipeline: optimized` with a setting the optimized pipeline cannot honour.

**What it does**
For a pack job config with `job.pipeline: optimized` (events carried in blocks and pre-aggregated
in one vectorized Python call per block), reports each setting that pipeline does not support: a
source other than the generator, an `events.rate` limit, a `slow-operator`, and an emission mode
other than the timer (`emit.mode: per-event` or `both`).

**Why is this bad**
The optimized pipeline builds its events itself, block by block, from the generator's spec: it
would not read the configured source, not pace the events, not slow any record, and it emits
changed totals on a timer only. The job would silently compute something else than configured,
so flink-jobs refuses to run it.

**Example**
```yaml
job:
  name: running-totals
  pipeline: optimized
  emit: {mode: per-event}
```

**Use instead**
```yaml
job:
  name: running-totals
  pipeline: optimized
  emit: {mode: timer, interval: 1 s}   # or pipeline: per-event to emit every update
```

**Fix**
None: whether to drop the setting or the optimized pipeline is for a human to choose.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL623"
NAME = "job-optimized-pipeline"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    job = _job.job_section(config)
    if config.kind != "job-config" or job.get("pipeline") != "optimized":
        return
    where = _job.job_location(config, "pipeline") or _settings.where(config)
    source = job.get("source")
    kind = source.get("type") if isinstance(source, dict) else "generator"
    if kind != "generator":
        yield Problem(
            f"the optimized pipeline reads the generator only, not source `{kind}`",
            where,
            hint="use `pipeline: per-event`",
        )
    events = job.get("events")
    if isinstance(events, dict) and events.get("rate") is not None:
        yield Problem("the optimized pipeline has no rate limit", where, hint="set events.rate to null")
    if job.get("slow-operator"):
        yield Problem("slow-operator is a per-event testing aid", where, hint="remove it, or use `pipeline: per-event`")
    emit = job.get("emit")
    mode = emit.get("mode") if isinstance(emit, dict) else None
    if mode not in (None, "timer"):
        yield Problem(
            f"the optimized running-totals emits on a timer only, not `{mode}`: per-event emission writes one "
            "record per event",
            where,
            hint="set emit.mode: timer, or use `pipeline: per-event`",
        )
