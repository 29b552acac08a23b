"""Job Kafka exactly-once without checkpointing: a job config whose exactly-once Kafka sink never commits.

**What it does**
For a pack job config with `job.sink.type: kafka` and exactly-once delivery
(`delivery-guarantee: exactly-once`, the default), reports an input that never ends (a Kafka
source without `stopping-offsets`, a files source with `monitor-interval`, a generator with
`events.count: null`) with no `execution.checkpointing.interval` in its `flink:` section. Bounded
inputs are not reported (Flink commits the sink's transactions at the end of the input), nor are
BATCH runs.

**Why is this bad**
The exactly-once Kafka sink writes into transactions that commit only when a checkpoint
completes. Checkpointing is off by default, so no checkpoint ever completes: consumers reading
with `isolation.level=read_committed` see nothing, ever, while the job looks healthy.

**Example**
```yaml
job:
  source: {type: kafka, bootstrap-servers: "kafka:9092", topic: events}
  sink: {type: kafka, bootstrap-servers: "kafka:9092", topic: results}
flink:
  parallelism.default: 2
```

**Use instead**
```yaml
job:
  source: {type: kafka, bootstrap-servers: "kafka:9092", topic: events}
  sink: {type: kafka, bootstrap-servers: "kafka:9092", topic: results}
flink:
  parallelism.default: 2
  execution.checkpointing.interval: 30 s   # also the latency of the committed output
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _kafka, _settings

CODE = "FL611"
NAME = "job-kafka-exactly-once-without-checkpointing"
SEVERITY = "warning"  # the job runs and looks healthy; its output is never committed (loses data)
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    sink = _kafka.exactly_once_sink(config)
    if not sink or _job.is_batch(config) or _settings.is_set(config, "execution.checkpointing.interval", context):
        return
    why = _kafka.unbounded_source(config)
    if why is None:
        return
    written = "delivery-guarantee" in sink
    location = (
        (_job.job_location(config, "sink", "delivery-guarantee") if written else None)
        or _job.job_location(config, "sink")
        or _settings.where(config)
    )
    guarantee = "exactly-once" if written else "exactly-once (the default)"
    yield Problem(
        f"the Kafka sink is {guarantee} and the job reads {why}, but checkpointing is off: the sink's "
        "transactions commit only on checkpoints, so read_committed consumers never see a record",
        location,
        hint="set flink execution.checkpointing.interval (e.g. 30 s)",
    )
