"""windowed-counts: event-time tumbling windows per key with count, sum, min and max.

    events --watermarks(bounded out-of-orderness, idleness)--> key_by(key)
           --> TumblingEventTimeWindows(size) + allowed lateness
           --> aggregate(CountSumMinMax [incremental], WindowBounds [adds start/end]) --> windows
           `-- events later than the allowed lateness --> late (counted: metric lateEvents)

The window keeps one accumulator per key and window, never the events themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyflink.common import Duration, Row, Types, WatermarkStrategy
from pyflink.common.time import Time
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import DataStream, MapFunction, OutputTag
from pyflink.datastream.functions import AggregateFunction, ProcessWindowFunction
from pyflink.datastream.window import TumblingEventTimeWindows

from flink_jobs import totals
from flink_jobs.events import EVENT_TIME, KEY, VALUE
from flink_jobs.sources import event_row_type, event_type

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings

WINDOW_TYPE = Types.ROW_NAMED(
    ["key", "window_start", "window_end", "count", "sum", "min", "max"],
    [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG()],
)


class EventTime(TimestampAssigner):
    def extract_timestamp(self, event, record_timestamp):
        return event[EVENT_TIME]


class CountSumMinMax(AggregateFunction):
    """Incremental: the accumulator is one Totals tuple, whatever the number of events."""

    def create_accumulator(self):
        return totals.EMPTY

    def add(self, event, accumulator):
        return totals.add(accumulator, event[VALUE], event[EVENT_TIME])

    def get_result(self, accumulator):
        return accumulator

    def merge(self, a, b):
        return totals.merge(a, b)


class WindowBounds(ProcessWindowFunction):
    """Gets the one pre-aggregated value of a window; adds the window's start and end."""

    def process(self, key, context, aggregates):
        for count, total, low, high, _latest in aggregates:
            window = context.window()
            yield Row(key, window.start, window.end, count, total, low, high)


class CountLate(MapFunction):
    def open(self, runtime_context):
        self.late_events = runtime_context.get_metrics_group().counter("lateEvents")

    def map(self, event):
        self.late_events.inc()
        return Row(*event)


def watermark_strategy(settings: JobSettings) -> WatermarkStrategy:
    window = settings.window
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(window.out_of_orderness_ms))
    if window.idleness_ms:
        strategy = strategy.with_idleness(Duration.of_millis(window.idleness_ms))
    # The assigner goes last: with_idleness() after with_timestamp_assigner() drops the assigner
    # (workarounds.py [idleness-before-assigner]).
    return strategy.with_timestamp_assigner(EventTime())


def build(env, events, settings: JobSettings) -> dict[str, DataStream]:
    late_tag = OutputTag("late", event_type())  # its own TypeInformation: workarounds.py [output-tag-own-type]
    if not settings.event_time_from_source:
        events = events.assign_timestamps_and_watermarks(watermark_strategy(settings))
    windows = (
        events.key_by(lambda event: event[KEY], key_type=Types.STRING())
        .window(TumblingEventTimeWindows.of(Time.milliseconds(settings.window.size_ms)))
        .allowed_lateness(settings.window.allowed_lateness_ms)
        .side_output_late_data(late_tag)
        .aggregate(
            CountSumMinMax(),
            WindowBounds(),
            accumulator_type=Types.TUPLE([Types.LONG()] * 5),
            output_type=WINDOW_TYPE,
        )
        .name("windowed-counts")
        .uid("windowed-counts")
    )
    late = windows.get_side_output(late_tag).map(CountLate(), output_type=event_row_type()).name("late-events")
    return {"windows": windows, "late": late}
