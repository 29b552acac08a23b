"""flink-jobs backpressure against a tiny loopback HTTP server: recorded payloads end to end, and the
faults a real cluster cannot produce on demand (garbage, hangs, transient 500s). No JVM here."""

import json
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flink_jobs.rest import FlinkRest, NotSampled, RestError
from processes import flink_jobs as run_flink_jobs, free_ports

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
NO_VALUE = {
    "errors": [
        "org.apache.flink.runtime.rest.handler.RestHandlerException: "
        "java.util.NoSuchElementException: No value present\n\tat ..."
    ]
}


def flink_jobs(*args, **kwargs):
    return run_flink_jobs(*args, **{"timeout": 60, **kwargs})


class FakeFlink:
    """Serves recorded samples like a JobManager's REST API; `mode` injects faults."""

    def __init__(self, samples: list, mode: str = "normal", port: int = 0):
        self.samples = samples
        self.mode = mode
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append(self.path)
                status, body = fake.answer(urllib.parse.urlparse(self.path).path)
                if fake.mode == "hang":
                    time.sleep(5)
                payload = b"<html>502 Bad Gateway</html>" if fake.mode == "garbage" else json.dumps(body).encode()
                if fake.mode == "truncated":
                    payload = payload[: len(payload) // 2]
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port or free_ports(1)[0]), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str):
        parts = path.strip("/").split("/")
        if parts == ["jobs", "overview"]:
            return 200, {
                "jobs": [
                    {
                        "jid": s["job"]["jid"],
                        "name": s["job"]["name"],
                        "state": s["job"]["state"],
                        "start-time": s["job"]["start-time"],
                    }
                    for s in self.samples
                ]
            }
        sample = next((s for s in self.samples if len(parts) > 1 and s["job"]["jid"] == parts[1]), None)
        if sample is None:
            return 404, {"errors": [f"org.apache.flink.runtime.rest.NotFoundException: Job {parts[-1]} not found"]}
        if len(parts) == 2:
            return 200, sample["job"]
        if parts[2] == "plan":
            return 200, sample["plan"]
        vid = parts[3]
        if parts[4] == "backpressure":
            body = sample["backpressure"].get(vid)
            if self.mode == "flaky" and sum("backpressure" in r for r in self.requests) == 1:
                return 500, NO_VALUE
            return (200, body) if body is not None else (500, NO_VALUE)
        if parts[5] == "metrics":
            return 200, sample["metrics"].get(vid) or []
        return 200, (sample["subtasks"].get(vid) or [[]] * 64)[int(parts[5])]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def fake():
    servers = []

    def start(*names, mode="normal", port=0):
        server = FakeFlink([recorded(n) for n in names], mode, port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_recorded_slow_job_end_to_end_exits_1_and_names_the_bottleneck(fake):
    server = fake("slow-high")
    result = flink_jobs("backpressure", "--rest", server.url)
    assert result.returncode == 1, result.stderr
    assert "bottleneck: slow-operator" in result.stdout and "HIGH" in result.stdout
    assert result.stderr == ""


def test_recorded_hot_key_end_to_end_reads_per_subtask_strings(fake):
    server = fake("hot-key")
    result = flink_jobs("backpressure", "--rest", server.url, "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["hot_key"]["subtask"] == 0
    assert any("/subtasks/0/metrics" in r for r in server.requests)


def test_healthy_job_exits_0(fake):
    result = flink_jobs("backpressure", "--rest", fake("healthy").url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bottleneck: none" in result.stdout and "alerts: none" in result.stdout


def test_watch_refreshes_and_reports_any_alert(fake):
    result = flink_jobs("backpressure", "--rest", fake("slow-high").url, "--watch", "0.2", "--count", "2")
    assert result.returncode == 1
    assert result.stdout.count("bottleneck: slow-operator") == 2


def test_several_running_jobs_need_a_choice(fake):
    server = fake("healthy", "hot-key")
    result = flink_jobs("backpressure", "--rest", server.url)
    assert result.returncode == 2
    assert result.stderr.startswith("error: 2 jobs are running on") and "choose one with --job" in result.stderr
    by_name = flink_jobs("backpressure", "--rest", server.url, "--job", "hot-key-counts", "--format", "json")
    assert by_name.returncode == 1 and json.loads(by_name.stdout)["job_name"] == "hot-key-counts"


def test_unknown_job_exits_2(fake):
    result = flink_jobs("backpressure", "--rest", fake("healthy").url, "--job", "f" * 32)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no job `{'f' * 32}` on {result.stderr.split(' on ')[1].split(' ')[0]} "
        "(running: dec760c039fda0e9eb094ca8e4675059 healthy-counts (RUNNING))"
    ]


def test_garbage_json_exits_2_with_one_line(fake):
    server = fake("healthy", mode="garbage")
    result = flink_jobs("backpressure", "--rest", server.url)
    assert result.returncode == 2
    assert (
        result.stderr == f"error: {server.url} answered /jobs/overview with something that is not JSON: "
        "`<html>502 Bad Gateway</html>`\n"
    )


def test_a_hanging_server_times_out_with_exit_2(fake):
    server = fake("healthy", mode="hang")
    result = flink_jobs("backpressure", "--rest", server.url, "--timeout", "1")
    assert result.returncode == 2
    assert result.stderr == f"error: no answer from {server.url} within 1 s (/jobs/overview)\n"


def test_unreachable_url_exits_2():
    (port,) = free_ports(1)
    result = flink_jobs("backpressure", "--rest", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stderr == f"error: cannot reach the Flink REST API at http://127.0.0.1:{port}: connection refused\n"


def test_bad_alerts_file_exits_2(tmp_path, fake):
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text("alerts: {backpressure-ratio: {warning: -1}}\n")
    result = flink_jobs("backpressure", "--rest", fake("healthy").url, "--alerts", str(alerts))
    assert result.returncode == 2 and "alerts.yaml:1:" in result.stderr and "Traceback" not in result.stderr


def test_transient_500_is_retried(fake):
    server = fake("slow-high", mode="flaky")
    rest = FlinkRest(server.url, retry_delay=0.01)
    job = recorded("slow-high")["job"]
    body = rest.get(f"/jobs/{job['jid']}/vertices/{job['vertices'][0]['id']}/backpressure")
    assert body["backpressureLevel"] == "high"
    assert sum("backpressure" in r for r in server.requests) == 2


def test_persistent_500_is_not_sampled_and_404_is_an_error(fake):
    server = fake("vertex-initializing")
    rest = FlinkRest(server.url, retries=1, retry_delay=0.01)
    job = recorded("vertex-initializing")["job"]
    with pytest.raises(NotSampled):
        rest.get(f"/jobs/{job['jid']}/vertices/{job['vertices'][0]['id']}/backpressure")
    with pytest.raises(RestError, match="HTTP 404 for /jobs/x: Job x not found"):
        rest.get("/jobs/x")


def test_a_truncated_body_exits_2_with_one_line(fake):
    server = fake("healthy", mode="truncated")
    result = flink_jobs("backpressure", "--rest", server.url)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "not JSON" in result.stderr, result.stderr


def watch(url: str, *args):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flink_jobs.cli",
            "backpressure",
            "--rest",
            url,
            "--watch",
            "0.3",
            "--format",
            "json",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_watch_keeps_going_until_the_cluster_comes_back(fake):
    (port,) = free_ports(1)
    # 24 refreshes 0.3 s apart: ~7 s for this process to start the fake after the first line, which a
    # loaded machine may take seconds to do (the last refresh must read the healthy job)
    watching = watch(f"http://127.0.0.1:{port}", "--count", "24")
    first = watching.stdout.readline()  # the cluster is down: refused, and the watch goes on
    assert first.startswith("error: cannot reach the Flink REST API") and "connection refused" in first
    fake("healthy", port=port)
    out, err = watching.communicate(timeout=60)
    assert "Traceback" not in err
    reports = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert reports and reports[-1]["job_name"] == "healthy-counts"
    assert watching.returncode == 0, "the last refresh read a healthy job"


def test_a_job_that_disappears_mid_watch_is_one_line_per_refresh(fake):
    server = fake("healthy")
    # 16 refreshes 0.3 s apart: the job must leave before the last ones, however late this
    # process gets to run on a loaded machine after reading the first
    watching = watch(server.url, "--count", "16")
    assert json.loads(watching.stdout.readline())["job_name"] == "healthy-counts"
    server.samples.clear()  # the job ends and leaves the cluster
    out, err = watching.communicate(timeout=60)
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert errors and all("no job" in line or "no running job" in line for line in errors), out
    assert "Traceback" not in err and watching.returncode == 2


def test_an_unreachable_broker_leaves_the_lag_not_read_not_zero(fake):
    server = fake("kafka-lagging")  # a Kafka source whose lag metrics the fake does not serve
    (port,) = free_ports(1)
    result = flink_jobs(
        "backpressure",
        "--rest",
        server.url,
        "--format",
        "json",
        "--kafka",
        f"127.0.0.1:{port}",
        "--group",
        "g",
        "--timeout",
        "1",
    )
    assert result.stderr == "" and result.returncode == 1, result.stderr  # the slow job's own alerts
    (lag,) = [v["kafka_lag"] for v in json.loads(result.stdout)["vertices"] if v["kafka_lag"]]
    assert lag["records"] is None
    assert f"broker 127.0.0.1:{port} not readable" in lag["why_not"], lag["why_not"]
    table = flink_jobs("backpressure", "--rest", server.url, "--kafka", f"127.0.0.1:{port}", "--timeout", "1")
    assert "kafka lag Source: kafka -> parse-events -> …: not read (" in table.stdout


def test_group_without_kafka_exits_2(fake):
    result = flink_jobs("backpressure", "--rest", fake("healthy").url, "--group", "g")
    assert result.returncode == 2
    assert result.stderr == "error: --group needs --kafka BOOTSTRAP (the broker that holds the group's offsets)\n"
