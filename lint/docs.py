"""Rule documentation from the rule docstrings: `flink-lint explain` and docs/rules.md.

python -m flink_lint.docs > docs/rules.md
"""

from __future__ import annotations

import sys

from flink_lint.rules.registry import all_rules


def explain(rule) -> str:
    fix = "autofix: yes (--fix)" if rule.fixable else "autofix: no"
    return f"{rule.code} {rule.name}  [default severity: {rule.severity}; {fix}]\n\n{rule.doc}\n"


def rules_markdown() -> str:

    rules = all_rules()
    lines = [
        "# flink-lint rules",
        "",
        "Generated from the rule docstrings by `python -m flink_lint.docs > docs/rules.md`; do not edit by hand.",
        "`flink-lint explain CODE` prints the same text.",
        "",
        "| Code | Name | Severity | Fix | Summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        anchor = f"{rule.code.lower()}-{rule.name}"
        lines.append(
            f"| [{rule.code}](#{anchor}) | {rule.name} | {rule.severity} | "
            f"{'yes' if rule.fixable else ''} | {rule.summary.replace('|', '/')} |"
        )
    for rule in rules:
        lines += [
            "",
            f"## {rule.code} {rule.name}",
            "",
            f"Default severity: **{rule.severity}**. Autofix: **{'yes' if rule.fixable else 'no'}**.",
            "",
            rule.summary,
            "",
        ]
        for title, body in rule.sections().items():
            lines += [f"### {title}", "", body, ""]
        while lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(rules_markdown())
