"""Legacy `flink-conf.yaml`, read with Flink's own line parser (GlobalConfiguration, 1.x).

Not YAML: every line is cut at the first `#` (even inside quotes), trimmed, split at the first
`": "`, and key and value are trimmed again. Lines without `": "`, or with an empty key or value,
are skipped by Flink with a log warning: we report them. Quotes stay part of the value. A key
written twice is accepted; the last value wins.
"""

from __future__ import annotations

import re

from flink_lint.catalog.values import java_trim
from flink_lint.model import FlinkConfig, ReadProblem, Location, Setting
from flink_lint.documents.read_problems import duplicate_key, yaml_syntax

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # BufferedReader.readLine


def _leading(text: str) -> int:
    """Characters Java's trim() removes at the start of `text`."""
    return len(text) - len(text.lstrip("".join(map(chr, range(33)))))


def read_flink_conf(path: str, text: str, kind: str = "flink-conf") -> tuple[list[FlinkConfig], list[ReadProblem]]:
    settings: list[Setting] = []
    findings: list[ReadProblem] = []
    first: dict[str, Location] = {}
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        content = line.split("#", 1)[0]
        conf = java_trim(content)
        if not conf:
            continue
        conf_start = _leading(content)
        separator = conf.find(": ")
        where = Location(path, number, conf_start + 1, number, conf_start + len(conf) + 1)
        if separator < 0:
            hint = (
                "write `key: value` with a space after the colon"
                if ":" in conf
                else "write `key: value`, or make the line a comment"
            )
            findings.append(
                yaml_syntax.finding(
                    f'Flink skips this line: no ": " between key and value (`{conf}`)', where, "warning", hint
                )
            )
            continue
        raw_key, raw_value = conf[:separator], conf[separator + 2 :]
        key, value = java_trim(raw_key), java_trim(raw_value)
        if not key or not value:
            findings.append(
                yaml_syntax.finding(
                    f"Flink skips this line: empty {'key' if not key else 'value'}",
                    where,
                    "warning",
                    "give the key a value or delete the line",
                )
            )
            continue
        key_column = conf_start + _leading(raw_key) + 1
        value_column = conf_start + separator + 2 + _leading(raw_value) + 1
        key_location = Location(path, number, key_column, number, key_column + len(key))
        value_location = Location(path, number, value_column, number, value_column + len(value))
        previous = first.get(key)
        if previous is not None:
            findings.append(
                duplicate_key.finding(
                    f"`{key}` is set again (first at line {previous.line}): Flink uses this last value",
                    key_location,
                    "warning",
                    hint="keep one of the two settings",
                )
            )
        settings.append(
            Setting(
                key=key,
                value=value,
                key_location=key_location,
                value_location=value_location,
                raw=None,
                duplicate_of=previous,
            )
        )
        first.setdefault(key, key_location)
    return [FlinkConfig(path=path, kind=kind, settings=settings, location=Location(path, 1, 1))], findings
