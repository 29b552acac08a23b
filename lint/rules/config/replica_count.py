"""Replica count: a JobManager or TaskManager replica count below one.

**What it does**
Reports `spec.jobManager.replicas` or `spec.taskManager.replicas` below 1 in a FlinkDeployment,
and `spec.job.parallelism: -1` when no TaskManager replica count is given (the operator sizes
the TaskManagers from the parallelism; `parallelism-range`, FL301, reports other values below 1).

**Why is this bad**
The admission webhook rejects the resource: `JobManager replicas should not be configured less
than one.`, `TaskManager replicas must be larger than 0`, `Job parallelism must be larger than 0`.

**Example**
```yaml
spec:
  taskManager:
    replicas: 0
```

**Use instead**
```yaml
spec:
  taskManager:
    replicas: 1
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL807"
NAME = "replica-count"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    get = _deployment.get
    jm = _deployment.integer(get(config, "spec", "jobManager", "replicas"))
    if jm is not None and jm < 1:
        yield Problem(
            "JobManager replicas should not be configured less than one.",
            _deployment.at(config, "spec", "jobManager", "replicas"),
            hint="use 1 (or 2 with high availability)",
        )
    tm = _deployment.integer(get(config, "spec", "taskManager", "replicas"))
    if tm is not None and tm < 1:
        yield Problem(
            "TaskManager replicas must be larger than 0",
            _deployment.at(config, "spec", "taskManager", "replicas"),
            hint="use at least 1, or leave it out: the operator derives it from the parallelism",
        )
    parallelism = _deployment.integer(get(config, "spec", "job", "parallelism"))
    if tm is None and parallelism == -1:
        yield Problem(
            "Job parallelism must be larger than 0 (the operator derives the TaskManager count from it)",
            _deployment.at(config, "spec", "job", "parallelism"),
            hint="set spec.job.parallelism to at least 1, or set spec.taskManager.replicas",
        )
