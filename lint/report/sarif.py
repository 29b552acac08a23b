"""SARIF 2.1.0: one run, the rule catalog with help from the rule docstrings, exact regions.

Relative paths are given against %SRCROOT% (the working directory), which GitHub code scanning
resolves to the repository root; columns count Unicode code points (`columnKind`).
"""

from __future__ import annotations

from importlib.metadata import version

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flink_lint.report.text import NOT_LINTED
from flink_lint.rules.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "https://github.com/flink-jobpack/flink-jobpack/blob/main/docs/rules.md"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _version() -> str:
    try:
        return version("flink-jobpack")
    except Exception:  # not installed: running from a checkout
        return "0.0.0"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    sections = rule.sections()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections.get("What it does", rule.summary)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": f"{DOCS}#{rule.code.lower()}-{rule.name}",
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fixable": rule.fixable},
    }


def _artifact(path: str) -> dict[str, Any]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(path).as_posix()), "uriBaseId": "%SRCROOT%"}


def render(report, rules) -> str:
    rules = list(rules)
    index = {rule.code: number for number, rule in enumerate(rules)}
    results = []
    for finding in report.findings:
        where = finding.location
        region = {"startLine": where.line, "startColumn": where.column}
        if where.end_line is not None:
            region["endLine"] = where.end_line
        if where.end_column is not None:
            region["endColumn"] = where.end_column
        text = finding.message + (f"\nHint: {finding.hint}" if finding.hint else "")
        result = {
            "ruleId": finding.rule,
            "level": LEVELS[finding.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(where.path), "region": region}}],
        }
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        results.append(result)
    sarif: dict[str, Any] = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flink-lint",
                        "informationUri": DOCS,
                        "version": _version(),
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    if report.not_linted:  # named files no reader recognised: notifications, not results
        sarif["runs"][0]["invocations"] = [
            {
                "executionSuccessful": not report.internal_errors,
                "toolExecutionNotifications": [
                    {
                        "level": "note",
                        "message": {"text": NOT_LINTED},
                        "locations": [{"physicalLocation": {"artifactLocation": _artifact(path)}}],
                    }
                    for path in report.not_linted
                ],
            }
        ]
    return json.dumps(sarif, indent=2) + "\n"
