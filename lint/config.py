"""`[tool.flink-lint]` in pyproject.toml: found upward from the linted paths, validated once.

    [tool.flink-lint]
    flink-version = "2.3"            # or "1.20"
    select = ["ALL"]                 # codes, names, code prefixes ("FL1") or "ALL"
    ignore = ["plaintext-secret"]
    fail-on = "warning"              # error | warning | info
    exclude = ["vendor/**"]          # globs, relative to the pyproject.toml directory
    [tool.flink-lint.severity]       # severity overrides
    FL102 = "error"
    [tool.flink-lint.per-file-ignores]
    "k8s/legacy/*.yaml" = ["FL102"]
    [tool.flink-lint.options.kafka-transaction-timeout]    # per-rule options (RuleContext.options)
    transaction-max-timeout-ms = 3600000                   # the brokers' transaction.max.timeout.ms

Anything unknown or malformed is a ConfigError: the CLI prints one line and exits 2.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python < 3.11
    import tomli as tomllib

from flink_lint.catalog import available_versions
from flink_lint.documents.detect import KINDS
from flink_lint.rules.registry import SEVERITIES, find_rule, matching

KEYS = {"flink-version", "select", "ignore", "fail-on", "exclude", "severity", "per-file-ignores", "options", "kind"}


class ConfigError(ValueError):
    """A bad [tool.flink-lint] table or a bad command-line setting."""


@dataclass
class ToolConfig:
    path: Optional[Path] = None  # the pyproject.toml read, if any
    flink_version: Optional[str] = None
    select: Optional[list[str]] = None
    ignore: list[str] = field(default_factory=list)
    fail_on: Optional[str] = None
    kind: Optional[str] = None
    exclude: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # code -> severity
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> tokens
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> the rule's options

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def relative(self, path: str) -> str:
        try:
            return PurePosixPath(Path(path).resolve().relative_to(self.root.resolve())).as_posix()
        except (ValueError, RuntimeError, OSError):  # outside the root; a symlink loop (RuntimeError before 3.13)
            return PurePosixPath(Path(path)).as_posix()

    def ignored_for(self, path: str) -> list[str]:
        """Tokens ignored for this file by per-file-ignores."""
        relative = self.relative(path)
        tokens = []
        for pattern, codes in self.per_file_ignores.items():
            if _glob(relative, pattern):
                tokens.extend(codes)
        return tokens

    def excluded(self, path: str) -> bool:
        relative = self.relative(path)
        return any(_glob(relative, pattern) for pattern in self.exclude)


def _glob(relative: str, pattern: str) -> bool:
    pattern = pattern.lstrip("./") if pattern.startswith("./") else pattern
    return (
        fnmatch.fnmatch(relative, pattern)
        or fnmatch.fnmatch(relative, pattern.replace("**/", ""))
        or fnmatch.fnmatch(os.path.basename(relative), pattern)
    )


def find_pyproject(paths: Sequence[str]) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.flink-lint] table, upward from the first path."""
    try:
        start = Path(paths[0] if paths else ".").resolve()
    except (RuntimeError, OSError):  # a symlink loop: look upward from where it is written
        start = Path(os.path.abspath(os.path.dirname(paths[0]) or "."))
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "flink-lint" in pyproject.read_text(encoding="utf-8"):
                    return pyproject
            except (OSError, UnicodeDecodeError):
                continue
    return None


def _toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def _string_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


def load(path: Optional[Path]) -> ToolConfig:
    """The [tool.flink-lint] table of `path` (None: defaults), validated; raises ConfigError."""
    if path is None:
        return ToolConfig()
    table = _toml(path).get("tool", {}).get("flink-lint", {})
    where = f"{path}: [tool.flink-lint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting `{unknown[0]}` (known: {', '.join(sorted(KEYS))})")
    config = ToolConfig(path=path)
    if "flink-version" in table:
        config.flink_version = str(table["flink-version"])
    if "select" in table:
        config.select = _string_list(table["select"], f"{where} select")
    config.ignore = _string_list(table.get("ignore", []), f"{where} ignore")
    config.exclude = _string_list(table.get("exclude", []), f"{where} exclude")
    if "fail-on" in table:
        config.fail_on = table["fail-on"]
    if "kind" in table:
        config.kind = table["kind"]
    for name in ("severity", "per-file-ignores", "options"):
        if not isinstance(table.get(name, {}), dict):
            raise ConfigError(f"{where}.{name} must be a table")
    config.severity = dict(table.get("severity", {}))
    config.per_file_ignores = {
        pattern: _string_list(codes, f'{where}.per-file-ignores "{pattern}"')
        for pattern, codes in table.get("per-file-ignores", {}).items()
    }
    config.options = dict(table.get("options", {}))
    validate(config, where)
    return config


def validate(config: ToolConfig, where: str = "settings") -> None:
    """Check every code, name, severity and version; normalise rule keys to codes."""

    def known(token: str, what: str) -> None:
        if not matching(token):
            raise ConfigError(f"{where}: {what}: unknown rule `{token}` (see `flink-lint rules`)")

    for token in (config.select or []) + config.ignore:
        known(token, "select/ignore")
    for tokens in config.per_file_ignores.values():
        for token in tokens:
            known(token, "per-file-ignores")
    severity = {}
    for token, level in config.severity.items():
        rule = find_rule(token)
        if rule is None:
            raise ConfigError(f"{where}.severity: unknown rule `{token}`")
        if level not in SEVERITIES:
            raise ConfigError(f"{where}.severity: `{token}` must be one of {', '.join(SEVERITIES)}, not `{level}`")
        severity[rule.code] = level
    config.severity = severity
    options = {}
    for token, values in config.options.items():
        rule = find_rule(token)
        if rule is None:
            raise ConfigError(f"{where}.options: unknown rule `{token}`")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}.options.{token} must be a table")
        options[rule.code] = values
    config.options = options
    if config.fail_on is not None and config.fail_on not in SEVERITIES:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(SEVERITIES)}, not `{config.fail_on}`")
    if config.flink_version is not None and config.flink_version not in available_versions():
        raise ConfigError(
            f"{where}: flink-version `{config.flink_version}` has no catalog; "
            f"available: {', '.join(available_versions())}"
        )
    if config.kind is not None and config.kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not `{config.kind}`")
