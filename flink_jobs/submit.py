"""Submit a pack job to a Flink cluster through Flink's own `flink run -py`.

The arguments go to `flink` as a list (never through a shell); the job is built on the client by
flink_jobs/entrypoint.py from the same config file `flink-jobs run` uses. The pack's own Python
packages are shipped with the job (`-pyfs`, a zip) so TaskManagers need only apache-flink.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from flink_jobs.cluster import flink_home
from flink_jobs.config import PROJECT_ROOT, JobConfig
from flink_jobs.jobs import JobInfo
from flink_jobs.kafka import JVM_LIB
from flink_jobs.rest import TERMINAL_STATES, FlinkRest, RestError
from flink_jobs.runtime import CommandError, local_python_options, root_cause, write_failure_log

# code + the data it reads: (folder of the checkout, name in the zip, files); the linter is imported as
# flink_lint; the shipped configs because a job config is read over its job's shipped one
SHIPPED = (
    ("flink_jobs", "flink_jobs", "*.py"),
    ("lint", "flink_lint", "*.py"),
    ("schemas", "schemas", "*.json"),
    ("configs", "configs", "*.yaml"),
)
_JOB_ID = re.compile(r"JobID\s+([0-9a-f]{32})")


class SubmitError(CommandError):
    """Submission did not happen, or the submitted job did not end well."""


@dataclass
class Submitted:
    job_id: str
    rest_url: str
    final_state: Optional[str] = None  # set when waited for


def parse_jobmanager(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise SubmitError(f"--jobmanager must be HOST:PORT (the REST port, e.g. 127.0.0.1:8081), not `{address}`")
    return host, int(port)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def require_reachable(rest_url: str) -> dict[str, Any]:
    try:
        return FlinkRest(rest_url).get("/overview")
    except RestError as error:
        raise SubmitError(str(error)) from None


def package_zip(directory: Path) -> Path:
    """The pack's Python packages and schemas as one zip for `-pyfs` (on the Python path of the
    client and of every worker)."""
    path = directory / "flink-jobpack.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, name, pattern in SHIPPED:
            for source in sorted((PROJECT_ROOT / folder).rglob(pattern)):
                archive.write(source, f"{name}/{source.relative_to(PROJECT_ROOT / folder).as_posix()}")
    return path


def flink_run_command(
    job: JobInfo,
    config: JobConfig,
    overrides: list[str],
    jobmanager: str,
    python_options: dict[str, str],
    shipped: Path,
    detached: bool = True,
    savepoint: Optional[str] = None,
) -> list[str]:
    command = [
        str(flink_home() / "bin" / "flink"),
        "run",
        "-m",
        jobmanager,
        "-py",
        str(Path(__file__).with_name("entrypoint.py")),
        "-pyfs",
        str(shipped),
        "-pyclientexec",
        sys.executable,
    ]
    if detached:
        command.append("-d")
    if savepoint:
        command += ["-s", savepoint]
    request = {
        "job": job.name,
        "config": str(Path(config.path).resolve()),
        "overrides": list(overrides),
        "python_options": python_options,
    }
    return command + [json.dumps(request)]


def worker_python_options(config: JobConfig, host: str, python: Optional[str]) -> dict[str, str]:
    """python.* options for the TaskManagers: `python` if given; this interpreter (and its packages)
    for a cluster on this machine; otherwise the cluster's own `python` (nothing set)."""
    if python:
        return {"python.executable": python}
    if "python.executable" in config.flink or not is_loopback(host):
        return {}
    options = local_python_options()
    options.pop("python.client.executable")
    return options


