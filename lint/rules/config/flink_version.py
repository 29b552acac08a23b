"""Flink version: a FlinkDeployment without `spec.flinkVersion`, or with one the operator no
longer supports.

**What it does**
Reports a FlinkDeployment whose `spec.flinkVersion` is missing, or names a version that the
current operator (1.15; FlinkVersion.isSupported: v1_15 and newer) refuses: v1_13 and v1_14.
The version also selects the option catalog every other rule checks the manifest against:
v1_x the 1.20 catalog, v2_x the 2.3 catalog (whatever `--flink-version` says).

**Why is this bad**
The admission webhook rejects it: `Flink Version must be defined.`, `Flink version v1_13 is not
supported by this operator version`.

**Example**
```yaml
spec:
  image: flink:1.13
  flinkVersion: v1_13
```

**Use instead**
```yaml
spec:
  image: flink:1.20
  flinkVersion: v1_20
```

**Fix**
none: moving to a newer Flink is an upgrade, not an edit.
"""

from __future__ import annotations

import re
from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL802"
NAME = "flink-version"
SEVERITY = "error"
FIXABLE = False

OLDEST_SUPPORTED = (1, 15)  # operator FlinkVersion.isSupported: isEqualOrNewer(v1_15)


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    version = _deployment.get(config, "spec", "flinkVersion")
    if version is None:
        yield Problem(
            "Flink Version must be defined.",
            _deployment.at(config, "spec", key=True),
            hint="set spec.flinkVersion to the Flink version of the image, e.g. v2_2",
        )
        return
    match = re.fullmatch(r"v(\d+)_(\d+)", version) if isinstance(version, str) else None
    if match and (int(match.group(1)), int(match.group(2))) < OLDEST_SUPPORTED:
        yield Problem(
            f"Flink version {version} is not supported by this operator version (operator 1.15 runs v1_15 and newer)",
            _deployment.at(config, "spec", "flinkVersion"),
            hint="upgrade the job to Flink 1.20 or 2.x (v1_20, v2_2) before deploying it with this operator",
        )
