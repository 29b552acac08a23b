"""State on pod-local storage: checkpoint, savepoint or HA directories that die with the pod,
under an upgrade mode that needs them to survive it.

**What it does**
For a FlinkDeployment or FlinkSessionJob with `upgradeMode: savepoint` or `last-state`, looks at
`execution.checkpointing.dir`, `execution.checkpointing.savepoint-dir` and
`high-availability.storageDir` (and their deprecated keys). A local path (`file://` or a plain
`/path`) is pod-local unless the JobManager's and the TaskManagers' pod templates
(`spec.podTemplate`, `spec.jobManager.podTemplate`, `spec.taskManager.podTemplate`) mount a
persistent volume over it (`persistentVolumeClaim`, `nfs`, `csi`, `cephfs`, ...): a path on no
volume is in the container's own filesystem, and `emptyDir`, `ephemeral` and `hostPath` volumes
belong to the pod or its node.

**Why is this bad**
The operator upgrades a stateful job by deleting its pods and restoring from the last checkpoint
or savepoint: on pod-local storage that is gone with the pods, the job restarts from nothing
(or the upgrade fails), and TaskManagers on other pods cannot read each other's state files.

**Example**
```yaml
spec:
  flinkConfiguration:
    execution.checkpointing.dir: file:///flink-data/checkpoints
  podTemplate:
    spec:
      containers:
        - name: flink-main-container
          volumeMounts: [{name: flink-data, mountPath: /flink-data}]
      volumes: [{name: flink-data, emptyDir: {}}]
  job:
    upgradeMode: last-state
```

**Use instead**
```yaml
      volumes: [{name: flink-data, persistentVolumeClaim: {claimName: flink-data}}]
```
(a ReadWriteMany claim), or a distributed filesystem: `s3://bucket/checkpoints`.

**Fix**
none.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _job, _settings

CODE = "FL821"
NAME = "state-on-pod-local-storage"
SEVERITY = "warning"
FIXABLE = False

DIRECTORIES = {
    "execution.checkpointing.dir": "checkpoints",
    "execution.checkpointing.savepoint-dir": "savepoints",
    "high-availability.storageDir": "HA metadata",
}
POD_LOCAL_VOLUMES = ("emptyDir", "ephemeral", "hostPath")


def _mounts(template: Any) -> dict[str, str]:
    """mountPath -> the volume's source type, over every container of a pod template."""
    spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(spec, dict):
        return {}
    volumes = {}
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict) and isinstance(volume.get("name"), str):
            sources = [key for key in volume if key != "name"]
            volumes[volume["name"]] = sources[0] if sources else "emptyDir"  # no source: an emptyDir
    mounts = {}
    for group in ("containers", "initContainers"):
        for container in spec.get(group) or []:
            for mount in (container.get("volumeMounts") or []) if isinstance(container, dict) else []:
                if isinstance(mount, dict) and isinstance(mount.get("mountPath"), str):
                    mounts[mount["mountPath"].rstrip("/") or "/"] = volumes.get(mount.get("name"), "undeclared")
    return mounts


def _local_path(value: str) -> Optional[str]:
    if value.startswith("file://"):
        return value[len("file://") :] or "/"
    return value if value.startswith("/") else None


def _pod_local(path: str, mounts: dict[str, str]) -> Optional[str]:
    """Why `path` is pod-local under these mounts, or None when a persistent volume holds it."""
    best = max((m for m in mounts if path == m or path.startswith(m.rstrip("/") + "/")), key=len, default=None)
    if best is None:
        return "on no volume: the container's own filesystem"
    if mounts[best] in POD_LOCAL_VOLUMES or mounts[best] == "undeclared":
        local = "node-local " if mounts[best] == "hostPath" else ""
        return f"on a{'n' if (local or mounts[best])[0] in 'aeiou' else ''} {local}{mounts[best]} volume at {best}"
    return None


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind not in _job.KUBERNETES_KINDS:
        return
    mode = _job.upgrade_mode(config).value
    if mode not in _deployment.STATEFUL_UPGRADE_MODES:
        return
    common = _mounts(_deployment.get(config, "spec", "podTemplate"))
    pods = {
        "JobManager": {**common, **_mounts(_deployment.get(config, "spec", "jobManager", "podTemplate"))},
        "TaskManager": {**common, **_mounts(_deployment.get(config, "spec", "taskManager", "podTemplate"))},
    }
    for key, what in DIRECTORIES.items():
        setting = _settings.effective(config, key, context)
        path = _local_path(setting.value.strip()) if setting is not None and not setting.templated else None
        if path is None or setting is None:
            continue
        reasons = [f"{pod} {why}" for pod, mounts in pods.items() if (why := _pod_local(path, mounts))]
        if reasons:
            yield Problem(
                f"{what} in {setting.value.strip()} are on pod- or node-local storage ({'; '.join(reasons)}): with "
                f"upgradeMode {mode} they are lost with the pods, and the job restarts without its state",
                setting.value_location,
                hint="use a distributed filesystem (s3://, gs://, hdfs://) or mount a ReadWriteMany persistentVolumeClaim",
            )
