"""Where results go. Every result stream is written as JSON lines, one object per record.

- stdout: Flink's print sink, prefixed with the stream name;
- file: Flink's FileSink, exactly-once (files are committed on checkpoints), one directory per
  result stream: <path>/<stream>/<date-hour>/<stream>-<uuid>-<n>.jsonl;
- collect: all streams come back to the client in bulk (for `flink-jobs run` summaries and tests);
- kafka: one topic per result stream, <topic>-<stream>, exactly-once by default.
"""

from __future__ import annotations

from typing import Any

import json

from pyflink.common import Encoder, Types
from pyflink.datastream import DataStream, MapFunction
from pyflink.datastream.connectors.file_system import FileSink, OutputFileConfig, RollingPolicy

from flink_jobs.workarounds import collect_lines

Streams = dict[str, DataStream]  # a job's result streams by name


class ToJson(MapFunction):
    def __init__(self, fields, stream_name=None):
        self.fields = list(fields)
        self.stream_name = stream_name

    def map(self, record):
        document = dict(zip(self.fields, record))
        if self.stream_name:
            document = {"stream": self.stream_name, **document}
        return json.dumps(document, separators=(",", ":"))


def field_names(stream) -> list[str]:
    return list(stream.get_type().get_field_names())


def json_lines(name, stream, tagged=False):
    return stream.map(ToJson(field_names(stream), name if tagged else None), output_type=Types.STRING()).name(
        f"{name}-to-json"
    )


def attach_stdout(results: Streams) -> None:
    for name, stream in results.items():
        json_lines(name, stream).print(name).name(f"{name}-stdout")


def attach_files(results: Streams, path: str) -> None:
    for name, stream in results.items():
        sink = (
            FileSink.for_row_format(f"{path.rstrip('/')}/{name}", Encoder.simple_string_encoder())
            .with_output_file_config(
                OutputFileConfig.builder().with_part_prefix(name).with_part_suffix(".jsonl").build()
            )
            .with_rolling_policy(RollingPolicy.on_checkpoint_rolling_policy())
            .build()
        )
        json_lines(name, stream).sink_to(sink).name(f"{name}-files").uid(f"{name}-files")


def attach_kafka(results: Streams, sink_settings: dict[str, Any]) -> None:
    """One topic per result stream, <topic>-<stream>. Exactly-once (the default) writes in Kafka
    transactions committed when a checkpoint completes: consumers read them with
    isolation.level=read_committed. The config layer fills in the transactional-id prefix and
    transaction.timeout.ms (within the broker's transaction.max.timeout.ms)."""
    from pyflink.common.serialization import SimpleStringSchema
    from pyflink.datastream.connectors.base import DeliveryGuarantee
    from pyflink.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink

    guarantee = {
        "exactly-once": DeliveryGuarantee.EXACTLY_ONCE,
        "at-least-once": DeliveryGuarantee.AT_LEAST_ONCE,
        "none": DeliveryGuarantee.NONE,
    }[sink_settings["delivery-guarantee"]]  # config.py fills in the default
    for name, stream in results.items():
        builder = (
            KafkaSink.builder()
            .set_bootstrap_servers(sink_settings["bootstrap-servers"])
            .set_record_serializer(
                KafkaRecordSerializationSchema.builder()
                .set_topic(f"{sink_settings['topic']}-{name}")
                .set_value_serialization_schema(SimpleStringSchema())
                .build()
            )
            .set_delivery_guarantee(guarantee)
        )
        if guarantee == DeliveryGuarantee.EXACTLY_ONCE:
            builder = builder.set_transactional_id_prefix(f"{sink_settings['transactional-id-prefix']}-{name}")
        for key, value in (sink_settings.get("properties") or {}).items():
            builder = builder.set_property(key, str(value))
        json_lines(name, stream).sink_to(builder.build()).name(f"{name}-kafka").uid(f"{name}-kafka")


def collect_all(results: Streams, job_name: str) -> dict[str, list[Any]]:
    """Run the job and bring every result stream back, {stream: [record dict, ...]}.

    One bulk transfer from the JVM (workarounds.py [collect-in-bulk]): joining on the Java side
    moves 300k records in seconds.
    """
    streams = [json_lines(name, stream, tagged=True) for name, stream in results.items()]
    union = streams[0].union(*streams[1:]) if len(streams) > 1 else streams[0]
    collected: dict[str, list[Any]] = {name: [] for name in results}
    for line in collect_lines(union, job_name):
        record = json.loads(line)
        collected[record.pop("stream")].append(record)
    return collected


def attach(results: Streams, sink_settings: dict[str, Any]) -> None:
    """Attach the configured non-collect sink to every result stream."""
    kind = sink_settings["type"]
    if kind == "stdout":
        attach_stdout(results)
    elif kind == "file":
        attach_files(results, sink_settings["path"])
    elif kind == "kafka":
        attach_kafka(results, sink_settings)
    else:
        raise ValueError(f"sink `{kind}` is attached by collect_all")
