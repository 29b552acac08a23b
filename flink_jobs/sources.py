"""Where events come from: the generator, JSON-lines files, or Kafka.

Every source yields the same event tuples (key, value, event_time_ms, seq). Sources that read
external data also return an `invalid` stream: lines that are not valid events are written
out with the reason, never silently dropped.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from pyflink.common import Duration, Row, TypeInformation, Types, WatermarkStrategy
from pyflink.datastream import MapFunction, OutputTag, ProcessFunction
from pyflink.datastream.connectors.file_system import FileSource, StreamFormat
from pyflink.datastream.connectors.number_seq import NumberSequenceSource

from flink_jobs.blocks import block_count
from flink_jobs.events import EVENT_FIELDS, UNBOUNDED_END, EventSpec
from flink_jobs.workarounds import with_java_timestamp_assigner

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings


def invalid_type():
    """A fresh TypeInformation each call: an OutputTag's type gets a Java object attached when a job
    is built, and a second job in the same process could no longer pickle it (RLock)."""
    return Types.ROW_NAMED(["line", "error"], [Types.STRING(), Types.STRING()])


def _event_field_types() -> list[TypeInformation]:
    return [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG()]  # key, value, event_time, seq


def event_type():
    """The Flink type of an event: a tuple in flink_jobs.events.Event's field order. A fresh
    TypeInformation each call (an OutputTag must not share one: workarounds.py [output-tag-own-type])."""
    return Types.TUPLE(_event_field_types())


def event_row_type():
    """An event as a Row with Event's field names (for sinks that write named fields)."""
    return Types.ROW_NAMED(list(EVENT_FIELDS), _event_field_types())


class GenerateEvents(MapFunction):
    """Sequence number i -> event i; optionally holds this subtask to its share of `spec.rate`."""

    def __init__(self, spec: EventSpec, parallelism: int, clock=time.monotonic, sleep=time.sleep):
        # The parallelism comes from the plan: workarounds.py [parallelism-in-thread-mode].
        self.spec = spec
        self.parallelism = parallelism
        self.clock, self.sleep = clock, sleep

    def open(self, runtime_context):
        self.seconds_per_event = self.parallelism / self.spec.rate if self.spec.rate else 0.0
        self.started = self.clock()
        self.emitted = 0

    def map(self, i):
        if self.seconds_per_event:
            self.emitted += 1
            ahead = self.started + self.emitted * self.seconds_per_event - self.clock()
            if ahead > 0.002:
                # Blocking this subtask is what backpressures the sequence source, as a rate-limited
                # source should: the sleep is the rate limit.
                self.sleep(ahead)  # flink-lint: disable=blocking-call-in-function -- the rate limit
        return tuple(self.spec.event(i))


def generated_events(env, spec: EventSpec):
    """NumberSequenceSource + map: parallel where the work is, reproducible, never from_collection.

    The sequence itself is one split (parallelism 1, a cheap Java source), so event time advances
    in sequence order over the whole stream and watermarks stay meaningful; the Python map that
    builds the events runs at the job's parallelism.
    """
    end = spec.count - 1 if spec.count else UNBOUNDED_END
    sequence = env.from_source(
        NumberSequenceSource(0, end), WatermarkStrategy.no_watermarks(), "event-sequence"
    ).set_parallelism(1)
    parallelism = env.get_parallelism()
    return (
        sequence.map(GenerateEvents(spec, parallelism), output_type=event_type())
        .set_parallelism(parallelism)
        .name("generate-events")
    )


def event_blocks(env, spec: EventSpec, block_size: int):
    """Block ids 0..n-1 for the optimized pipelines (job.pipeline: optimized): block b stands for
    events b * block_size .. (b + 1) * block_size - 1, which the job builds itself (flink_jobs/blocks.py)."""
    end = block_count(spec, block_size) - 1 if spec.count else UNBOUNDED_END // block_size
    return env.from_source(
        NumberSequenceSource(0, end), WatermarkStrategy.no_watermarks(), "event-blocks"
    ).set_parallelism(1)


