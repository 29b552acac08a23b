"""Kafka exactly-once without prefix: an exactly-once Kafka sink with no transactional-id prefix.

**What it does**
Reports `KafkaSink.builder()` chains (through variables too) that set
`DeliveryGuarantee.EXACTLY_ONCE` and never call `set_transactional_id_prefix(...)`, and
`'connector' = 'kafka'`/`'upsert-kafka'` tables with `'sink.delivery-guarantee' =
'exactly-once'` and no `'sink.transactional-id-prefix'`.

**Why is this bad**
The connector refuses it: `KafkaSinkBuilder.build()` fails with "EXACTLY_ONCE delivery guarantee
requires a transactionalIdPrefix to be set", and the table factory with
"sink.transactional-id-prefix must be specified when using DeliveryGuarantee.EXACTLY_ONCE". The
prefix names the Kafka transactions; it must be unique per sink on the cluster and stable across
restarts, so that a restarted job can abort its own lingering transactions.

**Example**
```python
KafkaSink.builder().set_bootstrap_servers(servers).set_record_serializer(serializer) \
    .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE).build()
```

**Use instead**
```python
KafkaSink.builder().set_bootstrap_servers(servers).set_record_serializer(serializer) \
    .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE) \
    .set_transactional_id_prefix("orders-enriched").build()
```

**Fix**
None: choose a prefix that is unique on the Kafka cluster and stable across restarts.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _kafka

CODE = "FL742"
NAME = "kafka-exactly-once-without-prefix"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    for builder in _kafka.sink_builders(source):
        site = builder.exactly_once(source)
        if site is not None and not builder.calls.get("set_transactional_id_prefix"):
            yield Problem(
                "exactly-once KafkaSink without set_transactional_id_prefix(...): "
                "build() rejects it (EXACTLY_ONCE requires a transactionalIdPrefix)",
                source.method_location(site.call),
                hint='.set_transactional_id_prefix("<unique, stable name>")',
            )
    for table in _kafka.tables(source):
        if table.exactly_once and table.option("sink.transactional-id-prefix") is None:
            yield Problem(
                f"{table.connector} table {table.name.lower()} is exactly-once without "
                "'sink.transactional-id-prefix': Flink rejects the table",
                table.sql.location(source, table.guarantee_offset),
                hint="add 'sink.transactional-id-prefix' = '<unique, stable name>' to its WITH options",
            )
