"""Render a pack job as a FlinkDeployment for the Flink Kubernetes operator (application mode).

The job runs unchanged: the operator starts Flink's PythonDriver (`job.jarURI` the flink-python
jar, as the operator's PyFlink example does), which runs flink_jobs/entrypoint.py from the image
(`-pym flink_jobs.entrypoint`) with the same one JSON argument `flink-jobs submit` passes to
`flink run -py`: the job, its config file (mounted from a ConfigMap) and the `--set` overrides.

    ConfigMap <name>-job-config          the job config file, as written
    FlinkDeployment <name>
      flinkConfiguration                 what `flink-jobs run` applies (runtime.job_options), minus
                                         MACHINE_LOCAL, plus STATE_KEYS for a stateful job
      jobManager/taskManager.resource    memory from *.memory.process.size; left out when the config
                                         sizes the process otherwise (flink.size, heap: Flink derives
                                         the pod's memory, as the operator allows); else Flink's
                                         defaults. TaskManager CPU = its slots
      job                                PythonDriver, parallelism, upgradeMode
      podTemplate                        mounts the ConfigMap at CONFIG_MOUNT

MACHINE_LOCAL keys name this machine's files: `python.executable`, `python.client.executable`,
`python.pythonpath` (this virtualenv; the image's `python` has apache-flink installed) and
`pipeline.jars` (the Kafka connector under jvm/lib; inside the image entrypoint.py sets it again
from FLINK_JOBS_JVM_LIB). A job that checkpoints keeps state: it gets `upgradeMode: last-state`,
Kubernetes HA and checkpoint, savepoint and HA directories under `--state-dir` (unless its config
names them), and the S3 filesystem plugin when that directory is on s3://.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

import yaml

from flink_jobs.config import JobConfig
from flink_jobs.jobs import JobInfo
from flink_jobs.runtime import job_options

MACHINE_LOCAL = ("python.executable", "python.client.executable", "python.pythonpath", "pipeline.jars")
STATE_KEYS = (
    "high-availability.type",
    "high-availability.storageDir",
    "execution.checkpointing.dir",
    "execution.checkpointing.savepoint-dir",
)
CONFIG_MOUNT = "/opt/flink-jobpack/job"
DEFAULT_STATE_DIR = "s3://flink-jobpack"
# Flink's own defaults in the distribution's conf/config.yaml, when the job config sets no size.
DEFAULT_JOBMANAGER_MEMORY = "1600m"
DEFAULT_TASKMANAGER_MEMORY = "1728m"
# What Flink derives a process's total memory from, besides process.size (JobManagerProcessUtils,
# TaskExecutorProcessUtils): the operator's `resource.memory` would set process.size beside them.
JOBMANAGER_SIZES = (("jobmanager.memory.flink.size",), ("jobmanager.memory.heap.size",))
TASKMANAGER_SIZES = (
    ("taskmanager.memory.flink.size",),
    ("taskmanager.memory.task.heap.size", "taskmanager.memory.managed.size"),
)
SERVICE_ACCOUNT = "flink"  # the operator Helm chart's default jobServiceAccount
PYTHON = "/usr/bin/python3"  # the image's Python (Dockerfile)


class RenderError(ValueError):
    """The job cannot run on the operator as configured; str() is one line."""


def flink_version() -> str:
    """The Flink release the pack runs on: the installed apache-flink (pyproject pins it)."""
    try:
        return metadata.version("apache-flink")
    except metadata.PackageNotFoundError:
        raise RenderError(
            "apache-flink is not installed (pip install 'flink-jobpack[jobs]'): the manifest names its version"
        ) from None


def default_image() -> str:
    """The tag the Dockerfile's README line builds: flink-jobpack:<pack version>-flink<Flink version>."""
    try:
        pack = metadata.version("flink-jobpack")
    except metadata.PackageNotFoundError:
        pack = "dev"
    return f"flink-jobpack:{pack}-flink{flink_version()}"


def deployment_name(job_name: str) -> str:
    """The job's name as the operator accepts it: [a-z]([-a-z0-9]{0,43}[a-z0-9])?"""
    name = re.sub(r"[^a-z0-9-]+", "-", job_name.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:45].rstrip("-")
    return name or "flink-job"


def cluster_options(config: JobConfig) -> dict[str, Any]:
    """flinkConfiguration without the state keys: what `flink-jobs run` applies, minus MACHINE_LOCAL."""
    return {key: value for key, value in job_options(config).items() if key not in MACHINE_LOCAL}


