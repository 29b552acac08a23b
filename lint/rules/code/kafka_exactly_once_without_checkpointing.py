"""Kafka exactly-once without checkpointing: a transactional Kafka sink in a job that never checkpoints.

**What it does**
Reports a Kafka sink with exactly-once delivery (`KafkaSink.builder()...set_delivery_guarantee(
DeliveryGuarantee.EXACTLY_ONCE)`, or a `'connector' = 'kafka'`/`'upsert-kafka'` table with
`'sink.delivery-guarantee' = 'exactly-once'`) in a file that creates its own environment, never
enables checkpointing (`enable_checkpointing(...)` or the key `execution.checkpointing.interval`)
and may read without end (a KafkaSource without `set_bounded`, a Kafka table without
`scan.bounded.mode`, a source function, or a source defined elsewhere). Files that receive their
environment from elsewhere and BATCH jobs are skipped; so are jobs whose every source is bounded,
because Flink then commits the transactions at the end of the input.

**Why is this bad**
The exactly-once sink writes into Kafka transactions that are committed only when a checkpoint
completes. With checkpointing off no checkpoint ever completes: consumers that read with
`isolation.level=read_committed` (the only ones for which exactly-once means anything) see
nothing, ever, while the broker aborts each transaction at its timeout. The job looks healthy and
delivers no data.

**Example**
```python
env = StreamExecutionEnvironment.get_execution_environment()
sink = KafkaSink.builder().set_bootstrap_servers(servers).set_record_serializer(serializer) \
    .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE).set_transactional_id_prefix("orders") \
    .set_property("transaction.timeout.ms", "600000").build()
env.from_source(kafka, strategy, "orders").sink_to(sink)
```

**Use instead**
```python
env = StreamExecutionEnvironment.get_execution_environment()
env.enable_checkpointing(30_000)  # each completed checkpoint commits the Kafka transactions
```

**Fix**
None: choose the checkpoint interval (it is also the latency of the committed output).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink, _kafka

CODE = "FL741"
NAME = "kafka-exactly-once-without-checkpointing"
SEVERITY = "warning"  # the job runs and looks healthy; its output is never committed (loses data)
FIXABLE = False
DOCUMENT = "python"

MESSAGE = (
    "exactly-once Kafka sink in a job that never enables checkpointing: its transactions commit only on "
    "checkpoints, so read_committed consumers never see a record"
)
HINT = "env.enable_checkpointing(30_000), or set execution.checkpointing.interval"


def check(source, context: RuleContext) -> Iterator[Problem]:
    created = [
        site for site in _flink.created_environments(source) if not _flink.table_env_is_batch(source, site.call, site)
    ]
    if not created or _flink.checkpointing_enabled(source) or _flink.is_batch_file(source):
        return
    sinks = [builder.exactly_once(source) for builder in _kafka.sink_builders(source)]
    locations = [source.method_location(site.call) for site in sinks if site is not None]
    for table in _kafka.tables(source):
        if table.exactly_once:
            locations.append(table.sql.location(source, table.guarantee_offset))
    if not locations or not _kafka.has_unbounded_input(source):
        return
    for location in sorted(locations):
        yield Problem(MESSAGE, location, hint=HINT)
