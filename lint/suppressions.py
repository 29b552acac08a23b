"""Inline suppressions: `# flink-lint: disable=CODE[,CODE] -- reason` and `# flink-lint: disable-file`.

A directive on a line with a setting applies to that line; on a line of its own, to the next line
that is not blank or a comment. `disable-file` (optionally `disable-file=CODE,...`) applies to the
whole file. Codes may be codes (FL102) or names (deprecated-key). The comment token is found by a
small scanner that knows YAML quoting (a `#` starts a comment only after whitespace or at the
start of a line, outside quotes; in a legacy flink-conf.yaml the first `#` always starts one, as
Flink cuts there), and the directive is parsed by a regular expression over that token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from flink_lint.model import Finding, Location, Problem

if TYPE_CHECKING:  # the engine passes registry.find_rule; this module stays below the rules
    from flink_lint.rules.registry import Rule

Resolve = Callable[[str], "Optional[Rule]"]  # a code or name -> its rule, None when unknown

DIRECTIVE = re.compile(
    r"#\s*flink-lint\s*:\s*(?P<verb>disable-file|disable)\b\s*(?:=\s*(?P<codes>[\w-]+(?:\s*,\s*[\w-]+)*))?"
    r"\s*(?:--\s*(?P<reason>.*?))?\s*$"
)


@dataclass
class Directive:
    location: Location  # of the comment
    codes: tuple[str, ...]  # empty: all rules
    target_line: Optional[int]  # None: the whole file
    reason: str = ""
    used: set[str] = field(default_factory=set)  # codes (or "*") that suppressed something


def comment_start(line: str, legacy: bool = False) -> Optional[int]:
    """Index of the `#` that starts a comment on this line, or None."""
    if legacy:
        index = line.find("#")
        return index if index >= 0 else None
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    continue
                quote = None
            elif char == "\\" and quote == '"':
                continue
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return None


def parse(path: str, text: str, legacy: bool = False) -> list[Directive]:
    if "flink-lint" not in text:
        return []
    lines = text.splitlines()
    directives = []
    for number, line in enumerate(lines, start=1):
        if "flink-lint" not in line:
            continue
        start = comment_start(line, legacy)
        if start is None:
            continue
        match = DIRECTIVE.match(line[start:])
        if match is None:
            continue
        codes = tuple(code.strip() for code in (match.group("codes") or "").split(",") if code.strip())
        location = Location(path, number, start + 1, number, len(line.rstrip()) + 1)
        if match.group("verb") == "disable-file":
            target = None
        elif line[:start].strip():
            target = number
        else:
            target = _next_content_line(lines, number, legacy)
        directives.append(Directive(location, codes, target, match.group("reason") or ""))
    return directives


def _next_content_line(lines: list[str], number: int, legacy: bool) -> int:
    for index in range(number, len(lines)):
        line = lines[index]
        start = comment_start(line, legacy)
        if (line[:start] if start is not None else line).strip():
            return index + 1
    return number + 1


def _names(code: str, resolve: Resolve) -> set[str]:
    rule = resolve(code)
    return {rule.code, rule.name} if rule is not None else {code}


def apply(findings: list[Finding], directives: list[Directive], resolve: Resolve) -> list[Finding]:
    """The findings no directive suppresses; marks each directive's used codes.

    resolve(code_or_name) -> Rule or None (to accept names as well as codes)."""
    if not directives:
        return findings
    kept = []
    for finding in findings:
        suppressed = False
        for directive in directives:
            if directive.target_line is not None and directive.target_line != finding.location.line:
                continue
            if not directive.codes:
                directive.used.add("*")
                suppressed = True
                continue
            for code in directive.codes:
                if finding.rule in _names(code, resolve) or finding.name in _names(code, resolve):
                    directive.used.add(code)
                    suppressed = True
        if not suppressed:
            kept.append(finding)
    return kept


def unused(directives: list[Directive], resolve: Resolve, enabled_codes: set[str]) -> list[Problem]:
    """Directives (or codes in them) that suppressed nothing: the engine stamps them FL009."""
    findings = []
    for directive in directives:
        scope = "this file" if directive.target_line is None else f"line {directive.target_line}"
        if not directive.codes:
            if "*" not in directive.used:
                findings.append(
                    Problem(
                        f"suppression finds nothing to suppress on {scope}",
                        directive.location,
                        hint="delete the comment",
                    )
                )
            continue
        for code in directive.codes:
            known = resolve(code)
            if known is None:
                findings.append(
                    Problem(
                        f"suppression names an unknown rule `{code}`",
                        directive.location,
                        hint="use a code or name from `flink-lint rules`",
                    )
                )
            elif code not in directive.used and known.code in enabled_codes:
                findings.append(
                    Problem(
                        f"suppression of {known.code} {known.name} is unused: nothing to suppress on {scope}",
                        directive.location,
                        hint="delete the comment",
                    )
                )
    return findings
