"""The engine: file discovery, rule selection, severity overrides, per-file ignores, sorting, rule crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import extra_rules

from flink_lint.config import ToolConfig
from flink_lint.engine import find_files, lint_paths, lint_text, stamp
from flink_lint.model import Finding, Location, Problem
from flink_lint.rules.config import deprecated_key

DUPLICATES = "parallelism.default: 1\nparallelism.default: 2\nrest.port:\n"
MINE = ["FL00"]  # the framework's own rules; the catalog rules have their own tests


def test_findings_are_sorted_and_located():
    findings = lint_text("config.yaml", DUPLICATES, select=MINE)
    assert [(f.rule, f.location.line, f.location.column) for f in findings] == [("FL002", 2, 1), ("FL001", 3, 1)]


def test_select_and_ignore_by_code_name_and_prefix():
    assert [f.rule for f in lint_text("config.yaml", DUPLICATES, select=MINE, ignore=["duplicate-key"])] == ["FL001"]
    assert [f.rule for f in lint_text("config.yaml", DUPLICATES, select=["FL002"])] == ["FL002", "FL001"]
    assert [f.rule for f in lint_text("config.yaml", DUPLICATES, select=["FL00"], ignore=["FL001"])] == ["FL002"]


def test_severity_override_is_stamped_by_the_engine():
    config = ToolConfig(severity={"FL002": "info"}, select=MINE)
    assert [f.severity for f in lint_text("config.yaml", DUPLICATES, config)] == ["info", "error"]


def test_per_file_ignores(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "config.yaml").write_text(DUPLICATES)
    (tmp_path / "config.yaml").write_text(DUPLICATES)
    config = ToolConfig(path=tmp_path / "pyproject.toml", per_file_ignores={"legacy/*.yaml": ["FL002"]}, select=MINE)
    report = lint_paths([str(tmp_path)], config)
    by_file = {}
    for finding in report.findings:
        by_file.setdefault(Path(finding.location.path).parent.name, []).append(finding.rule)
    assert by_file == {tmp_path.name: ["FL002", "FL001"], "legacy": ["FL001"]}
    assert report.files_checked == 2


def test_directories_are_walked_for_yaml_only_skipping_vcs_and_venvs(tmp_path):
    for name in ("a.yaml", "b.yml", "c.txt", ".git/d.yaml", ".venv/e.yaml", "sub/f.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1\n")
    files, missing = find_files([str(tmp_path), str(tmp_path / "nope.yaml")], ToolConfig())
    assert sorted(Path(f).name for f in files) == ["a.yaml", "b.yml", "f.yaml"]
    assert missing == [str(tmp_path / "nope.yaml")]


def test_other_yaml_files_are_ignored(tmp_path):
    (tmp_path / "docker-compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    report = lint_paths([str(tmp_path)], ToolConfig(select=MINE))
    assert report.findings == [] and report.files_checked == 1


def test_a_crashing_rule_is_an_internal_error_not_a_traceback(tmp_path):
    (tmp_path / "config.yaml").write_text("parallelism.default: 1\n")
    with extra_rules("demo_rules.broken_demo"):
        report = lint_paths([str(tmp_path)], ToolConfig())
    assert len(report.internal_errors) == 1 and "FL991 broken-demo failed" in report.internal_errors[0]


def test_job_config_schema_errors_are_all_located():
    text = (
        "job:\n  name: demo\n  window:\n    sise: 1 min\n  events:\n    keys: 0\n"
        "  sink:\n    type: kafka\n  bogus: 1\nflink:\n  parallelism.default: 2\n"
    )
    findings = lint_text("configs/demo.yaml", text, select=MINE)
    got = [(f.rule, f.location.line, f.location.column, f.message) for f in findings]
    assert ("FL003", 4, 5, "unknown key `sise` in job.window") in got
    assert any(g[:3] == ("FL003", 6, 11) and "minimum" in g[3] for g in got)
    assert any(g[:3] == ("FL003", 8, 5) and "bootstrap-servers" in g[3] for g in got)
    assert ("FL003", 9, 3, "unknown key `bogus` in job") in got
    hint = next(f.hint for f in findings if "sise" in f.message)
    assert hint == "did you mean `size`?"


def test_repository_job_configs_are_clean_of_framework_findings():
    root = Path(__file__).resolve().parents[2]
    report = lint_paths([str(root / "configs")], ToolConfig(), select=["FL001", "FL002", "FL003", "FL009"])
    assert report.findings == [] and report.files_checked >= 1


def test_the_whole_repository_lints_clean_with_its_own_configuration():
    # what `make lint` and a pre-commit hook run: every rule on configs/, the jobs, the tests
    # (minus the corpora that are broken on purpose, excluded in pyproject.toml [tool.flink-lint])
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "flink_lint.cli", "."], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_the_engine_stamps_problems_with_the_rules_code_name_and_severity():
    location = Location("c.yaml", 1, 1)
    default = stamp(deprecated_key, Problem("old", location))
    own = stamp(deprecated_key, Problem("old and ignored", location, severity="warning"))
    assert (default.rule, default.name, default.severity) == ("FL102", "deprecated-key", deprecated_key.SEVERITY)
    assert (own.rule, own.name, own.severity) == ("FL102", "deprecated-key", "warning")


def test_a_rule_yielding_anything_but_a_problem_is_an_internal_error():
    with pytest.raises(TypeError, match="FL102 deprecated-key yielded Finding, not a Problem"):
        stamp(deprecated_key, Finding("FL102", "deprecated-key", "info", "m", Location("c.yaml", 1, 1)))
