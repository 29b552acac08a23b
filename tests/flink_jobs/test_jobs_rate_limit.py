"""The generator's rate limit, with a fake clock: each subtask keeps its share of `rate`."""

from flink_jobs.config import shipped_events
from flink_jobs.sources import GenerateEvents


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_each_subtask_is_held_to_its_share_of_the_rate():
    clock = FakeClock()
    spec = shipped_events(count=None, rate=1000.0, disorder_ms=0, late_fraction=0.0)
    generate = GenerateEvents(spec, parallelism=4, clock=clock, sleep=clock.sleep)
    generate.open(None)
    events = [generate.map(i) for i in range(500)]
    assert events[7] == tuple(spec.event(7))
    # 4 subtasks share 1000 events/s: 250/s each, so 500 events take this subtask 2 s.
    assert abs((clock.now - 100.0) - 2.0) < 0.01
    assert all(pause > 0.002 for pause in clock.slept)


def test_no_rate_means_no_sleep():
    clock = FakeClock()
    generate = GenerateEvents(
        shipped_events(count=10, disorder_ms=0, late_fraction=0.0), parallelism=1, clock=clock, sleep=clock.sleep
    )
    generate.open(None)
    assert [generate.map(i)[3] for i in range(10)] == list(range(10))
    assert clock.slept == []
