"""find files -> read -> run rules -> stamp severity -> suppress -> sort.

`lint_paths(paths, config)` is everything the CLI needs; `lint_text(path, data, config)` lints one
file's content (tests, editors). Rule errors never escape as tracebacks: they are collected in
`Report.internal_errors` and the CLI exits 2.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from flink_lint import fix as fixer
from flink_lint import suppressions
from flink_lint.config import ToolConfig
from flink_lint.documents import decode, read_file
from flink_lint.documents.detect import is_python, kind_by_name
from flink_lint.documents.kubernetes import catalog_version
from flink_lint.documents.python_source import directives as python_directives
from flink_lint.documents.python_source import PythonSource, read_python
from flink_lint.documents.read_problems import yaml_syntax
from flink_lint.model import Finding, FlinkConfig, Location, Problem, ReadProblem, RuleContext
from flink_lint.rules.registry import Rule, all_rules, find_rule, matching

YAML_SUFFIXES = (".yaml", ".yml")
PYTHON_SUFFIXES = (".py",)  # PyFlink job code: code rules (lint/rules/code/)
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "build",
    "dist",
    ".eggs",
}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass
class FileResult:
    path: str
    findings: list[Finding]
    configs: list[FlinkConfig] = field(default_factory=list)
    text: Optional[str] = None
    recognised: bool = True  # False: no reader took the file (not a Flink config, manifest, job config or code)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    internal_errors: list[str] = field(default_factory=list)
    not_linted: list[str] = field(default_factory=list)  # files named explicitly that no reader recognised
    fixed: dict[str, int] = field(default_factory=dict)  # path -> number of edits applied
    diffs: list[str] = field(default_factory=list)  # unified diffs (--diff)
    notes: list[str] = field(default_factory=list)  # one line each, printed on stderr: fixes not made
    flink_version: str = "2.3"

    def counts(self) -> dict[str, int]:
        counts = {severity: 0 for severity in SEVERITY_RANK}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts


def find_files(paths: Sequence[str], config: ToolConfig, kind: Optional[str] = None) -> tuple[list[str], list[str]]:
    """(files to lint, missing paths). Directories are walked for *.yaml/*.yml and *.py (only one of
    the two under a `kind`), skipping VCS and virtualenv folders and `exclude` globs; files named
    explicitly are always linted."""
    kind = kind or config.kind
    files, missing = [], []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(names):
                    candidate = os.path.join(root, name)
                    suffixes = (
                        YAML_SUFFIXES + PYTHON_SUFFIXES
                        if kind is None
                        else PYTHON_SUFFIXES
                        if kind == "python"
                        else YAML_SUFFIXES
                    )
                    if (
                        name.lower().endswith(suffixes)
                        and not (config.exclude and config.excluded(candidate))
                        and not _special(candidate)
                    ):
                        files.append(_display(candidate))
        elif os.path.exists(path):
            files.append(_display(path))
        else:
            missing.append(path)
    return list(dict.fromkeys(files)), missing  # each file once, in the order found


def _special(path: str) -> bool:
    """A FIFO, socket or device found while walking: reading it could block forever, so it is skipped
    (one named on the command line is read, e.g. `flink-lint <(kubectl get ...)`)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # broken link or loop: reading it gives a located "cannot read file"
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _display(path: str) -> str:
    """Paths as the user would type them: relative to the working directory when inside it, no `./`."""
    normalized = os.path.normpath(path)
    if os.path.isabs(normalized):
        try:
            relative = os.path.relpath(normalized)
            if not relative.startswith(".."):
                return relative
        except ValueError:
            pass
    return normalized


class Linter:
    def __init__(
        self,
        config: ToolConfig,
        flink_version: str = "2.3",
        kind: Optional[str] = None,
        select: Optional[list[str]] = None,
        ignore: Optional[list[str]] = None,
    ):
        self.config = config
        self.flink_version = flink_version
        self.kind = kind
        self.rules = all_rules()
        self.find_rule = find_rule
        select = select if select is not None else config.select
        ignore = list(config.ignore) + list(ignore or [])
        enabled = (
            {rule.code for token in select for rule in matching(token)}
            if select
            else {rule.code for rule in self.rules}
        )
        if select:
            enabled.add("FL001")  # a file that cannot be read is always worth saying, unless ignored
        enabled -= {rule.code for token in ignore for rule in matching(token)}
        self.enabled = enabled
        self.matching = matching
        self.internal_errors: list[str] = []  # rule or reader failures (the CLI exits 2); tests let them raise
        self.strict = False

    # ------------------------------------------------------------------ one file
    def lint_file(self, path: str) -> FileResult:
        data, problem = read_bytes(path)
        if problem is not None or data is None:
            return FileResult(path, [read_finding(problem)] if problem is not None else [])
        return self.lint_data(path, data)

    def lint_data(self, path: str, data: str | bytes) -> FileResult:
        if self.strict:
            return self._lint_data(path, data)
        try:
            return self._lint_data(path, data)
        except Exception as error:  # a reader bug: say so, keep going with the other files
            self.internal_errors.append(f"{path}: internal error while reading: {type(error).__name__}: {error}")
            return FileResult(path, [])

    def _lint_data(self, path: str, data: str | bytes) -> FileResult:
        if is_python(path, self.kind):
            return self._lint_python(path, data)
        if isinstance(data, bytes):
            decoded, problem = decode(path, data)
            if problem is not None or decoded is None:
                return FileResult(path, self._finish(path, [problem] if problem else [], None, legacy=False))
            text = decoded
        else:
            text = data
        configs, findings = read_file(path, text, kind=self.kind)
        recognised = bool(configs or findings) or self.kind is not None or kind_by_name(path) is not None
        return FileResult(path, self.findings_for(path, text, configs, findings), configs, text, recognised)

    def findings_for(
        self, path: str, text: str, configs: list[FlinkConfig], findings: Sequence[Finding | ReadProblem]
    ) -> list[Finding]:
        """The rules run on configs read from `text`, added to the reader's findings; then
        severities, per-file ignores, suppressions and order, as for any linted file."""
        findings = list(findings)
        for config in configs:
            findings.extend(self._run_rules(config))
        legacy = any(config.kind == "flink-conf" for config in configs)
        return self._finish(path, findings, text, legacy)

    def _lint_python(self, path: str, data: str | bytes) -> FileResult:
        source, findings = read_python(path, data)
        if source is None:
            text = data if isinstance(data, str) else None
            return FileResult(path, self._finish(path, list(findings), text, legacy=False, python=True))
        found: list[Finding | ReadProblem] = [*findings, *self._run_rules(source, document="python")]
        return FileResult(path, self._finish(path, found, source.text, legacy=False, python=True), [], source.text)

    def _run_rules(self, config: FlinkConfig | PythonSource, document: str = "config") -> list[Finding]:
        found = []
        version = self.flink_version
        if isinstance(config, FlinkConfig) and isinstance(config.context.get("flinkVersion"), tuple):
            version = catalog_version(config.context["flinkVersion"][0], self.flink_version)  # spec.flinkVersion
        for rule in self.rules:
            if rule.code not in self.enabled or rule.document != document:
                continue
            context = RuleContext(flink_version=version, options=self.config.options.get(rule.code, {}))
            try:
                found.extend(findings_of(rule.module, config, context))
            except Exception as error:  # a rule bug must not hide the other findings
                message = f"rule {rule.code} {rule.name} failed on {config.path}: {type(error).__name__}: {error}"
                if self.strict:
                    raise
                self.internal_errors.append(message)
        return found

    def _finish(
        self,
        path: str,
        findings: Sequence[Finding | ReadProblem],
        text: Optional[str],
        legacy: bool,
        python: bool = False,
    ) -> list[Finding]:
        stamped = [read_finding(f) if isinstance(f, ReadProblem) else f for f in findings]
        ignored = (
            {rule.code for token in self.config.ignored_for(path) for rule in self.matching(token)}
            if self.config.per_file_ignores
            else set()
        )
        kept = []
        for finding in stamped:
            if finding.rule not in self.enabled or finding.rule in ignored:
                continue
            finding.severity = self.config.severity.get(finding.rule, finding.severity)
            kept.append(finding)
        if isinstance(text, str):
            directives = python_directives(path, text) if python else suppressions.parse(path, text, legacy=legacy)
            if directives:
                kept = suppressions.apply(kept, directives, self.find_rule)
                if "FL009" in self.enabled and "FL009" not in ignored:
                    unused_module = unused_suppression_rule().module
                    for problem in suppressions.unused(directives, self.find_rule, self.enabled - ignored):
                        finding = stamp(unused_module, problem)
                        finding.severity = self.config.severity.get(finding.rule, finding.severity)
                        kept.append(finding)
        return sort_findings(kept)


def read_bytes(path: str) -> tuple[Optional[bytes], Optional[ReadProblem]]:
    """A file's first bytes, enough to tell a configuration from something too large to be one."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4 * 1024 * 1024 + 1), None
    except OSError as error:
        return None, yaml_syntax.finding(f"cannot read file: {error.strerror}", Location(path, 1, 1))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.location.path, f.location.line, f.location.column, f.rule, f.message))


def lint_paths(
    paths: Sequence[str],
    config: ToolConfig,
    flink_version: str = "2.3",
    kind: Optional[str] = None,
    select: Optional[list[str]] = None,
    ignore: Optional[list[str]] = None,
    fix: bool = False,
    diff: bool = False,
) -> Report:
    """Lint files and directories; with fix/diff, apply or show the safe fixes first.

    A file named explicitly that no reader recognises is listed in `report.not_linted` (never
    skipped silently); one found by walking a directory is skipped silently, as unrelated YAML
    (CI workflows, Helm values, other manifests) is expected there."""
    linter = Linter(config, flink_version, kind, select, ignore)
    files, missing = find_files(paths, config, kind)
    named = {_display(path) for path in paths if not os.path.isdir(path)}
    report = Report(flink_version=flink_version)
    for path in missing:
        report.internal_errors.append(f"{path}: no such file or directory")
    for path in files:
        result = linter.lint_file(path)
        if not result.recognised and path in named:
            report.not_linted.append(path)
            continue
        if (fix or diff) and result.text is not None:
            result = _fix_file(linter, result, report, write=fix, show=diff)
        report.files_checked += 1
        report.findings.extend(result.findings)
    report.findings = sort_findings(report.findings)
    report.internal_errors.extend(linter.internal_errors)
    return report


def _fix_file(linter: Linter, result: FileResult, report: Report, write: bool, show: bool) -> FileResult:
    """Apply safe fixes until nothing changes (a structural fix may need a second pass); then create
    the files a fix writes beside this one (a legacy flink-conf.yaml's config.yaml) from the fixed
    text, so that the new config.yaml is the migration of the legacy file as --fix leaves it."""
    if result.text is None:
        return result
    original = result.text
    text, total, current = _fixed_text(linter, result)
    if text != original:
        if show:
            report.diffs.append(fixer.unified_diff(result.path, original, text))
        if write:
            fixer.write_atomically(result.path, text)
            report.fixed[result.path] = total
    created, problems = fixer.companions(text, current.findings)
    for target, content in created:
        if show:
            report.diffs.append(fixer.unified_diff(target, "", content, created=True))
        if write:
            try:
                fixer.create_atomically(target, content)
            except OSError as error:
                problems.append(f"{target}: not written: {error.strerror}")
                continue
            report.fixed[target] = 1
    if not write:
        return result
    report.notes.extend(problems)
    if created:
        return linter.lint_data(result.path, text)  # the legacy file now has a config.yaml beside it
    return current


def _fixed_text(linter: Linter, current: FileResult) -> tuple[str, int, FileResult]:
    """(the text with every safe fix applied, the number of fixes, its lint result)."""
    text, total = current.text or "", 0
    for _ in range(3):
        if not any(f.fix is not None for f in current.findings):
            break
        new_text, applied = fixer.apply(current.path, text, current.configs, current.findings)
        if not applied or new_text == text:
            break
        text, total = new_text, total + applied
        current = linter.lint_data(current.path, text)
    return text, total, current


def lint_text(
    path: str,
    data,
    config: Optional[ToolConfig] = None,
    flink_version: str = "2.3",
    kind: Optional[str] = None,
    select: Optional[list[str]] = None,
    ignore: Optional[list[str]] = None,
) -> list[Finding]:
    """The findings for one file's content (str or bytes), as `flink-lint` would print them."""
    linter = Linter(config or ToolConfig(), flink_version, kind, select, ignore)
    linter.strict = True
    return linter.lint_data(path, data).findings


def stamp(module, problem: Problem) -> Finding:
    """A rule's Problem as a Finding: the module's CODE and NAME, and its SEVERITY unless the
    problem names its own."""
    if not isinstance(problem, Problem):
        raise TypeError(f"{module.CODE} {module.NAME} yielded {type(problem).__name__}, not a Problem")
    return Finding(
        module.CODE,
        module.NAME,
        problem.severity or module.SEVERITY,
        problem.message,
        problem.location,
        problem.hint,
        problem.fix,
    )


def findings_of(module, config, context: RuleContext) -> list[Finding]:
    """Run one rule module: its Problems stamped with the module's CODE, NAME and SEVERITY."""
    return [stamp(module, problem) for problem in module.check(config, context)]


def unused_suppression_rule() -> Rule:
    rule = find_rule("FL009")
    if rule is None:
        raise ValueError("FL009 unused-suppression is not registered")
    return rule


def read_finding(problem: ReadProblem) -> Finding:
    """A reader's problem as the finding of the input rule its kind names (FL001, FL002, FL700)."""
    rule: Optional[Rule] = find_rule(problem.kind)
    if rule is None:
        raise ValueError(f"a reader reported a problem of unknown kind `{problem.kind}`")
    return Finding(
        rule.code, rule.name, problem.severity or rule.severity, problem.message, problem.location, problem.hint
    )
