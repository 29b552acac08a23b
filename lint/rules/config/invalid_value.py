"""Invalid value: a value that Flink's parser for the option's type rejects.

**What it does**
Parses every value the way Flink does for the option's type in the target catalog: MemorySize
(`64m`, `1 gb`; not `1.5g` or `64 MiB`), Duration (`10 s`, `5 min`, `PT10S`; not `10 mins`, `1w`),
Boolean (`true`/`false` only), Integer/Long/Float/Double (Java syntax: `1e3` and `0x10` are not
integers), enums (constant names in any case: `EXACTLY_ONCE`, not `exactly-once`), lists (`;`)
and maps (`k:v,k2:v2`). String options that Flink matches by name are checked too:
`restart-strategy.type` (none, off, disable, fixed-delay, failure-rate, exponential-delay and
their dash-less forms) and `state.backend.type` (hashmap, rocksdb, forst, the 1.x names
filesystem and jobmanager, or a factory class name). Values that are template placeholders
(`${VAR}`, `{{ var }}`) are skipped: they are substituted before Flink sees them. A deprecated key
is checked only when Flink reads it (its replacement is absent).

**Why is this bad**
Flink reads options lazily: a bad value passes startup and fails the job later with
`Could not parse value '<v>' for key '<k>'`, or is never read until the day a feature is enabled.
YAML typing adds traps: `1e3` becomes `1000.0`, which no Integer option accepts.

**Example**
```yaml
execution.checkpointing.interval: 10 mins
execution.checkpointing.mode: exactly-once
taskmanager.memory.process.size: 1.5g
```

**Use instead**
```yaml
execution.checkpointing.interval: 10 min
execution.checkpointing.mode: EXACTLY_ONCE
taskmanager.memory.process.size: 1536m
```

**Fix**
none.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from flink_lint.catalog.values import value_error
from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL104"
NAME = "invalid-value"
SEVERITY = "error"
FIXABLE = False

# String options that Flink resolves by name (RestartStrategyType.of, StateBackendLoader).
RESTART_STRATEGIES = (
    "none",
    "off",
    "disable",
    "fixed-delay",
    "fixeddelay",
    "failure-rate",
    "failurerate",
    "exponential-delay",
    "exponentialdelay",
)
STATE_BACKENDS = ("hashmap", "rocksdb", "forst", "filesystem", "jobmanager")  # 2.x names + 1.x names
_CLASS_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}")


def _named_value_error(key: str, text: str) -> Optional[str]:
    name = text.strip().lower()
    if key == "restart-strategy.type" and name not in RESTART_STRATEGIES:
        return f"'{text}' is not a restart strategy: use one of none, fixed-delay, failure-rate, exponential-delay"
    if key == "state.backend.type" and name not in STATE_BACKENDS and not _CLASS_NAME.fullmatch(text.strip()):
        return f"'{text}' is not a state backend: use hashmap, rocksdb or forst, or a factory class name"
    return None


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    catalog = context.catalog
    for setting in config.settings:
        key = setting.key
        option_key = key
        if catalog.option(key) is None or catalog.option(key).get("scope") != "config":
            option_key = catalog.replacement_for(key)
            if option_key is None or config.get(option_key) is not None:
                continue  # unknown (another rule) or ignored alias
        option = catalog.option(option_key)
        if option is None or config.get(key) is not setting:  # an earlier duplicate: Flink keeps the last
            continue
        text = setting.value
        if text is None or _PLACEHOLDER.search(text):
            continue
        reason = value_error(option, text) or _named_value_error(option_key, text)
        if reason is None:
            continue
        type_name = option["type"] if not option.get("list") else f"List<{option['type']}>"
        yield Problem(
            f"Could not parse value '{text}' for key '{key}' ({type_name}): {reason}",
            setting.value_location,
            hint=f"default: {option['default']}" if option.get("default") is not None else None,
        )
