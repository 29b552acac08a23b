"""`path:line:col: CODE name [severity] message`, then the hint indented; a summary line last."""

from __future__ import annotations


from flink_lint.model import Finding, Location


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
    counts = report.counts()
    total = sum(counts.values())
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''}"
    if total:
        detail = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        lines.append(
            f"Found {total} problem{'s' if total != 1 else ''} ({detail}) in {files} (Flink {report.flink_version})."
        )
    else:
        lines.append(f"All checks passed: {files} (Flink {report.flink_version}).")
    if report.fixed:
        lines.append(f"Fixed {sum(report.fixed.values())} problem(s) in {len(report.fixed)} file(s).")
    return "\n".join(lines) + "\n"
