"""hot-key-rollup on the real embedded Flink: equal to the unsalted plain-Python reference."""

import pytest

import reference

pytestmark = pytest.mark.flink

FIELDS = ("count", "sum", "min", "max")


def test_hot_key_windows_equal_the_unsalted_reference(run_job):
    # k0 carries ~61% of the events; 8 salts at parallelism 2: every window of every key exact,
    # each fired once (nothing late).
    config, result = run_job(
        "hot-key-rollup",
        "job.events.count=60000",
        "job.events.late-fraction=0",
        "job.events.disorder=1500ms",
        "job.window.out-of-orderness=2s",
        "job.window.size=30s",
        "flink.parallelism.default=2",
    )
    spec = config.settings.events
    hot_share = sum(event.key == "k0" for event in spec.events()) / spec.count
    print(f"hot key k0: {hot_share:.0%} of the events")
    assert hot_share > 0.5
    expected = reference.windows(spec.events(), 30_000)
    windows = result.outputs["windows"]
    assert result.outputs["late"] == []
    assert len(windows) == len(expected), "each window fires exactly once"
    assert {(w["key"], w["window_start"]): {f: w[f] for f in FIELDS} for w in windows} == expected
    assert all(w["window_end"] - w["window_start"] == 30_000 for w in windows)


def test_late_events_side_output_and_refires_match_the_reference(run_job):
    # Late events two ways: 1% pushed 15 s back, inside 60 s of allowed lateness (phase-1 windows
    # fire again, phase 2 replaces the salt's partial), and 1% pushed 5 min back, beyond it (side
    # output). Per window: the final firing plus what went late is exactly the reference.
    config, result = run_job(
        "hot-key-rollup",
        "job.events.count=30000",
        "job.events.late-fraction=0.02",
        "job.events.late-by=15s",
        "job.events.disorder=0ms",
        "job.window.out-of-orderness=0ms",
        "job.window.size=5s",
        "job.window.allowed-lateness=60s",
        "job.salt-buckets=4",
        "flink.parallelism.default=1",
        "flink.pipeline.auto-watermark-interval=20ms",
    )
    final = reference.final_windows(result.outputs["windows"])
    expected = reference.windows(config.settings.events.events(), 5_000)
    assert result.outputs["late"] == []
    assert len(result.outputs["windows"]) > len(final), "some windows fired again with late data"
    assert {slot: {f: w[f] for f in FIELDS} for slot, w in final.items()} == expected


def test_events_beyond_the_allowed_lateness_go_to_late_and_nothing_is_lost(run_job):
    config, result = run_job(
        "hot-key-rollup",
        "job.events.count=30000",
        "job.events.late-fraction=0.02",
        "job.events.late-by=5min",
        "job.events.disorder=500ms",
        "job.window.size=10s",
        "job.window.allowed-lateness=0s",
        "flink.parallelism.default=1",
    )
    spec = config.settings.events
    late = result.outputs["late"]
    final = reference.final_windows(result.outputs["windows"])
    assert len(late) > 0.5 * sum(spec.is_late_on_purpose(i) for i in range(spec.count))
    late_by_window = reference.windows([(e["key"], e["value"], e["event_time"], e["seq"]) for e in late], 10_000)
    for slot, want in reference.windows(spec.events(), 10_000).items():
        counted = final.get(slot, {"count": 0, "sum": 0})
        went_late = late_by_window.get(slot, {"count": 0, "sum": 0})
        assert counted["count"] + went_late["count"] == want["count"], slot
        assert counted["sum"] + went_late["sum"] == want["sum"], slot
