"""`path:line:col: CODE name [severity] message`, then the hint indented; one line per named file
that was not linted; a summary line last."""

from __future__ import annotations

from flink_lint.model import Finding, Location

NOT_LINTED = (
    "not linted: not recognised as a Flink config.yaml or flink-conf.yaml, a FlinkDeployment, "
    "FlinkSessionJob or ConfigMap, a job config or PyFlink code (force a kind with "
    "--kind config-yaml|flink-conf|kubernetes|job-config|python)"
)


def location_text(location: Location) -> str:
    """`path:line:col`; a location without a line (a command-line `--set`) is its text alone."""
    return f"{location.path}:{location.line}:{location.column}" if location.line else location.path


def finding_lines(finding: Finding) -> list[str]:
    """One finding: `path:line:col: CODE name [severity] message`, then its hint, indented."""
    lines = [f"{location_text(finding.location)}: {finding.rule} {finding.name} [{finding.severity}] {finding.message}"]
    if finding.hint:
        lines.append(f"    hint: {finding.hint}" + ("  (fixable with --fix)" if finding.fix else ""))
    elif finding.fix:
        lines.append("    hint: fixable with --fix")
    return lines


def render(report, rules) -> str:
    lines = []
    for finding in report.findings:
        lines += finding_lines(finding)
    for path in report.not_linted:
        lines.append(f"{path}: {NOT_LINTED}")
    counts = report.counts()
    total = sum(counts.values())
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''}"
    if total:
        detail = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        lines.append(
            f"Found {total} problem{'s' if total != 1 else ''} ({detail}) in {files} (Flink {report.flink_version})."
        )
    elif report.not_linted:
        lines.append(f"No problems found: {files} (Flink {report.flink_version}).")
    else:
        lines.append(f"All checks passed: {files} (Flink {report.flink_version}).")
    if report.not_linted:
        count = len(report.not_linted)
        lines.append(f"{count} file{'s' if count != 1 else ''} not linted (not recognised; see above).")
    if report.fixed:
        lines.append(f"Fixed {sum(report.fixed.values())} problem(s) in {len(report.fixed)} file(s).")
    return "\n".join(lines) + "\n"
