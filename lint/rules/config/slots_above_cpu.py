"""Slots above CPU: a TaskManager with far more slots than CPU cores requested.

**What it does**
For a FlinkDeployment, compares `taskmanager.numberOfTaskSlots` with the TaskManager's CPU request
(`spec.taskManager.resource.cpu`, `resources.requests.cpu`, or `kubernetes.taskmanager.cpu.amount`;
without any, Flink requests one core per slot) and reports more than `max-slots-per-cpu` slots per
core for a PyFlink job (default 2: `entryClass` PythonDriver, `-py`/`-pym` in `args`, or `python.*`
options) and more than `max-slots-per-cpu-jvm` for other jobs (default 4); both under
`[tool.flink-lint.options.slots-above-cpu]`.

**Why is this bad**
Every slot runs its own tasks, and with PyFlink its own Python worker (process mode) or shares the
TaskManager's single interpreter (thread mode): eight slots on one core take turns on it, each
subtask processes an eighth of what was planned, and the sources back up under load. Kubernetes
throttles the pod to its CPU limit, so the slots cannot borrow idle cores either.

**Example**
```yaml
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "8"
  taskManager:
    resource: {memory: 4g, cpu: 1}
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "2"
  taskManager:
    resource: {memory: 4g, cpu: 2}
```

**Fix**
none: more cores or fewer slots is a capacity decision.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _job, _settings

CODE = "FL823"
NAME = "slots-above-cpu"
SEVERITY = "warning"
FIXABLE = False
OPTIONS = ("max-slots-per-cpu", "max-slots-per-cpu-jvm")

DEFAULT_MAX_SLOTS_PER_CPU = 2.0  # PyFlink: a Python worker (or the one interpreter) per slot
DEFAULT_MAX_SLOTS_PER_CPU_JVM = 4.0
PYTHON_DRIVER = "org.apache.flink.client.python.PythonDriver"


def is_pyflink(config: FlinkConfig) -> bool:
    job = _deployment.get(config, "spec", "job")
    job = job if isinstance(job, dict) else {}
    written = job.get("args")
    args = written if isinstance(written, list) else []
    return (
        job.get("entryClass") == PYTHON_DRIVER
        or any(arg in ("-py", "-pym", "--python", "--pyModule") for arg in args)
        or any(setting.key.startswith("python.") for setting in config.settings)
    )


def cpu_quantity(value) -> Optional[float]:
    """A Kubernetes CPU quantity: 2, 1.5, "500m"; None when not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)(m?)\s*", str(value))
    if not match:
        return None
    return float(match.group(1)) / (1000 if match.group(2) else 1)


def _cpu(config: FlinkConfig, context: RuleContext) -> tuple[Any, ...]:
    for path in (("resource", "cpu"), ("resources", "requests", "cpu"), ("resources", "limits", "cpu")):
        cpu = cpu_quantity(_deployment.get(config, "spec", "taskManager", *path))
        if cpu is not None:
            return cpu, _deployment.at(config, "spec", "taskManager", *path)
    amount = _settings.fraction(config, "kubernetes.taskmanager.cpu.amount", context)
    if amount.setting is not None and isinstance(amount.value, float) and amount.value > 0:
        return amount.value, amount.setting.value_location
    return None, None


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    slots = _job.slots_per_taskmanager(config, context)
    cpu, cpu_location = _cpu(config, context)
    if not isinstance(slots.value, int) or cpu is None or cpu <= 0:
        return
    python = is_pyflink(config)
    if python:
        limit = float(context.options.get("max-slots-per-cpu", DEFAULT_MAX_SLOTS_PER_CPU))
    else:
        limit = float(context.options.get("max-slots-per-cpu-jvm", DEFAULT_MAX_SLOTS_PER_CPU_JVM))
    if slots.value > limit * cpu:
        tasks = "the slots' tasks and their Python workers" if python else "the slots' tasks"
        yield Problem(
            f"{slots.value} task slots on {cpu:g} CPU: more than {limit:g} slots per core"
            f"{' for a PyFlink job' if python else ''}, {tasks} compete for the cores and fall behind under load",
            slots.location or cpu_location,
            hint=f"request at least {slots.value / limit:g} CPU, or use fewer slots per TaskManager (and more TaskManagers)",
        )
