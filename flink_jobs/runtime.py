"""From a job config to a running job: the environment, the pipeline, a local run.

`flink-jobs run` and the script that `flink run -py` executes on submission both build the job
here, so a job is submitted unchanged to a real cluster.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from flink_jobs.config import JobConfig
from flink_jobs.events import BLOCK_EVENTS_METRIC
from flink_jobs.java_check import require_java
from flink_jobs.jobs import JobInfo
from flink_jobs import workarounds
from flink_jobs.progress import Progress, free_port, rest_options
from flink_jobs.workarounds import thread_mode_pythonpath

if TYPE_CHECKING:  # PyFlink loads only when a job runs
    from pyflink.datastream import DataStream

LOG_DIR = Path(".flink-jobs") / "logs"


class CommandError(Exception):
    """A command could not do its work: str() is one line for the user, `exit_code` what the CLI
    returns (1: the job or its submission failed, 2: bad input or an unreachable cluster), and
    `log_path` the file with the full output, when there is one."""

    def __init__(self, message: str, exit_code: int = 2, log_path: Optional[Path] = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.log_path = log_path


class JobFailed(CommandError):
    """The Flink job failed; `root_cause` is one line, the full trace is in `log_path`."""

    def __init__(self, root_cause: str, log_path: Path):
        super().__init__(root_cause, exit_code=1, log_path=log_path)
        self.root_cause = root_cause


@dataclass
class RunResult:
    job: str
    seconds: float
    outputs: dict[str, list[Any]] = field(default_factory=dict)  # stream -> its records (collect sink)
    sink: str = "collect"


def local_python_options() -> dict[str, str]:
    """Python worker options for a cluster on this machine: this interpreter and its packages.

    Thread mode embeds Python in the TaskManager JVM (PEMJA); inside a virtualenv it only finds
    its packages (pemja, pyflink, ours) through python.pythonpath (workarounds.py
    [thread-mode-pythonpath]).
    """
    return {
        "python.executable": sys.executable,
        "python.client.executable": sys.executable,
        "python.pythonpath": thread_mode_pythonpath(),
    }


def job_options(config: JobConfig, python_options: Optional[dict[str, str]] = None) -> dict[str, str]:
    """Every option the job's Configuration gets (`flink-jobs run`, a submitted job, and the
    flinkConfiguration of `flink-jobs render`): the Python worker options, then the config's
    `flink:` section, then the job's name."""
    return {**(python_options or {}), **config.flink, "pipeline.name": config.settings.name}


def create_environment(config: JobConfig, python_options: Optional[dict[str, str]] = None):
    from pyflink.common import Configuration
    from pyflink.datastream import StreamExecutionEnvironment

    configuration = Configuration()
    for key, value in job_options(config, python_options).items():
        configuration.set_string(key, value)
    return StreamExecutionEnvironment.get_execution_environment(configuration)


def build_pipeline(env, job: JobInfo, config: JobConfig) -> dict[str, DataStream]:
    """Source -> job -> {result stream name: DataStream} (sinks not attached yet)."""
    from flink_jobs.sources import event_blocks, events_from

    if config.settings.pipeline == "optimized":  # generator only (config.py checks it)
        optimized = job.load("optimized")
        blocks = event_blocks(env, config.settings.events, optimized.BLOCK_SIZE)
        return optimized.build(env, blocks, config.settings)
    events, extra = events_from(env, config.settings)
    if config.settings.slow_operator:  # testing aid: a bottleneck on demand
        from flink_jobs.monitor.slow_operator import slowed

        events = slowed(events, config.settings.slow_operator)
    if config.settings.failing_operator:  # testing aid: restarts on demand
        from flink_jobs.monitor.failing_operator import failing

        events = failing(events, config.settings.failing_operator)
    results = job.load().build(env, events, config.settings)
    results.update(extra)
    return results


# ------------------------------------------------------------------ failures
_CAUSED_BY = re.compile(r"^\s*Caused by: (.+)$", re.MULTILINE)
_EMBEDDED_PYTHON_ERROR = re.compile(r"PythonException: <class '([\w.]+)'>: (.*)")  # thread mode
_PYTHON_ERROR_LINE = re.compile(r"^(\w+(?:\.\w+)*(?:Error|Exception|Exit|Interrupt)): (.+)$", re.MULTILINE)


def root_cause(trace: str) -> str:
    """One line: the innermost `Caused by:` of a Java trace, or the Python error of a UDF."""
    causes = list(_CAUSED_BY.finditer(trace))
    if not causes:
        lines = trace.strip().splitlines()
        return lines[-1].strip() if lines else "unknown error"
    innermost = causes[-1]
    embedded = _EMBEDDED_PYTHON_ERROR.search(innermost.group(1))
    if embedded:
        return f"{embedded.group(1)}: {embedded.group(2).strip()} (in a Python function)"
    if "Error received from SDK harness" in innermost.group(1):  # process mode: a Python traceback follows
        python_error = _PYTHON_ERROR_LINE.findall(trace[innermost.end() :])
        if python_error:
            name, message = python_error[-1]
            return f"{name}: {message.strip()} (in a Python function)"
    return innermost.group(1).strip()


def write_failure_log(job_name: str, trace: str) -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / f"{job_name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    path.write_text(trace, encoding="utf-8")
    return path.resolve()


def failure(job_name: str, error: BaseException) -> JobFailed:
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return JobFailed(root_cause(trace), write_failure_log(job_name, trace))


# ------------------------------------------------------------------ local run
def progress_of(config: JobConfig, rest_url: str, every: float) -> Progress:
    """Progress from the job's counters: of the total for the generator, the rate for other sources."""
    settings = config.settings
    generator = settings.source["type"] == "generator"
    return Progress(
        settings.name,
        rest_url,
        total=settings.events.count if generator else None,
        metric=BLOCK_EVENTS_METRIC if settings.pipeline == "optimized" else None,
        every=every,
    )


def run_local(job: JobInfo, config: JobConfig, progress_every: float = 10.0) -> RunResult:
    """Run on the embedded local mini-cluster until the job ends; raises JobFailed. With
    `progress_every` > 0, progress on stderr (flink_jobs/progress.py) from the job's REST counters."""
    from flink_jobs import sinks

    require_java()
    name = config.settings.name
    started = time.monotonic()
    port = free_port()
    with (
        progress_of(config, f"http://127.0.0.1:{port}", progress_every),
        workarounds.environ_restored(),
        workarounds.py4j_interrupt_quiet(),
    ):
        try:
            env = create_environment(config, {**local_python_options(), **rest_options(port)})
            results = build_pipeline(env, job, config)
            sink = config.settings.sink["type"]
            if sink == "collect":
                outputs = sinks.collect_all(results, name)
            else:
                sinks.attach(results, config.settings.sink)
                env.execute(name)
                outputs = {}
        except Exception as error:  # py4j and PyFlink errors: one line to the user, all to the log
            raise failure(name, error) from None
    return RunResult(job=job.name, seconds=time.monotonic() - started, outputs=outputs, sink=sink)
