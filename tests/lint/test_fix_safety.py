"""`--fix` never corrupts a file.

For every input of the hostile corpus (handwritten and generated), and for every rule fixture
case that has fixes, as written and in hostile variants (CRLF, CR, BOM, no final line break,
comments and tabs everywhere), `--fix` runs on a copy: either nothing changes, or the result is
UTF-8 that parses, lints without any fixable finding left and without a new syntax error,
duplicate or unknown key (a key moved to the wrong parent is unknown to Flink), keeps the
line-break convention, and a second `--fix` changes nothing. The write is atomic: a temporary file
in the same directory, renamed over the original; a failure at any point leaves the original
byte for byte as it was and no temporary file behind.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from flink_lint import fix as fixer
from flink_lint.cli import main
from flink_lint.config import ToolConfig
from flink_lint.documents import read_file
from flink_lint.engine import Linter, lint_paths
from flink_lint.migration import config_yaml_path, legacy_settings

TESTS = Path(__file__).resolve().parent
HOSTILE = TESTS / "hostile"


def _load(name: str):
    """tests/lint/hostile/<name>.py, under a name no other module has."""
    spec = importlib.util.spec_from_file_location(f"hostile_{name}", HOSTILE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate, runner = _load("generate"), _load("runner")

CORRUPTION = ("FL001", "FL002", "FL003", "FL101")  # what a corrupting fix leaves behind
KIND_DIRS = ("config-yaml", "flink-conf", "kubernetes", "job-config")
FIXTURE_FILES = {
    "config-yaml": ("config.yaml", "config-yaml"),
    "flink-conf": ("flink-conf.yaml", "flink-conf"),
    "flink-deployment": ("deployment.yaml", "kubernetes"),
    "job-config": ("job.yaml", "job-config"),
}


def _fixable_cases() -> list:
    cases = []
    for path in sorted((TESTS / "fixtures" / "config").glob("*.yaml")):
        for number, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]):
            if case.get("fixes"):
                cases.append((f"{path.stem}-{number}", case))
    return cases


FIXABLE = _fixable_cases()


def _variants(text: str) -> dict:
    lines = text.splitlines()
    return {
        "as-written": text,
        "crlf": text.replace("\n", "\r\n"),
        "cr": text.replace("\n", "\r"),
        "bom-crlf": "\ufeff" + text.replace("\n", "\r\n"),
        "no-final-newline": text.rstrip("\n"),
        "comments-everywhere": "".join(
            line + ("  # note: x: y" if line.strip() and "|" not in line else "") + "\n" for line in lines
        ),
        "tab-before-comments": "".join(
            line + ("\t# tab" if line.strip() and "|" not in line else "") + "\n" for line in lines
        ),
        "blank-lines": "\n\n" + "\n\n".join(lines) + "\n\n",
    }


def _lint(path: Path, kind):
    linter = Linter(ToolConfig(), kind=kind)
    linter.strict = True
    return linter.lint_file(str(path)).findings


def _breaks(data: bytes) -> tuple:
    return data.count(b"\r\n"), data.count(b"\n") - data.count(b"\r\n"), data.count(b"\r") - data.count(b"\r\n")


def check_fix(path: Path, kind) -> bool:
    """--fix on `path` (a copy): nothing, or a sound result. Returns whether it changed the file."""
    before_bytes = path.read_bytes()
    before = _lint(path, kind)
    report = lint_paths([str(path)], ToolConfig(), kind=kind, fix=True)
    assert not report.internal_errors, report.internal_errors
    after_bytes = path.read_bytes()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".flink-lint-")] == []
    if after_bytes == before_bytes:
        return False
    text = after_bytes.decode("utf-8")  # the result is UTF-8
    after = _lint(path, kind)
    assert not [f for f in after if f.rule == "FL001" and f.severity == "error"], "the result must parse"
    assert not [f for f in after if f.fix is not None], "a fixable finding is left"
    assert any(f.fix is not None for f in before)
    # No new syntax error, duplicate or unknown key: a key moved to the wrong parent is unknown. (Other
    # rules may speak up: `taskmanager.memory.network.max` configures memory, its old name did not.)
    new = Counter(f.rule for f in after if f.rule in CORRUPTION) - Counter(
        f.rule for f in before if f.rule in CORRUPTION
    )
    assert not new, f"new findings after the fix: {new}\n{text}"
    old_breaks, new_breaks = _breaks(before_bytes), _breaks(after_bytes)
    assert all(old or not new for old, new in zip(old_breaks, new_breaks)) or not any(old_breaks), (
        f"a line-break convention the file did not use: {old_breaks} -> {new_breaks}"
    )
    assert lint_paths([str(path)], ToolConfig(), kind=kind, fix=True).fixed == {}
    assert path.read_bytes() == after_bytes, "a second --fix must change nothing"
    return True


# ---------------------------------------------------------------- fixable cases, hostile variants
@pytest.mark.parametrize("variant", sorted(_variants("x")))
@pytest.mark.parametrize("name, case", FIXABLE, ids=[name for name, _ in FIXABLE])
def test_fix_of_a_fixable_case_is_sound(name, case, variant, tmp_path):
    file_name, kind = FIXTURE_FILES[case["kind"]]
    text = _variants(case["input"])[variant]
    path = tmp_path / file_name
    path.write_bytes(text.encode("utf-8"))
    changed = check_fix(path, kind)
    if variant in ("as-written", "crlf", "no-final-newline", "blank-lines"):
        assert changed, "the fixture's fixes were not applied"


# ---------------------------------------------------------------- the whole corpus
def _corpus(tmp_path_factory) -> list:
    generated = generate.generate(tmp_path_factory.mktemp("hostile-generated"))
    mine = [path for directory in KIND_DIRS + ("detect", "python") for path in (HOSTILE / directory).iterdir()]
    return sorted(mine) + sorted(generated)


@pytest.mark.timeout(300)
def test_fix_on_every_corpus_file_changes_nothing_or_something_sound(tmp_path_factory, tmp_path):
    """`flink-lint --fix` on a copy of every input (one isolated process each, as in the corpus
    test); the few files it changes are then checked in detail."""
    sources = _corpus(tmp_path_factory)
    copies, jobs = [], []
    for index, source in enumerate(sources):
        kind = source.parent.name if source.parent.name in KIND_DIRS else None
        copy = tmp_path / str(index) / source.parent.name / source.name
        copy.parent.mkdir(parents=True)
        shutil.copyfile(source, copy)
        copies.append((source, copy, kind))
        jobs.append([str(copy), "--fix", "--format", "json"] + (["--kind", kind] if kind else []))
    results = runner.run_in_subprocess(jobs, timeout=10, memory=1 << 30)
    changed = []
    for (source, copy, kind), result in zip(copies, results):
        where = f"{source.parent.name}/{source.name}"
        output = result["stdout"] + result["stderr"]
        assert result["returncode"] in (0, 1, 2) and not result["timed_out"], (where, result["returncode"])
        assert "Traceback" not in output and "internal error" not in output, (where, result["stderr"][-500:])
        others = sorted(p.name for p in copy.parent.iterdir() if p.name != copy.name)
        migrated = copy.parent / os.path.basename(config_yaml_path(str(copy)))
        assert others in ([], [migrated.name]), (where, "temporary file left")
        if others:  # a legacy flink-conf.yaml: the config.yaml written beside it reads as the legacy file, as fixed
            configs, problems = read_file(str(migrated), migrated.read_bytes(), kind="config-yaml")
            assert not [p for p in problems if p.severity == "error"], (where, problems)
            settings = {s.key: s.value for config in configs for s in config.settings}
            assert settings == legacy_settings(copy.read_bytes().decode("utf-8").removeprefix("\ufeff")), where
        if copy.read_bytes() == source.read_bytes():
            continue
        changed.append(where)
        fixed = copy.read_bytes()
        copy.write_bytes(source.read_bytes())
        try:
            assert check_fix(copy, kind) and copy.read_bytes() == fixed, "in-process --fix differs"
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from None
    assert changed  # the corpus has fixable findings too (deprecated keys next to hostile ones)


# ---------------------------------------------------------------- atomic writes
FIXABLE_TEXT = b"# keep me\r\nstate.backend: rocksdb\r\nparallelism.default: 4\r\n"


def _write_target(tmp_path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_bytes(FIXABLE_TEXT)
    path.chmod(0o640)
    return path


def test_the_fix_is_written_to_a_temporary_file_and_renamed(tmp_path, monkeypatch, capsys):
    path = _write_target(tmp_path)
    renames = []
    real_replace = os.replace

    def replace(source, destination):
        renames.append((Path(source), Path(destination), Path(source).read_bytes()))
        assert path.read_bytes() == FIXABLE_TEXT, "the original is untouched until the rename"
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    assert main([str(path), "--fix", "--select", "FL102"]) == 0
    capsys.readouterr()
    [(source, destination, written)] = renames
    assert source.parent == path.parent and source.name.startswith(".flink-lint-") and destination == path
    assert written == path.read_bytes() == FIXABLE_TEXT.replace(b"state.backend:", b"state.backend.type:")
    assert path.stat().st_mode & 0o777 == 0o640  # the mode is kept


@pytest.mark.parametrize("failure", ["replace", "write", "chmod", "fsync-interrupt"])
def test_a_failure_while_writing_leaves_the_original_intact(failure, tmp_path, monkeypatch, capsys):
    path = _write_target(tmp_path)
    if failure == "replace":
        monkeypatch.setattr(os, "replace", _raise(OSError(28, "No space left on device")))
    elif failure == "chmod":
        monkeypatch.setattr(os, "chmod", _raise(PermissionError(1, "Operation not permitted")))
    elif failure == "write":  # the temporary file is half written when the disk fills up
        real_fdopen = os.fdopen

        def fdopen(*args, **kwargs):
            handle = real_fdopen(*args, **kwargs)
            real_write = handle.write

            def write(text):
                real_write(text[: len(text) // 2])
                handle.flush()
                raise OSError(28, "No space left on device")

            handle.write = write
            return handle

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:  # Ctrl-C between writing and renaming
        monkeypatch.setattr(os, "replace", _raise(KeyboardInterrupt()))
    code = main([str(path), "--fix", "--select", "FL102"])
    err = capsys.readouterr().err
    assert path.read_bytes() == FIXABLE_TEXT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"], "a temporary file was left behind"
    if failure == "fsync-interrupt":
        assert code == 130
    else:
        assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def test_fix_through_a_symlink_rewrites_the_target_and_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "shared" / "config.yaml"
    real.parent.mkdir()
    real.write_bytes(FIXABLE_TEXT)
    link = tmp_path / "config.yaml"
    link.symlink_to(real)
    assert main([str(link), "--fix", "--select", "FL102"]) == 0
    capsys.readouterr()
    assert link.is_symlink(), "the fix replaced the symlink with a copy"
    assert real.read_bytes() == FIXABLE_TEXT.replace(b"state.backend:", b"state.backend.type:")
    assert sorted(p.name for p in real.parent.iterdir()) == ["config.yaml"]


def test_fix_keeps_a_utf8_byte_order_mark(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + FIXABLE_TEXT)
    assert main([str(config), "--fix", "--select", "FL102"]) == 0
    capsys.readouterr()
    assert config.read_bytes() == b"\xef\xbb\xbf" + FIXABLE_TEXT.replace(b"state.backend:", b"state.backend.type:")


def test_write_atomically_directly_on_failure(tmp_path, monkeypatch):
    path = _write_target(tmp_path)
    monkeypatch.setattr(os, "replace", _raise(OSError(5, "Input/output error")))
    with pytest.raises(OSError):
        fixer.write_atomically(str(path), "state.backend.type: rocksdb\n")
    assert path.read_bytes() == FIXABLE_TEXT and sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]
