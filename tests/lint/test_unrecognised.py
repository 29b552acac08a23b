"""A file named on the command line is never skipped silently; a broken YAML file whose keys are
Flink's (nested or dotted) is reported as Flink's (FL001), whatever its name."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from flink_lint.cli import main
from flink_lint.documents.detect import keys_in_text, looks_like_flink

WORKFLOW = "name: ci\non: [push, pull_request]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: flink-rest\nspec:\n  type: ClusterIP\n"
BROKEN_NESTED = "taskmanager:\n  memory:\n    process.size: 1g\n  numberOfTaskSlots: [4\nparallelism:\n  default: 2\n"
BROKEN_DOTTED = "state.backend.type: rocksdb\nexecution.checkpointing.interval: 10s\nbad: [\n"
BROKEN_WORKFLOW = "name: ci\non: [push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"


def _run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in {
        "workflow.yaml": WORKFLOW,
        "service.yaml": SERVICE,
        "tm.yaml": BROKEN_NESTED,
        "state.yaml": BROKEN_DOTTED,
        "broken-workflow.yaml": BROKEN_WORKFLOW,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_named_file_that_is_not_recognised_gets_one_line_and_is_counted(files):
    code, out, err = _run("workflow.yaml", "service.yaml")
    lines = out.splitlines()
    assert lines[0].startswith("workflow.yaml: not linted: not recognised as a Flink config.yaml")
    assert lines[1].startswith("service.yaml: not linted:") and "--kind config-yaml|" in lines[1]
    assert lines[2:] == ["No problems found: 0 files (Flink 2.3).", "2 files not linted (not recognised; see above)."]
    assert code == 0 and not err and "All checks passed" not in out


def test_the_other_formats_carry_it(files):
    _, out, _ = _run("workflow.yaml", "--format", "json")
    document = json.loads(out)
    assert document["summary"]["not_linted"] == 1 and document["not_linted"][0]["path"] == "workflow.yaml"
    _, out, _ = _run("workflow.yaml", "--format", "github")
    assert out.startswith("::notice file=workflow.yaml,title=flink-lint::not linted:")
    _, out, _ = _run("workflow.yaml", "--format", "sarif")
    run = json.loads(out)["runs"][0]
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "workflow.yaml"
    assert run["results"] == []


def test_kind_forces_a_reader(files):
    code, out, _ = _run("workflow.yaml", "--kind", "config-yaml")
    assert code == 1 and "not linted" not in out and "FL101 unknown-key" in out


def test_a_directory_walk_skips_unrelated_yaml_silently(files):
    (files / "ok").mkdir()
    (files / "ok" / "workflow.yaml").write_text(WORKFLOW, encoding="utf-8")
    (files / "ok" / "service.yaml").write_text(SERVICE, encoding="utf-8")
    code, out, _ = _run("ok")
    assert code == 0 and out == "All checks passed: 2 files (Flink 2.3).\n"


def test_broken_yaml_with_flink_keys_is_flinks_whatever_its_name(files):
    code, out, _ = _run("tm.yaml", "state.yaml", "broken-workflow.yaml")
    assert "tm.yaml:5:12:" in out and "state.yaml:4:1:" in out and out.count("FL001 yaml-syntax [error]") == 2
    assert "broken-workflow.yaml: not linted" in out  # its keys are not Flink's
    assert code == 1


def test_keys_are_read_from_key_lines_alone():
    assert keys_in_text(BROKEN_NESTED) == [
        "taskmanager.memory.process.size",
        "taskmanager.numberOfTaskSlots",
        "parallelism.default",
    ]
    assert keys_in_text("a:\n  b: 1 # x\n  c:\n    d: 2\ne: 3\n") == ["a.b", "a.c.d", "e"]
    assert looks_like_flink("x.yaml", BROKEN_NESTED) and looks_like_flink("x.yaml", BROKEN_DOTTED)
    assert not looks_like_flink("x.yaml", BROKEN_WORKFLOW)
