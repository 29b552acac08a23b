"""The linter's layers import downwards only: readers (lint/documents/) never import rules, the
engine or the public layer (they report typed ReadProblems the engine maps to FL001/FL002/FL700),
rules never import the engine, and no module of the linter hides an import of its own package
inside a function to dodge a cycle. flink_jobs uses the linter through flink_lint.api only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "lint"


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, imported inside a function) of every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(child) for child in ast.walk(node) if child is not node}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(f"{node.module}.{alias.name}", id(node) in inside) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, id(node) in inside) for alias in node.names]
    return found


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(LINT / "documents"), ids=lambda p: p.name)
def test_readers_import_no_rule_engine_or_api(path):
    wrong = [
        name
        for name, _ in _imports(path)
        if name.startswith(("flink_lint.rules", "flink_lint.engine", "flink_lint.api"))
    ]
    assert wrong == []


@pytest.mark.parametrize("path", _modules(LINT / "rules"), ids=lambda p: p.relative_to(LINT).as_posix())
def test_rules_import_no_engine_or_api(path):
    assert [name for name, _ in _imports(path) if name.startswith(("flink_lint.engine", "flink_lint.api"))] == []


@pytest.mark.parametrize("path", _modules(LINT), ids=lambda p: p.relative_to(LINT).as_posix())
def test_no_function_level_import_of_the_linter_itself(path):
    assert [name for name, local in _imports(path) if local and name.startswith("flink_lint")] == []


@pytest.mark.parametrize("path", _modules(ROOT / "flink_jobs"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_flink_jobs_uses_the_linter_through_its_public_layer(path):
    allowed = ("flink_lint.api", "flink_lint.model", "flink_lint.cli", "flink_lint.resources", "flink_lint.catalog")
    assert [name for name, _ in _imports(path) if name.startswith("flink_lint") and not name.startswith(allowed)] == []


@pytest.mark.parametrize("path", _modules(LINT / "rules"), ids=lambda p: p.relative_to(LINT).as_posix())
def test_rules_yield_problems_not_findings(path):
    """The engine stamps CODE, NAME and SEVERITY: a rule never builds a Finding itself."""
    assert [name for name, _ in _imports(path) if name == "flink_lint.model.Finding"] == []
