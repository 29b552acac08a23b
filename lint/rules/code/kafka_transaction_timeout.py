"""Kafka transaction timeout: an exactly-once Kafka sink whose transactions outlast what the broker allows.

**What it does**
Reports an exactly-once Kafka sink (`KafkaSink` builder with `DeliveryGuarantee.EXACTLY_ONCE`, or
a `kafka`/`upsert-kafka` table with `'sink.delivery-guarantee' = 'exactly-once'`) whose
`transaction.timeout.ms` (`set_property(...)`, `'properties.transaction.timeout.ms'`) is above
the broker's `transaction.max.timeout.ms`, 15 min by default; also when it sets none, because
the connector's sink builder then sets 1 h (checked in flink-connector-kafka 4.0 and 5.0,
`KafkaSinkBuilder.DEFAULT_KAFKA_TRANSACTION_TIMEOUT`). A broker configured with a larger maximum
is declared with the rule option `transaction-max-timeout-ms`.

**Why is this bad**
The broker refuses the producer when the sink starts its first transaction:
`InvalidTxnTimeoutException: The transaction timeout is larger than the maximum value allowed by
the broker (as configured by transaction.max.timeout.ms)`, and the job fails and restarts in a
loop. The timeout must stay within the broker's maximum, yet above the longest checkpoint plus
restart time, or the broker aborts transactions Flink still means to commit.

**Example**
```python
KafkaSink.builder().set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE) \
    .set_transactional_id_prefix("orders").set_record_serializer(serializer).build()
```

**Use instead**
```python
KafkaSink.builder().set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE) \
    .set_transactional_id_prefix("orders").set_record_serializer(serializer) \
    .set_property("transaction.timeout.ms", "600000").build()  # 10 min <= the broker's 15 min
```

```toml
[tool.flink-lint.options.kafka-transaction-timeout]
transaction-max-timeout-ms = 3600000   # our brokers allow 1 h
```

**Fix**
None: set `transaction.timeout.ms` between the longest checkpoint plus restart and the broker's
`transaction.max.timeout.ms` (or raise the broker's maximum).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _kafka

CODE = "FL743"
NAME = "kafka-transaction-timeout"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"
OPTIONS = (_kafka.MAX_TIMEOUT_OPTION,)  # [tool.flink-lint.options.kafka-transaction-timeout]

HINT = 'set transaction.timeout.ms to at most the broker\'s transaction.max.timeout.ms, e.g. "600000" (10 min)'


def check(source, context: RuleContext) -> Iterator[Problem]:
    maximum = _kafka.max_timeout_ms(context.options)
    broker = f"the broker's transaction.max.timeout.ms ({_kafka.human_ms(maximum)})"
    for builder in _kafka.sink_builders(source):
        exactly_once = builder.exactly_once(source)
        if exactly_once is None:
            continue
        timeout, site = builder.timeout(source)
        if site is None and _kafka.BUILDER_DEFAULT_TIMEOUT_MS > maximum:
            yield Problem(
                "exactly-once KafkaSink without transaction.timeout.ms: the builder "
                f"sets 1 h, above {broker}, and the job fails when it starts writing "
                "(InvalidTxnTimeoutException)",
                source.method_location(exactly_once.call),
                hint=HINT,
            )
        elif timeout is not None and site is not None and timeout > maximum:  # a timeout comes with its site
            yield Problem(
                f"transaction.timeout.ms {timeout} ({_kafka.human_ms(timeout)}) of an "
                f"exactly-once KafkaSink is above {broker}: the job fails when it starts writing "
                "(InvalidTxnTimeoutException)",
                source.location(site.call.args[1]),
                hint=HINT,
            )
    for table in _kafka.tables(source):
        if not table.exactly_once:
            continue
        key = "properties." + _kafka.TIMEOUT_KEY
        written = table.options.get(key)
        if written is None:
            if _kafka.BUILDER_DEFAULT_TIMEOUT_MS > maximum:
                yield Problem(
                    f"exactly-once {table.connector} table {table.name.lower()} "
                    f"without '{key}': the connector sets 1 h, above {broker}, and the job fails when it "
                    "starts writing (InvalidTxnTimeoutException)",
                    table.sql.location(source, table.guarantee_offset),
                    hint=f"add '{key}' = '600000' to its WITH options",
                )
            continue
        timeout = _kafka.milliseconds(written[0])
        if timeout is not None and timeout > maximum:
            yield Problem(
                f"'{key}' = {timeout} ({_kafka.human_ms(timeout)}) of exactly-once "
                f"{table.connector} table {table.name.lower()} is above {broker}: the job fails when it "
                "starts writing (InvalidTxnTimeoutException)",
                table.sql.location(source, written[1]),
                hint=f"'{key}' = '600000'",
            )
