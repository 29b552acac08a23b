"""Events in blocks: events start..stop-1 of an EventSpec as numpy columns, made in one call.

Event i is a pure function of i (flink_jobs/events.py), so a block of events needs no input but its
first index: the optimized pipelines send one block id into Python instead of a block of events and
build the whole block here, with the generator's arithmetic on numpy uint64 arrays (which wrap
modulo 2**64, as events._MASK does). `Block` columns equal `EventSpec.event(i)` field by field
(tests/flink_jobs/test_blocks.py checks every field against the scalar generator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flink_jobs.events import EventSpec

_TWO_64 = 1 << 64
Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    key_index: Int64s  # the key is f"k{key_index}"
    value: Int64s
    event_time: Int64s  # epoch ms
    seq: Int64s  # the event's index i

    def __len__(self) -> int:
        return len(self.seq)


def _mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """events._mix64 on a uint64 array."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def block_count(spec: EventSpec, block_size: int) -> int:
    """How many blocks carry `spec.count` events (the last one may be short)."""
    if spec.count is None:
        raise ValueError("an unbounded spec has no number of blocks")
    return -(-spec.count // block_size)


def events_of_block(spec: EventSpec, block_id: int, block_size: int) -> Block:
    """Block `block_id`: events block_id * block_size .. (block_id + 1) * block_size - 1."""
    start = block_id * block_size
    stop = start + block_size
    return generate(spec, start, min(stop, spec.count) if spec.count is not None else stop)


def generate(spec: EventSpec, start: int, stop: int) -> Block:
    """Events start..stop-1, as EventSpec.event(i) computes each of them."""
    seq = np.arange(start, stop, dtype=np.int64)
    h = _mix64(np.uint64(spec._seed_base) ^ seq.astype(np.uint64))
    g = _mix64(h)
    event_time = spec.start_ms + seq * spec.interval_ms
    if spec.disorder_ms:
        event_time -= ((g >> np.uint64(32)) % np.uint64(spec.disorder_ms + 1)).astype(np.int64)
    threshold = spec._late_threshold
    if threshold:
        late = np.ones(len(seq), dtype=bool) if threshold >= _TWO_64 else _mix64(g) < np.uint64(threshold)
        event_time -= np.where(late, spec.late_by_ms, 0)
    if spec.key_skew == 0:
        key_index = (h % np.uint64(spec.keys)).astype(np.int64)
    else:
        # events.key_of: bisect_right over the cumulative weights of u64 / 2**64 (as a float)
        ranks = np.searchsorted(np.asarray(spec._cumulative_weights), h.astype(np.float64) / float(_TWO_64), "right")
        key_index = np.minimum(ranks, spec.keys - 1).astype(np.int64)
    value = (1 + (g & np.uint64(0xFFFFFFFF)) % np.uint64(spec.value_max)).astype(np.int64)
    return Block(key_index=key_index, value=value, event_time=event_time, seq=seq)


@dataclass(frozen=True)
class GroupTotals:
    """Per group of a block, in the order of the group codes: the totals.add() fields, vectorized."""

    code: Int64s  # the distinct group codes, ascending
    count: Int64s
    sum: Int64s
    min: Int64s
    max: Int64s
    latest: Int64s  # max event time

    def rows(self):
        """(code, count, sum, min, max, latest) as Python ints, one tuple per group."""
        columns = (self.code, self.count, self.sum, self.min, self.max, self.latest)
        return zip(*(column.tolist() for column in columns))


def group_totals(code: Int64s, value: Int64s, event_time: Int64s) -> GroupTotals:
    """Count, sum, min, max of `value` and max of `event_time` per distinct `code`: one sort and
    one reduceat per column (the local pre-aggregation of a block)."""
    if not len(code):
        empty = np.zeros(0, dtype=np.int64)
        return GroupTotals(empty, empty, empty, empty, empty, empty)
    order = np.argsort(code, kind="stable")
    code, value, event_time = code[order], value[order], event_time[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    counts = np.diff(np.r_[starts, len(code)])
    return GroupTotals(
        code=code[starts],
        count=counts,
        sum=np.add.reduceat(value, starts),
        min=np.minimum.reduceat(value, starts),
        max=np.maximum.reduceat(value, starts),
        latest=np.maximum.reduceat(event_time, starts),
    )
