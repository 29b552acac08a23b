"""`flink-jobs run` progress, read from the job's own counters (the embedded Flink's REST API): plain
lines when stderr is piped, one line updated in place on a terminal (a real pseudo-terminal here)."""

import fcntl
import os
from pathlib import Path
import pty
import re
import select
import signal
import subprocess
import sys
import termios

import pytest

from flink_jobs.progress import describe
from processes import flink_jobs, wait_for

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


def _controlling_terminal():
    """In the child: a session of its own whose controlling terminal is its stderr (the pty), so
    that ^C typed into the terminal interrupts the run, its JVM and its Python workers, as in a shell."""
    os.setsid()
    fcntl.ioctl(2, termios.TIOCSCTTY, 0)


def _group(pgid: int) -> list[int]:
    """Live processes of process group `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if entry.isdigit() and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def test_a_terminal_gets_one_line_updated_in_place_and_ctrl_c_ends_the_run_cleanly():
    # The optimized pipeline: events counted by its block operator (blockEvents), not by the source.
    # A total no machine reaches in this test: it types ^C once the line has been updated with a rate
    # twice, so the run is watched for as long as that takes, however fast or loaded the machine is.
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "flink_jobs.cli", "run", "running-totals", "--set", "job.pipeline=optimized"]
    command += ["--events", "1000000000"]
    run = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, preexec_fn=_controlling_terminal
    )
    os.close(terminal)
    seen, typed = b"", False
    try:
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
            with_rate = [m for m in map(PROGRESS.match, seen.decode(errors="replace").split("\r")) if m and m.group(6)]
            if len(with_rate) >= 2 and not typed:
                os.write(controller, b"\x03")  # ^C
                typed = True
        run.wait(timeout=60)
    finally:
        os.close(controller)
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        run.stdout.close()
    text = seen.decode()
    assert typed, f"no progress with a rate within 300 s: {text}"
    assert run.returncode == 130, text
    updates = [part.strip() for part in text.split("\r") if PROGRESS.match(part.strip())]
    assert all(u.startswith("running-totals: ") and "/ 1,000,000,000 events" in u for u in updates), updates
    done = [int(PROGRESS.match(u).group(2).replace(",", "")) for u in updates]
    assert done == sorted(done) and done[-1] > 0, "events done only grow"
    assert text.count("\n") <= 2, "updated in place; a newline after it when interrupted, and one after that line"
    assert "Traceback" not in text and text.rstrip().endswith("interrupted"), text
    wait_for(lambda: not _group(run.pid), 60)  # the JVM and its workers end with the run
    left = _group(run.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the interrupted run left behind: {left}"


def test_describe_without_a_known_total_shows_the_rate():
    assert describe("job", 12_345, None, 1_000.0) == "job: 12,345 events, 1,000 events/s"
    assert describe("job", 500, 1_000, 100.0) == "job: 500 / 1,000 events (50%), 100 events/s, about 5 s left"
