"""A deliberately slow operator: backpressure on demand, for the monitor's tests (job.slow-operator).

    events --rebalance | key_by(key)--> slow-operator (sleeps) --> the job

It is its own vertex (a rebalance or hash edge in front), so the events upstream of it are
backpressured and it is the bottleneck. `keyed: true` puts it after key_by(key): with Zipf keys the
subtask of the hot key is the slow one (the hot-key diagnosis). Off unless a config sets it.
"""

from __future__ import annotations

import time

from pyflink.common import Types
from pyflink.datastream import MapFunction

from flink_jobs.events import KEY
from flink_jobs.sources import event_type


class SleepEveryNth(MapFunction):
    def __init__(self, sleep_ms: int, every: int):
        self.seconds = sleep_ms / 1000.0
        self.every = every

    def open(self, runtime_context):
        self.seen = 0

    def map(self, event):
        self.seen += 1
        if self.seen % self.every == 0:
            # flink-lint: disable=blocking-call-in-function -- the point of this testing aid: a slow
            # operator that backpressures its input; off unless job.slow-operator is set.
            time.sleep(self.seconds)
        return event


def slowed(events, slow):
    """events -> the same events, through a slow map in a vertex of its own."""
    edge = events.key_by(lambda event: event[KEY], key_type=Types.STRING()) if slow.keyed else events.rebalance()
    return edge.map(SleepEveryNth(slow.sleep_ms, slow.every), output_type=event_type()).name("slow-operator")
