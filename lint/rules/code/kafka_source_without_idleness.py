"""Kafka source without idleness: event time from Kafka with no idle timeout, stalled by one empty partition.

**What it does**
Reports `env.from_source(kafka_source, strategy, ...)` where `kafka_source` is built by
`KafkaSource.builder()` (through variables too) and `strategy` generates watermarks
(`for_bounded_out_of_orderness`, `for_monotonous_timestamps`, `for_generator`) without
`.with_idleness(...)` in its chain; also `assign_timestamps_and_watermarks(strategy)` on a stream
read from such a source, unless every parallelism the file sets is 1 (one assigner then sees
all partitions through one channel). In SQL: a `kafka`/`upsert-kafka` table with a `WATERMARK FOR` and neither
`'scan.watermark.idle-timeout'` in its WITH options nor `table.exec.source.idle-timeout` set
anywhere in the file. Bounded reads (`set_bounded(...)`, `'scan.bounded.mode'`) are skipped:
their splits end, and the final watermark fires every window.

**Why is this bad**
The Kafka source tracks a watermark per partition and emits the minimum. A partition that
receives nothing (a quiet key range, a new topic, more subtasks than partitions) holds event
time back forever: windows never fire, timers never run, state grows, and the output stops
while the job looks healthy. With an idle timeout the empty partition is skipped until it
sends again.

**Example**
```python
strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))
env.from_source(kafka_source, strategy, "clicks")
```

**Use instead**
```python
strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5)) \
    .with_idleness(Duration.of_minutes(1))
env.from_source(kafka_source, strategy, "clicks")
```

**Fix**
None: choose an idle timeout longer than the normal gap between records of a partition.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink, _kafka

CODE = "FL744"
NAME = "kafka-source-without-idleness"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

MESSAGE = (
    "{what} has no idle timeout: one Kafka partition without records (or a subtask without a partition) "
    "holds event time back, and windows and timers never fire"
)
HINT = "WatermarkStrategy....with_idleness(Duration.of_minutes(1)) (before with_timestamp_assigner)"


def check(source, context: RuleContext) -> Iterator[Problem]:
    for site in _flink.method_calls(source, "from_source"):
        kafka = _unbounded_kafka(source, _flink.first_arg(site.call, "source"), site)
        if kafka is not None and _stalls(source, _strategy(site.call), site):
            yield Problem(
                MESSAGE.format(what="the watermark strategy of this Kafka source"),
                source.method_location(site.call),
                hint=HINT,
            )
    for site in [] if _parallelism_one(source) else _flink.method_calls(source, "assign_timestamps_and_watermarks"):
        origin = _flink.receiver_chain(source, site).last("from_source")
        if origin is None or _unbounded_kafka(source, _flink.first_arg(origin.call, "source"), site) is None:
            continue
        if _stalls(source, _flink.first_arg(site.call, "watermark_strategy"), site):
            yield Problem(
                MESSAGE.format(what="the watermark strategy of this Kafka stream"),
                source.method_location(site.call),
                hint=HINT,
            )
    if any("table.exec.source.idle-timeout" in constant for constant in source.constants):
        return
    for table in _kafka.tables(source):
        if table.watermark is None or table.bounded or table.option("scan.watermark.idle-timeout") is not None:
            continue
        yield Problem(
            MESSAGE.format(what=f"the WATERMARK of {table.connector} table {table.name.lower()}"),
            table.sql.location(source, table.watermark),
            hint="'scan.watermark.idle-timeout' = '1 min' in its WITH options, or set table.exec.source.idle-timeout",
        )


def _parallelism_one(source) -> bool:
    """Every parallelism the file sets is 1: a downstream assigner then sees every partition's
    records through one channel, and no partition can hold its watermark back."""
    values = [_flink.first_arg(site.call) for site in _flink.method_calls(source, "set_parallelism")]
    return bool(values) and all(isinstance(value, ast.Constant) and value.value == 1 for value in values)


def _unbounded_kafka(source, argument, site):
    if argument is None:
        return None
    kafka = _kafka.kafka_source_of(source, argument, site)
    return kafka if kafka is not None and not kafka.calls.get("set_bounded") else None


def _strategy(call: ast.Call):
    if len(call.args) > 1:
        return call.args[1]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "watermark_strategy"), None)


def _stalls(source, strategy, site) -> bool:
    """A strategy that generates watermarks and has no with_idleness in its chain."""
    if strategy is None:
        return False
    methods = source.chain(strategy, site).methods()
    return bool(methods) and methods[0] in _kafka.WATERMARKING and "with_idleness" not in methods
