"""flink-jobs render: every pack job as a FlinkDeployment that Kubernetes accepts (the operator's
CRD schema, from ../shared/reference/k8s-operator/), flink-lint passes without a single finding,
and whose flinkConfiguration is what `flink-jobs run` applies (runtime.job_options, the function
run uses), minus the keys that name this machine's files, plus the state keys.

No Kubernetes cluster and no Docker engine here: the manifest is checked against the CRD and the
operator's validator as flink-lint models it, not applied.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import reference
from flink_jobs.cluster import flink_home
from flink_jobs.config import default_config_path, load_job_config
from flink_jobs.jobs import JOBS
from flink_jobs.render import CONFIG_MOUNT, MACHINE_LOCAL, STATE_KEYS
from flink_jobs.runtime import job_options, local_python_options
from flink_lint.crd import derive_file
from processes import flink_jobs

REPOSITORY = Path(__file__).resolve().parents[2]
CRD = REPOSITORY.parent / "shared" / "reference" / "k8s-operator" / "flinkdeployments.flink.apache.org-v1.yml"
STDOUT = "job.sink.type=stdout"  # what render makes of the shipped configs' collect sink
CASES = [(job, str(default_config_path(job)), STDOUT) for job in JOBS] + [
    ("windowed-counts", str(REPOSITORY / "configs" / "windowed-counts.kafka.yaml"), None)
]


def _render(tmp_path, job: str, config: str, override, *extra: str) -> tuple[Path, list]:
    out = tmp_path / f"{job}.yaml"
    sets = ["--set", override] if override else []
    result = flink_jobs("render", job, "--config", config, *sets, *extra, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, list(yaml.safe_load_all(out.read_text()))


@pytest.mark.parametrize(("job", "config", "override"), CASES)
def test_rendered_deployment_matches_the_operator_crd(tmp_path, job, config, override):
    _, (configmap, deployment) = _render(tmp_path, job, config, override)
    raw = yaml.safe_load(CRD.read_text())["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert list(jsonschema.Draft4Validator(raw).iter_errors(deployment)) == []  # the CRD as Kubernetes has it
    strict = derive_file(CRD)  # and with unknown fields refused
    assert [error.message for error in jsonschema.Draft7Validator(strict).iter_errors(deployment)] == []
    assert configmap["kind"] == "ConfigMap"
    volume = deployment["spec"]["podTemplate"]["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]


@pytest.mark.parametrize(("job", "config", "override"), CASES)
def test_rendered_deployment_lints_without_a_finding(tmp_path, job, config, override):
    out, _ = _render(tmp_path, job, config, override)
    result = flink_jobs_lint(str(out))
    assert json.loads(result.stdout)["findings"] == []
    assert result.returncode == 0


def flink_jobs_lint(*args: str):
    return subprocess.run(
        [sys.executable, "-m", "flink_lint.cli", *args, "--format", "json", "--fail-on", "info"],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("job", "config", "override"), CASES)
def test_flink_configuration_is_what_run_applies(tmp_path, job, config, override):
    _, (configmap, deployment) = _render(tmp_path, job, config, override)
    loaded = load_job_config(config, [override] if override else [], job_name=job)
    run = job_options(loaded, local_python_options())  # what `flink-jobs run` sets (run_local)
    rendered = deployment["spec"]["flinkConfiguration"]
    assert {k: v for k, v in rendered.items() if k not in STATE_KEYS} == {
        k: v for k, v in run.items() if k not in MACHINE_LOCAL
    }
    for key in MACHINE_LOCAL:  # left out only because they name files of this machine
        if key in run:
            assert sys.prefix in run[key] or str(REPOSITORY) in run[key], (key, run[key])
    assert deployment["spec"]["job"]["parallelism"] == int(run["parallelism.default"])
    # a stateful job (both pack jobs checkpoint): last-state with HA and durable directories
    assert deployment["spec"]["job"]["upgradeMode"] == "last-state"
    assert rendered["high-availability.type"] == "kubernetes"
    assert all(rendered[key].startswith("s3://flink-jobpack/") for key in STATE_KEYS[1:])


@pytest.mark.parametrize(("job", "config", "override"), CASES)
def test_arguments_start_the_entrypoint_with_the_mounted_config(tmp_path, job, config, override):
    """The JSON argument is entrypoint.py's: the mounted ConfigMap file with the overrides loads to
    the same job config as here."""
    _, (configmap, deployment) = _render(tmp_path, job, config, override)
    args = deployment["spec"]["job"]["args"]
    assert args[:4] == ["-pyclientexec", "/usr/bin/python3", "-pym", "flink_jobs.entrypoint"]
    request = json.loads(args[4])
    assert request["job"] == job and request["config"].startswith(CONFIG_MOUNT + "/")
    mounted = tmp_path / "mounted" / Path(request["config"]).name
    mounted.parent.mkdir()
    mounted.write_text(configmap["data"][mounted.name])
    inside = load_job_config(str(mounted), request["overrides"], job_name=request["job"])
    here = load_job_config(config, [override] if override else [], job_name=job)
    assert inside.settings == here.settings and inside.flink == here.flink


def test_stateless_job_and_options(tmp_path):
    """A config without checkpointing keeps no state across upgrades: stateless, no state keys."""
    config = tmp_path / "totals.yaml"
    config.write_text("job:\n  name: totals-2\n  sink: {type: stdout}\nflink:\n  parallelism.default: 2\n")
    out, (_, deployment) = _render(
        tmp_path, "running-totals", str(config), None, "--image", "registry.example.com/jobs:1", "--state-dir", "gs://b"
    )
    spec = deployment["spec"]
    assert spec["image"] == "registry.example.com/jobs:1"
    assert (spec["job"]["upgradeMode"], spec["job"]["parallelism"]) == ("stateless", 2)
    assert not set(STATE_KEYS) & set(spec["flinkConfiguration"])
    assert json.loads(flink_jobs_lint(str(out)).stdout)["findings"] == []


@pytest.mark.parametrize(
    ("sets", "jobmanager", "taskmanager"),
    [
        (["flink.jobmanager.memory.process.size=2g", "flink.taskmanager.memory.process.size=3g"], "2g", "3g"),
        # sized through their parts: Flink derives the pods' memory; a resource.memory would set
        # process.size beside them (1728m below 4096m of Flink memory: Flink refuses to start)
        (["flink.jobmanager.memory.heap.size=3g", "flink.taskmanager.memory.flink.size=4096m"], None, None),
        (["flink.taskmanager.memory.task.heap.size=1g", "flink.taskmanager.memory.managed.size=1g"], "1600m", None),
    ],
)
def test_resources_follow_the_memory_settings(tmp_path, sets, jobmanager, taskmanager):
    overrides = [arg for value in [STDOUT, *sets] for arg in ("--set", value)]
    out, (_, deployment) = _render(
        tmp_path, "windowed-counts", str(default_config_path("windowed-counts")), None, *overrides
    )
    spec = deployment["spec"]
    assert spec["jobManager"]["resource"].get("memory") == jobmanager
    assert spec["taskManager"]["resource"].get("memory") == taskmanager
    assert [error.message for error in jsonschema.Draft7Validator(derive_file(CRD)).iter_errors(deployment)] == []
    assert json.loads(flink_jobs_lint(str(out)).stdout)["findings"] == []  # memory set or derivable, no conflict


@pytest.mark.parametrize("job", list(JOBS))
def test_the_shipped_collect_sink_renders_as_stdout_with_a_note(tmp_path, job):
    """`flink-jobs render JOB` as typed: the shipped configs collect results back to `flink-jobs run`,
    which a pod does not have; the manifest is the one `--set job.sink.type=stdout` gives, and one
    line says so."""
    bare = flink_jobs("render", job, "--out", str(tmp_path / "bare.yaml"))
    assert bare.returncode == 0, bare.stderr
    assert bare.stderr.startswith("note: sink `collect` returns results to `flink-jobs run` only;")
    explicit, _ = _render(tmp_path, job, str(default_config_path(job)), STDOUT)
    assert (tmp_path / "bare.yaml").read_text() == explicit.read_text()


@pytest.mark.flink
def test_rendered_job_runs_through_the_python_driver(tmp_path):
    """What the JobManager pod does with the manifest, on this machine: Flink's PythonDriver
    (`entryClass`, from the jar of `jarURI`) started with the rendered `args` runs the job on a
    local mini-cluster. Two substitutions only: this interpreter for the image's /usr/bin/python3,
    and a local copy of the ConfigMap's file for its mount path."""
    events = 3000
    _, (configmap, deployment) = _render(
        tmp_path,
        "windowed-counts",
        str(default_config_path("windowed-counts")),
        STDOUT,
        "--set",
        f"job.events.count={events}",
    )
    job = deployment["spec"]["job"]
    home = flink_home()
    assert job["jarURI"].startswith("local:///opt/flink/opt/")
    jar = home / "opt" / Path(job["jarURI"]).name
    args = list(job["args"])
    assert args[1] == "/usr/bin/python3"
    args[1] = sys.executable
    request = json.loads(args[4])
    mounted = tmp_path / "mount" / Path(request["config"]).name
    mounted.parent.mkdir()
    mounted.write_text(configmap["data"][mounted.name])
    args[4] = json.dumps({**request, "config": str(mounted)})
    java_options = yaml.safe_load((home / "conf" / "config.yaml").read_text())["env"]["java"]["opts"]["all"].split()
    environment = {**os.environ, "FLINK_HOME": str(home), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    driver = subprocess.Popen(
        ["java", "-Xmx512m", *java_options, "-cp", f"{home / 'lib'}/*:{jar}", job["entryClass"], *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environment,
        start_new_session=True,
    )
    try:
        out, err = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
            driver.wait()
    assert driver.returncode == 0, err[-2000:] + out[-2000:]
    records = {"windows": [], "late": []}
    for line in out.splitlines():
        stream, _, record = line.partition("> ")
        if stream in records:
            records[stream].append(json.loads(record))
    config = load_job_config(str(mounted), request["overrides"], job_name=request["job"])
    size = config.settings.window.size_ms
    expected = reference.windows(config.settings.events.events(), size)
    windows = reference.final_windows(records["windows"])
    late = reference.windows([(e["key"], e["value"], e["event_time"], e["seq"]) for e in records["late"]], size)
    assert sum(w["count"] for w in windows.values()) + len(records["late"]) == events
    for slot, want in expected.items():
        counted = windows.get(slot, {"count": 0, "sum": 0})
        went_late = late.get(slot, {"count": 0, "sum": 0})
        assert (counted["count"] + went_late["count"], counted["sum"] + went_late["sum"]) == (
            want["count"],
            want["sum"],
        )
