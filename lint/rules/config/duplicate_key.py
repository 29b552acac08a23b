"""The same Flink key is written twice in one configuration.

**What it does**
Reports a key that appears again in the same configuration: twice in one YAML mapping, once
nested and once dotted (`state: {backend: {type: ...}}` and `state.backend.type: ...`), or twice
in a legacy `flink-conf.yaml`. The finding points at the later occurrence and names the first.

**Why is this bad**
Flink 2.x refuses a `config.yaml` with a duplicate key in one mapping and does not start. In
every other case one of the values is silently ignored (the last one wins), so a reviewer who
reads the first one is misled about what the cluster runs with.

**Example**
```yaml
taskmanager.numberOfTaskSlots: 2
parallelism.default: 4
taskmanager.numberOfTaskSlots: 8
```

**Use instead**
```yaml
parallelism.default: 4
taskmanager.numberOfTaskSlots: 8
```

**Fix**
None: which of the two values is intended is for a human to decide.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL002"
NAME = "duplicate-key"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    """Produced by the readers (lint/documents/), which know whether the two keys share one YAML
    mapping (Flink refuses the file: error) or not (the last one wins: warning)."""
    return iter(())
