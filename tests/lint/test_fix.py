"""--fix / --diff, driven by data: fixtures/fix/*.yaml with `path`, `input` and `fixed` (the whole
expected file). Uses a test-only rule (FL990) that renames `demo.old-key` -> `demo.new-key`,
`demo.nested.old` -> `other.new` and deletes `demo.gone`, so the machinery is tested without the
catalog rules. A second --fix must change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lint_helpers import extra_rules

from flink_lint.cli import main

CASES = sorted((Path(__file__).parent / "fixtures" / "fix").glob("*.yaml"))


@pytest.fixture(autouse=True)
def rename_rule():
    with extra_rules("demo_rules.rename_demo"):
        yield


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_fix_case(case_path, tmp_path, monkeypatch, capsys):
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    target = tmp_path / case["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case["input"].encode())

    main([case["path"], "--diff", "--select", "FL990", "--exit-zero"])
    diff = capsys.readouterr().out
    assert target.read_bytes() == case["input"].encode(), "--diff must not write"
    if case["fixed"] != case["input"]:
        assert f"+++ b/{case['path']}" in diff

    main([case["path"], "--fix", "--select", "FL990", "--exit-zero"])
    assert target.read_bytes().decode() == case["fixed"]
    first = target.read_bytes()
    main([case["path"], "--fix", "--select", "FL990", "--exit-zero"])
    assert target.read_bytes() == first, "a second --fix must change nothing"
    capsys.readouterr()


def test_fix_never_touches_a_file_that_does_not_parse(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = "demo.old-key: 1\nbroken: [\n"
    Path("config.yaml").write_text(text)
    assert main(["config.yaml", "--fix", "--select", "FL990"]) == 1
    assert Path("config.yaml").read_text() == text
    capsys.readouterr()


def test_linting_does_not_import_ruamel():
    import subprocess
    import sys

    code = (
        "import sys; from flink_lint.engine import lint_text; "
        "lint_text('config.yaml', 'state.backend: rocksdb\\n'); print('ruamel' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2]
    ).stdout.strip()
    assert out == "False"
