"""flink-jobs plan: the capacity rule, and --measure on the embedded local Flink (REST in the job)."""

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from flink_jobs.config import load_job_config
from processes import flink_jobs

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "windowed-counts.yaml"


def test_plan_rule():
    result = flink_jobs("plan", "--peak", "40000", "--per-task", "5000")
    assert result.returncode == 0 and result.stdout == "parallelism 16 = ceil(40000 x 2 / 5000)\n"
    data = json.loads(
        flink_jobs("plan", "--peak", "10000", "--per-task", "3000", "--headroom", "1.5", "--format", "json").stdout
    )
    assert data["parallelism"] == math.ceil(10000 * 1.5 / 3000)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--peak", "1000"), "plan needs --peak and --per-task, or --measure JOB"),
        (("--measure", "no-such-job"), "unknown job `no-such-job`"),
    ],
)
def test_plan_bad_input_exits_2(args, message):
    result = flink_jobs("plan", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.flink
def test_measure_gives_a_positive_capacity_and_a_consistent_parallelism(tmp_path):
    config = tmp_path / "windowed-counts.yaml"
    shutil.copy(CONFIG, config)
    result = flink_jobs(
        "plan",
        "--measure",
        "windowed-counts",
        "--config",
        str(config),
        "--events",
        "150000",
        "--peak",
        "20000",
        "--write",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    capacity = data["per_subtask_rate"]
    print(
        f"measured per-subtask capacity {capacity:.0f} events/s over {data['seconds']:.0f} s "
        f"(slowest: {data['slowest_vertex']})"
    )
    assert capacity > 0
    assert data["parallelism_at_utilization"] == math.ceil(20000 / (0.7 * capacity))
    assert data["parallelism_with_headroom"] == math.ceil(20000 * 2.0 / capacity)
    written = load_job_config(str(config), job_name="windowed-counts")  # still valid against the schema
    text = config.read_text()
    assert re.search(r"\n  capacity: +# events/s", text) and "peak-rate: 20000" in text and "headroom: 2.0" in text
    assert "# Thread mode runs Python in the TaskManager JVM" in text  # comments kept
    assert written.settings.name == "windowed-counts"
