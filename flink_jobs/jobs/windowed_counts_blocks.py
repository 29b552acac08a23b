"""windowed-counts, optimized (job.pipeline: optimized): the same windows, events carried in blocks.

    block ids (NumberSequenceSource) --key_by(one key)--> BlockWindows --> windows
                                                           `-- late events --> late (metric lateEvents)

One record enters Python per BLOCK_SIZE events instead of one per event, and one Python operator
does what the per-event job does in four (generate, assign timestamps, window, count late). Per
block, BlockWindows
  1. builds events i..i+B-1 as numpy columns (flink_jobs/blocks.py);
  2. sends to `late` the events whose window is late: window end - 1 + allowed lateness <= watermark
     (Flink's WindowOperator.isWindowLate), counted in lateEvents;
  3. pre-aggregates the others per (key, window) in one vectorized pass and merges them into the
     open windows, kept in keyed state (checkpointed: one record);
  4. advances the watermark to max event time seen - out-of-orderness - 1 (Flink's
     BoundedOutOfOrdernessWatermarks), fires the windows it passed (window end - 1 <= watermark),
     fires again the fired windows that got allowed-late events, and drops the windows past their
     allowed lateness; the last windows fire at end of input.

The watermark is generated inside the operator, after each block: the results are exactly those of
the per-event job with its watermark emitted every BLOCK_SIZE events (the per-event job's periodic
watermark follows the wall clock, so which events are late there depends on timing). A window that
gets several allowed-late events in one block fires once for them, with the same final value. The
whole stream's watermark lives in one operator: BlockWindows runs at parallelism 1 (generating and
pre-aggregating a block is vectorized; the sinks keep the job's parallelism). Generator source only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pyflink.common import Row, Types
from pyflink.datastream import DataStream, KeyedProcessFunction, OutputTag
from pyflink.datastream.state import ValueStateDescriptor

from flink_jobs.blocks import events_of_block, group_totals
from flink_jobs.events import BLOCK_EVENTS_METRIC
from flink_jobs.jobs.windowed_counts import WINDOW_TYPE
from flink_jobs.sources import event_row_type

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings

BLOCK_SIZE = 10_000  # events per block: also the watermark's step (finer steps, fewer late events)
END_OF_TIME = 9223372036854775807  # Long.MAX_VALUE: the final watermark of a bounded input
NO_WATERMARK = -9223372036854775808  # Long.MIN_VALUE: before the first block


class BlockWindows(KeyedProcessFunction):
    def __init__(self, settings: JobSettings, late_tag: OutputTag):
        self.spec = settings.events
        self.size = settings.window.size_ms
        self.lateness = settings.window.allowed_lateness_ms or 0
        self.out_of_orderness = settings.window.out_of_orderness_ms
        self.late_tag = late_tag

    def open(self, runtime_context):
        # (max event time seen or None, {(key index, window start): [count, sum, min, max, fired]})
        self.state = runtime_context.get_state(ValueStateDescriptor("windows", Types.PICKLED_BYTE_ARRAY()))
        self.late_events = runtime_context.get_metrics_group().counter("lateEvents")
        self.events = runtime_context.get_metrics_group().counter(BLOCK_EVENTS_METRIC)

    def process_element(self, block_id, ctx):
        max_time, windows = self.state.value() or (None, {})
        if max_time is None:
            ctx.timer_service().register_event_time_timer(END_OF_TIME)
        watermark = NO_WATERMARK if max_time is None else max_time - self.out_of_orderness - 1
        block = events_of_block(self.spec, block_id, BLOCK_SIZE)
        self.events.inc(len(block))
        start = block.event_time - (block.event_time + self.size) % self.size
        late = start + (self.size - 1 + self.lateness) <= watermark
        for j in np.flatnonzero(late).tolist():
            self.late_events.inc()
            key, value, event_time, seq = (
                int(column[j]) for column in (block.key_index, block.value, block.event_time, block.seq)
            )
            yield self.late_tag, Row(f"k{key}", value, event_time, seq)
        refire = self._merge(windows, block, start, ~late)
        max_time = max(NO_WATERMARK if max_time is None else max_time, int(block.event_time.max()))
        yield from self._fire(windows, max_time - self.out_of_orderness - 1, refire)
        self.state.update((max_time, windows))

    def _merge(self, windows: dict[Any, Any], block, start, on_time) -> set[Any]:
        """Pre-aggregate the block's on-time events per (key, window) and merge into `windows`;
        returns the fired windows that got allowed-late events (they fire again)."""
        if not on_time.any():
            return set()
        first = int(start[on_time].min())
        keys = self.spec.keys
        code = ((start[on_time] - first) // self.size) * keys + block.key_index[on_time]
        refire = set()
        for group, count, total, low, high, _latest in group_totals(
            code, block.value[on_time], block.event_time[on_time]
        ).rows():
            slot = (group % keys, first + (group // keys) * self.size)
            entry = windows.get(slot)
            if entry is None:
                windows[slot] = [count, total, low, high, False]
                continue
            entry[0] += count
            entry[1] += total
            entry[2], entry[3] = min(entry[2], low), max(entry[3], high)
            if entry[4]:
                refire.add(slot)
        return refire

    def _fire(self, windows: dict[Any, Any], watermark: int, refire: set[Any]):
        for slot, entry in list(windows.items()):
            key, start = slot
            end = start + self.size
            if (not entry[4] and end - 1 <= watermark) or slot in refire:
                entry[4] = True
                yield Row(f"k{key}", start, end, *entry[:4])
            if end - 1 + self.lateness <= watermark:
                del windows[slot]

    def on_timer(self, timestamp, ctx):
        _max_time, windows = self.state.value() or (None, {})
        yield from self._fire(windows, END_OF_TIME, set())
        self.state.clear()


def build(env, blocks, settings: JobSettings) -> dict[str, DataStream]:
    late_tag = OutputTag("late", event_row_type())  # its own TypeInformation: workarounds.py [output-tag-own-type]
    windows = (
        # One operator holds the whole stream's watermark (see above): one key, parallelism 1, on purpose.
        # flink-lint: disable=non-parallel-operator -- one watermark for the whole stream
        blocks.key_by(lambda block_id: 0, key_type=Types.INT())
        .process(BlockWindows(settings, late_tag), output_type=WINDOW_TYPE)
        .set_parallelism(1)  # flink-lint: disable=non-parallel-operator -- one watermark, vectorized blocks
        .name("windowed-counts-blocks")
        .uid("windowed-counts-blocks")
    )
    return {"windows": windows, "late": windows.get_side_output(late_tag)}
