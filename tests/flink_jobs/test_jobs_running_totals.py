"""running-totals on the real embedded Flink, checked against a plain-Python reference."""

from collections import defaultdict

import pytest

import reference
from files import committed_records

pytestmark = pytest.mark.flink


def test_timer_emission_ends_with_every_final_total(run_job):
    # Timer mode emits changed totals once per interval and once more at end of input: the last
    # emission per key must be that key's total over all events. The count of emissions grows with
    # the run's length (up to one per changed key and interval): at 500 ms a loaded machine ran 65 s
    # and emitted 22,728 (of the 30,000 allowed); 2 s keeps a slow machine far below the bound.
    config, result = run_job(
        "running-totals",
        "job.events.count=150000",
        "job.events.keys=500",
        "job.events.key-skew=1.1",
        "job.events.disorder=2s",
        "job.emit.mode=timer",
        "job.emit.interval=2s",
    )
    expected = reference.totals(config.settings.events.events())
    records = result.outputs["totals"]
    final = {}
    for record in records:  # per key, emissions arrive in order
        final[record["key"]] = {f: record[f] for f in ("count", "sum", "min", "max", "latest_event_time")}
    assert final == expected
    assert len(records) < 150_000 / 5, "timer mode emits far fewer records than events"


def test_per_event_emission_to_the_exactly_once_file_sink(run_job, tmp_path):
    # Per-event mode, parallelism 2, FileSink committed on checkpoints: every key's updates are
    # exactly counts 1..n (nothing lost, nothing twice), and the last one is the reference total.
    config, result = run_job(
        "running-totals",
        "job.events.count=60000",
        "job.events.keys=300",
        "job.emit.mode=per-event",
        "job.sink.type=file",
        f"job.sink.path={tmp_path}",
        "job.state-ttl=null",
        "flink.parallelism.default=2",
        "flink.execution.checkpointing.interval=2s",
    )
    expected = reference.totals(config.settings.events.events())
    records = committed_records(tmp_path, "totals")
    assert len(records) == 60_000
    counts = defaultdict(list)
    final = {}
    for record in records:
        counts[record["key"]].append(record["count"])
        if record["count"] == expected[record["key"]]["count"]:
            final[record["key"]] = {f: record[f] for f in ("count", "sum", "min", "max", "latest_event_time")}
    assert {key: sorted(c) for key, c in counts.items()} == {
        key: list(range(1, want["count"] + 1)) for key, want in expected.items()
    }
    assert final == expected


def test_state_ttl_keeps_totals_when_keys_stay_active(run_job):
    # With a TTL far above the run time nothing expires: same totals as without TTL. (The TTL uses
    # ReturnExpiredIfNotCleanedUp, which keeps PyFlink's state cache on.)
    config, result = run_job(
        "running-totals",
        "job.events.count=30000",
        "job.events.keys=50",
        "job.state-ttl=1h",
        "job.emit.mode=both",
        "job.emit.interval=1s",
    )
    expected = reference.totals(config.settings.events.events())
    final = {}
    for record in result.outputs["totals"]:
        if record["count"] >= final.get(record["key"], {}).get("count", 0):
            final[record["key"]] = {f: record[f] for f in ("count", "sum", "min", "max", "latest_event_time")}
    assert final == expected
    assert len(result.outputs["totals"]) >= 30_000, "`both` emits at least once per event"
