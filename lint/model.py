"""The linter's shared vocabulary: where things are, what was found, and what rules read.

Readers (lint/documents/) turn files into `FlinkConfig` objects and `ReadProblem`s; rules (lint/rules/)
read the configs and yield `Problem`s; the engine stamps both into `Finding`s (code, name, severity),
applies suppressions and sorts; reports print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from flink_lint.catalog import load_catalog

SEVERITIES = ("error", "warning", "info")
_TEMPLATE = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|\$[A-Z_][A-Z0-9_]*\b")


@dataclass(frozen=True, order=True)
class Location:
    """1-based line and column; end_* exclusive, on the same line unless stated."""

    path: str
    line: int
    column: int
    end_line: Optional[int] = None
    end_column: Optional[int] = None


@dataclass(frozen=True)
class Edit:
    """A safe fix, applied by the engine with ruamel.yaml round-trip (comments and order kept).

    kind: "rename-key" (new_text = the new key), "set-value" (new_text = the new value),
    "delete-key". `key` is the flat Flink key as written in the file (dotted or nested path).
    """

    kind: str
    key: str
    new_text: Optional[str] = None


@dataclass
class Finding:
    rule: str  # code, e.g. "FL103"
    name: str  # kebab-case name, e.g. "deprecated-key"
    severity: str  # error | warning | info (the rule's default; the engine applies overrides)
    message: str
    location: Location
    hint: Optional[str] = None  # one line: how to fix
    fix: Optional[Edit] = None


@dataclass
class Problem:
    """What a rule yields: the engine stamps it with the rule module's CODE, NAME and SEVERITY into a
    `Finding` (as yamllint does), so a rule's `check` reads as its logic alone. `severity` None:
    the module's SEVERITY; a rule sets it only where one case is worse or milder than its default."""

    message: str
    location: Location
    hint: Optional[str] = None  # one line: how to fix
    fix: Optional[Edit] = None
    severity: Optional[str] = None


@dataclass
class ReadProblem:
    """What a reader (lint/documents/) finds while reading a file, before any rule runs. `kind` is
    the name of the input rule it belongs to ("yaml-syntax" FL001, "duplicate-key" FL002,
    "python-syntax" FL700); the engine stamps it into that rule's `Finding`, so readers never
    import rule modules. `severity` None: the rule's default."""

    kind: str
    message: str
    location: Location
    hint: Optional[str] = None
    severity: Optional[str] = None


@dataclass
class Setting:
    """One Flink option as written: `key` is the flat dotted key Flink sees."""

    key: str
    value: str  # the value as Flink would read it (YAML 1.2 typed, then Flink's string form)
    key_location: Location
    value_location: Location
    raw: Any = None  # the YAML value before conversion to Flink's string form (None for legacy files)
    duplicate_of: Optional[Location] = None  # set when the same key appeared before in this config

    @property
    def templated(self) -> bool:
        """The value is a placeholder filled in at deploy time (`${VAR}`, `{{ .Values.x }}`), not a
        value Flink will see: value rules should not judge it."""
        return bool(_TEMPLATE.search(self.value))


@dataclass
class FlinkConfig:
    """One Flink configuration found in a file: a config.yaml, a flink-conf.yaml, the
    flinkConfiguration of a FlinkDeployment/FlinkSessionJob, one embedded in a ConfigMap, or the
    `flink:` section of a pack job config.

    kind: "config-yaml" | "flink-conf" | "flink-deployment" | "flink-session-job" | "configmap" | "job-config"
    settings: in file order, duplicates included (Flink's own reader keeps the last one).
    context: facts around the configuration that rules may use, by kind, e.g. for a FlinkDeployment
      {"job.parallelism": (int, Location), "taskManager.replicas": (...), "job.upgradeMode": (...),
       "flinkVersion": (...), "deployment": "application"|"session"};
      for a pack job config {"job": <the job: section as a dict>, "declares": {"peak-rate": ..., ...}}.
    """

    path: str
    kind: str
    settings: list[Setting] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    location: Optional[Location] = None  # where this configuration starts in the file

    def get(self, key: str) -> Optional[Setting]:
        """The setting Flink would use for `key` (the last one written)."""
        found = None
        for setting in self.settings:
            if setting.key == key:
                found = setting
        return found

    def value(self, key: str, default: Optional[str] = None) -> Optional[str]:
        setting = self.get(key)
        return setting.value if setting is not None else default

    def first_of(self, *keys: str) -> Optional[Setting]:
        """The setting Flink would use for the first of `keys` that is set: a key before its
        deprecated aliases, as Flink reads a deprecated key only if the new key is absent."""
        for key in keys:
            setting = self.get(key)
            if setting is not None:
                return setting
        return None


@dataclass
class RuleContext:
    """What a rule may consult besides the configuration itself."""

    flink_version: str  # target version, e.g. "2.3"
    options: dict[str, Any] = field(default_factory=dict)  # this rule's options from [tool.flink-lint]

    @property
    def catalog(self):
        return self.catalog_for(self.flink_version)

    @staticmethod
    def catalog_for(version: str):

        return load_catalog(version)
