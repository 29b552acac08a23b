"""Removed key: a key Flink 1.20 knew that the target version no longer reads.

**What it does**
Reports keys that are options or deprecated aliases in Flink 1.20 but unknown to the target
version (2.x): `taskmanager.network.numberOfBuffers`, `taskmanager.heap.size`,
`jobmanager.heap.size`, `taskmanager.network.netty.*`, `akka.watch.*`,
`taskmanager.network.memory.buffers-per-channel`, `state.backend.async`, ... The hint names what
replaced the key where there is something. (A value that 2.x removed, such as
`state.backend.type: filesystem`, is `state-backend-version`'s job.)

**Why is this bad**
Flink 2.x ignores these keys silently: memory sizes, buffer counts and timeouts that the config
seems to set are not applied after an upgrade.

**Example**
```yaml
taskmanager.heap.size: 4096m
taskmanager.network.numberOfBuffers: 16384
```

**Use instead**
```yaml
taskmanager.memory.process.size: 4096m
taskmanager.memory.network.min: 512mb   # 16384 buffers x 32 kb
taskmanager.memory.network.max: 512mb
```

**Fix**
none (the replacement keys take different values).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL103"
NAME = "removed-key"
SEVERITY = "warning"  # Flink 2.x ignores the key silently (severity policy: docs/rules.md)
FIXABLE = False

LEGACY_VERSION = "1.20"
# What to use instead, for keys the 1.20 catalog declares without a replacement (FLIP-49, FLINK-33750).
REPLACED_BY = {
    "taskmanager.heap.size": "taskmanager.memory.process.size (or taskmanager.memory.flink.size)",
    "jobmanager.heap.size": "jobmanager.memory.process.size (or jobmanager.memory.heap.size)",
    "taskmanager.network.numberOfBuffers": "taskmanager.memory.network.min/max sized as buffers x taskmanager.memory.segment-size",
    "taskmanager.network.memory.buffers-per-channel": "nothing (internal since 2.0; default 2)",
    "taskmanager.network.memory.floating-buffers-per-gate": "nothing (internal since 2.0; default 8)",
    "taskmanager.network.memory.max-buffers-per-channel": "nothing (internal since 2.0)",
}


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    catalog = context.catalog
    if catalog.flink_version.startswith(LEGACY_VERSION):
        return
    legacy = context.catalog_for(LEGACY_VERSION)
    reported = set()
    for setting in config.settings:
        key = setting.key
        if key in reported or catalog.is_known(key) or not legacy.is_known(key):
            continue
        if legacy.known_prefix(key) is not None:
            continue
        reported.add(key)
        successor = legacy.replacement_for(key)  # jobmanager.heap.mb -> jobmanager.heap.size in 1.20
        instead = REPLACED_BY.get(key) or REPLACED_BY.get(successor or "")
        if instead is None and successor and catalog.is_known(successor):
            instead = successor
        hint = (
            f"use {instead}"
            if instead and not instead.startswith("nothing")
            else (f"delete it: {instead}" if instead else "delete it")
        )
        yield Problem(
            f"'{key}' was removed in Flink {catalog.flink_version} (known in {LEGACY_VERSION}): it is ignored",
            setting.key_location,
            hint=hint,
        )
