"""flink-jobs on bad input: one clear message with file:line, exit code 2, no traceback, no JVM."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flink_jobs.jobs import JOBS
from processes import flink_jobs

GOOD = Path(__file__).resolve().parents[2] / "configs" / "windowed-counts.yaml"


def config_file(tmp_path, text: str) -> str:
    path = tmp_path / "job.yaml"
    path.write_text(text)
    return str(path)


def test_list_names_every_job():
    result = flink_jobs("list")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")] == list(JOBS)


@pytest.mark.parametrize("job", list(JOBS))
def test_shipped_configs_are_valid(job):
    result = flink_jobs("check", job)
    assert result.returncode == 0, result.stderr


def test_unknown_job():
    result = flink_jobs("run", "windowed-count")
    assert result.returncode == 2
    assert (
        result.stderr
        == "error: unknown job `windowed-count`; known jobs: enrichment, hot-key-rollup, running-totals, windowed-counts\n"
    )


# The linter's job-config findings (flink_lint.api), as `flink-lint --kind job-config` prints them.
BAD_CONFIGS = [
    ("broken-yaml", "job:\n  name: x\n  window: {size: 10 s\n", ":4:1: FL001 yaml-syntax [error] while parsing"),
    ("tab-indent", "job:\n\tname: x\n", ":2:1: FL001 yaml-syntax [error]"),
    (
        "wrong-type",
        "job:\n  window:\n    size: [10]\n",
        ":3:11: FL003 schema [error] job.window.size: [10] is not of type 'string', 'integer'",
    ),
    (
        "unknown-job-key",
        "job:\n  windw:\n    size: 10 s\n",
        ":2:3: FL003 schema [error] unknown key `windw` in job\n    hint: did you mean `window`?",
    ),
    (
        "bad-flink-value",
        "job: {}\nflink:\n  execution.checkpointing.interval: 10 seconds please\n",
        ":3:37: FL104 invalid-value [error] Could not parse value '10 seconds please' for key "
        "'execution.checkpointing.interval'",
    ),
    (
        "bad-duration",
        "job:\n  window:\n    size: 10 weeks\n",
        ":3:11: FL003 schema [error] job.window.size: duration unit 'weeks'",
    ),
    (
        "short-timer",
        "job:\n  emit: {interval: 5 ms}\n",
        ":2:20: FL003 schema [error] job.emit.interval: must be at least 10 ms",
    ),
    (
        "unbounded-generator-collected",  # the sink is the shipped config's: collect
        "job:\n  events: {count: null}\n",
        ":2:12: FL622 job-unbounded-collect [error] an unbounded generator (events.count: null) never finishes",
    ),
    (
        "kafka-transaction-timeout",
        "job:\n  sink: {type: kafka, bootstrap-servers: 'k:9092', topic: out, "
        "transaction-timeout: 1 h}\nflink: {execution.checkpointing.interval: 10 s}\n",
        ":2:85: FL613 job-kafka-transaction-timeout [error] sink.transaction-timeout = 1 h (1 h) is above the "
        "broker's transaction.max.timeout.ms (15 min)",
    ),
    (
        "kafka-transaction-timeout-property",
        "job:\n  sink: {type: kafka, bootstrap-servers: 'k:9092', topic: out, "
        "properties: {transaction.timeout.ms: 10 min}}\nflink: {execution.checkpointing.interval: 10 s}\n",
        ":2:101: FL003 schema [error] job.sink.properties.transaction.timeout.ms: must be a positive integer",
    ),
    (
        "kafka-missing-field",
        "job:\n  source: {type: kafka, topic: events}\n",
        ":2:11: FL003 schema [error] job.source: 'bootstrap-servers' is a required property",
    ),
    ("not-a-mapping", "- job\n", ":1:1: FL003 schema [error] config: ['job'] is not of type 'object'"),
    ("empty", "", ":1:1: FL001 yaml-syntax [error] empty: a job config is a mapping with a `job:` section"),
]


@pytest.mark.parametrize("name,text,expected", BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_is_located_and_exits_2_before_any_jvm(tmp_path, name, text, expected):
    path = config_file(tmp_path, text)
    result = flink_jobs("run", "windowed-counts", "--config", path, env={**os.environ, "JAVA_HOME": "", "PATH": ""})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert result.stderr.startswith(f"error: {path}:") or "--set" in result.stderr


def test_check_prints_the_linters_findings(tmp_path):
    """A complete config (nothing inherited from the shipped one): flink-jobs check prints exactly
    what `flink-lint --kind job-config` prints, line for line."""
    text = GOOD.read_text().replace("size: 1 min", "size: 1 week").replace("parallelism.default", "parallelism.defualt")
    path = config_file(tmp_path, text)
    linted = subprocess.run(
        [str(Path(sys.executable).with_name("flink-lint")), "--kind", "job-config", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 1, linted.stdout + linted.stderr
    expected = linted.stdout.splitlines()[:-1]  # without the summary line
    assert [line.split(": ")[1].split()[0] for line in expected if not line.startswith(" ")] == ["FL003", "FL101"]
    result = flink_jobs("check", "windowed-counts", "--config", path)
    assert result.returncode == 2
    assert result.stderr.removeprefix("error: ").splitlines() == expected


WARNINGS = [  # the job runs (and looks healthy): run and submit print them and go on
    (
        "file-sink-without-checkpoints",
        "job:\n  sink: {type: file, path: /tmp/x}\n",
        ":2:3: FL621 job-file-sink-without-checkpointing [warning] sink type `file` commits files only on checkpoints",
    ),
    (
        "kafka-exactly-once-without-checkpoints",
        "job:\n  source: {type: kafka, bootstrap-servers: 'k:9092', "
        "topic: in}\n  sink: {type: kafka, bootstrap-servers: 'k:9092', topic: out}\n",
        ":3:3: FL611 job-kafka-exactly-once-without-checkpointing [warning] the Kafka sink is exactly-once",
    ),
    ("unknown-flink-key", "job: {}\nflink:\n  parallelism.defualt: 2\n", ":3:3: FL101 unknown-key [warning]"),
    (
        "duplicate-key",
        "job:\n  name: a\n  name: b\n",
        ":3:3: FL002 duplicate-key [warning] duplicate key `name` (first at line 2): only the last value is used",
    ),
]


@pytest.mark.parametrize("name,text,expected", WARNINGS, ids=[c[0] for c in WARNINGS])
def test_warnings_fail_check_and_are_printed_by_run(tmp_path, name, text, expected):
    """check fails on warnings, as flink-lint (--fail-on); run and submit print them and go on."""
    path = config_file(tmp_path, text)
    result = flink_jobs("check", "windowed-counts", "--config", path)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {path}") and expected in result.stderr
    result = flink_jobs("check", "windowed-counts", "--config", path, "--fail-on", "error")
    assert result.returncode == 0 and expected in result.stderr, result.stderr
    result = flink_jobs("run", "windowed-counts", "--config", path, env={**os.environ, "JAVA_HOME": "", "PATH": ""})
    assert expected in result.stderr and "error: Java not found" in result.stderr  # past the config


def test_kafka_config_with_a_connector_jar_validates(tmp_path):
    jar = tmp_path / "flink-sql-connector-kafka-4.0.0-2.0.jar"
    jar.write_bytes(b"PK")
    path = config_file(
        tmp_path,
        (
            "job:\n  source: {type: kafka, bootstrap-servers: 'broker:9092', topic: events, starting-offsets: earliest}\n"
            "  sink: {type: kafka, bootstrap-servers: 'broker:9092', topic: results, delivery-guarantee: exactly-once}\n"
            f"flink:\n  pipeline.jars: file://{jar}\n  execution.checkpointing.interval: 10 s\n"
        ),
    )
    result = flink_jobs("check", "windowed-counts", "--config", path)
    assert result.returncode == 0, result.stderr
    missing = config_file(tmp_path, Path(path).read_text().replace(str(jar), "/nowhere/flink-connector-kafka.jar"))
    result = flink_jobs("check", "windowed-counts", "--config", missing)
    assert (
        result.returncode == 2 and "pipeline.jars: file not found: /nowhere/flink-connector-kafka.jar" in result.stderr
    )


def test_kafka_jars_go_on_pipeline_jars_unless_the_user_set_one(tmp_path):
    from flink_jobs.config import load_job_config
    from flink_jobs.kafka import connector_jar, jobpack_jar

    text = (
        "job:\n  source: {type: kafka, bootstrap-servers: 'k:9092', topic: in, stopping-offsets: latest}\n"
        "  sink: {type: kafka, bootstrap-servers: 'k:9092', topic: out}\n"
    )
    config = load_job_config(config_file(tmp_path, text))
    assert config.flink["pipeline.jars"].split(";") == [connector_jar().as_uri(), jobpack_jar().as_uri()]
    assert config.settings.sink["delivery-guarantee"] == "exactly-once"
    assert config.settings.sink["properties"]["transaction.timeout.ms"] == "600000"
    assert config.settings.sink["transactional-id-prefix"] == "job"  # the job's name: here the file's

    result = flink_jobs(
        "check",
        "windowed-counts",
        "--config",
        config_file(tmp_path, text),
        "--fail-on",
        "error",  # no checkpointing: a warning (FL401)
        env={**os.environ, "FLINK_JOBS_JVM_LIB": str(tmp_path / "nowhere")},
    )
    assert result.returncode == 2 and "connector jar is missing" in result.stderr and "make jvm" in result.stderr


def test_bad_override_names_the_override():
    result = flink_jobs(
        "check", "windowed-counts", "--set", "job.window.size=soon", "--set", "nokey", "--set", "flink.pipeline.name=x"
    )
    assert result.returncode == 2
    assert "--set job.window.size=soon: FL003 schema [error] job.window.size: duration 'soon'" in result.stderr
    assert "--set nokey: expected KEY=VALUE" in result.stderr
    assert "pipeline.name" not in result.stderr


def test_missing_java_is_named_with_the_package_to_install():
    result = flink_jobs("run", "windowed-counts", env={**os.environ, "JAVA_HOME": "", "PATH": "/nonexistent"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: Java not found")
    assert "openjdk-17-jre-headless" in result.stderr


@pytest.mark.flink
def test_a_failing_job_prints_its_root_cause_on_one_line_and_logs_the_trace(tmp_path):
    # The embedded local Flink needs a fixed network memory size: min != max fails the job at start.
    result = flink_jobs(
        "run", "windowed-counts", "--events", "1000", "--quiet", "--set", "flink.taskmanager.memory.network.max=256mb"
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(
        "windowed-counts: FAILED: org.apache.flink.configuration.IllegalConfigurationException: "
        "The network memory min (128 mb) and max (256 mb) mismatch"
    )
    assert lines[1].startswith("full trace: ")
    trace = Path(lines[1].split(": ", 1)[1]).read_text()
    assert "Caused by:" in trace and "at org.apache.flink" in trace
    assert len(lines) == 2, "no Java stack trace on the terminal"


def test_a_bad_duration_is_one_problem_and_zero_is_rejected():
    result = flink_jobs("check", "windowed-counts", "--set", "job.window.size=soon")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = flink_jobs("check", "windowed-counts", "--set", "job.window.size=0 s", "--set", "job.events.interval=0ms")
    assert result.returncode == 2
    assert sorted(result.stderr.replace("error: ", "").strip().splitlines()) == [
        "--set job.events.interval=0ms: FL003 schema [error] job.events.interval: must be at least 1 ms",
        "--set job.window.size=0 s: FL003 schema [error] job.window.size: must be at least 1 ms",
    ]
