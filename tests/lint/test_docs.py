"""Rule documentation: every registered rule documents itself; docs/rules.md is generated and current."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from flink_lint.docs import rules_markdown
from flink_lint.rules.registry import DOC_SECTIONS, SEVERITIES, all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


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
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: python -m flink_lint.docs > docs/rules.md"
