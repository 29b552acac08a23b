"""flink-lint's command line: exit codes, usage errors in one line, config discovery, no pyflink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flink_lint.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.flink-lint]\nselect = ["FL00"]\n')
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.yaml").write_text("parallelism.default: 1\nparallelism.default: 2\n")
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "config.yaml").write_text("parallelism.default: 2\n")
    return tmp_path


def test_exit_codes(project, capsys):
    assert main(["clean"]) == 0
    assert main(["conf"]) == 1
    assert main(["conf", "--exit-zero"]) == 0
    assert main(["conf", "--severity-typo"]) == 2
    capsys.readouterr()


def test_fail_on_threshold(project, capsys):
    (project / "conf" / "config.yaml").write_text(
        "a:\n  parallelism.default: 1\nparallelism.default: 2\na.parallelism.default: 3\n"
    )
    # FL002 (warning: written nested and dotted): fails at warning, passes at error
    assert main(["conf", "--fail-on", "error"]) == 0
    assert main(["conf", "--fail-on", "warning"]) == 1
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--format", "xml"], "invalid choice"),
        (["--select", "FL4242"], "unknown rule `FL4242`"),
        (["--flink-version", "3.9"], "no catalog"),
        (["explain", "nope"], "unknown rule `nope`"),
        (["missing-dir"], "no such file"),
        (["--config", "nope.toml"], "no such file"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(project, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_pyproject_is_found_upward_and_validated(project, capsys):
    (project / "pyproject.toml").write_text('[tool.flink-lint]\nselect = ["FL00"]\nignore = ["duplicate-key"]\n')
    assert main(["conf"]) == 0
    (project / "pyproject.toml").write_text('[tool.flink-lint]\nseverity = { FL002 = "fatal" }\n')
    assert main(["conf"]) == 2
    assert "must be one of error, warning, info" in capsys.readouterr().err
    (project / "pyproject.toml").write_text("[tool.flink-lint]\nunknown-setting = 1\n")
    assert main(["conf"]) == 2
    (project / "pyproject.toml").write_text("[tool.flink-lint\n")
    assert main(["conf"]) == 2
    assert "invalid TOML" in capsys.readouterr().err


def test_json_contract(project, capsys):
    assert main(["conf", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    finding = data["findings"][0]
    assert {k: finding[k] for k in ("path", "line", "column", "rule", "name", "severity")} == {
        "path": os.path.join("conf", "config.yaml"),
        "line": 2,
        "column": 1,
        "rule": "FL002",
        "name": "duplicate-key",
        "severity": "error",
    }
    assert finding["message"]
    assert data["summary"]["error"] == 1 and data["summary"]["files"] == 1


def test_rules_and_explain(capsys):
    assert main(["rules"]) == 0
    assert "FL001  yaml-syntax" in capsys.readouterr().out
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {"FL001", "FL002", "FL003", "FL009"} <= {r["code"] for r in rules}
    assert main(["explain", "duplicate-key"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("FL002 duplicate-key") and "**Why is this bad**" in out


def test_the_linter_imports_neither_pyflink_nor_py4j_nor_ruamel_nor_jsonschema(tmp_path):
    (tmp_path / "config.yaml").write_text("parallelism.default: 2\nstate.backend: rocksdb\n")
    code = (
        "import sys; from flink_lint.cli import main; rc = main([sys.argv[1]]); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pyflink', 'py4j', 'ruamel', 'jsonschema')); "
        "print(bad); sys.exit(0 if rc in (0, 1) else rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "config.yaml")], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_console_script_runs(tmp_path):
    script = Path(sys.executable).with_name("flink-lint")  # installed by `pip install -e .` (make test)
    (tmp_path / "config.yaml").write_text("parallelism.default: 2\n")
    result = subprocess.run([str(script), str(tmp_path), "--select", "FL00"], capture_output=True, text=True)
    assert result.returncode == 0 and "All checks passed" in result.stdout
