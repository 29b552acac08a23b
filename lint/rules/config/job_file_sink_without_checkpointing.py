"""Job file sink without checkpointing: a job config whose file sink never commits a file.

**What it does**
For a pack job config with `job.sink.type: file`, reports a `flink:` section without
`execution.checkpointing.interval` (checkpointing is off by default), unless the job runs in
BATCH mode.

**Why is this bad**
Flink's FileSink writes in-progress part files and commits them only when a checkpoint completes
(exactly-once). Without checkpoints nothing is ever committed: the output directory holds only
hidden in-progress files, and a bounded run may end with its last part uncommitted.

**Example**
```yaml
job:
  name: windowed-counts
  sink: {type: file, path: /data/out}
```

**Use instead**
```yaml
job:
  name: windowed-counts
  sink: {type: file, path: /data/out}
flink:
  execution.checkpointing.interval: 10 s   # also how often new files become visible
```

**Fix**
None: the interval is a trade-off between latency of the output and checkpoint cost.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL621"
NAME = "job-file-sink-without-checkpointing"
SEVERITY = "warning"  # the job runs and looks healthy; its output is never committed (loses data)
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    sink = _job.typed_section(config, "sink", "file")
    if not sink or _job.is_batch(config) or _settings.is_set(config, "execution.checkpointing.interval", context):
        return
    yield Problem(
        "sink type `file` commits files only on checkpoints, and checkpointing is off: nothing is ever committed",
        _job.job_location(config, "sink") or _settings.where(config),
        hint="set flink execution.checkpointing.interval (e.g. 10 s)",
    )
