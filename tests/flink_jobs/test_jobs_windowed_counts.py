"""windowed-counts on the real embedded Flink, checked against a plain-Python reference."""

import pytest

import reference
from flink_jobs.events import EventSpec

pytestmark = pytest.mark.flink


def spec_of(config) -> EventSpec:
    return config.settings.events


def test_every_window_equals_the_reference_when_nothing_is_late(run_job):
    # 200k events, parallelism 2, disorder within the watermark bound: no event may be late,
    # so every window must be exact and fire once.
    config, result = run_job(
        "windowed-counts",
        "job.events.count=200000",
        "job.events.late-fraction=0",
        "job.events.disorder=1500ms",
        "job.events.key-skew=0.8",
        "job.window.out-of-orderness=2s",
        "job.window.size=30s",
        "flink.parallelism.default=2",
    )
    expected = reference.windows(spec_of(config).events(), 30_000)
    windows = result.outputs["windows"]
    assert result.outputs["late"] == []
    assert len(windows) == len(expected), "each window fires exactly once"
    got = {(w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")} for w in windows}
    assert got == expected
    assert all(w["window_end"] - w["window_start"] == 30_000 for w in windows)
    assert sum(w["count"] for w in windows) == 200_000


def test_late_events_go_to_the_side_output_and_nothing_is_lost(run_job):
    # 2% of events are pushed 5 minutes into the past: far behind the watermark. Every event
    # must end up in exactly one window result or in `late`, never dropped.
    config, result = run_job(
        "windowed-counts",
        "job.events.count=60000",
        "job.events.late-fraction=0.02",
        "job.events.late-by=5min",
        "job.events.disorder=500ms",
        "job.window.size=10s",
        "job.window.allowed-lateness=0s",
        "flink.parallelism.default=1",
    )
    spec = spec_of(config)
    late = result.outputs["late"]
    final = reference.final_windows(result.outputs["windows"])
    in_windows = sum(w["count"] for w in final.values())
    assert in_windows + len(late) == 60_000
    assert len(late) > 0.5 * sum(spec.is_late_on_purpose(i) for i in range(60_000))
    late_seqs = [e["seq"] for e in late]
    assert len(set(late_seqs)) == len(late_seqs), "no late event is written twice"
    # Per window: what was counted plus what went late is exactly the reference.
    late_by_window = reference.windows([(e["key"], e["value"], e["event_time"], e["seq"]) for e in late], 10_000)
    expected = reference.windows(spec.events(), 10_000)
    for slot, want in expected.items():
        counted = final.get(slot, {"count": 0, "sum": 0})
        went_late = late_by_window.get(slot, {"count": 0, "sum": 0})
        assert counted["count"] + went_late["count"] == want["count"], slot
        assert counted["sum"] + went_late["sum"] == want["sum"], slot
    for event in late:  # each late record is the generator's event, unchanged
        assert tuple(event[f] for f in ("key", "value", "event_time", "seq")) == tuple(spec.event(event["seq"]))


def test_allowed_lateness_refires_windows_instead_of_dropping(run_job):
    # Events 15 s behind fit in 60 s of allowed lateness: they update their window (a second
    # firing) instead of going to `late`. Watermarks every 20 ms keep the watermark within ~4 s of
    # event time even at 20k events/s, so those windows have fired before their late events come.
    config, result = run_job(
        "windowed-counts",
        "job.events.count=20000",
        "job.events.late-fraction=0.01",
        "job.events.late-by=15s",
        "job.events.disorder=0ms",
        "job.window.out-of-orderness=0ms",
        "job.window.size=5s",
        "job.window.allowed-lateness=60s",
        "flink.parallelism.default=1",
        "flink.pipeline.auto-watermark-interval=20ms",
    )
    final = reference.final_windows(result.outputs["windows"])
    expected = reference.windows(spec_of(config).events(), 5_000)
    assert result.outputs["late"] == []
    assert len(result.outputs["windows"]) > len(final), "some windows fired again with late data"
    assert {slot: {f: w[f] for f in ("count", "sum", "min", "max")} for slot, w in final.items()} == expected
