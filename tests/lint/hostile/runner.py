"""Runs `flink-lint` once per input, each run in its own process, fast.

    python tests/lint/hostile/runner.py < jobs.json > results.json

jobs.json: {"timeout": seconds, "memory": bytes, "jobs": [[arg, ...], ...]}. This driver imports
the linter once (catalog and rules loaded), then forks one child per job: the child limits its
address space (RLIMIT_AS) and its CPU time to the timeout (RLIMIT_CPU: a hang or a runaway input shows
as CPU time, which a loaded machine does not stretch as it stretches wall-clock time), sends its stdout
and stderr to files and runs `flink_lint.cli.main(args)`, the function the `flink-lint` script calls;
the driver also kills a child still running after WALL_FACTOR times the timeout (one blocked without
using CPU).
A fresh interpreter per input costs ~0.2 s of imports; a fork costs a few milliseconds.

results.json: [{"returncode": int or null, "signal": int or null, "seconds": float,
"timed_out": bool, "stdout": str, "stderr": str}, ...] in job order.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import math
import time

WALL_FACTOR = 6  # the wall-clock backstop, in timeouts


def _child(args: list, timeout: float, memory: int, out_path: str, err_path: str) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        seconds = math.ceil(timeout)  # a forked child starts at 0 s of CPU time
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))  # SIGXCPU, then SIGKILL
        for fd, path in ((1, out_path), (2, err_path)):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(handle, fd)
            os.close(handle)
        from flink_lint.cli import main

        sys.argv = ["flink-lint", *args]
        code = main(args)
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # anything escaping main() is what the test looks for: print it, as Python would
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        code = 99
    os._exit(code if isinstance(code, int) else 98)


def _warm_up(scratch: str) -> None:
    """Import and load everything once (reports, readers, rules, catalog): the children inherit it."""
    import contextlib
    import io

    from flink_lint.cli import main

    with open(os.path.join(scratch, "config.yaml"), "w") as config, open(os.path.join(scratch, "job.py"), "w") as job:
        config.write("parallelism.default: x\n")
        job.write("from pyflink.datastream import StreamExecutionEnvironment\n")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for report in ("json", "text"):
            main([scratch, "--format", report])


def run(jobs: list, timeout: float, memory: int, workers: int = 2) -> list:
    results: list = [None] * len(jobs)
    with tempfile.TemporaryDirectory() as scratch:
        _warm_up(scratch)
        pending = list(enumerate(jobs))
        running: dict = {}  # pid -> (index, start)
        while pending or running:
            while pending and len(running) < workers:
                index, args = pending.pop(0)
                sys.stdout.flush()
                sys.stderr.flush()
                out_path, err_path = (os.path.join(scratch, f"{index}.{name}") for name in ("out", "err"))
                pid = os.fork()
                if pid == 0:
                    _child(args, timeout, memory, out_path, err_path)
                running[pid] = (index, time.monotonic())
            for pid, (index, started) in list(running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                timed_out = False
                if not done:
                    if time.monotonic() - started <= WALL_FACTOR * timeout:
                        continue
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    timed_out = True
                elif os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
                    timed_out = True  # past its CPU time
                del running[pid]
                results[index] = _result(scratch, index, status, time.monotonic() - started, timed_out)
            time.sleep(0.001)
    return results


def _result(scratch: str, index: int, status: int, seconds: float, timed_out: bool) -> dict:
    texts = []
    for name in ("out", "err"):
        path = os.path.join(scratch, f"{index}.{name}")
        with open(path, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
        os.unlink(path)
    return {
        "returncode": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "seconds": round(seconds, 3),
        "timed_out": timed_out,
        "stdout": texts[0],
        "stderr": texts[1],
    }


def run_in_subprocess(jobs: list, timeout: float, memory: int, workers: int = 2, cwd=None) -> list:
    """run() in a fresh interpreter (the tests' own process is never forked)."""
    import subprocess

    request = json.dumps({"jobs": jobs, "timeout": timeout, "memory": memory, "workers": workers})
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__)], input=request, capture_output=True, text=True, cwd=cwd, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"runner failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout)


if __name__ == "__main__":
    request = json.load(sys.stdin)
    json.dump(run(request["jobs"], request["timeout"], request["memory"], request.get("workers", 2)), sys.stdout)
