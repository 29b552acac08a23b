"""Running totals of one key: (count, sum, min, max, latest_event_time), one tuple per key.

Pure Python, shared by both jobs: running-totals keeps one such record in ValueState per key,
windowed-counts keeps one per window as the AggregateFunction accumulator. Never a list of events.
Plain tuples on purpose: PyFlink's tuple coder rejects tuple subclasses such as NamedTuple.
"""

from __future__ import annotations

from typing import Optional, Tuple, cast

TOTALS_FIELDS = ("count", "sum", "min", "max", "latest_event_time")
Totals = Tuple[int, int, int, int, int]
EMPTY: Totals = (0, 0, 0, 0, 0)  # an accumulator before its first event (Flink needs a typed value)


def add(totals: Optional[Totals], value: int, event_time: int) -> Totals:
    if totals is None or totals[0] == 0:
        return (1, value, value, value, event_time)
    count, total, low, high, latest = totals
    return (count + 1, total + value, min(low, value), max(high, value), max(latest, event_time))


def merge(a: Optional[Totals], b: Optional[Totals]) -> Totals:
    if a is None or a[0] == 0:
        return cast(Totals, tuple(b)) if b is not None else EMPTY  # state may hand back a list
    if b is None or b[0] == 0:
        return cast(Totals, tuple(a))
    return (a[0] + b[0], a[1] + b[1], min(a[2], b[2]), max(a[3], b[3]), max(a[4], b[4]))
