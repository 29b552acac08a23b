"""Log configuration name: a `spec.logConfiguration` file the operator does not know.

**What it does**
Reports keys of a FlinkDeployment's `spec.logConfiguration` other than
`log4j-console.properties` and `logback-console.xml`.

**Why is this bad**
Flink's Kubernetes entrypoint reads only these two names; the admission webhook rejects the
resource: `Invalid log config key: log4j.properties. Allowed keys are [...]`.

**Example**
```yaml
spec:
  logConfiguration:
    log4j.properties: |
      rootLogger.level = INFO
```

**Use instead**
```yaml
spec:
  logConfiguration:
    log4j-console.properties: |
      rootLogger.level = INFO
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL805"
NAME = "log-configuration-name"
SEVERITY = "error"
FIXABLE = False

ALLOWED = ("log4j-console.properties", "logback-console.xml")


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    files = _deployment.get(config, "spec", "logConfiguration")
    for name in files if isinstance(files, dict) else ():
        if name not in ALLOWED:
            yield Problem(
                f"Invalid log config key: {name}. Allowed keys are {', '.join(ALLOWED)}",
                _deployment.at(config, "spec", "logConfiguration", name, key=True),
                hint="log4j-console.properties (log4j2) or logback-console.xml",
            )
