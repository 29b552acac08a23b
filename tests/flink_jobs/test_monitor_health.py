"""flink-jobs diagnose on a real local standalone cluster (1 TaskManager, 2 slots), every scenario
produced for real: a healthy job; aligned checkpoints with a short timeout behind a slow operator
(and the same job with unaligned checkpoints); a job that fails every N records with fixed-delay
restarts; an event-time job whose one subtask gets no data, without and with idleness. A fault proxy
in front of the real cluster fails only the endpoints a real cluster cannot fail on demand.

One cluster for the module, always stopped. Jobs run in process mode (a TaskManager that ran a
thread-mode job cannot start a second one) with small, short inputs; each test cancels its jobs.
The report test renders a recording in headless Chromium and keeps its screenshot under
.flink-jobs/test-artifacts/diagnose/ (printed).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flink_jobs.cluster import start_taskmanager
from flink_jobs.monitor.failing_operator import MESSAGE
from flink_jobs.rest import FlinkRest
from processes import cancel, flink_jobs, free_ports, local_cluster, wait_for

pytestmark = pytest.mark.cluster

ARTIFACTS = Path(__file__).resolve().parents[2] / ".flink-jobs" / "test-artifacts" / "diagnose"
COMMON = [
    "job.events.count=null",
    "job.sink.type=stdout",
    "flink.python.execution-mode=process",
    "flink.execution.checkpointing.interval=2s",
    # a checkpoint waits for the Python bundle in flight: 1,000 records of a generator paced at
    # 100/s are 10 s; 20 records keep checkpoints short
    "flink.python.fn-execution.bundle.size=20",
]
HEALTHY = ["job.name=healthy", "job.events.rate=100"]
SLOW = [
    "job.slow-operator={sleep: 5 ms}",
    "flink.execution.checkpointing.timeout=4s",
    "flink.execution.checkpointing.tolerable-failed-checkpoints=1000",
]
FAILING = [
    "job.name=restarting",
    "job.events.rate=100",
    "job.failing-operator={every: 300}",
    "flink.restart-strategy.type=fixed-delay",
    "flink.restart-strategy.fixed-delay.attempts=1000",
    "flink.restart-strategy.fixed-delay.delay=1s",
]
# one key: after key_by all records go to one subtask of the (negligibly) slow operator, and the
# watermark assigner chained behind it has one subtask without data
ONE_IDLE_SUBTASK = [
    "job.events.rate=100",
    "job.events.keys=1",
    "job.slow-operator={sleep: 1 ms, every: 1000000, keyed: true}",
    "flink.parallelism.default=2",
    "job.window.size=2s",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(tmp_path_factory.mktemp("health") / "cluster") as info:
        yield info


def submit(cluster, *overrides: str) -> str:
    # event time starts now, so that watermark lag measures the job, not the generator's start date
    start = f"job.events.start={int(time.time() * 1000)}"
    args = [arg for override in (*COMMON, start, *overrides) for arg in ("--set", override)]
    result = flink_jobs("submit", "windowed-counts", "--jobmanager", cluster.rest_url.split("//")[1], *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()[0]


def diagnose(rest: str, job: str, *extra: str):
    result = flink_jobs("diagnose", "--rest", rest, "--job", job, "--format", "json", *extra, timeout=90)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result, json.loads(result.stdout)


def diagnose_until(rest: str, job: str, done, *extra: str, timeout: float = 150):
    """Diagnose every 2 s until done(json) holds (or the time is up); returns (result, json)."""
    deadline = time.monotonic() + timeout
    while True:
        result, data = diagnose(rest, job, *extra)
        if done(data) or time.monotonic() > deadline:
            return result, data
        time.sleep(2)


def finding(data: dict, metric: str):
    return next((f for f in data["findings"] if f["metric"] == metric), None)


def free_slots(cluster, count: int) -> None:
    """Wait until the last test's cancelled tasks gave their slots back (slow on a loaded machine).

    Cancelling a process-mode job killed the TaskManager once in three runs: Beam's
    DefaultJobBundleFactory closed twice, "IllegalStateException: Reference count must not be
    negative", a fatal error for the TaskManager. Then a new one is started (and said so)."""

    def overview() -> dict:
        return FlinkRest(cluster.rest_url).get("/overview")

    if wait_for(lambda: overview()["taskmanagers"] > 0, 10, 1) is False:
        pid = start_taskmanager(cluster.directory)
        print(f"the TaskManager died when the last job was cancelled: started another, pid {pid}")
    assert wait_for(lambda: overview()["slots-available"] >= count, 240, 1), overview()


