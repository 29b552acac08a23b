"""Output formats: text, json, sarif, github. Each module has render(report, rules) -> str."""

from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github")


def render(name: str, report, rules) -> str:
    if name not in FORMATS:
        raise ValueError(f"unknown format `{name}`; use one of {', '.join(FORMATS)}")
    return importlib.import_module(f"flink_lint.report.{name}").render(report, rules)
