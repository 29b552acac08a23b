"""Network memory range: network min above max, or a fraction outside [0, 1).

**What it does**
Checks `taskmanager.memory.network.min` <= `taskmanager.memory.network.max` (including an
explicit max below the 64 mb default min, or a min above an explicit max) and
`taskmanager.memory.network.fraction` in [0, 1), reading the deprecated
`taskmanager.network.memory.*` keys when the new ones are absent, as Flink does.

**Why is this bad**
The TaskManager refuses to start: `Inconsistently configured Key: 'taskmanager.memory.network.fraction'
... and its min (...), max (...) value` caused by `min value must be less or equal to max value`,
or `fraction must be in range [0, 1)`.

**Example**
```yaml
taskmanager.memory.network.max: 32mb
taskmanager.memory.network.fraction: 1.0
```

**Use instead**
```yaml
taskmanager.memory.network.min: 32mb
taskmanager.memory.network.max: 32mb
taskmanager.memory.network.fraction: 0.1
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _settings

CODE = "FL201"
NAME = "network-memory-range"
SEVERITY = "error"
FIXABLE = False

PREFIX = "taskmanager.memory.network."


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    minimum = _settings.memory(config, PREFIX + "min", context)
    maximum = _settings.memory(config, PREFIX + "max", context)
    if (
        minimum.value is not None
        and maximum.value is not None
        and minimum.value > maximum.value
        and (minimum.setting or maximum.setting)
    ):
        h = _settings.human_bytes
        culprit = maximum.setting if maximum.setting is not None and minimum.setting is None else minimum.setting
        yield Problem(
            f"network memory min ({h(minimum.value)}{'' if minimum.setting else ', the default'}) is above max "
            f"({h(maximum.value)}{'' if maximum.setting else ', the default'}): the TaskManager fails with "
            "'min value must be less or equal to max value'",
            _settings.where(config, culprit, value=True),
            hint="set min <= max (equal values fix the network memory size)",
        )
    fraction = _settings.fraction(config, PREFIX + "fraction", context)
    if fraction.setting is not None and fraction.value is not None and not 0 <= fraction.value < 1:
        yield Problem(
            f"'{fraction.setting.key}' is {fraction.setting.value}: Flink requires a fraction in range [0, 1)",
            fraction.setting.value_location,
            hint="the default is 0.1",
        )
