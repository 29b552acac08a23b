"""Every case of tests/lint/fixtures/code/<rule-name>.yaml, run through the real engine (reader,
rules, suppressions) with only that rule selected.

A fixture file:

    rule: session-window              # the rule's name (or code)
    cases:
      - name: session window from a field
        input: |                      # a Python source file
          ...
        expect: [{rule: FL701, line: 11, column: 17}]   # [] for a clean case
        flink_version: "1.20"         # optional, default 2.3
        severity: error               # optional: the findings' severity when not the rule's default
        options: {key: value}         # optional: the rule's [tool.flink-lint.options.<rule>]

`expect` lists the findings of the fixture's rule, in file order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flink_lint.config import ToolConfig
from flink_lint.engine import lint_text
from flink_lint.rules.registry import all_rules, find_rule

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "code"
CODE_RULES = [rule for rule in all_rules() if rule.document == "python"]


def _cases():
    for path in sorted(FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("rule_name, case", list(_cases()))
def test_code_rule_case(rule_name, case):
    rule = find_rule(rule_name)
    assert rule is not None and rule.document == "python", rule_name
    config = ToolConfig(options={rule.code: case.get("options", {})})
    version = str(case.get("flink_version", "2.3"))
    findings = [
        f
        for f in lint_text("jobs/job.py", case["input"], config=config, flink_version=version, select=[rule.code])
        if f.rule == rule.code
    ]
    got = [{"rule": f.rule, "line": f.location.line, "column": f.location.column} for f in findings]
    assert got == case["expect"], "\n".join(f"{f.location.line}:{f.location.column} {f.message}" for f in findings)
    for finding in findings:
        assert (finding.name, finding.severity) == (rule.name, case.get("severity", rule.severity))
        assert finding.message and finding.hint and finding.location.path == "jobs/job.py"


def test_every_code_rule_has_fixtures_with_pass_and_fail_cases():
    by_rule = {}
    for path in FIXTURES.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == find_rule(data["rule"]).name, f"{path.name}: name the file after the rule"
        by_rule[find_rule(data["rule"]).code] = data["cases"]
    for rule in CODE_RULES:
        cases = by_rule.get(rule.code)
        assert cases, f"no fixtures/code/{rule.name}.yaml"
        assert any(case["expect"] for case in cases) and any(not case["expect"] for case in cases), rule.name


def test_code_rule_codes_and_documents():
    assert [rule.code for rule in CODE_RULES] == sorted(rule.code for rule in CODE_RULES)
    assert all(rule.code.startswith("FL7") for rule in CODE_RULES)
    names = {rule.name for rule in CODE_RULES}
    assert {
        "session-window",
        "stream-stream-join",
        "unbounded-list-state",
        "window-without-preaggregation",
        "non-parallel-operator",
        "blocking-call-in-function",
        "state-without-ttl",
        "python-object-state",
        "missing-watermarks",
        "idleness-drops-assigner",
        "checkpointing-disabled",
    } <= names


def _pyflink_api() -> tuple:
    """(every `def` name, {module: names it defines or imports}) of the installed PyFlink 2.3."""
    import ast

    import pyflink  # only to find the files; the linter itself never imports it

    root = Path(pyflink.__file__).resolve().parent
    functions, modules = set(), {}
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "examples" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(("pyflink",) + path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        names = modules.setdefault(module, set())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.add(node.name)
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node in tree.body:
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and node in tree.body:
                names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return functions, modules


def test_removed_in_flink_2_lists_only_what_pyflink_2_3_lacks():
    """FL751's tables are checked against the installed apache-flink 2.3: every method it reports
    is defined nowhere in PyFlink, every import it reports fails."""
    from flink_lint.rules.code import removed_in_flink_2 as rule

    functions, modules = _pyflink_api()
    assert not set(rule.METHODS) & functions
    assert {"connect", "insert_into", "execute"} <= functions  # they exist, but not on a TableEnvironment
    for (module, name), _ in rule.IMPORTS.items():
        assert module not in modules if name is None else name not in modules.get(module, set()), (module, name)
    assert set(modules["pyflink.table.descriptors"]) >= rule._DESCRIPTORS_KEPT
    for name, module in rule._ROW_FORMATS.items():
        assert name in modules[module], (name, module)