# ------------------------------------------------------------------ fault proxy
class FaultProxy:
    """Forwards GETs to the real cluster, except paths matching `faults` (regex -> HTTP status, or
    (status, body)), which get that status and a body that is not Flink's."""

    def __init__(self, upstream: str, faults: dict):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = proxy.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.upstream, self.faults = upstream, faults
        self.server = ThreadingHTTPServer(("127.0.0.1", free_ports(1)[0]), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str):
        for pattern, fault in self.faults.items():
            if re.search(pattern, path):  # a status, or (status, body)
                return fault if isinstance(fault, tuple) else (fault, b"<html>internal error</html>")
        try:
            with urllib.request.urlopen(self.upstream + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ scenarios
def test_healthy_job_and_signals_a_cluster_cannot_answer(cluster, tmp_path):
    job = submit(cluster, *HEALTHY)
    try:
        result, data = diagnose_until(
            cluster.rest_url,
            job,
            lambda d: d["verdict"] == "healthy" and (d["checkpoints"].get("counts") or {}).get("completed", 0) >= 2,
        )
        print(f"healthy: {data['verdict']}, not assessed {data['not_assessed']}, findings {data['findings']}")
        assert data["verdict"] == "healthy" and result.returncode == 0, data["findings"]
        assert data["not_assessed"] == {}
        assert data["not_applicable"] == {"kafka-lag": "no Kafka source"}
        assert all(v["sampled"] for v in data["diagnosis"]["vertices"])
        assert data["checkpoints"]["failure_ratio"] == 0
        assert all(row["lag_s"] is not None for row in data["watermarks"])
        memory = ("heap_used", "heap_max", "managed_used", "managed_total", "network_used", "network_total")
        assert data["taskmanagers"] and all(
            tm["heap_max"] and tm["gc_ms_per_s"] is not None and all(tm[m] is not None for m in memory)
            for tm in data["taskmanagers"]
        ), data["taskmanagers"]
        assert data["restarts"]["total"] == 0

        # findings from this cluster's own figures, with thresholds set below them: the TaskManagers' GC and
        # heap, the watermark lag, a checkpoint's duration against its interval
        strict = tmp_path / "strict.yaml"
        strict.write_text(
            "alerts:\n  gc-time: {warning: 0}\n  heap-usage: {warning: 0.01}\n  watermark-lag: {warning: 1}\n"
            "  checkpoint-duration-interval: {warning: 0.001}\n"
        )
        below = ("gc-time", "heap-usage", "watermark-lag", "checkpoint-duration-interval")
        result, data = diagnose_until(
            cluster.rest_url, job, lambda d: all(finding(d, m) for m in below), "--alerts", str(strict)
        )
        lag, long = finding(data, "watermark-lag"), finding(data, "checkpoint-duration-interval")
        print(f"findings below their thresholds: {[(f['metric'], f['value']) for f in data['findings']]}")
        assert (
            lag and lag["subject"].startswith("windowed-counts") and lag["value"] > 1 and lag["signal"] == "event-time"
        )
        assert lag["value"] == max(r["lag_s"] for r in data["watermarks"] if r["lag_s"] is not None)
        assert long and long["value"] == round(data["checkpoints"]["last_duration_ms"] / 2000, 3)
        gc, heap = finding(data, "gc-time"), finding(data, "heap-usage")
        print(f"TaskManager findings: {gc['evidence']}")
        assert gc and heap and result.returncode == 1 and data["verdict"] == "degraded"
        (tm,) = [tm for tm in data["taskmanagers"] if tm["id"] == gc["subject"]]
        assert gc["signal"] == "taskmanagers" and gc["value"] == tm["gc_ms_per_s"] > 0 and gc["threshold"] == 0
        assert re.search(r"heap \d+ MB of \d+ MB, GC \d+ ms/s, managed \d+ MB of \d+ MB, network", gc["evidence"])
        assert "taskmanager.memory.task.heap.size" in gc["suggestion"]

        # the table, by job name, from the cluster `flink-jobs cluster start` runs from .flink-jobs/cluster
        # (no --rest); one reading is a moment (a checkpoint may just be slow): read until one is healthy
        home = tmp_path / "user"
        (home / ".flink-jobs").mkdir(parents=True)
        (home / ".flink-jobs" / "cluster").symlink_to(cluster.directory)

        def table_reading():
            return flink_jobs("diagnose", "--job", "healthy", cwd=home, timeout=90)

        table = wait_for(lambda: (t := table_reading()).returncode == 0 and t, 60, 2) or table_reading()
        assert table.returncode == 0 and "verdict: HEALTHY" in table.stdout, table.stdout + table.stderr
        unknown = flink_jobs("diagnose", "--rest", cluster.rest_url, "--job", "no-such-job", timeout=60)
        assert unknown.returncode == 2 and unknown.stdout == "" and unknown.stderr.count("\n") == 1
        assert unknown.stderr.startswith("error: no job `no-such-job` on ") and f"{job} healthy" in unknown.stderr
        elsewhere = flink_jobs("diagnose", "--job", "healthy", cwd=tmp_path, timeout=60)
        assert elsewhere.returncode == 2 and elsewhere.stderr.startswith("error: no --rest URL given and no flink-jobs")

        proxy = FaultProxy(cluster.rest_url, {r"/checkpoints": 500, r"^/taskmanagers": 503, r"/watermarks": 500})
        try:
            faulty, data = diagnose(proxy.url, job)
            print(f"behind the fault proxy: {data['verdict']}, not assessed {sorted(data['not_assessed'])}")
            assert faulty.returncode == 1 and data["verdict"] != "healthy"
            assert set(data["not_assessed"]) == {"checkpoints", "event-time", "taskmanagers"}
            assert "HTTP 500" in data["not_assessed"]["checkpoints"]
            assert data["diagnosis"] is not None and data["restarts"]["total"] == 0  # what could be read was
            table = flink_jobs("diagnose", "--rest", proxy.url, "--job", job)
            assert table.returncode == 1 and "NOT ASSESSED checkpoints: " in table.stdout
        finally:
            proxy.close()

        # JSON, but not Flink's: the checkpoint configuration without an interval is not "checkpointing off"
        proxy = FaultProxy(cluster.rest_url, {r"/checkpoints/config$": (200, b'{"timeout": "soon"}')})
        try:
            _, data = diagnose(proxy.url, job)
            assert list(data["not_assessed"]) == ["checkpoints"] and data["verdict"] != "healthy"
            assert "not Flink's checkpoint statistics" in data["not_assessed"]["checkpoints"]
            assert finding(data, "checkpointing") is None
        finally:
            proxy.close()

        proxy = FaultProxy(cluster.rest_url, {rf"^/jobs/{job}$": 500})
        try:
            unreadable = flink_jobs("diagnose", "--rest", proxy.url, "--job", job)
            assert unreadable.returncode == 2, unreadable.stdout + unreadable.stderr
            assert unreadable.stderr.startswith("error: ") and len(unreadable.stderr.strip().splitlines()) == 1
        finally:
            proxy.close()
    finally:
        cancel(cluster, job)


def _chromium(page: Path, *args: str, profile: Path) -> subprocess.CompletedProcess:
    """Headless Chromium in its own process group, which is gone when this returns."""
    command = [
        shutil.which("chromium") or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=120)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_aligned_checkpoints_fail_behind_a_slow_operator_and_unaligned_ones_do_not(cluster, tmp_path):
    record = tmp_path / "checkpoints.jsonl"  # both jobs, one after the other: the report shows the change
    free_slots(cluster, 2)
    aligned = submit(cluster, "job.name=aligned", "flink.execution.checkpointing.unaligned.enabled=false", *SLOW)
    try:
        result, data = diagnose_until(
            cluster.rest_url, aligned, lambda d: finding(d, "checkpoint-failure-ratio") and d["diagnosis"]["bottleneck"]
        )
        failed = finding(data, "checkpoint-failure-ratio")
        print(f"aligned: {failed}")
        assert failed and result.returncode == 1 and data["verdict"] in ("degraded", "critical")
        assert data["checkpoints"]["counts"]["failed"] >= 1 and not data["checkpoints"]["unaligned"]
        assert data["diagnosis"]["bottleneck"]["name"].startswith("slow-operator")
        assert failed["subject"].startswith("slow-operator") and "bottleneck slow-operator" in failed["message"]
        assert "execution.checkpointing.unaligned.enabled: true" in failed["suggestion"]
        assert "buffer-debloat" in failed["suggestion"]

        watched = watch(cluster, aligned, record)
        assert watched.returncode == 1
        # not a moment: the failures stay in every reading of the watch
        assert all(finding(r, "checkpoint-failure-ratio") for r in readings_of(watched)), watched.stdout
        # and the last completed checkpoint falls behind: its age, in intervals, above the threshold
        late = [finding(r, "checkpoint-age") for r in readings_of(watched) if finding(r, "checkpoint-age")]
        assert late and late[-1]["value"] > 3 and "intervals of 2 s" in late[-1]["message"], watched.stdout
    finally:
        cancel(cluster, aligned)

    free_slots(cluster, 2)
    unaligned = submit(cluster, "job.name=unaligned", "flink.execution.checkpointing.unaligned.enabled=true", *SLOW)
    try:
        # a checkpoint triggered while the job starts (Python workers starting on a loaded machine)
        # may fail; once the history holds checkpoints of the running job, none fails
        result, data = diagnose_until(
            cluster.rest_url,
            unaligned,
            lambda d: (
                (d["checkpoints"].get("window") or 0) >= 5
                and d["diagnosis"]["bottleneck"]
                and finding(d, "checkpoint-failure-ratio") is None
            ),
        )
        print(f"unaligned: checkpoints {data['checkpoints']}")
        assert data["checkpoints"]["window"] >= 5 and data["checkpoints"]["unaligned"]
        assert data["diagnosis"]["bottleneck"]["name"].startswith("slow-operator")  # still backpressured
        assert finding(data, "checkpoint-failure-ratio") is None and finding(data, "checkpoint-age") is None
        assert data["checkpoints"]["failure_ratio"] == 0
        watched = readings_of(watch(cluster, unaligned, record))
        # not a moment: in none of the next five readings does a checkpoint fail or fall behind
        assert len(watched) == 5 and all(r["checkpoints"]["unaligned"] for r in watched)
        for metric in ("checkpoint-failure-ratio", "checkpoint-age"):
            assert not any(finding(r, metric) for r in watched), [r["findings"] for r in watched]
        assert watched[-1]["checkpoints"]["counts"]["completed"] > data["checkpoints"]["counts"]["completed"]
    finally:
        cancel(cluster, unaligned)
    readings = [json.loads(line) for line in record.read_text().splitlines()]
    assert [r["job_id"] for r in readings] == [aligned] * 5 + [unaligned] * 5
    _report_renders_in_chromium(record, tmp_path)


def watch(cluster, job: str, record: Path) -> subprocess.CompletedProcess:
    """Five readings a second apart, recorded."""
    watched = flink_jobs(
        "diagnose", "--rest", cluster.rest_url, "--job", job, "--watch", "1", "--count", "5",
        "--record", str(record), "--format", "json", timeout=180,
    )  # fmt: skip
    assert watched.returncode in (0, 1), watched.stderr
    return watched


def readings_of(watched: subprocess.CompletedProcess) -> list:
    """The JSON readings a `--watch --format json` printed, one a line."""
    return [json.loads(line) for line in watched.stdout.splitlines() if line.startswith("{")]


def _report_renders_in_chromium(record: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    written = flink_jobs("report", str(record), "--out", str(page))
    assert written.returncode == 0, written.stderr
    text = page.read_text()
    assert not re.search(r"""(src|href)\s*=|url\(|@import|<script[^>]+src""", text)  # nothing to fetch
    dom = _chromium(page, "--dump-dom", profile=tmp_path / "chromium-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    points = {
        chart: len(re.findall(r'<circle class="point', section))
        for chart, section in re.findall(r'<svg id="([\w-]+)"(.*?)</svg>', dom.stdout, re.S)
    }
    print(f"report: data points per chart {points}")
    for chart in ("findings", "backpressure", "records", "checkpoint-duration", "checkpoint-size", "watermark-lag"):
        assert points.get(chart, 0) >= 5, (chart, points)  # a point per reading (of one job at least)
    assert 'id="kafka-lag"' in dom.stdout  # shown as empty: no Kafka source
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(page, ARTIFACTS / "report.html")
    shutil.copy(record, ARTIFACTS / "readings.jsonl")
    shot = _chromium(
        page, f"--screenshot={ARTIFACTS / 'report.png'}", "--window-size=1040,2200", profile=tmp_path / "chromium-shot"
    )
    assert shot.returncode == 0 and (ARTIFACTS / "report.png").stat().st_size > 10_000, shot.stderr[-2000:]
    print(f"report artifacts: {ARTIFACTS}")


def test_restarts_counted_with_the_root_exception(cluster):
    free_slots(cluster, 2)
    job = submit(cluster, *FAILING)
    try:
        result, data = diagnose_until(cluster.rest_url, job, lambda d: (d["restarts"]["total"] or 0) >= 2)
        restarts = finding(data, "restarts")
        print(f"restarts: {data['restarts']}")
        assert data["restarts"]["total"] >= 2 and data["restarts"]["in_window"] >= 2
        expected = MESSAGE.format(count=300)  # the testing aid's message: the 300th record of the subtask
        assert expected in data["restarts"]["root_exception"]
        assert restarts and expected in restarts["message"] and "\n" not in restarts["message"]
        assert data["restarts"]["per_minute"] > 0 and f"({data['restarts']['per_minute']:g}/min)" in restarts["message"]
        assert result.returncode == 1 and data["verdict"] in ("degraded", "critical")
    finally:
        cancel(cluster, job)


def test_watermark_stall_of_one_subtask_without_idleness_gone_with_it(cluster, tmp_path):
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text("alerts:\n  watermark-stall:\n    seconds: 10\n")
    window = "windowed-counts"
    free_slots(cluster, 2)
    stalled = submit(cluster, "job.name=no-idleness", "job.window.idleness=null", *ONE_IDLE_SUBTASK)
    try:
        result, data = diagnose_until(
            cluster.rest_url, stalled, lambda d: finding(d, "watermark-stall"), "--alerts", str(alerts)
        )
        stall = finding(data, "watermark-stall")
        print(f"no idleness: {stall}")
        assert stall and stall["subject"].startswith(window) and result.returncode == 1
        assert "sent no records" in stall["evidence"] and "Long.MIN_VALUE" in stall["evidence"]
        assert "with_idleness" in stall["suggestion"]
    finally:
        cancel(cluster, stalled)

    free_slots(cluster, 2)
    idle = submit(cluster, "job.name=with-idleness", "job.window.idleness=1s", *ONE_IDLE_SUBTASK)
    try:

        def settled(d):
            rows = [r for r in d["watermarks"] if r["name"].startswith(window)]
            return rows and rows[0]["lag_s"] is not None and (rows[0]["records_in"] or 0) > 0

        time.sleep(12)  # longer than the stall threshold: a stall would show by now
        _, data = diagnose_until(cluster.rest_url, idle, settled, "--alerts", str(alerts))
        print(f"with idleness: {data['watermarks']}")
        assert settled(data)
        assert finding(data, "watermark-stall") is None
        # not a moment: over 15 s of readings (longer than the threshold) its watermark never stalls, in
        # one reading (never advanced) or across them (stuck while records flow)
        watched = flink_jobs(
            "diagnose", "--rest", cluster.rest_url, "--job", idle, "--watch", "3", "--count", "6",
            "--format", "json", "--alerts", str(alerts), timeout=180,
        )  # fmt: skip
        readings = readings_of(watched)
        assert len(readings) == 6, watched.stdout + watched.stderr
        assert not any(finding(r, "watermark-stall") for r in readings), [r["findings"] for r in readings]
        rows = [r for reading in readings for r in reading["watermarks"] if r["name"].startswith(window)]
        assert rows[-1]["watermark"] > rows[0]["watermark"]  # it advanced over the readings
    finally:
        cancel(cluster, idle)
