"""Kafka legacy connector: `FlinkKafkaConsumer`/`FlinkKafkaProducer`, removed from the Kafka connector for Flink 2.

**What it does**
Reports every construction of `FlinkKafkaConsumer` or `FlinkKafkaProducer` imported from
`pyflink.datastream.connectors` or `pyflink.datastream.connectors.kafka` (through aliases too),
and their import when the file never constructs them, for target Flink versions 2.x. Flink 1.20
(Kafka connector 3.x) still has them, deprecated: not reported for `--flink-version 1.20`.

**Why is this bad**
The Python wrappers still ship with PyFlink, but the Java classes behind them were removed with
the SourceFunction/SinkFunction API (flink-connector-kafka 4.0, FLINK-23513): constructing one
fails before the job is submitted (the JVM class does not exist). The replacements are
`KafkaSource` (`env.from_source(...)`) and `KafkaSink` (`stream.sink_to(...)`).

**Example**
```python
from pyflink.datastream.connectors.kafka import FlinkKafkaConsumer

consumer = FlinkKafkaConsumer("orders", SimpleStringSchema(), {"bootstrap.servers": servers})
env.add_source(consumer)
```

**Use instead**
```python
from pyflink.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource

source = KafkaSource.builder().set_bootstrap_servers(servers).set_topics("orders") \
    .set_group_id("orders").set_starting_offsets(KafkaOffsetsInitializer.committed_offsets()) \
    .set_value_only_deserializer(SimpleStringSchema()).build()
env.from_source(source, WatermarkStrategy.no_watermarks(), "orders")
```

**Fix**
None: rewrite with the KafkaSource/KafkaSink builders (offsets now live in the source's
checkpointed state and the consumer group).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext

CODE = "FL745"
NAME = "kafka-legacy-connector"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"

MODULES = ("pyflink.datastream.connectors", "pyflink.datastream.connectors.kafka")
REPLACEMENTS = {
    "FlinkKafkaConsumer": "KafkaSource (KafkaSource.builder()...build(), env.from_source(...))",
    "FlinkKafkaProducer": "KafkaSink (KafkaSink.builder()...build(), stream.sink_to(...))",
}


def _legacy(name: str):
    module, _, cls = (name or "").rpartition(".")
    return cls if module in MODULES and cls in REPLACEMENTS else None


def check(source, context: RuleContext) -> Iterator[Problem]:
    if context.flink_version.startswith("1.") or not any(cls in source.text for cls in REPLACEMENTS):
        return  # most files never name the legacy classes: skip the walk over every call and node
    constructed = set()
    for site in source.calls:
        cls = _legacy(source.qualname(site.call.func, site))
        if cls is not None:
            constructed.add(cls)
            yield _finding(source, cls, source.location(site.call.func))
    for node in source.import_froms:
        if node.module in MODULES:
            for alias in node.names:
                if alias.name in REPLACEMENTS and alias.name not in constructed:
                    yield _finding(source, alias.name, source.location(node))


def _finding(source, cls: str, location) -> Problem:
    return Problem(
        f"{cls} fails on Flink 2.x: it was removed with the Kafka connector for Flink 2 (its Java class no "
        f"longer exists); use {REPLACEMENTS[cls]}",
        location,
        hint=f"replace {cls} with {REPLACEMENTS[cls].split(' ')[0]}",
    )
