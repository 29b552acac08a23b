"""Job unbounded collect: an endless generator whose results are collected back to flink-jobs.

**What it does**
For a pack job config, reports a `generator` source with `events.count: null` (unbounded) and the
`collect` sink, which hands the results back to `flink-jobs run` when the job ends.

**Why is this bad**
An unbounded generator never ends, so the collected results never arrive: `flink-jobs run`
waits forever while the job keeps every result in memory.

**Example**
```yaml
job:
  name: windowed-counts
  events: {count: null}
  sink: {type: collect}
```

**Use instead**
```yaml
job:
  name: windowed-counts
  events: {count: null}
  sink: {type: stdout}   # or file / kafka
```

**Fix**
None: which sink to use, or how many events to generate, is for a human to choose.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL622"
NAME = "job-unbounded-collect"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if not _job.typed_section(config, "sink", "collect") or not _job.typed_section(config, "source", "generator"):
        return
    events = _job.job_section(config).get("events")
    if not isinstance(events, dict) or "count" not in events or events["count"] is not None:
        return
    yield Problem(
        "an unbounded generator (events.count: null) never finishes, so the `collect` sink never returns its results",
        _job.job_location(config, "events", "count") or _settings.where(config),
        hint="use sink `stdout`, `file` or `kafka`, or give events.count",
    )
