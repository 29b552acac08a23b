r"""Deployment name: a FlinkDeployment name the operator refuses.

**What it does**
Checks `metadata.name` of a FlinkDeployment against the operator's pattern
`[a-z]([-a-z\d]{0,43}[a-z\d])?`: lower case letters, digits and `-`, starting with a letter,
ending with a letter or digit, at most 45 characters.

**Why is this bad**
The name becomes the cluster id and the names of its Services and ConfigMaps (with suffixes such
as `-rest`), which Kubernetes limits; the admission webhook rejects it: `The FlinkDeployment
name: ... is invalid`.

**Example**
```yaml
metadata:
  name: Windowed_Counts
```

**Use instead**
```yaml
metadata:
  name: windowed-counts
```

**Fix**
none: renaming a deployment is a new deployment.
"""

from __future__ import annotations

import re
from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL803"
NAME = "deployment-name"
SEVERITY = "error"
FIXABLE = False

PATTERN = re.compile(r"[a-z]([-a-z\d]{0,43}[a-z\d])?")


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    name = _deployment.get(config, "metadata", "name")
    if not isinstance(name, str) or "{{" in name or "${" in name or PATTERN.fullmatch(name):
        return
    yield Problem(
        f"The FlinkDeployment name: {name} is invalid, must consist of lower case alphanumeric characters or '-', "
        f"start with an alphabetic character, and end with an alphanumeric character, and the length must be no "
        f"more than 45 characters ({len(name)} here).",
        _deployment.at(config, "metadata", "name"),
        hint="use lower case letters, digits and '-', at most 45 characters",
    )
