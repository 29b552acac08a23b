"""running-totals, optimized (job.pipeline: optimized): local-global aggregation over event blocks.

    block ids (NumberSequenceSource) --> BlockTotals (per key: totals of the block)
              --key_by(key)--> MergeTotals (RunningTotals over partial totals, one ValueState record per key) --> totals

One record enters Python per BLOCK_SIZE events instead of one per event. BlockTotals builds the
events of a block as numpy columns (flink_jobs/blocks.py) and pre-aggregates them per key in one
vectorized pass (count, sum, min, max, latest event time): at most one record per key and block
crosses the key_by, so a hot key costs no more than any other. MergeTotals is the per-event job's
RunningTotals with totals.merge in place of totals.add: same state, TTL and timer emission, the
same final totals. Emission on a timer only (`emit.mode: timer`): per-event emission writes one
record per event, which is what the blocks avoid. Any parallelism; generator source only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyflink.common import Types
from pyflink.datastream import DataStream, FlatMapFunction

from flink_jobs import totals
from flink_jobs.blocks import events_of_block, group_totals
from flink_jobs.events import BLOCK_EVENTS_METRIC
from flink_jobs.jobs.running_totals import TOTALS_TYPE, RunningTotals

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings

BLOCK_SIZE = 100_000  # events per block: at most `keys` records per block cross the key_by
PARTIAL_TYPE = Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG()])


class BlockTotals(FlatMapFunction):
    """Block id -> (key, count, sum, min, max, latest event time) of each key in the block."""

    def __init__(self, spec):
        self.spec = spec

    def open(self, runtime_context):
        self.events = runtime_context.get_metrics_group().counter(BLOCK_EVENTS_METRIC)

    def flat_map(self, block_id):
        block = events_of_block(self.spec, block_id, BLOCK_SIZE)
        self.events.inc(len(block))
        for key_index, *partial in group_totals(block.key_index, block.value, block.event_time).rows():
            yield (f"k{key_index}", *partial)


class MergeTotals(RunningTotals):
    def updated(self, previous, partial):
        return totals.merge(previous, tuple(partial[1:]))


def build(env, blocks, settings: JobSettings) -> dict[str, DataStream]:
    partials = (
        blocks.flat_map(BlockTotals(settings.events), output_type=PARTIAL_TYPE)
        .set_parallelism(env.get_parallelism())
        .name("block-totals")
    )
    totals_stream = (
        partials.key_by(lambda partial: partial[0], key_type=Types.STRING())
        .process(
            MergeTotals(settings.state_ttl_ms, settings.emit_mode, settings.emit_interval_ms),
            output_type=TOTALS_TYPE,
        )
        .name("running-totals-blocks")
        .uid("running-totals-blocks")
    )
    return {"totals": totals_stream}
