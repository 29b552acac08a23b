"""Job Kafka source without idleness: a windowed job reading Kafka with watermark idleness switched off.

**What it does**
For a pack job config with `job.source.type: kafka` that reads without end (no
`stopping-offsets`) and has windows (`job.window`), reports `job.window.idleness: null`. An absent
`idleness` is fine: the pack's default is 30 s.

**Why is this bad**
Event time is the minimum over the Kafka partitions (and source subtasks). One partition that
receives nothing, or a subtask with no partition when the parallelism exceeds the partition
count, holds the watermark back forever: windows never fire and their state grows while the job
looks healthy.

**Example**
```yaml
job:
  source: {type: kafka, bootstrap-servers: "kafka:9092", topic: events}
  window: {size: 1 min, idleness: null}
```

**Use instead**
```yaml
job:
  source: {type: kafka, bootstrap-servers: "kafka:9092", topic: events}
  window: {size: 1 min, idleness: 1 min}
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _kafka, _settings

CODE = "FL614"
NAME = "job-kafka-source-without-idleness"
SEVERITY = "warning"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    source = _kafka.section(config, "source")
    window = _job.job_section(config).get("window")
    if not source or source.get("stopping-offsets") or _job.is_batch(config) or not isinstance(window, dict):
        return
    if "idleness" not in window or window["idleness"] is not None:
        return
    yield Problem(
        "window.idleness is null on a Kafka source: one partition without records holds event time back "
        "and the windows never fire",
        _kafka.value_location(config, "window", "idleness") or _settings.where(config),
        hint="set window.idleness (e.g. 1 min), or remove it for the default 30 s",
    )
