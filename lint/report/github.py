"""GitHub Actions workflow commands: `::error file=a.yaml,line=3,col=5,endColumn=9,title=...::message`.

Paths are relative to the working directory without `./` (GitHub matches them to the diff).
Properties and messages are escaped as the runner expects (%, CR, LF; plus : and , in properties).
"""

from __future__ import annotations

from flink_lint.report.text import NOT_LINTED

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report, rules) -> str:
    lines = []
    for finding in report.findings:
        where = finding.location
        path = where.path[2:] if where.path.startswith("./") else where.path
        props = [f"file={_property(path)}", f"line={where.line}", f"col={where.column}"]
        if where.end_line is not None and where.end_line != where.line:
            props.append(f"endLine={where.end_line}")
        elif where.end_column is not None:
            props.append(f"endColumn={where.end_column}")
        props.append(f"title={_property(f'{finding.rule} {finding.name}')}")
        message = finding.message + (f" ({finding.hint})" if finding.hint else "")
        lines.append(f"::{LEVELS[finding.severity]} {','.join(props)}::{_data(message)}")
    for path in report.not_linted:
        lines.append(f"::notice file={_property(path)},title=flink-lint::{_data(NOT_LINTED)}")
    return "\n".join(lines) + ("\n" if lines else "")
