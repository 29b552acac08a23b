"""Inline suppressions, driven by data: fixtures/suppressions/*.yaml with `path`, `input` and the
findings that remain (`expect`: list of "CODE line:col")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flink_lint.engine import lint_text
from flink_lint.suppressions import DIRECTIVE, comment_start

CASES = sorted((Path(__file__).parent / "fixtures" / "suppressions").glob("*.yaml"))


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_suppression_case(case_path):
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    findings = lint_text(case["path"], case["input"], select=case.get("select", ["FL00"]))
    assert [f"{f.rule} {f.location.line}:{f.location.column}" for f in findings] == case["expect"]


def test_directive_is_parsed_from_the_comment_token():
    line = "key: 'a # not a comment' # flink-lint: disable=FL002, deprecated-key -- migrating, see #12"
    start = comment_start(line)
    assert line[start:].startswith("# flink-lint")
    match = DIRECTIVE.match(line[start:])
    assert match.group("codes") == "FL002, deprecated-key"
    assert match.group("reason") == "migrating, see #12"
    assert comment_start("url: http://x/#anchor") is None
