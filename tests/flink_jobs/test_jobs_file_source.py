"""JSON-lines files through Flink's FileSource: valid lines become events, the rest is written out."""

import json

import pytest

import reference
from flink_jobs.config import shipped_events

pytestmark = pytest.mark.flink


def test_json_lines_source_counts_every_valid_event_and_reports_bad_lines(run_job, tmp_path):
    spec = shipped_events(count=5_000, seed=11, keys=20, disorder_ms=0, late_fraction=0.0)
    events = list(spec.events())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = ["{not json", '{"key": "k1", "value": "7", "event_time": 1}', '{"key": "k1"}', "[1, 2]"]
    for part in range(2):
        lines = [
            json.dumps({"key": e.key, "value": e.value, "event_time": e.event_time, "seq": e.seq})
            for e in events[part * 2_500 : (part + 1) * 2_500]
        ]
        (inbox / f"part-{part}.jsonl").write_text("\n".join(lines + bad[part * 2 : part * 2 + 2]) + "\n")

    config, result = run_job(
        "windowed-counts",
        "job.source.type=files",
        f"job.source.path={inbox}",
        "job.window.size=5s",
        "job.window.out-of-orderness=60s",
        "flink.parallelism.default=1",
    )
    got = {
        (w["key"], w["window_start"]): {f: w[f] for f in ("count", "sum", "min", "max")}
        for w in result.outputs["windows"]
    }
    # Two files are read one after the other: out-of-orderness covers the second file's restart.
    assert got == reference.windows(events, 5_000)
    assert sorted(r["line"] for r in result.outputs["invalid"]) == sorted(bad)
    assert all(r["error"] for r in result.outputs["invalid"])
