"""The PyFlink and Flink workarounds of the pack, in one place, measured on apache-flink 2.3.0.

Each entry says what it works around, in which release, and where the code is. Code that can move
without hurting the reading of a job lives here; a workaround that must stay inline (a line inside
a job or a source) is documented here and its line points back with `workarounds.py [name]`.
tests/flink_jobs/test_workarounds.py has one test per entry showing that the problem still exists
in the installed PyFlink: the day a release fixes one, its test fails and says which one can go.
The exception is [modules-of-an-earlier-job]: its problem needs the pack without its own fix inside a
TaskManager's interpreter, so test_jobs_submit shows only that the fix works (three jobs, one cluster).

pyflink is imported inside the functions that reach the JVM: this module is also read by the
cluster commands and the submission client, which start nothing heavy.

[collect-in-bulk] PyFlink 2.3.0 (and 1.x): DataStream.execute_and_collect() returns an iterator
    that makes two py4j calls per record (hasNext, next: ~1.5k records/s measured). `collect_lines`
    collects on the Java side and crosses py4j once. It first runs what execute_and_collect() does
    before it (PythonConfigUtil.configPythonOperator): without it Python side outputs (late events)
    are not wired up and their records reach the main output's converter. Used by sinks.collect_all.

[thread-mode-pythonpath] PyFlink 2.3.0: thread mode embeds the base Python installation in the
    TaskManager JVM (PEMJA); inside a virtualenv it does not see the virtualenv's packages (pemja,
    pyflink, ours) unless python.pythonpath names them: `thread_mode_pythonpath()`. Used by
    runtime.local_python_options and cluster.flink_config.

[parallelism-in-thread-mode] PyFlink 2.3.0 on Flink 2.x: in thread mode
    RuntimeContext.get_number_of_parallel_subtasks() calls the Java method
    getNumberOfParallelSubtasks(), which Flink 2.0 removed (it moved to getTaskInfo()). Inline:
    sources.GenerateEvents gets the parallelism from the plan, in its constructor.

[idleness-before-assigner] PyFlink 2.3.0: WatermarkStrategy.with_idleness() returns a new strategy
    without the Python timestamp assigner set by with_timestamp_assigner(). Inline: the assigner goes
    last in jobs/windowed_counts.watermark_strategy.

[output-tag-own-type] PyFlink 2.3.0: pickling an OutputTag (every job submission does) clears the
    Java half of its TypeInformation, which breaks any stream that shares that object as its type.
    Inline: sources.event_type() and sources.invalid_type() build a fresh TypeInformation each
    call, and the late-events tag of jobs/windowed_counts gets its own. (A module-level type of the
    invalid tag failed the second job built in one process: cannot pickle '_thread.RLock'.)

[modules-of-an-earlier-job] PyFlink 2.3.0, thread mode on a session cluster: a TaskManager embeds
    one Python interpreter for every job it runs, so `flink_jobs` stays imported from the first
    job's python-files folder, which Flink deletes when that job ends; a later job of another pack
    module failed with ModuleNotFoundError (flink_jobs.jobs.running_totals after windowed-counts).
    Inline: flink_jobs/__init__.py gives the pack's packages a __path__ that also follows sys.path,
    where each job's own shipped copy is. Test: test_jobs_submit (three jobs on one cluster).

[java-timestamp-assigner] PyFlink 2.3.0: StreamExecutionEnvironment.from_source() passes only the
    Java half of a WatermarkStrategy, so a Python timestamp assigner is silently ignored (records
    keep the source's timestamps). `with_java_timestamp_assigner` sets a Java assigner instead
    (jvm/src: io.github.flinkjobpack.JsonEventTime). Used by sources.source_watermarks.

[state-ttl-thread-mode-cluster] PyFlink 2.3.0: state TTL in thread mode on a standalone cluster
    builds the TTL config through get_gateway() inside the TaskManager, which tries to launch a
    gateway process and fails with FileNotFoundError (launch_gateway_server_process). Not worked
    around in code: the cluster tests run running-totals with job.state-ttl=null; a job that needs
    TTL on a cluster uses process mode.

[flink-python-parent-first] Flink 2.3.0 on Java 17: with flink-python only in each job's
    classloader, a TaskManager that ran one thread-mode job fails the next (PEMJA's native library
    is already loaded by the first job's classloader; `NoSuchFieldException: loadedLibraryNames`).
    Inline: cluster._write_lib puts opt/flink-python-*.jar on the cluster's lib/ and
    cluster.flink_config loads `pemja.` parent-first, so PEMJA loads once per TaskManager.

[async-function-process-mode] PyFlink 2.3.0: AsyncDataStream.unordered_wait() refuses thread mode
    when the job is built ("AsyncFunction is still not supported for 'thread' mode."); measured on
    the embedded local Flink: process mode works (2,000 lookups of 20 ms at capacity 50, never more
    than 50 in flight). Inline: configs/enrichment.yaml sets python.execution-mode: process.

[async-timeout-timer-per-record] PyFlink 2.3.0: an AsyncDataStream timeout above 0 starts one
    threading.Timer (an OS thread) per record (../shared/reference/pyflink.md P7: 3.2k records/s
    instead of ~13k). Inline: jobs/enrichment passes a timeout of 0 (no timer) and times each MGET
    itself with asyncio.wait_for, which also gives its fallback instead of failing the job.

[async-metrics-gauges] PyFlink 2.3.0, process mode: a Counter is a Beam counter, which finds its
    metrics container through a thread-local state sampler; an AsyncFunction's coroutines run on
    PyFlink's own event-loop thread, which has none, so increments made there are silently lost
    (measured on a standalone cluster: the job's counters never appeared in the REST metrics, its
    gauge did). Inline: jobs/enrichment keeps its counts as ints and registers them as gauges, which
    the harness thread reads.

[python-metric-names] PyFlink 2.3.0: a Python function's metric (`counter("blockEvents")`) is
    exposed in the REST API under the name of the Java operator that runs it, which PyFlink builds
    from every Python function it fused into that operator (`python.operator-chaining.enabled`),
    e.g. `block-totals___stream_key_by_map_operator.blockEvents`, not `<name given with
    .name()>.blockEvents`; the id changes with the job's chaining. Inline: progress.JobCounter finds
    the metric by its suffix in the vertices' metric lists.

[loopback-environ] PyFlink 2.3.0: a job on the embedded local Flink in process mode runs its Python
    worker inside the client process (Beam's loopback worker pool,
    fn_execution/beam/beam_worker_pool_service.py), which writes the worker's environment into the
    client's os.environ, PYFLINK_GATEWAY_DISABLED=true among it: a later get_gateway() in that
    process, and every process it starts afterwards (another `flink-jobs run`), fails with "It's
    launching the PythonGatewayServer during Python UDF execution". Inline: runtime.run_local runs
    the job inside environ_restored().

[py4j-interrupt-log] py4j 0.10.9.7 (the one apache-flink 2.3.0 requires): Ctrl-C while the client
    waits on the JVM (a local job runs inside such a call) makes py4j log "KeyboardInterrupt while
    sending command." with its traceback through the root logger (`logging.exception`, which also
    sets the root logger up to print on stderr), so a user who stops `flink-jobs run` gets a
    traceback before the pack's one line "interrupted". `py4j_interrupt_quiet()` drops that one
    record. Used by runtime.run_local.
"""

