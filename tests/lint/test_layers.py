"""The linter's layers import downwards only: readers (lint/documents/) never import rules, the
engine or the public layer (they report typed ReadProblems the engine maps to FL001/FL002/FL700),
rules never import the engine, and no module of the linter hides an import of its own package
inside a function to dodge a cycle. flink_jobs uses the linter through flink_lint.api only."""

from __future__ import annotations

import ast
import subprocess
import sys
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


# The only imports the linter makes inside functions: third-party modules whose import alone costs
# more than the rest of a one-file lint (`python -X importtime`: jsonschema ~60 ms, ruamel.yaml
# ~30 ms, against ~145 ms for the whole of `import flink_lint.cli`), loaded when a file needs them.
HEAVY = ("jsonschema", "ruamel.yaml")


@pytest.mark.parametrize("path", _modules(LINT), ids=lambda p: p.relative_to(LINT).as_posix())
def test_the_linter_imports_at_module_top_except_heavy_third_party_modules(path):
    assert [name for name, local in _imports(path) if local and not name.startswith(HEAVY)] == []


def test_the_linter_starts_without_its_heavy_modules():
    code = "import sys, flink_lint.cli; print([m for m in ('jsonschema', 'ruamel.yaml') if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


# flink_jobs defers only what would make `flink-jobs` start slowly or need the jobs' extras for a
# command that does not use them: PyFlink and numpy (the JVM gateway; ~0.5 s), the Kafka and Redis
# clients, ruamel.yaml (plan --write), and its own modules that import one of these at their top.
JOBS_DEFERRED = ("pyflink", "numpy", "confluent_kafka", "redis", "ruamel.yaml")


def _defers_by_itself(module: str) -> bool:
    parts = module.split(".")
    path = ROOT.joinpath(*parts).with_suffix(".py")
    if not path.is_file():
        path = ROOT.joinpath(*parts, "__init__.py")
    return path.is_file() and any(not local and name.startswith(JOBS_DEFERRED) for name, local in _imports(path))


@pytest.mark.parametrize("path", _modules(ROOT / "flink_jobs"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_flink_jobs_imports_at_module_top_except_heavy_modules(path):
    inside = [name for name, local in _imports(path) if local and not name.startswith(JOBS_DEFERRED)]
    # `from flink_jobs import sinks` reads as flink_jobs.sinks; `from flink_jobs.x import y` as flink_jobs.x.y
    assert [name for name in inside if not (_defers_by_itself(name) or _defers_by_itself(name.rsplit(".", 1)[0]))] == []
