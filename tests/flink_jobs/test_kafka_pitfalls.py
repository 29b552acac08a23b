"""What flink-lint's Kafka rules warn about, reproduced with the real connector on a real broker.

Each test runs a few hundred records through the embedded local Flink with Flink's Kafka connector
jar (`pipeline.jars`) and reads the output back with a plain Kafka client: `read_committed` sees
only what the exactly-once sink committed, `read_uncommitted` also what sits in open
transactions. The pipelines are JVM only (no Python functions), so each runs in seconds.

    exactly-once sink, unbounded input, no checkpointing   FL741, FL611: written, never committed
    exactly-once sink, bounded input, no checkpointing     why those rules skip bounded inputs
    transaction.timeout.ms 1 h, or not set (builder: 1 h)  FL743, FL613: the job fails
    EXACTLY_ONCE without a transactional-id prefix         FL742: rejected when built / planned
    FlinkKafkaConsumer / FlinkKafkaProducer                FL745: no such class in connector 4+
"""

from __future__ import annotations

import time

import pytest
from pyflink.common import Configuration, Types, WatermarkStrategy
from pyflink.common.serialization import SimpleStringSchema
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.base import DeliveryGuarantee
from pyflink.datastream.connectors.kafka import (
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)
from pyflink.table import StreamTableEnvironment

from flink_jobs.kafka import connector_jar, consume, produce_raw

pytestmark = [pytest.mark.flink, pytest.mark.kafka]

RECORDS = [f"record-{i}" for i in range(300)]
# The broker's refusal ends "... (as configured by transaction.max.timeout.ms)".
BROKER_LIMIT = "transaction.max.timeout.ms"


def environment(checkpoint_ms=None):
    configuration = Configuration()
    configuration.set_string("pipeline.jars", connector_jar().as_uri())
    configuration.set_string("parallelism.default", "1")
    configuration.set_string("restart-strategy.type", "none")  # a refused producer fails the job at once
    if checkpoint_ms is not None:
        configuration.set_string("execution.checkpointing.interval", f"{checkpoint_ms} ms")
    return StreamExecutionEnvironment.get_execution_environment(configuration)


def exactly_once_sink(broker, topic: str, timeout_ms="600000", prefix=None):
    builder = (
        KafkaSink.builder()
        .set_bootstrap_servers(broker.bootstrap)
        .set_record_serializer(
            KafkaRecordSerializationSchema.builder()
            .set_topic(topic)
            .set_value_serialization_schema(SimpleStringSchema())
            .build()
        )
        .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .set_transactional_id_prefix(prefix or topic)
    )
    if timeout_ms is not None:
        builder = builder.set_property("transaction.timeout.ms", timeout_ms)
    return builder.build()


def unbounded_copy(broker, checkpoint_ms):
    """An unbounded Kafka source (input topic holds RECORDS) into an exactly-once sink; started
    asynchronously. Returns (job client, output topic)."""
    source_topic, output = broker.topic("pitfall-in"), broker.topic("pitfall-out")
    produce_raw(broker.bootstrap, source_topic, [(None, record.encode()) for record in RECORDS])
    env = environment(checkpoint_ms)
    source = (
        KafkaSource.builder()
        .set_bootstrap_servers(broker.bootstrap)
        .set_topics(source_topic)
        .set_group_id(source_topic)
        .set_starting_offsets(KafkaOffsetsInitializer.earliest())
        .set_value_only_deserializer(SimpleStringSchema())
        .build()
    )
    env.from_source(source, WatermarkStrategy.no_watermarks(), "in").sink_to(exactly_once_sink(broker, output))
    return env.execute_async(f"copy {source_topic}"), output


def read(broker, topic: str, committed: bool, expected: int, within: float) -> list:
    """Records of `topic`, polling until `expected` were seen or `within` seconds passed."""
    deadline, records = time.monotonic() + within, []
    while time.monotonic() < deadline and len(records) < expected:
        records = list(consume(broker.bootstrap, topic, committed=committed, timeout=1.0))
    return records


def test_exactly_once_without_checkpointing_writes_but_never_commits(kafka_broker):
    client, output = unbounded_copy(kafka_broker, checkpoint_ms=None)
    try:
        written = read(kafka_broker, output, committed=False, expected=len(RECORDS), within=60)
        time.sleep(3)  # a checkpoint would have committed several times by now
        visible = list(consume(kafka_broker.bootstrap, output, committed=True, timeout=2.0))
    finally:
        client.cancel().result()
    assert sorted(written) == sorted(RECORDS)  # every record reached Kafka, inside a transaction
    assert visible == []  # and a read_committed consumer sees none of them


