"""Job Kafka transaction timeout: exactly-once Kafka transactions longer than the broker allows.

**What it does**
For a pack job config with an exactly-once Kafka sink (`delivery-guarantee: exactly-once`, the
default), reports the transaction timeout the sink uses, `job.sink.transaction-timeout` or, when
that is absent, `job.sink.properties.transaction.timeout.ms`, above the broker's
`transaction.max.timeout.ms`, 15 min by default (a broker configured with a
larger maximum is declared with the rule option `transaction-max-timeout-ms`). Without either,
the pack's sink uses 10 min: fine.

**Why is this bad**
The broker refuses the producer when the sink starts its first transaction
(`InvalidTxnTimeoutException: The transaction timeout is larger than the maximum value allowed by
the broker`): the job fails as soon as it writes, and restarts in a loop.

**Example**
```yaml
job:
  sink:
    type: kafka
    bootstrap-servers: "kafka:9092"
    topic: results
    transaction-timeout: 1 h
```

**Use instead**
```yaml
job:
  sink:
    type: kafka
    bootstrap-servers: "kafka:9092"
    topic: results
    transaction-timeout: 10 min   # > longest checkpoint + restart, <= the broker's 15 min
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.code import _kafka as _kafka_code
from flink_lint.rules.config import _kafka, _settings

CODE = "FL613"
NAME = "job-kafka-transaction-timeout"
SEVERITY = "error"
FIXABLE = False
OPTIONS = (_kafka_code.MAX_TIMEOUT_OPTION,)  # [tool.flink-lint.options.job-kafka-transaction-timeout]


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    sink = _kafka.exactly_once_sink(config)
    if not sink:
        return
    maximum = _kafka_code.max_timeout_ms(context.options)
    written = sink.get("properties")
    properties = written if isinstance(written, dict) else {}
    path: tuple[str, ...]
    if "transaction-timeout" in sink:  # the pack's sink sets transaction.timeout.ms from it
        path, value = ("sink", "transaction-timeout"), sink["transaction-timeout"]
    else:
        path, value = ("sink", "properties", "transaction.timeout.ms"), properties.get("transaction.timeout.ms")
    timeout = _kafka.milliseconds(value)
    if timeout is not None and timeout > maximum:
        yield Problem(
            f"{'.'.join(path)} = {value} ({_kafka_code.human_ms(timeout)}) is above the broker's "
            f"transaction.max.timeout.ms ({_kafka_code.human_ms(maximum)}): the exactly-once sink fails "
            "when it starts writing (InvalidTxnTimeoutException)",
            _kafka.value_location(config, *path) or _settings.where(config),
            hint=f"at most {_kafka_code.human_ms(maximum)}, e.g. 10 min (more than the longest checkpoint "
            "plus restart)",
        )
