"""Text and GitHub annotation formats."""

from __future__ import annotations

from pathlib import Path

from flink_lint.config import ToolConfig
from flink_lint.engine import lint_paths
from flink_lint.report import render
from flink_lint.rules.registry import all_rules


def _report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("conf").mkdir()
    Path("conf/config.yaml").write_text("a: 1\na: 2, with a comma\n")
    return lint_paths(["./conf"], ToolConfig(select=["FL00"]))


def test_text_format(tmp_path, monkeypatch):
    out = render("text", _report(tmp_path, monkeypatch), all_rules()).splitlines()
    assert out[0] == (
        "conf/config.yaml:2:1: FL002 duplicate-key [error] duplicate key `a` (first at line 1): "
        "Flink refuses a config.yaml with a duplicate key"
    )
    assert out[1] == "    hint: remove one of the two"
    assert out[-1].startswith("Found 1 problem (1 error) in 1 file")


def test_github_format_has_no_dot_slash_and_escapes(tmp_path, monkeypatch):
    out = render("github", _report(tmp_path, monkeypatch), all_rules()).splitlines()
    assert out == [
        "::error file=conf/config.yaml,line=2,col=1,endColumn=2,title=FL002 duplicate-key::"
        "duplicate key `a` (first at line 1): Flink refuses a config.yaml with a duplicate key "
        "(remove one of the two)"
    ]
