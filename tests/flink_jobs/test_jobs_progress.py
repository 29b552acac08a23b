"""`flink-jobs run` progress, read from the job's own counters (the embedded Flink's REST API): plain
lines when stderr is piped, one line updated in place on a terminal (a real pseudo-terminal here)."""

import os
import pty
import re
import select
import subprocess
import sys

import pytest

from flink_jobs.progress import describe
from processes import flink_jobs

pytestmark = pytest.mark.flink

# The first reading has no rate yet ("measuring the rate"); later ones the rate and the time left.
PROGRESS = re.compile(
    r"^(\S+): ([\d,]+) / ([\d,]+) events \((\d+)%\), "
    r"(measuring the rate|([\d,]+) events/s(, about [\d,]+ s left|, finishing)?)$"
)


def test_piped_run_prints_plain_progress_lines_of_the_total():
    # a rate limit keeps the job running for several readings however fast or loaded the machine is
    result = flink_jobs(
        "run", "windowed-counts", "--events", "40000", "--set", "job.events.rate=8000", "--progress-interval", "1"
    )
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    lines = [PROGRESS.match(line) for line in result.stderr.splitlines()]
    progress = [m for m in lines if m]
    assert progress, result.stderr
    done = [int(m.group(2).replace(",", "")) for m in progress]
    assert all(m.group(1) == "windowed-counts" and m.group(3) == "40,000" for m in progress)
    assert done == sorted(done) and 0 < done[-1] <= 40_000, "events done only grow, up to the total"
    assert "finished in" in result.stdout  # the summary stays on stdout


def test_a_terminal_gets_one_line_updated_in_place():
    # the optimized pipeline: events counted by its block operator (blockEvents), not by the source
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "flink_jobs.cli", "run", "running-totals", "--set", "job.pipeline=optimized"]
    command += ["--events", "3000000"]
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal) as run:
        os.close(terminal)
        seen = b""
        while True:
            ready, _, _ = select.select([controller], [], [], 300)
            if not ready:
                break
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        run.wait(timeout=60)
        os.close(controller)
    assert run.returncode == 0, seen
    text = seen.decode()
    updates = [part.strip() for part in text.split("\r") if PROGRESS.match(part.strip())]
    assert updates, text
    assert text.count("\n") <= 2, "updated in place, one newline at the end"
    assert updates[-1].startswith("running-totals: ") and "/ 3,000,000 events" in updates[-1]


def test_describe_without_a_known_total_shows_the_rate():
    assert describe("job", 12_345, None, 1_000.0) == "job: 12,345 events, 1,000 events/s"
    assert describe("job", 500, 1_000, 100.0) == "job: 500 / 1,000 events (50%), 100 events/s, about 5 s left"
