"""The deterministic event generator: event i is a pure function of (spec, i).

The same function runs inside Flink (NumberSequenceSource -> map) and in the plain-Python
reference computations of the tests, so expected results never come from a job's own output.

An event is a tuple (key, value, event_time_ms, seq):
- key: one of `keys` keys "k0".."k<keys-1>", uniform or Zipf-skewed (k0 hottest);
- value: an integer in [1, value_max] (integers keep sums exact in any order);
- event_time_ms: start + seq * interval, minus a random delay of up to `disorder`, and for a
  `late_fraction` of events minus `late_by` as well (late on purpose);
- seq: the event's index i.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, NamedTuple, Optional

_MASK = (1 << 64) - 1
UNBOUNDED_END = (1 << 63) - 2  # NumberSequenceSource end for an endless stream
# The counter of the events an optimized pipeline's block operator made (`flink-jobs run` progress).
BLOCK_EVENTS_METRIC = "blockEvents"


class Event(NamedTuple):
    key: str
    value: int
    event_time: int
    seq: int


EVENT_FIELDS = Event._fields
# Operators get an event as a plain tuple in Event's field order (building an Event per record would
# cost time in every operator): read its fields by these positions, e.g. event[KEY].
KEY, VALUE, EVENT_TIME, SEQ = range(len(EVENT_FIELDS))


def _mix64(x: int) -> int:
    """splitmix64 finalizer: a cheap, well-distributed 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@dataclass(frozen=True)
class EventSpec:
    """No defaults here: they are the shipped configs' `job.events` (flink_jobs.config.shipped_events)."""

    count: Optional[int]  # None: unbounded
    seed: int
    keys: int
    key_skew: float  # Zipf exponent: 0 uniform, 1.0+ a few hot keys
    value_max: int
    start_ms: int
    interval_ms: int  # event-time step between consecutive events
    disorder_ms: int  # each event's time is up to this much behind its position
    late_fraction: float  # share of events pushed `late_by_ms` into the past
    late_by_ms: int
    rate: Optional[float]  # events/s over all subtasks; None: as fast as possible

    @cached_property
    def _cumulative_weights(self) -> list[float]:
        weights = [1.0 / (rank + 1) ** self.key_skew for rank in range(self.keys)]
        total = sum(weights)
        running, cumulative = 0.0, []
        for weight in weights:
            running += weight / total
            cumulative.append(running)
        cumulative[-1] = 1.0
        return cumulative

    @cached_property
    def _seed_base(self) -> int:
        return _mix64(self.seed & _MASK)

    @cached_property
    def _late_threshold(self) -> int:
        return int(self.late_fraction * (1 << 64))

    def key_of(self, u64: int) -> str:
        if self.key_skew == 0:
            return f"k{u64 % self.keys}"
        rank = bisect.bisect_right(self._cumulative_weights, u64 / 18446744073709551616.0)
        return f"k{min(rank, self.keys - 1)}"

    def event(self, i: int) -> Event:
        h = _mix64(self._seed_base ^ i)
        g = _mix64(h)
        event_time = self.start_ms + i * self.interval_ms
        if self.disorder_ms:
            event_time -= (g >> 32) % (self.disorder_ms + 1)
        if self._late_threshold and _mix64(g) < self._late_threshold:
            event_time -= self.late_by_ms
        return Event(self.key_of(h), 1 + (g & 0xFFFFFFFF) % self.value_max, event_time, i)

    def is_late_on_purpose(self, i: int) -> bool:
        return bool(self._late_threshold) and _mix64(_mix64(_mix64(self._seed_base ^ i))) < self._late_threshold

    def events(self, start: int = 0, stop: Optional[int] = None) -> Iterator[Event]:
        """Events start..stop-1 (stop defaults to count) in plain Python: the reference side."""
        stop = self.count if stop is None else stop
        if stop is None:
            raise ValueError("an unbounded spec needs an explicit stop")
        return (self.event(i) for i in range(start, stop))
