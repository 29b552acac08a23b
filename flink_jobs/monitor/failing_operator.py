"""A deliberately failing operator: restarts on demand, for the monitor's tests (job.failing-operator).

    events --forward--> failing-operator (raises at every N-th record) --> the job

Each subtask counts the records it saw since it (re)started and raises at the N-th: the job fails,
the restart strategy restarts it, and it fails again N records later, so `flink-jobs diagnose` has
restarts to count and a root exception to show. Off unless a config sets it; never for production.
"""

from __future__ import annotations

from pyflink.datastream import MapFunction

from flink_jobs.sources import event_type

MESSAGE = "testing aid job.failing-operator: failing on purpose at record {count} of this subtask"


class FailEveryNth(MapFunction):
    def __init__(self, every: int):
        self.every = every

    def open(self, runtime_context):
        self.seen = 0

    def map(self, event):
        self.seen += 1
        if self.seen % self.every == 0:
            raise RuntimeError(MESSAGE.format(count=self.seen))
        return event


def failing(events, failing_operator):
    """events -> the same events, through a map that fails every `every` records."""
    return events.map(FailEveryNth(failing_operator.every), output_type=event_type()).name("failing-operator")