def submit(
    job: JobInfo,
    config: JobConfig,
    overrides: list[str],
    jobmanager: str,
    python: Optional[str] = None,
    timeout: float = 300,
    savepoint: Optional[str] = None,
) -> Submitted:
    """Submit detached and return the job id; with `savepoint`, the job starts from it (its
    operators' state and, for a Kafka source, its offsets)."""
    if config.settings.sink["type"] == "collect":
        raise SubmitError(
            "sink `collect` returns results to `flink-jobs run` only: "
            "configure sink `file`, `stdout` or `kafka` to submit (--set job.sink.type=...)"
        )
    host, port = parse_jobmanager(jobmanager)
    rest_url = f"http://{host}:{port}"
    require_reachable(rest_url)
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    # The job is built on the client from the shipped zip: it finds the connector jar here.
    environment["FLINK_JOBS_JVM_LIB"] = str(JVM_LIB)
    with tempfile.TemporaryDirectory(prefix="flink-jobs-submit-") as scratch:
        command = flink_run_command(
            job,
            config,
            overrides,
            jobmanager,
            worker_python_options(config, host, python),
            package_zip(Path(scratch)),
            savepoint=savepoint,
        )
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)
        except subprocess.TimeoutExpired:
            raise SubmitError(f"`flink run` did not return within {timeout:.0f} s", exit_code=1) from None
    output = result.stdout + result.stderr
    match = _JOB_ID.search(output)
    if result.returncode != 0 or not match:
        log = write_failure_log(f"submit-{job.name}", " ".join(command) + "\n\n" + output)
        raise SubmitError(f"submission failed: {root_cause(output)}", exit_code=1, log_path=log)
    return Submitted(job_id=match.group(1), rest_url=rest_url)


def stop_with_savepoint(rest_url: str, job_id: str, directory: str, timeout: float = 120) -> str:
    """Stop the job with a savepoint in `directory` (REST /jobs/<id>/stop, no drain: the job can go
    on from it); returns the savepoint's path."""
    rest = FlinkRest(rest_url)
    try:
        trigger = FlinkRest(rest_url, timeout=10).post(
            f"/jobs/{job_id}/stop", {"targetDirectory": directory, "drain": False}
        )["request-id"]
    except (RestError, KeyError, TypeError) as error:
        raise SubmitError(f"stop-with-savepoint of {job_id} was refused: {error}", exit_code=1) from None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = rest.get(f"/jobs/{job_id}/savepoints/{trigger}")
        except RestError:
            status = {}
        if (status.get("status") or {}).get("id") == "COMPLETED":
            operation = status.get("operation") or {}
            if "location" in operation:
                return operation["location"]
            cause = (operation.get("failure-cause") or {}).get("stack-trace", "unknown")
            raise SubmitError(f"stop-with-savepoint of {job_id} failed: {root_cause(cause)}", exit_code=1)
        time.sleep(0.5)
    raise SubmitError(f"stop-with-savepoint of {job_id} did not complete within {timeout:.0f} s", exit_code=1)


def wait_for_job(rest_url: str, job_id: str, timeout: float = 600, poll: float = 1.0) -> str:
    """Poll REST until the job reaches a terminal state; returns it (FINISHED, FAILED, ...)."""
    rest = FlinkRest(rest_url)
    deadline = time.monotonic() + timeout
    state = "UNKNOWN"
    while time.monotonic() < deadline:
        try:
            state = rest.get(f"/jobs/{job_id}").get("state", state)
        except RestError:
            pass
        if state in TERMINAL_STATES:
            return state
        time.sleep(poll)
    raise SubmitError(f"job {job_id} still {state} after {timeout:.0f} s", exit_code=1)


def failure_cause(rest_url: str, job_id: str) -> str:
    """The root cause of a failed job, from REST /jobs/<id>/exceptions."""
    try:
        exceptions = FlinkRest(rest_url).get(f"/jobs/{job_id}/exceptions")
    except RestError:
        return "unknown (REST /exceptions did not answer)"
    trace = exceptions.get("root-exception") or ((exceptions.get("exceptionHistory") or {}).get("entries") or [{}])[
        0
    ].get("stacktrace", "")
    return root_cause(trace or "unknown")
