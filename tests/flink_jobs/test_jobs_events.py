"""The generator: event i is a pure function of (spec, i)."""

import collections

from flink_jobs.config import shipped_events


def test_event_is_a_pure_function_of_spec_and_index():
    spec = shipped_events(count=1000, seed=3, keys=50, disorder_ms=200, late_fraction=0.05, late_by_ms=60_000)
    again = shipped_events(count=1000, seed=3, keys=50, disorder_ms=200, late_fraction=0.05, late_by_ms=60_000)
    assert [spec.event(i) for i in range(1000)] == [again.event(i) for i in range(1000)]
    assert list(spec.events(500, 600)) == [spec.event(i) for i in range(500, 600)]
    assert spec.event(10) != shipped_events(count=1000, seed=4, keys=50, disorder_ms=0, late_fraction=0.0).event(10)


def test_fields_stay_in_their_ranges():
    spec = shipped_events(count=20_000, keys=7, value_max=10, interval_ms=5, disorder_ms=30, late_fraction=0.0)
    for event in spec.events():
        assert event.key in {f"k{n}" for n in range(7)}
        assert 1 <= event.value <= 10
        position = spec.start_ms + event.seq * 5
        assert position - 30 <= event.event_time <= position


def test_uniform_keys_are_balanced_and_zipf_makes_a_hot_key():
    uniform = collections.Counter(
        e.key for e in shipped_events(count=50_000, keys=10, disorder_ms=0, late_fraction=0.0).events()
    )
    assert max(uniform.values()) < 1.1 * min(uniform.values())
    skewed = collections.Counter(
        e.key for e in shipped_events(count=50_000, keys=100, key_skew=1.2, disorder_ms=0, late_fraction=0.0).events()
    )
    hottest, hot_count = skewed.most_common(1)[0]
    assert hottest == "k0"
    assert hot_count > 10 * (50_000 / 100)  # ten times its fair share


def test_late_fraction_pushes_that_share_of_events_into_the_past():
    spec = shipped_events(count=100_000, late_fraction=0.02, late_by_ms=60_000, interval_ms=10, disorder_ms=0)
    late = [e for e in spec.events() if e.event_time < spec.start_ms + e.seq * 10 - 30_000]
    assert 1_700 < len(late) < 2_300
    assert all(spec.is_late_on_purpose(e.seq) for e in late)
    assert sum(spec.is_late_on_purpose(i) for i in range(100_000)) == len(late)
