"""One test per entry of flink_jobs/workarounds.py: each shows that the PyFlink or Flink problem the
workaround exists for is still there in the installed release. When one of these fails, a release
fixed the problem: remove the workaround named in the test and this test with it."""

import importlib.util
import inspect
import json
import os
import pickle
import re
from pathlib import Path
import subprocess
import sys
import time

import pytest
from pyflink.common import Duration, Types, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import OutputTag, StreamExecutionEnvironment
from pyflink.datastream.connectors.base import Sink
from pyflink.datastream.connectors.number_seq import NumberSequenceSource
from pyflink.datastream.data_stream import CloseableIterator
from pyflink.java_gateway import get_gateway

from flink_jobs import cluster, workarounds
from flink_jobs.cluster import ClusterSpec, cluster_status, start_cluster, stop_cluster
from flink_jobs.config import default_config_path, load_job_config
from flink_jobs.events import BLOCK_EVENTS_METRIC
from flink_jobs.progress import JobCounter, free_port, rest_options
from flink_jobs.jobs import job_info
from flink_jobs.rest import FlinkRest, RestError
from flink_jobs.runtime import build_pipeline, create_environment, local_python_options
from flink_jobs.submit import submit, wait_for_job
from processes import alive, free_ports


class FirstField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value


def test_collect_in_bulk_pyflink_collects_one_record_per_py4j_round_trip():
    """[collect-in-bulk]: PyFlink's collect iterator asks the JVM for every record separately."""
    source = inspect.getsource(CloseableIterator.next)
    assert "self._j_closeable_iterator.hasNext()" in source and "self._j_closeable_iterator.next()" in source


def test_thread_mode_pythonpath_the_base_installation_does_not_see_the_virtualenv():
    """[thread-mode-pythonpath]: the interpreter PEMJA embeds is the base installation, which does
    not find pyflink (installed in this virtualenv) without python.pythonpath."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("not inside a virtualenv")
    base_python = f"{sys.base_prefix}/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    probe = subprocess.run([base_python, "-c", "import pyflink"], capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "No module named 'pyflink'" in probe.stderr, probe.stderr
    assert sys.prefix in workarounds.thread_mode_pythonpath()


@pytest.mark.flink
def test_parallelism_in_thread_mode_java_runtime_context_lost_the_method():
    """[parallelism-in-thread-mode]: the embedded runtime context calls a Java method Flink 2.0 removed."""
    # the module imports pemja, which only loads inside a TaskManager: read it as text
    embedded = importlib.util.find_spec("pyflink.fn_execution.datastream.embedded.runtime_context").origin
    assert "return self._runtime_context.getNumberOfParallelSubtasks()" in Path(embedded).read_text()
    runtime_context = get_gateway().jvm.java.lang.Class.forName("org.apache.flink.api.common.functions.RuntimeContext")
    assert "getNumberOfParallelSubtasks" not in {method.getName() for method in runtime_context.getMethods()}


@pytest.mark.flink
def test_idleness_before_assigner_with_idleness_drops_the_python_assigner():
    """[idleness-before-assigner]"""
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    assert strategy._timestamp_assigner is not None
    # flink-lint: disable=idleness-drops-assigner -- the PyFlink behaviour this test shows
    assert strategy.with_idleness(Duration.of_seconds(1))._timestamp_assigner is None


@pytest.mark.flink
def test_output_tag_own_type_pickling_a_tag_clears_its_shared_type():
    """[output-tag-own-type]: a stream typed with the same TypeInformation object loses its Java half."""
    shared = Types.LONG()
    assert shared.get_java_type_info() is not None
    pickle.dumps(OutputTag("late", shared))
    assert shared._j_typeinfo is None


@pytest.mark.flink
def test_java_timestamp_assigner_from_source_ignores_a_python_assigner():
    """[java-timestamp-assigner]: with a Python assigner, from_source adds no operator that would
    run it; assign_timestamps_and_watermarks does."""
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    from_source = env.from_source(NumberSequenceSource(0, 9), strategy, "numbers")
    from_source.print()
    plan = env.get_execution_plan()
    assert "Timestamps/Watermarks" not in plan and "FirstField" not in plan
    env.from_source(
        NumberSequenceSource(0, 9), WatermarkStrategy.no_watermarks(), "more"
    ).assign_timestamps_and_watermarks(strategy).print()
    assert "Timestamps/Watermarks" in env.get_execution_plan()


@pytest.mark.cluster
def test_state_ttl_thread_mode_cluster_fails_in_the_taskmanager(tmp_path):
    """[state-ttl-thread-mode-cluster]: running-totals with state TTL, in thread mode, on a
    standalone cluster fails: the TaskManager's embedded Python calls get_gateway()."""
    rest, rpc, blob = free_ports(3)
    spec = ClusterSpec(directory=tmp_path / "cluster", rest_port=rest, rpc_port=rpc, blob_port=blob)
    overrides = [
        "job.events.count=100",
        "job.state-ttl=1h",
        "job.sink.type=stdout",
        "flink.python.execution-mode=thread",
        "flink.restart-strategy.type=none",
    ]
    config = load_job_config(str(default_config_path("running-totals")), overrides, "running-totals")
    info = start_cluster(spec)
    try:
        submitted = submit(job_info("running-totals"), config, overrides, info.rest_url.split("//")[1])
        assert wait_for_job(info.rest_url, submitted.job_id, timeout=120) == "FAILED"
        exceptions = json.dumps(FlinkRest(info.rest_url).get(f"/jobs/{submitted.job_id}/exceptions"))
        assert "FileNotFoundError" in exceptions and "launch_gateway_server_process" in exceptions
    finally:
        status = cluster_status(spec.directory)
        stop_cluster(spec.directory)
        leftovers = [pid for pid in status.pids + status.other_pids if alive(pid)]
        assert not leftovers, f"processes left behind: {leftovers}"


