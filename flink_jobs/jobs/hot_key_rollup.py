"""hot-key-rollup: per-key event-time tumbling windows over a skewed stream, in two phases.

    events --watermarks--> key_by(key#salt, salt = seq mod salt-buckets)      phase 1: spread out
           --> TumblingEventTimeWindows(size) + allowed lateness
           --> aggregate(CountSumMinMax, SaltedPartial) --> partials (key, salt, start, totals)
           |     `-- events later than the allowed lateness --> late (counted: metric lateEvents)
           --> key_by(key#start) --> same windows on the partials' timestamps     phase 2: merge
           --> aggregate(LatestPerSalt, MergedWindow) --> windows (key, start, end, count, sum, min, max)

One hot key carrying most events would load one subtask of a plain key_by(key) window (the hot-key
diagnosis of `flink-jobs backpressure`); salted, its events spread over `salt-buckets` keys and so
over every subtask. Phase 2 sees at most salt-buckets partials per key and window.

How phase 2 knows a window is complete: a phase-1 window fires when the watermark passes its end
and emits its partial, timestamped at the window's last millisecond, before it forwards that
watermark. Phase 2 runs the same tumbling windows on those timestamps, so a phase-2 window fires
once every phase-1 subtask's watermark has passed: after all its partials. With allowed lateness
a phase-1 window fires again with late events and emits its whole updated partial (not a delta):
phase 2 keeps the latest partial per salt (the one with the highest count) and fires again with the
corrected total. Its lateness is the same, so a re-fired partial is never too late for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyflink.common import Row, Types
from pyflink.common.time import Time
from pyflink.datastream import DataStream, OutputTag
from pyflink.datastream.functions import AggregateFunction, ProcessWindowFunction
from pyflink.datastream.window import TumblingEventTimeWindows

from flink_jobs import totals
from flink_jobs.events import KEY, SEQ
from flink_jobs.jobs.windowed_counts import WINDOW_TYPE, CountLate, CountSumMinMax, watermark_strategy
from flink_jobs.sources import event_row_type, event_type

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings


def totals_type():  # flink_jobs.totals: count, sum, min, max, latest event time
    return Types.TUPLE([Types.LONG()] * 5)


def partial_type():  # key, salt, window start, totals
    return Types.TUPLE([Types.STRING(), Types.INT(), Types.LONG(), totals_type()])


SALT, START, TOTALS = 1, 2, 3  # positions in a partial; its key is first (KEY), as in an event


class SaltedKey:
    """key -> "key#salt": the salt is the event's sequence number mod the buckets, so the events
    of one key spread evenly (and reproducibly) over the buckets."""

    def __init__(self, buckets: int):
        self.buckets = buckets

    def __call__(self, event) -> str:
        return f"{event[KEY]}#{event[SEQ] % self.buckets}"


class SaltedPartial(ProcessWindowFunction):
    """Phase 1: the salted window's totals, with the key and salt split apart again."""

    def process(self, salted_key, context, aggregates):
        key, _, salt = salted_key.rpartition("#")
        for partial in aggregates:
            yield key, int(salt), context.window().start, tuple(partial)


class LatestPerSalt(AggregateFunction):
    """Phase 2 accumulator: {salt: totals}, the latest partial of each salt (a re-fired phase-1
    window's partial includes the earlier one, and its count is higher)."""

    def create_accumulator(self):
        return {}

    def add(self, partial, accumulator):
        salt, partial_totals = partial[SALT], tuple(partial[TOTALS])
        if salt not in accumulator or partial_totals[0] >= accumulator[salt][0]:
            accumulator[salt] = partial_totals
        return accumulator

    def get_result(self, accumulator):
        merged = totals.EMPTY
        for partial_totals in accumulator.values():
            merged = totals.merge(merged, partial_totals)
        return merged

    def merge(self, a, b):
        for salt, partial_totals in b.items():
            self.add((None, salt, None, partial_totals), a)
        return a


class MergedWindow(ProcessWindowFunction):
    def process(self, key_and_start, context, aggregates):
        key = key_and_start.rpartition("#")[0]
        window = context.window()
        for count, total, low, high, _latest in aggregates:
            yield Row(key, window.start, window.end, count, total, low, high)


def salt_buckets(settings: JobSettings) -> int:
    if settings.salt_buckets is None:
        raise ValueError("hot-key-rollup needs job.salt-buckets (configs/hot-key-rollup.yaml)")
    return settings.salt_buckets


def build(env, events, settings: JobSettings) -> dict[str, DataStream]:
    size = Time.milliseconds(settings.window.size_ms)
    lateness = settings.window.allowed_lateness_ms
    late_tag = OutputTag("late", event_type())  # its own TypeInformation: workarounds.py [output-tag-own-type]
    if not settings.event_time_from_source:
        events = events.assign_timestamps_and_watermarks(watermark_strategy(settings))
    partials = (
        events.key_by(SaltedKey(salt_buckets(settings)), key_type=Types.STRING())
        .window(TumblingEventTimeWindows.of(size))
        .allowed_lateness(lateness)
        .side_output_late_data(late_tag)
        .aggregate(CountSumMinMax(), SaltedPartial(), accumulator_type=totals_type(), output_type=partial_type())
        .name("salted-windows")
        .uid("salted-windows")
    )
    windows = (
        partials.key_by(lambda partial: f"{partial[KEY]}#{partial[START]}", key_type=Types.STRING())
        .window(TumblingEventTimeWindows.of(size))
        .allowed_lateness(lateness)
        .aggregate(LatestPerSalt(), MergedWindow(), output_type=WINDOW_TYPE)
        .name("merge-salts")
    )
    late = partials.get_side_output(late_tag).map(CountLate(), output_type=event_row_type()).name("late-events")
    return {"windows": windows, "late": late}
