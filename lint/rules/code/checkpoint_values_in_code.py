"""Checkpoint values in code: the checkpoint settings a job sets in code, judged like a config.

**What it does**
Collects the checkpoint settings the job code sets: `enable_checkpointing(ms)`,
`get_checkpoint_config().set_checkpoint_interval(ms)`, `set_checkpoint_timeout(ms)`,
`set_min_pause_between_checkpoints(ms)`, `set_max_concurrent_checkpoints(n)`, and the same keys
in `Configuration.set_string/set_integer(...)` or `get_config().set(...)`
(`execution.checkpointing.interval`, `.timeout`, `.min-pause`, `.max-concurrent-checkpoints`),
and applies the value rules of the same settings in a Flink config, with their severities:
`checkpoint-interval-too-small` (FL402: below 10 ms, Flink rejects it),
`checkpoint-timeout-vs-interval` (FL403: a timeout longer than the interval without min-pause)
and `checkpoint-min-pause` (FL404: a min-pause that is not shorter than the interval). Values the
code computes are not judged.

**Why is this bad**
A value set in code overrides the cluster's configuration and is read by no config linter: an
interval Flink rejects fails the job at submission, and a min-pause at least as long as the
interval silently replaces the interval.

**Example**
```python
env.enable_checkpointing(5)  # milliseconds: Flink requires at least 10 ms
env.get_checkpoint_config().set_min_pause_between_checkpoints(60_000)  # interval 5 ms: ignored
```

**Use instead**
```python
env.enable_checkpointing(30_000)
env.get_checkpoint_config().set_min_pause_between_checkpoints(10_000)
```

**Fix**
None: choose the values (each finding says which config rule it applies).
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext, Setting
from flink_lint.rules.code import _flink
from flink_lint.rules.config import checkpoint_interval_too_small, checkpoint_min_pause, checkpoint_timeout_vs_interval

CODE = "FL732"
NAME = "checkpoint-values-in-code"
SEVERITY = "warning"  # each finding carries the severity of the config rule it applies
FIXABLE = False
DOCUMENT = "python"

CONFIG_RULES = (checkpoint_interval_too_small, checkpoint_timeout_vs_interval, checkpoint_min_pause)
METHODS = {
    "enable_checkpointing": "execution.checkpointing.interval",
    "set_checkpoint_interval": "execution.checkpointing.interval",
    "set_checkpoint_timeout": "execution.checkpointing.timeout",
    "set_min_pause_between_checkpoints": "execution.checkpointing.min-pause",
    "set_max_concurrent_checkpoints": "execution.checkpointing.max-concurrent-checkpoints",
}
KEY_SETTERS = {"set_string", "set_integer", "set"}
# What each config rule needs set to find anything (FL402: a small value; FL403/FL404: their key).
NEEDS = {
    checkpoint_interval_too_small.CODE: ("execution.checkpointing.interval", "execution.checkpointing.timeout"),
    checkpoint_timeout_vs_interval.CODE: ("execution.checkpointing.timeout",),
    checkpoint_min_pause.CODE: ("execution.checkpointing.min-pause",),
}
KEYS = set(METHODS.values())
UNIT = {"execution.checkpointing.max-concurrent-checkpoints": ""}


def check(source, context: RuleContext) -> Iterator[Problem]:
    settings = list(_settings(source))
    if not settings:
        return
    config = FlinkConfig(source.path, "python", sorted(settings, key=lambda setting: setting.value_location.line))
    for rule in CONFIG_RULES:
        if not any(setting.key in NEEDS[rule.CODE] and _may_report(rule, setting) for setting in settings):
            continue  # the rule reads a key the code does not set: nothing to judge (and the catalog stays unread)
        for problem in rule.check(config, context):
            yield Problem(
                f"{problem.message} [set in code; {rule.CODE} {rule.NAME}]",
                problem.location,
                problem.hint,
                severity=problem.severity or rule.SEVERITY,
            )


def _may_report(rule, setting) -> bool:
    if rule is not checkpoint_interval_too_small:
        return True
    digits = re.match(r"\s*(\d+)", setting.value)
    return digits is None or int(digits.group(1)) < checkpoint_interval_too_small.MINIMAL_CHECKPOINT_TIME_MS


def _settings(source) -> Iterator[Setting]:
    for site in _flink.method_calls(source, *METHODS):
        if _flink.foreign_receiver(source, site):
            continue
        value = _value(source, _flink.first_arg(site.call), site)
        if value is not None:
            key = METHODS[site.method_name]
            location = source.location(_flink.first_arg(site.call))
            yield Setting(key, f"{value}{UNIT.get(key, ' ms')}", source.method_location(site.call), location)
    for site in _flink.method_calls(source, *KEY_SETTERS):
        if len(site.call.args) < 2 or not isinstance(site.call.args[0], ast.Constant):
            continue
        key = str(site.call.args[0].value)
        if key not in KEYS:
            continue
        value = _value(source, site.call.args[1], site)
        if value is not None:
            yield Setting(key, str(value), source.location(site.call.args[0]), source.location(site.call.args[1]))


def _value(source, node, site):
    """An int or string literal (through names bound to one), else None."""
    if node is None:
        return None
    value, _ = source.resolve(node, site)
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, str)) and not isinstance(value.value, bool):
        return value.value
    return None
