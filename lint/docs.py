"""Rule documentation from the rule docstrings: `flink-lint explain` and docs/rules.md.

python -m flink_lint.docs > docs/rules.md
"""

from __future__ import annotations

import sys

from flink_lint.rules.registry import all_rules

SEVERITY_POLICY = """## Severity policy

Every rule's severity says what happens to the configuration or the job, not how much we dislike it:

- **error**: Flink or the Kubernetes operator rejects it, or it fails at runtime (the process
  refuses to start, the job fails or never gets its slots, the webhook refuses the manifest).
- **warning**: Flink silently ignores it, or it loses data, or it invites backpressure under load
  (an unknown or removed key, output that is never committed, state lost on failure, a parallelism
  below the declared peak rate, a session window).
- **info**: a trade-off or advice (full vs incremental checkpoints, a deprecated key that Flink
  still reads, state without TTL, a suppression that suppresses nothing).

A rule whose findings differ in consequence gives each finding its own severity (a deprecated key
is info, but warning when its replacement is set too and the old line is ignored). The default
gate is `--fail-on warning`: a careful production configuration passes it, which
tests/lint/test_severity_policy.py shows on the pack's configs/ and the operator's examples.
Severities can be changed per rule in `[tool.flink-lint.severity]`."""


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
        SEVERITY_POLICY,
        "",
        "## Rules",
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
