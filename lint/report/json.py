"""{"findings": [{path, line, column, end_line, end_column, rule, name, severity, message, hint,
fix}], "not_linted": [{path, message}], "summary": {"error": n, "warning": n, "info": n, "files": n,
"not_linted": n, "flink_version": v, "fixed": n}}."""

from __future__ import annotations

import json
from typing import Any

from flink_lint.model import Finding

from flink_lint.report.text import NOT_LINTED


def finding_dict(finding: Finding) -> dict[str, Any]:
    where = finding.location
    return {
        "path": where.path,
        "line": where.line,
        "column": where.column,
        "end_line": where.end_line if where.end_line is not None else where.line,
        "end_column": where.end_column if where.end_column is not None else where.column,
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "hint": finding.hint,
        "fix": None
        if finding.fix is None
        else {"kind": finding.fix.kind, "key": finding.fix.key, "new_text": finding.fix.new_text},
    }


def render(report, rules) -> str:
    summary = dict(report.counts())
    summary.update(
        files=report.files_checked,
        not_linted=len(report.not_linted),
        flink_version=report.flink_version,
        fixed=sum(report.fixed.values()),
    )
    document = {
        "findings": [finding_dict(f) for f in report.findings],
        "not_linted": [{"path": path, "message": NOT_LINTED} for path in report.not_linted],
        "summary": summary,
    }
    return json.dumps(document, indent=2) + "\n"