@pytest.mark.cluster
def test_flink_python_parent_first_a_second_thread_mode_job_fails_without_it(tmp_path, monkeypatch):
    """[flink-python-parent-first]: on a cluster whose lib/ lacks flink-python (so it comes with each
    job, in the job's classloader), the TaskManager that ran one thread-mode job fails the next:
    PEMJA's native library is already loaded."""

    def lib_without_flink_python(home, directory):
        (directory / "lib").mkdir(parents=True, exist_ok=True)
        for jar in sorted((home / "lib").glob("*.jar")):
            (directory / "lib" / jar.name).symlink_to(jar)

    monkeypatch.setattr(cluster, "_write_lib", lib_without_flink_python)
    rest, rpc, blob = free_ports(3)
    spec = ClusterSpec(
        directory=tmp_path / "cluster",
        rest_port=rest,
        rpc_port=rpc,
        blob_port=blob,
        taskmanagers=1,
        extra={"classloader.parent-first-patterns.additional": "io.github.flinkjobpack.none."},  # no pemja.
    )
    overrides = [
        "job.events.count=100",
        "job.sink.type=stdout",
        "flink.python.execution-mode=thread",
        "flink.restart-strategy.type=none",
    ]
    config = load_job_config(str(default_config_path("windowed-counts")), overrides, "windowed-counts")
    info = start_cluster(spec)
    try:
        states, exceptions = [], ""
        for _ in range(2):
            submitted = submit(job_info("windowed-counts"), config, overrides, info.rest_url.split("//")[1])
            states.append(wait_for_job(info.rest_url, submitted.job_id, timeout=120))
            exceptions = json.dumps(FlinkRest(info.rest_url).get(f"/jobs/{submitted.job_id}/exceptions"))
        assert states == ["FINISHED", "FAILED"], exceptions[:2000]
        assert "loadedLibraryNames" in exceptions
    finally:
        status = cluster_status(spec.directory)
        stop_cluster(spec.directory)
        leftovers = [pid for pid in status.pids + status.other_pids if alive(pid)]
        assert not leftovers, f"processes left behind: {leftovers}"


def test_async_function_process_mode_thread_mode_is_refused():
    """[async-function-process-mode]: building an async operator in thread mode raises."""
    from pyflink.common import Configuration, Time
    from pyflink.datastream.async_data_stream import AsyncDataStream
    from pyflink.datastream.functions import AsyncFunction

    class Echo(AsyncFunction):
        async def async_invoke(self, value):
            return [value]

    def numbers_in(mode: str):
        configuration = Configuration()
        configuration.set_string("python.execution-mode", mode)
        env = StreamExecutionEnvironment.get_execution_environment(configuration)
        return env.from_source(NumberSequenceSource(0, 9), WatermarkStrategy.no_watermarks(), "numbers")

    with pytest.raises(Exception, match="AsyncFunction is still not supported for 'thread' mode"):
        AsyncDataStream.unordered_wait(numbers_in("thread"), Echo(), Time.milliseconds(0), output_type=Types.LONG())
    AsyncDataStream.unordered_wait(numbers_in("process"), Echo(), Time.milliseconds(0), output_type=Types.LONG())


def test_async_timeout_timer_per_record_a_timeout_starts_a_thread_per_record():
    """[async-timeout-timer-per-record]: with a timeout > 0 each record gets its own timer thread."""
    import threading

    from pyflink.fn_execution.datastream.process.async_function.operation import ResultHandler

    before = threading.active_count()
    handlers = [ResultHandler("Lookup", lambda record: [], print, record, None) for record in range(20)]
    for handler in handlers:
        handler.register_timeout(60)
    try:
        assert threading.active_count() - before == 20
    finally:
        for handler in handlers:
            handler._timer.cancel()