from __future__ import annotations

import logging
import os
import site
from collections.abc import Iterator
from contextlib import contextmanager


def thread_mode_pythonpath() -> str:
    """[thread-mode-pythonpath] python.pythonpath for thread mode: this interpreter's packages."""
    return os.pathsep.join(site.getsitepackages())


def collect_lines(stream, job_name: str) -> list[str]:
    """[collect-in-bulk] Run the job and return every record of `stream` (a stream of strings) in
    one transfer from the JVM."""
    from pyflink.java_gateway import get_gateway

    gateway = get_gateway()
    gateway.jvm.org.apache.flink.python.util.PythonConfigUtil.configPythonOperator(
        stream._j_data_stream.getExecutionEnvironment()
    )
    stream._apply_chaining_optimization()
    iterator = stream._j_data_stream.executeAndCollect(job_name)
    try:
        records = gateway.jvm.org.apache.flink.util.CollectionUtil.iteratorToList(iterator)
        text = gateway.jvm.java.lang.String.join("\n", records)
    finally:
        iterator.close()
    return text.splitlines()


def with_java_timestamp_assigner(strategy, class_name: str):
    """[java-timestamp-assigner] `strategy` with a Java TimestampAssigner (a class on the job's
    classpath) instead of a Python one, which from_source would ignore."""
    from pyflink.common import WatermarkStrategy
    from pyflink.util.java_utils import load_java_class

    assigner = load_java_class(class_name).newInstance()
    return WatermarkStrategy(strategy._j_watermark_strategy.withTimestampAssigner(assigner))


@contextmanager
def environ_restored() -> Iterator[None]:
    """[loopback-environ] os.environ as it was before, whatever a local process-mode job wrote into it."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


PY4J_INTERRUPT = "KeyboardInterrupt while sending command."


def _not_py4j_interrupt(record: logging.LogRecord) -> bool:
    return record.getMessage() != PY4J_INTERRUPT


@contextmanager
def py4j_interrupt_quiet() -> Iterator[None]:
    """[py4j-interrupt-log] No traceback from py4j when Ctrl-C interrupts a call into the JVM."""
    root = logging.getLogger()
    root.addFilter(_not_py4j_interrupt)
    try:
        yield
    finally:
        root.removeFilter(_not_py4j_interrupt)
