"""flink-lint: lint Flink configurations (config.yaml, flink-conf.yaml, Kubernetes manifests, job configs).

    flink-lint [PATHS...] [--format text|json|sarif|github] [--fail-on error|warning|info]
               [--exit-zero] [--select CODES] [--ignore CODES] [--flink-version 2.3|1.20]
               [--kind KIND] [--fix] [--diff] [--config pyproject.toml]
    flink-lint rules [--format text|json]
    flink-lint explain CODE|NAME

Exit codes: 0 no finding at or above --fail-on (default warning); 1 findings; 2 usage,
configuration or internal error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import Optional

from flink_lint import config as tool_config
from flink_lint.config import ConfigError
from flink_lint.docs import explain
from flink_lint.documents.detect import KINDS
from flink_lint.engine import SEVERITY_RANK, lint_paths
from flink_lint.report import FORMATS, render
from flink_lint.report.sarif import _version
from flink_lint.rules.registry import all_rules, find_rule


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2
        raise UsageError(message)


def _tokens(values: Optional[list[str]]) -> list[str]:
    return [token.strip() for value in values or [] for token in value.split(",") if token.strip()]


def _lint_parser() -> argparse.ArgumentParser:

    parser = _Parser(
        prog="flink-lint",
        description="Lint Flink configurations against Flink's option catalog, and PyFlink job code for backpressure risks.",
        epilog="Subcommands: `flink-lint rules`, `flink-lint explain CODE|NAME`.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    parser.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rules (codes, names, code prefixes, ALL; comma-separated)",
    )
    parser.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules")
    parser.add_argument("--flink-version", default=None, help="target Flink version (2.3 or 1.20; default 2.3)")
    parser.add_argument("--kind", choices=KINDS, default=None, help="read every file as this kind")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes (deprecated keys renamed, ...)")
    parser.add_argument("--diff", action="store_true", help="show the fixes as a diff, change nothing")
    parser.add_argument(
        "--config",
        default=None,
        metavar="PYPROJECT",
        help="pyproject.toml with [tool.flink-lint] (default: found upward from the paths)",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _rules_command(argv) -> int:

    parser = _Parser(prog="flink-lint rules")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    rules = all_rules()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "fixable": r.fixable,
                        "summary": r.summary,
                        "sections": r.sections(),
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        print(
            f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  {'fix' if rule.fixable else '   '}  {rule.summary}"
        )
    return 0


def _explain_command(argv) -> int:
    parser = _Parser(prog="flink-lint explain")
    parser.add_argument("rule", metavar="CODE|NAME")
    args = parser.parse_args(argv)
    rule = find_rule(args.rule)
    if rule is None:
        raise UsageError(f"unknown rule `{args.rule}` (see `flink-lint rules`)")
    print(explain(rule))
    return 0


def _lint_command(argv) -> int:
    args = _lint_parser().parse_args(argv)
    if args.version:
        print(f"flink-lint {_version()}")
        return 0
    paths = args.paths or ["."]
    if args.config:
        if not Path(args.config).is_file():
            raise tool_config.ConfigError(f"--config {args.config}: no such file")
        config = tool_config.load(Path(args.config))
    else:
        config = tool_config.load(tool_config.find_pyproject(paths))
    select, ignore = _tokens(args.select) or None, _tokens(args.ignore)
    overrides = tool_config.ToolConfig(select=select, ignore=ignore, flink_version=args.flink_version, kind=args.kind)
    tool_config.validate(overrides, "command line")
    flink_version = args.flink_version or config.flink_version or "2.3"
    report = lint_paths(
        paths,
        config,
        flink_version=flink_version,
        kind=args.kind or config.kind,
        select=select,
        ignore=ignore,
        fix=args.fix,
        diff=args.diff,
    )
    if args.diff:
        sys.stdout.write("".join(report.diffs))
        if args.format == "text" and not args.fix:
            return 2 if report.internal_errors else (1 if report.diffs and not args.exit_zero else 0)
    sys.stdout.write(render(args.format, report, all_rules()))
    for message in report.notes + report.internal_errors:
        print(f"flink-lint: {message}", file=sys.stderr)
    if report.internal_errors:
        return 2
    fail_on = args.fail_on or config.fail_on or "warning"
    failing = [f for f in report.findings if SEVERITY_RANK[f.severity] <= SEVERITY_RANK[fail_on]]
    return 1 if failing and not args.exit_zero else 0


def silence_stdout() -> None:
    """After a BrokenPipeError: point stdout at /dev/null, so that the interpreter's final flush does
    not fail again with a traceback. Used by flink-lint and flink-jobs."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv=None) -> int:
    if argv is None:  # the command itself, not a caller in the same process
        _fewer_collections()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "rules":
            return _rules_command(argv[1:])
        if argv and argv[0] == "explain":
            return _explain_command(argv[1:])
        return _lint_command(argv)
    except (UsageError, ConfigError, ValueError) as error:
        print(f"flink-lint: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): end quietly
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # an internal error: one line, exit 2
        print(f"flink-lint: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _fewer_collections() -> None:
    """Parsed files are trees that reference counting frees; the cycle collector's default pass every
    700 allocations re-scans every AST node alive, about 5% of the CPU of linting a thousand files."""
    gc.freeze()  # the imported modules: never garbage
    gc.set_threshold(10_000, 20, 20)


if __name__ == "__main__":
    sys.exit(main())
