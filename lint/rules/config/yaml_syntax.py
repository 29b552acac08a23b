"""Flink cannot read the file: a YAML syntax error, a legacy line Flink skips, or an unreadable input.

**What it does**
Reports, at the exact line and column, anything that stops Flink from reading a configuration
file the way its author meant: YAML syntax errors (Flink 2.x fails the whole `config.yaml`), a
null or empty value (`Value must not be null`), tags outside YAML's core schema
(`!!python/object`), alias bombs and absurd nesting, lines of a legacy `flink-conf.yaml` without
the `": "` separator (Flink skips them with a log warning), and files that are binary, not UTF-8
or too large to be a configuration.

**Why is this bad**
A `config.yaml` that does not parse stops the cluster at startup with a stack trace; a legacy
line without `": "` is silently dropped, so the option you set is not the option Flink uses.

**Example**
```yaml
taskmanager.numberOfTaskSlots:4      # flink-conf.yaml: no space after ':', skipped by Flink
state.backend.type: hashmap: rocksdb # config.yaml: a mapping value is not allowed here
```

**Use instead**
```yaml
taskmanager.numberOfTaskSlots: 4
state.backend.type: rocksdb
```

**Fix**
None: the intent of a broken line cannot be guessed safely.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL001"
NAME = "yaml-syntax"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    """Reported by the readers (lint/documents/) as ReadProblems of kind "yaml-syntax", which the
    engine stamps with this rule; nothing to add here."""
    return iter(())
