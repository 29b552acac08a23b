"""The optimized pipelines (job.pipeline: optimized) on the real embedded Flink, against the same
plain-Python reference as the per-event jobs, record for record."""

import subprocess
import sys

import pytest

import reference
from flink_jobs.blocks import block_count, events_of_block
from flink_jobs.config import shipped_events
from flink_jobs.jobs.windowed_counts_blocks import BLOCK_SIZE

FIELDS = ("count", "sum", "min", "max")
TOTAL_FIELDS = ("count", "sum", "min", "max", "latest_event_time")


@pytest.mark.parametrize(
    "spec",
    [
        shipped_events(count=25_000, keys=100, disorder_ms=1000, late_fraction=0.01, late_by_ms=60_000),
        shipped_events(count=25_000, keys=1000, key_skew=1.2, seed=7, disorder_ms=0, late_fraction=0.0),
        shipped_events(
            count=25_000, keys=7, key_skew=0.8, late_fraction=1.0, value_max=3, disorder_ms=0, late_by_ms=60_000
        ),
    ],
)
def test_a_block_holds_exactly_the_generators_events(spec):
    assert block_count(spec, 10_000) == 3  # the last block is short
    events = []
    for block_id in range(block_count(spec, 10_000)):
        block = events_of_block(spec, block_id, 10_000)
        events += zip(
            (f"k{k}" for k in block.key_index.tolist()),
            *(c.tolist() for c in (block.value, block.event_time, block.seq)),
        )
    assert events == [tuple(event) for event in spec.events()]


def late_tuples(records):
    return [(e["key"], e["value"], e["event_time"], e["seq"]) for e in records]


def window_values(records):
    return {(w["key"], w["window_start"]): {f: w[f] for f in FIELDS} for w in records}


@pytest.mark.flink
def test_windows_and_late_events_equal_the_reference_record_for_record(run_job):
    # 2% pushed 5 min into the past, lateness 0: which events are late is decided by the watermark
    # after each block, so the reference knows exactly which ones go to `late`.
    config, result = run_job(
        "windowed-counts",
        "job.pipeline=optimized",
        "job.events.count=120000",
        "job.events.late-fraction=0.02",
        "job.events.late-by=5min",
        "job.events.disorder=1s",
        "job.window.size=10s",
        "job.window.allowed-lateness=0s",
        "job.window.out-of-orderness=2s",
    )
    window = config.settings.window
    expected, late = reference.windows_with_watermark_every(
        config.settings.events.events(), 10_000, window.out_of_orderness_ms, 0, BLOCK_SIZE
    )
    assert len(late) > 1000
    assert late_tuples(result.outputs["late"]) == [tuple(event) for event in late]
    assert len(result.outputs["windows"]) == len(expected), "each window fires exactly once"
    assert window_values(result.outputs["windows"]) == expected
    assert all(w["window_end"] - w["window_start"] == 10_000 for w in result.outputs["windows"])


@pytest.mark.flink
def test_allowed_lateness_refires_windows_with_the_reference_values(run_job):
    # Events 150 s behind (the span of 1.5 blocks) fit in 300 s of allowed lateness: they update
    # their fired windows; those 400 s behind are late. Parallelism 2 with hot keys: the block
    # operator runs at 1, the result is the same.
    config, result = run_job(
        "windowed-counts",
        "job.pipeline=optimized",
        "job.events.count=100000",
        "job.events.late-fraction=0.01",
        "job.events.late-by=150s",
        "job.events.key-skew=1.2",
        "job.window.size=5s",
        "job.window.allowed-lateness=300s",
        "flink.parallelism.default=2",
    )
    expected, late = reference.windows_with_watermark_every(
        config.settings.events.events(), 5_000, 2_000, 300_000, BLOCK_SIZE
    )
    final = reference.final_windows(result.outputs["windows"])
    assert late == [] and result.outputs["late"] == []
    assert len(result.outputs["windows"]) > len(final), "some windows fired again with allowed-late events"
    assert window_values(final.values()) == expected == reference.windows(config.settings.events.events(), 5_000)


@pytest.mark.flink
def test_running_totals_final_emission_equals_the_reference(run_job):
    config, result = run_job(
        "running-totals",
        "job.pipeline=optimized",
        "job.events.count=150000",
        "job.events.keys=500",
        "job.events.key-skew=1.1",
        "job.events.disorder=2s",
        "job.emit.interval=500ms",
        "flink.parallelism.default=2",
    )
    expected = reference.totals(config.settings.events.events())
    final = {}
    for record in result.outputs["totals"]:  # per key, emissions arrive in order
        final[record["key"]] = {f: record[f] for f in TOTAL_FIELDS}
    assert final == expected


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["job.source.type=files", "job.source.path=/tmp/x"], "the optimized pipeline reads the generator only"),
        (["job.emit.mode=per-event"], "emits on a timer only"),
        (["job.events.rate=1000"], "has no rate limit"),
    ],
)
def test_the_config_rejects_what_the_optimized_pipeline_does_not_support(overrides, message):
    job = "windowed-counts" if "job.source.type=files" in overrides else "running-totals"
    sets = [arg for override in ["job.pipeline=optimized", *overrides] for arg in ("--set", override)]
    run = subprocess.run(
        [sys.executable, "-m", "flink_jobs.cli", "check", job, *sets], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stderr.startswith("error: --set job.pipeline=optimized: ") and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