def test_async_metrics_gauges_beam_metrics_containers_are_per_thread():
    """[async-metrics-gauges]: the state sampler that Counter.inc() records into is thread-local, so
    the event-loop thread of an AsyncFunction has none and its increments are dropped."""
    import threading

    from apache_beam.runners.worker import statesampler

    tracker = object()
    statesampler.set_current_tracker(tracker)
    try:
        seen = []
        thread = threading.Thread(target=lambda: seen.append(statesampler.get_current_tracker()))
        thread.start()
        thread.join()
        assert statesampler.get_current_tracker() is tracker and seen == [None]
    finally:
        statesampler.set_current_tracker(None)


@pytest.mark.flink
def test_python_metric_names_carry_the_fused_operators_name():
    """[python-metric-names]: the block operator's counter is not `<its name>.blockEvents`."""
    job = job_info("running-totals")
    config = load_job_config(
        str(default_config_path(job.name)),
        ["job.pipeline=optimized", "job.events.count=null", "job.sink.type=stdout"],
        job.name,
    )
    port = free_port()
    env = create_environment(config, {**local_python_options(), **rest_options(port)})
    discarding = get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink
    for name, stream in build_pipeline(env, job, config).items():
        stream.sink_to(Sink(discarding())).name(f"{name}-discard")
    client = env.execute_async(config.settings.name)
    counter = JobCounter(FlinkRest(f"http://127.0.0.1:{port}", retries=0), BLOCK_EVENTS_METRIC)
    try:
        deadline = time.monotonic() + 180
        while counter.where is None and time.monotonic() < deadline:
            try:
                counter.read()
            except RestError:
                pass
            time.sleep(0.5)
    finally:
        client.cancel().result()
    assert counter.where is not None, "the counter shows up in the REST API"
    metric_id = counter.where[2]
    assert metric_id.endswith(".blockEvents") and metric_id != "block-totals.blockEvents"
    assert metric_id.startswith("block-totals_"), metric_id


@pytest.mark.flink
def test_loopback_environ_a_local_process_mode_job_writes_into_the_clients_environment():
    """[loopback-environ]: the in-process (loopback) Python worker of a local process-mode job sets
    PYFLINK_GATEWAY_DISABLED in this process's os.environ; environ_restored() undoes it."""
    job = job_info("windowed-counts")
    overrides = ["job.events.count=300", "job.sink.type=stdout", "flink.python.execution-mode=process"]
    config = load_job_config(str(default_config_path(job.name)), overrides, job.name)
    env = create_environment(config, local_python_options())
    discarding = get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink
    for name, stream in build_pipeline(env, job, config).items():
        stream.sink_to(Sink(discarding())).name(f"{name}-discard")
    before = dict(os.environ)
    with workarounds.environ_restored():
        env.execute(config.settings.name)
        leaked = os.environ.get("PYFLINK_GATEWAY_DISABLED")
    assert leaked is not None and leaked.lower() not in ("", "0", "false"), "PyFlink no longer leaks it"
    assert dict(os.environ) == before


# Interrupts its own call into the JVM (a 30 s sleep there) with SIGINT, as Ctrl-C does to a local run.
INTERRUPTED_CALL = """
import os, signal, sys, threading
from pyflink.java_gateway import get_gateway
from flink_jobs import workarounds

jvm = get_gateway().jvm
threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    with workarounds.py4j_interrupt_quiet() if sys.argv[1] == "quiet" else open(os.devnull):
        jvm.java.lang.Thread.sleep(30000)
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
"""


@pytest.mark.flink
@pytest.mark.parametrize("mode", ["plain", "quiet"])
def test_py4j_interrupt_log_ctrl_c_in_a_jvm_call_logs_a_traceback(mode):
    """[py4j-interrupt-log]: py4j logs a traceback on Ctrl-C during a JVM call; py4j_interrupt_quiet() drops it."""
    run = subprocess.run([sys.executable, "-c", INTERRUPTED_CALL, mode], capture_output=True, text=True, timeout=120)
    assert run.stderr.rstrip().endswith("interrupted"), run.stderr
    logged = workarounds.PY4J_INTERRUPT in run.stderr and "Traceback" in run.stderr
    if mode == "plain":
        assert logged, f"py4j no longer logs a traceback on Ctrl-C: {run.stderr}"
    else:
        assert not logged and run.stderr.strip() == "interrupted", run.stderr


def test_every_workaround_has_its_test_here():
    """Each `[name]` entry of workarounds.py is the first word of one test's docstring in this file
    (except the one its docstring names as shown by test_jobs_submit)."""
    names = re.findall(r"^\[([a-z0-9-]+)\]", workarounds.__doc__ or "", re.M)
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(names) >= 14
    assert [name for name in names if f'"""[{name}]' not in source] == ["modules-of-an-earlier-job"]
