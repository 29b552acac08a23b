"""benchmarks/jobs_throughput.py runs and writes its figures as JSON (tiny counts: no figure is
checked against a time, only that every variant ran and reported one)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.flink

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "jobs_throughput.py"


def test_four_variants_side_by_side_as_json(tmp_path):
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--job", "running-totals", "--events", "2000"]
        + ["--optimized-events", "20000", "--sql-events", "20000", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert list(figures) == ["running-totals"]
    assert sorted(figures["running-totals"]) == ["optimized", "process", "sql", "thread"]
    for variant, values in figures["running-totals"].items():
        assert sorted(values) == ["cpu_s_per_million", "events_per_s"], variant
        assert all(isinstance(v, float) and v > 0 for v in values.values()), (variant, values)
    assert "running-totals: optimized/thread" in run.stdout
