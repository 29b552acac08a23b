"""Segment size: `taskmanager.memory.segment-size` below 4096 bytes or not a power of two.

**What it does**
Checks the memory segment (network buffer and managed memory page) size the way
`ConfigurationParserUtils.getPageSize` does: at least 4096 bytes, a power of two, and small
enough for a Java int.

**Why is this bad**
The TaskManager refuses to start: `Invalid configuration value for taskmanager.memory.segment-size :
2048 - Minimum memory segment size is 4096` or `... - Memory segment size must be a power of 2.`

**Example**
```yaml
taskmanager.memory.segment-size: 48kb
```

**Use instead**
```yaml
taskmanager.memory.segment-size: 32kb
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _settings

CODE = "FL202"
NAME = "segment-size"
SEVERITY = "error"
FIXABLE = False

KEY = "taskmanager.memory.segment-size"
MIN_PAGE_SIZE = 4096
INT_MAX = 2**31 - 1


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    read = _settings.memory(config, KEY, context)
    if read.setting is None or read.value is None:
        return
    size = read.value
    if size < MIN_PAGE_SIZE:
        problem = f"Minimum memory segment size is {MIN_PAGE_SIZE}"
    elif size > INT_MAX:
        problem = "Memory segment size must fit in an int (at most 1 gb)"
    elif size & (size - 1):
        problem = "Memory segment size must be a power of 2."
    else:
        return
    lower = 1 << max(12, size.bit_length() - 1) if size >= MIN_PAGE_SIZE else MIN_PAGE_SIZE
    yield Problem(
        f"Invalid configuration value for {KEY} : {size} - {problem}",
        read.setting.value_location,
        hint=f"use a power of two such as {_settings.human_bytes(min(lower, 1 << 30))}",
    )