def test_the_same_job_with_checkpointing_commits_everything(kafka_broker):
    client, output = unbounded_copy(kafka_broker, checkpoint_ms=500)
    try:
        visible = read(kafka_broker, output, committed=True, expected=len(RECORDS), within=60)
    finally:
        client.cancel().result()
    assert sorted(visible) == sorted(RECORDS)


def test_a_bounded_input_commits_at_its_end_without_checkpointing(kafka_broker):
    """Why FL741/FL611 skip bounded inputs: Flink's committer commits at the end of the input."""
    output = kafka_broker.topic("pitfall-bounded")
    env = environment(checkpoint_ms=None)
    env.from_collection(RECORDS, type_info=Types.STRING()).sink_to(exactly_once_sink(kafka_broker, output))
    env.execute("bounded exactly-once")
    assert sorted(consume(kafka_broker.bootstrap, output, committed=True, timeout=3.0)) == sorted(RECORDS)


@pytest.mark.parametrize("timeout_ms", ["3600000", None], ids=["1 h set", "not set: the builder's 1 h"])
def test_a_transaction_timeout_above_the_brokers_maximum_fails_the_job(kafka_broker, timeout_ms):
    output = kafka_broker.topic("pitfall-timeout")
    env = environment(checkpoint_ms=500)
    env.from_collection(RECORDS, type_info=Types.STRING()).sink_to(
        exactly_once_sink(kafka_broker, output, timeout_ms=timeout_ms)
    )
    with pytest.raises(Exception, match=BROKER_LIMIT):
        env.execute("transaction timeout")
    assert list(consume(kafka_broker.bootstrap, output, committed=True, timeout=2.0)) == []


def test_a_transaction_timeout_within_the_brokers_maximum_runs(kafka_broker):
    output = kafka_broker.topic("pitfall-timeout-ok")
    env = environment(checkpoint_ms=500)
    env.from_collection(RECORDS, type_info=Types.STRING()).sink_to(
        exactly_once_sink(kafka_broker, output, timeout_ms="900000")
    )
    env.execute("transaction timeout 15 min")
    assert sorted(consume(kafka_broker.bootstrap, output, committed=True, timeout=3.0)) == sorted(RECORDS)


def test_exactly_once_without_a_prefix_is_rejected_when_built(kafka_broker):
    environment()
    builder = (
        KafkaSink.builder()
        .set_bootstrap_servers(kafka_broker.bootstrap)
        .set_record_serializer(
            KafkaRecordSerializationSchema.builder()
            .set_topic("unused")
            .set_value_serialization_schema(SimpleStringSchema())
            .build()
        )
        # flink-lint: disable=FL743 -- never run: the test only builds it (no transaction.timeout.ms needed)
        .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE)
    )
    # connector 5.0.0 says transactionalIdPrefix, the 4.0 sources transactionIdPrefix
    with pytest.raises(Exception, match="EXACTLY_ONCE delivery guarantee requires a transaction(al)?IdPrefix"):
        builder.build()
    builder.set_transactional_id_prefix("unused").build()  # the same builder with a prefix builds


@pytest.mark.parametrize("connector", ["kafka", "upsert-kafka"])
def test_an_exactly_once_sql_table_without_a_prefix_is_rejected_when_planned(kafka_broker, connector):
    t_env = StreamTableEnvironment.create(environment())
    key = ", PRIMARY KEY (id) NOT ENFORCED" if connector == "upsert-kafka" else ""
    formats = "'key.format' = 'raw', 'value.format' = 'json'" if connector == "upsert-kafka" else "'format' = 'json'"
    t_env.execute_sql(f"""CREATE TEMPORARY TABLE out_{connector.replace("-", "_")} (id STRING{key}) WITH (
        'connector' = '{connector}', 'topic' = 'unused', 'properties.bootstrap.servers' = '{kafka_broker.bootstrap}',
        {formats}, 'sink.delivery-guarantee' = 'exactly-once')""")
    with pytest.raises(Exception, match="sink.transactional-id-prefix must be specified"):
        t_env.explain_sql(f"INSERT INTO out_{connector.replace('-', '_')} SELECT 'a'")


@pytest.mark.parametrize("legacy", ["FlinkKafkaConsumer", "FlinkKafkaProducer"])
def test_the_legacy_kafka_classes_are_gone_from_the_flink_2_connector(kafka_broker, legacy):
    from pyflink.datastream.connectors import kafka

    environment()
    KafkaSource.builder()  # the connector jar is loaded: its current classes resolve
    properties = {"bootstrap.servers": kafka_broker.bootstrap, "group.id": "legacy"}
    missing = f"Could not found the Java class 'org.apache.flink.streaming.connectors.kafka.{legacy}'"
    with pytest.raises(Exception, match=missing):  # PyFlink's words for a class the jars do not have
        getattr(kafka, legacy)("unused", SimpleStringSchema(), properties)
