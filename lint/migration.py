"""Flink 2.x migration: a legacy `flink-conf.yaml` rewritten as the equivalent `config.yaml`.

Flink 2.x's GlobalConfiguration reads only `config.yaml` (standard YAML 1.2); Flink ships
`bin/migrate-config-file.sh`, which runs `BashJavaUtils MIGRATE_LEGACY_FLINK_CONFIGURATION_TO_STANDARD_YAML`:
`ConfigurationFileMigrationUtils.loadLegacyYAMLResource` (the legacy line parser, last value wins),
every value set as a string, then `YamlParserUtils.convertAndDumpYamlFromFlatMap` (keys split at
`.` and nested, strings quoted where YAML would type them). We produce the same configuration, key
by key (tests/lint/test_migration_differential.py runs Flink's migration in the JVM on the corpus),
with two differences that keep the file reviewable:

- keys stay flat and in file order, each line keeps its comment, comment lines and blank lines
  stay: the new file reads line by line against the old one (Flink 2.x reads dotted keys and
  nested ones alike);
- a key that is also the prefix of another (`state.backend` and `state.backend.incremental`)
  is written as it is; Flink's nesting fails on it (ClassCastException) or, depending on the
  order of its hash map, drops one of them. Lines Flink skips and earlier values of a key set
  twice become comments that say so.

The result is read back with our config.yaml reader (YAML 1.2, as Flink reads it) and must give
exactly the legacy file's settings, or no file is proposed.
"""

from __future__ import annotations

import os
import re

from flink_lint.catalog.values import java_trim, resolve_core
from flink_lint.documents.flink_yaml import read_config_yaml

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")  # BufferedReader.readLine's line breaks
# Plain scalars that YAML reads as the same string unless the core schema types them (checked apart):
# no indicator first, no `: ` or ` #`, no trailing `:`, nothing YAML would fold or escape.
_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_/$(][A-Za-z0-9_./$()+=@%~,;-]*(?::[A-Za-z0-9_./$()+=@%~,;-]+)*")
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


class MigrationError(ValueError):
    """The legacy file cannot be written as an equivalent config.yaml (reported, nothing written)."""


def config_yaml_path(path: str) -> str:
    """Where the migrated file goes: beside the legacy one, `flink-conf.yaml` -> `config.yaml`
    (`prod-flink-conf.yaml` -> `prod-config.yaml`)."""
    directory, name = os.path.split(path)
    lowered = name.lower()
    for legacy in ("flink-conf.yaml", "flink-conf.yml"):
        if lowered.endswith(legacy):
            return os.path.join(directory, name[: len(name) - len(legacy)] + "config.yaml")
    return os.path.join(directory, "config.yaml")


def legacy_settings(text: str) -> dict[str, str]:
    """ConfigurationFileMigrationUtils.loadLegacyYAMLResource: key -> value, the last one written."""
    settings: dict[str, str] = {}
    for line, _ in _lines(text):
        key_value = _split(line)
        if key_value is not None:
            settings[key_value[0]] = key_value[1]
    return settings


def _lines(text: str) -> list[tuple[str, str]]:
    """(line, line break) pairs; no empty last line for a text that ends with a line break."""
    pairs = [(m.group(1), m.group(2)) for m in _LINE.finditer(text)]
    if pairs and pairs[-1] == ("", ""):
        pairs.pop()
    return pairs


def _split(line: str):
    """(key, value) as Flink's legacy parser reads the line, or None when Flink skips it."""
    conf = java_trim(line.split("#", 1)[0])
    if not conf:
        return None
    parts = conf.split(": ", 1)
    if len(parts) == 1:
        return None
    key, value = java_trim(parts[0]), java_trim(parts[1])
    if not key or not value:
        return None
    return key, value


def migrate(text: str) -> str:
    """The config.yaml equivalent to a legacy flink-conf.yaml text (see the module docstring)."""
    pairs = _lines(text)
    last_line = {}
    for number, (line, _) in enumerate(pairs):
        key_value = _split(line)
        if key_value is not None:
            last_line[key_value[0]] = number
    out = []
    for number, (line, ending) in enumerate(pairs):
        ending = ending or ""
        key_value = _split(line)
        hash_at = line.find("#")
        if key_value is None:
            if java_trim(line.split("#", 1)[0]):
                out.append(f"# (Flink 1.x skipped this line) {line.strip()}{ending}")
            else:
                out.append(line + ending)
            continue
        key, value = key_value
        if last_line[key] != number:
            out.append(f"# (set again below; Flink 1.x used the last value) {line.strip()}{ending}")
            continue
        entry = f"{_scalar(key)}: {_scalar(value)}"
        if hash_at >= 0:
            before = line[:hash_at]
            spacing = before[len(before.rstrip()) :] or " "
            entry += spacing + line[hash_at:]
        out.append(entry + ending)
    migrated = "".join(out)
    if migrated and not migrated.endswith(("\n", "\r")):
        migrated += "\n"
    _check_reads_back(migrated, legacy_settings(text))
    return migrated


def _scalar(text: str) -> str:
    """`text` as a YAML 1.2 scalar that Flink reads back as exactly this string."""
    if _SAFE_PLAIN.fullmatch(text) and isinstance(resolve_core(text), str):
        return text  # the common case, without a YAML parse (the whole file is read back at the end)
    if not _NEEDS_ESCAPE.search(text):
        if _reads_as(text, text):
            return text
        quoted = "'" + text.replace("'", "''") + "'"
        if _reads_as(quoted, text):
            return quoted
    return _double_quoted(text)


def _double_quoted(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif _NEEDS_ESCAPE.match(char) or char == "\t":
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                raise MigrationError(f"a lone surrogate (U+{code:04X}) cannot be written as YAML")
            escaped.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _reads_as(scalar: str, expected: str) -> bool:
    """`key: <scalar>` read as Flink reads config.yaml gives `expected` (Configuration.toMap's string)."""
    configs, problems = read_config_yaml("<migration>", f"k: {scalar}\n")
    if problems or not configs or len(configs[0].settings) != 1:
        return False
    return configs[0].settings[0].value == expected  # Flink's string form: `4` (an Integer) reads as "4"


def _check_reads_back(migrated: str, expected: dict[str, str]) -> None:
    configs, problems = read_config_yaml("<migration>", migrated)
    errors = [p for p in problems if p.severity in (None, "error")]  # None: yaml-syntax's default, error
    if errors:
        raise MigrationError(f"the migrated file would not read back: {errors[0].message}")
    got = {s.key: s.value for s in configs[0].settings} if configs else {}
    if got != expected:
        differing = sorted(set(got.items()) ^ set(expected.items()))
        raise MigrationError(f"the migrated file would read differently: {differing[:3]}")