class ParseEvent(ProcessFunction):
    """A JSON line {"key": str, "value": int, "event_time": epoch ms[, "seq": int]} -> event."""

    def __init__(self, invalid_tag):
        self.invalid_tag = invalid_tag

    def open(self, runtime_context):
        self.invalid_records = runtime_context.get_metrics_group().counter("invalidRecords")

    def process_element(self, line, ctx):
        try:
            record = json.loads(line)
            key, value, event_time = record["key"], record["value"], record["event_time"]
            if not isinstance(key, str) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in (value, event_time)
            ):
                raise TypeError("key must be a string, value and event_time integers")
            yield key, value, event_time, int(record.get("seq", -1))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            if line.strip():
                self.invalid_records.inc()
                yield self.invalid_tag, Row(line[:10_000], f"{type(error).__name__}: {error}")


def _parse_lines(lines):
    invalid_tag = OutputTag("invalid", invalid_type())
    events = lines.process(ParseEvent(invalid_tag), output_type=event_type()).name("parse-events")
    return events, {"invalid": events.get_side_output(invalid_tag)}


def file_events(env, source: dict[str, Any]):
    files = FileSource.for_record_stream_format(StreamFormat.text_line_format(), source["path"])
    if source.get("monitor-interval"):
        files = files.monitor_continuously(Duration.of_millis(source["monitor-interval"]))
    lines = env.from_source(files.build(), WatermarkStrategy.no_watermarks(), "json-lines")
    return _parse_lines(lines)


def source_watermarks(settings: JobSettings) -> WatermarkStrategy:
    """Watermarks inside the Kafka source: one per partition, the source's watermark the minimum
    over its partitions; a partition idle for `window.idleness` stops holding it back. The event
    time is read from each record's JSON by a Java assigner (jvm/src: PyFlink's from_source ignores
    a Python one, workarounds.py [java-timestamp-assigner]), not from the Kafka record timestamp,
    which says when the record was written."""
    window = settings.window
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(window.out_of_orderness_ms))
    if window.idleness_ms:
        strategy = strategy.with_idleness(Duration.of_millis(window.idleness_ms))
    return with_java_timestamp_assigner(strategy, "io.github.flinkjobpack.JsonEventTime")


def kafka_events(env, settings: JobSettings):
    # The Kafka classes load from the connector jar on `pipeline.jars` (flink-jobs adds it).
    from pyflink.common.serialization import SimpleStringSchema
    from pyflink.datastream.connectors.kafka import KafkaOffsetResetStrategy, KafkaOffsetsInitializer, KafkaSource

    source = settings.source
    starting = source.get("starting-offsets", "committed")
    offsets = (
        KafkaOffsetsInitializer.committed_offsets(KafkaOffsetResetStrategy.EARLIEST)
        if starting == "committed"
        else getattr(KafkaOffsetsInitializer, starting)()
    )
    builder = (
        KafkaSource.builder()
        .set_bootstrap_servers(source["bootstrap-servers"])
        .set_topics(source["topic"])
        .set_group_id(source.get("group-id", settings.name or "flink-jobpack"))
        .set_starting_offsets(offsets)
        .set_value_only_deserializer(SimpleStringSchema())
    )
    if source.get("stopping-offsets") == "latest":
        builder = builder.set_bounded(KafkaOffsetsInitializer.latest())
    for key, value in (source.get("properties") or {}).items():
        builder = builder.set_property(key, str(value))
    lines = env.from_source(builder.build(), source_watermarks(settings), "kafka").uid("kafka-source")
    return _parse_lines(lines)


def events_from(env, settings: JobSettings):
    """(events, extra result streams) for the configured source."""
    kind = settings.source["type"]
    if kind == "generator":
        return generated_events(env, settings.events), {}
    if kind == "files":
        return file_events(env, settings.source)
    return kafka_events(env, settings)
