"""A `# flink-lint: disable=...` comment that suppresses nothing.

**What it does**
Reports an inline suppression (`# flink-lint: disable=CODE -- reason`, on the line of a finding
or the line before it) or a `# flink-lint: disable-file` whose rules found nothing there, and
suppressions that name a rule that does not exist.

**Why is this bad**
A stale suppression hides the next real problem on that line, and a misspelt code suppresses
nothing while looking as if it did.

**Example**
```yaml
# flink-lint: disable=FL102 -- migrating next sprint
state.backend.type: rocksdb
```

**Use instead**
```yaml
state.backend.type: rocksdb
```

**Fix**
None: delete the comment by hand (or fix the code it names).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL009"
NAME = "unused-suppression"
SEVERITY = "info"  # advice about the lint setup: the finding it names is still reported
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    """Produced by the engine after suppressions are applied (lint/suppressions.py)."""
    return iter(())
