"""Deprecated key: a key that Flink still reads, but only as an alias of a newer key.

**What it does**
Reports keys that the target Flink version declares as deprecated aliases
(`state.backend` -> `state.backend.type`, `state.checkpoints.dir` -> `execution.checkpointing.dir`,
`taskmanager.network.memory.max` -> `taskmanager.memory.network.max`, `akka.*` -> `pekko.*`),
with the replacement: info, as Flink still reads the key. When the new key is set too, Flink
reads only the new one: the old setting is silently ignored, a warning.

**Why is this bad**
Deprecated keys disappear in the next major version (2.0 removed dozens); Flink only logs a WARN.
A config that sets both keys with different values is misleading: the old line does nothing.

**Example**
```yaml
state.backend: rocksdb
state.checkpoints.dir: s3://bucket/checkpoints
```

**Use instead**
```yaml
state.backend.type: rocksdb
execution.checkpointing.dir: s3://bucket/checkpoints
```

**Fix**
safe: renames the key to its replacement (value and comments kept); when the replacement is
already set, deletes the ignored old key.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Edit, FlinkConfig, Problem, RuleContext

CODE = "FL102"
NAME = "deprecated-key"
SEVERITY = "info"  # Flink still reads it; "ignored" (the replacement is set too) is a warning
FIXABLE = True


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    catalog = context.catalog
    reported = set()
    for setting in config.settings:
        key = setting.key
        new_key = catalog.replacement_for(key)
        if new_key is None or key in reported:
            continue
        reported.add(key)
        replacement = config.get(new_key)
        if replacement is not None:
            line = replacement.key_location.line
            yield Problem(
                f"'{key}' is deprecated and ignored: '{new_key}' is also set (line {line}), and Flink reads "
                "a deprecated key only when its replacement is absent",
                setting.key_location,
                hint=f"delete '{key}'",
                fix=Edit("delete-key", key),
                severity="warning",
            )
        else:
            others = [k for k in catalog.replacements_for(key)[1:]]
            also = f" (also read as {', '.join(repr(k) for k in others)})" if others else ""
            yield Problem(
                f"'{key}' is deprecated in Flink {catalog.flink_version}: use '{new_key}'{also}",
                setting.key_location,
                hint=f"rename to '{new_key}'",
                fix=Edit("rename-key", key, new_key),
            )