def keeps_state(config: JobConfig) -> bool:
    """A job that checkpoints has state to carry across upgrades (the pack's jobs keep windows or totals)."""
    batch = config.flink.get("execution.runtime-mode", "").upper() == "BATCH"
    return bool(config.flink.get("execution.checkpointing.interval")) and not batch


def _resource(
    options: dict[str, Any], process: str, derived_from: tuple[tuple[str, ...], ...], default: str
) -> dict[str, Any]:
    """`resource` of a JobManager or TaskManager: the memory its config sizes, or none at all when
    the config sizes the process through its parts (setting process.size too could contradict them)."""
    if process in options:
        return {"memory": options[process]}
    if any(all(key in options for key in keys) for keys in derived_from):
        return {}
    return {"memory": default}


def _state_options(config: JobConfig, state_dir: str, name: str) -> dict[str, Any]:
    base = f"{state_dir.rstrip('/')}/{name}"
    wanted = {
        "high-availability.type": "kubernetes",
        "high-availability.storageDir": f"{base}/ha",
        "execution.checkpointing.dir": f"{base}/checkpoints",
        "execution.checkpointing.savepoint-dir": f"{base}/savepoints",
    }
    return {key: value for key, value in wanted.items() if key not in config.flink}


def render(
    job: JobInfo,
    config: JobConfig,
    overrides: list[str],
    image: Optional[str] = None,
    state_dir: str = DEFAULT_STATE_DIR,
) -> list[dict[str, Any]]:
    """[ConfigMap, FlinkDeployment] for the job; raises RenderError."""
    if config.settings.sink["type"] == "collect":
        raise RenderError(
            "sink `collect` returns results to `flink-jobs run` only: configure sink `file`, `stdout` or `kafka` "
            "to render a deployment (--set job.sink.type=...)"
        )
    name = deployment_name(config.settings.name)
    config_file = Path(config.path)
    options = cluster_options(config)
    stateful = keeps_state(config)
    if stateful:
        options.update(_state_options(config, state_dir, name))
    slots = int(options.get("taskmanager.numberOfTaskSlots", "1"))
    request = {
        "job": job.name,
        "config": f"{CONFIG_MOUNT}/{config_file.name}",
        "overrides": list(overrides),
        "python_options": {},
    }
    container: dict[str, Any] = {
        "name": "flink-main-container",
        "volumeMounts": [{"name": "job-config", "mountPath": CONFIG_MOUNT, "readOnly": True}],
    }
    if any(str(options.get(key, "")).startswith("s3://") for key in STATE_KEYS):
        container["env"] = [{"name": "ENABLE_BUILT_IN_PLUGINS", "value": f"flink-s3-fs-presto-{flink_version()}.jar"}]
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{name}-job-config", "labels": {"app": name}},
        "data": {config_file.name: config_file.read_text(encoding="utf-8")},
    }
    major, minor = flink_version().split(".")[:2]
    deployment = {
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": "FlinkDeployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "image": image or default_image(),
            "flinkVersion": f"v{major}_{minor}",
            "serviceAccount": SERVICE_ACCOUNT,
            "flinkConfiguration": {key: str(value) for key, value in options.items()},
            "jobManager": {
                "resource": {
                    **_resource(options, "jobmanager.memory.process.size", JOBMANAGER_SIZES, DEFAULT_JOBMANAGER_MEMORY),
                    "cpu": 1,
                }
            },
            "taskManager": {
                "resource": {
                    **_resource(
                        options, "taskmanager.memory.process.size", TASKMANAGER_SIZES, DEFAULT_TASKMANAGER_MEMORY
                    ),
                    "cpu": slots,
                }
            },
            "podTemplate": {
                "spec": {
                    "containers": [container],
                    "volumes": [{"name": "job-config", "configMap": {"name": f"{name}-job-config"}}],
                }
            },
            "job": {
                "jarURI": f"local:///opt/flink/opt/flink-python-{flink_version()}.jar",
                "entryClass": "org.apache.flink.client.python.PythonDriver",
                "args": ["-pyclientexec", PYTHON, "-pym", "flink_jobs.entrypoint", json.dumps(request)],
                "parallelism": int(options.get("parallelism.default", "1")),
                "upgradeMode": "last-state" if stateful else "stateless",
            },
        },
    }
    return [configmap, deployment]


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(documents: list[dict[str, Any]], job: JobInfo) -> str:
    header = (
        f"# {job.name}: rendered by `flink-jobs render` for the Flink Kubernetes operator (application mode).\n"
        "# The image is built by the repository's Dockerfile; state directories from --state-dir.\n"
    )
    return header + yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, width=200, explicit_start=True)
