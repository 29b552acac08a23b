"""Rule documentation: every registered rule documents itself; docs/rules.md is generated and current;
the docs (docs/*.md, README.md, lint/config.py's docstring) name only rules and options that exist."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import pytest

from flink_lint import config as tool_config
from flink_lint.docs import rules_markdown
from flink_lint.rules.registry import DOC_SECTIONS, SEVERITIES, all_rules, find_rule, matching

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules.md"
PLACEHOLDERS = {"CODE", "CODES", "NAME"}  # `flink-lint explain CODE`, `disable=CODE`


def documents() -> dict:
    """Name -> text of every document that shows rules or [tool.flink-lint] settings."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {
        **{page.relative_to(ROOT).as_posix(): page.read_text(encoding="utf-8") for page in pages},
        "lint/config.py docstring": tool_config.__doc__,
    }


def toml_examples() -> list:
    """(where, TOML text) of every [tool.flink-lint] example: ```toml blocks, the docstring's indented one."""
    examples = []
    for name, text in documents().items():
        blocks = [match.group(2) for match in re.finditer(r"^( *)```toml\n(.*?)^\1```", text, re.S | re.M)]
        blocks += [
            match.group(1) for match in re.finditer(r"^( {4}\[tool\.flink-lint.*?)(?=\n\s*\n|\Z)", text, re.S | re.M)
        ]
        examples += [
            (f"{name} #{index}", textwrap.dedent(block))
            for index, block in enumerate(blocks)
            if "tool.flink-lint" in block
        ]
    return examples


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_metadata_and_docstring_sections(rule):
    assert re.fullmatch(r"FL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    sections = rule.sections()
    missing = [name for name in DOC_SECTIONS if not sections.get(name)]
    assert not missing, f"{rule.code} {rule.name}: docstring lacks sections {missing}"
    assert "```" in sections["Example"] and "```" in sections["Use instead"]
    assert rule.summary and not rule.summary.startswith("**")


def test_docs_rules_md_is_current():
    assert DOCS.is_file(), "generate it: python -m flink_lint.docs > docs/rules.md"
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: python -m flink_lint.docs > docs/rules.md"
    )


def test_rules_that_read_options_declare_them():
    """Rule.options (the module's OPTIONS) is what the examples below are checked against."""
    for rule in all_rules():
        reads = "context.options" in inspect.getsource(rule.module)
        assert reads == bool(rule.options), f"{rule.code}: reads context.options: {reads}, OPTIONS: {rule.options}"


def test_the_docs_show_toml_examples():
    where = {name.split(" #")[0] for name, _ in toml_examples()}
    assert {"README.md", "docs/rules.md", "lint/config.py docstring"} <= where


@pytest.mark.parametrize("where, example", toml_examples(), ids=[name for name, _ in toml_examples()])
def test_toml_examples_name_rules_and_options_that_exist(where, example, tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(example, encoding="utf-8")
    config = tool_config.load(pyproject)  # raises ConfigError on an unknown rule, setting or severity
    for code, values in config.options.items():
        rule = find_rule(code)
        unknown = sorted(set(values) - set(rule.options))
        assert not unknown, f"{where}: {rule.name} has no option {unknown} (its options: {list(rule.options)})"


@pytest.mark.parametrize("name", sorted(documents()))
def test_rule_codes_and_names_in_the_docs_exist(name):
    text = documents()[name]
    codes = {rule.code for rule in all_rules()}
    assert sorted(set(re.findall(r"\bFL\d{3}\b", text)) - codes) == []
    tokens = [
        token
        for tokens in re.findall(r"flink-lint:\s*disable(?:-line|-file)?=([\w,-]+)", text)
        for token in tokens.split(",")
    ]
    tokens += re.findall(r"flink-lint explain ([\w-]+)", text)
    tokens += re.findall(r"--(?:select|ignore)[= ]([\w,-]+)", text)
    unknown = [token for token in tokens if token not in PLACEHOLDERS and not matching(token)]
    unknown += [table for table in re.findall(r"tool\.flink-lint\.options\.([\w-]+)", text) if not find_rule(table)]
    assert unknown == [], f"{name} names rules that do not exist: {unknown}"
