"""legacy-flink-conf (FL110): `--fix` writes the config.yaml beside a legacy flink-conf.yaml.

The equivalence of the written configuration with Flink's own migration is checked in the JVM by
test_migration_differential.py; here: the file layout, the CLI and the guarantees of the fix.
"""

from __future__ import annotations

import contextlib
import io
import json

from flink_lint.cli import main
from flink_lint.documents import read_file
from flink_lint.migration import config_yaml_path, legacy_settings, migrate

LEGACY = (
    "# JobManager\n"
    "jobmanager.rpc.address: localhost   # the JobManager host\n"
    "taskmanager.numberOfTaskSlots: 4\n"
    "taskmanager.numberOfTaskSlots: 8\n"
    "state.backend: rocksdb\n"
    "state.backend.incremental: true\n"
    "rest.port:8081\n"
    'env.java.opts: "-Dfoo=bar"\n'
    "pipeline.name: 010\n"
)


def _run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_the_new_file_keeps_lines_and_comments_and_reads_as_the_legacy_one():
    migrated = migrate(LEGACY)
    assert migrated.splitlines() == [
        "# JobManager",
        "jobmanager.rpc.address: localhost   # the JobManager host",
        "# (set again below; Flink 1.x used the last value) taskmanager.numberOfTaskSlots: 4",
        "taskmanager.numberOfTaskSlots: 8",
        "state.backend: rocksdb",
        "state.backend.incremental: true",
        "# (Flink 1.x skipped this line) rest.port:8081",
        "env.java.opts: '\"-Dfoo=bar\"'",
        "pipeline.name: '010'",
    ]
    configs, problems = read_file("config.yaml", migrated, kind="config-yaml")
    assert not problems
    assert {s.key: s.value for s in configs[0].settings} == legacy_settings(LEGACY)
    assert legacy_settings(LEGACY)["taskmanager.numberOfTaskSlots"] == "8"


def test_line_endings_are_kept():
    assert migrate("a.b: 1\r\nc.d: x\r\n") == "a.b: 1\r\nc.d: x\r\n"
    assert migrate("a.b: 1") == "a.b: 1\n"


def test_names_beside_the_legacy_file():
    assert config_yaml_path("conf/flink-conf.yaml") == "conf/config.yaml"
    assert config_yaml_path("k8s/prod-flink-conf.yaml") == "k8s/prod-config.yaml"


def test_fix_writes_config_yaml_once_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flink-conf.yaml").write_text(LEGACY, encoding="utf-8")

    code, out, _ = _run("flink-conf.yaml", "--select", "legacy-flink-conf")
    assert code == 1 and "flink-conf.yaml:1:1: FL110 legacy-flink-conf [error]" in out

    code, out, _ = _run("flink-conf.yaml", "--select", "legacy-flink-conf", "--diff")
    assert code == 1 and out.startswith("--- /dev/null\n+++ b/config.yaml\n")
    assert not (tmp_path / "config.yaml").exists()

    code, out, _ = _run("flink-conf.yaml", "--select", "legacy-flink-conf", "--fix")
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == migrate(LEGACY)
    assert (tmp_path / "flink-conf.yaml").read_text(encoding="utf-8") == LEGACY  # kept, as Flink's script does
    # now Flink reads config.yaml; the legacy file is only ignored: a warning, still failing the default gate
    assert code == 1 and "[warning] Flink 2.3 reads only config.yaml (present beside this file)" in out

    (tmp_path / "config.yaml").write_text("parallelism.default: 2\n", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "flink-conf.yaml").write_text(LEGACY, encoding="utf-8")
    (tmp_path / "other" / "config.yaml").symlink_to(tmp_path / "missing.yaml")  # a dangling link is a file too
    code, _, err = _run(".", "--select", "legacy-flink-conf", "--fix")
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "parallelism.default: 2\n"
    assert not (tmp_path / "missing.yaml").exists()
    assert "other/config.yaml: exists, not overwritten" in err


def test_fix_migrates_the_legacy_file_as_its_other_fixes_leave_it(tmp_path, monkeypatch):
    """With every rule: the safe fixes of the legacy file (deprecated keys renamed) are made first,
    and the config.yaml written is the migration of the file as fixed, so the two say the same and
    config.yaml, the file Flink reads, has nothing left to fix. Before, config.yaml was migrated
    from the unfixed text while the renames went into the legacy file only."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flink-conf.yaml").write_text(LEGACY, encoding="utf-8")
    code, out, _ = _run("flink-conf.yaml", "--diff")
    assert code == 1 and "+++ b/flink-conf.yaml\n" in out and "--- /dev/null\n+++ b/config.yaml\n" in out
    shown = out.split("+++ b/config.yaml\n", 1)[1].split("\n", 1)[1]  # after the @@ line
    assert not (tmp_path / "config.yaml").exists()

    _run("flink-conf.yaml", "--fix")
    fixed = (tmp_path / "flink-conf.yaml").read_text(encoding="utf-8")
    assert fixed != LEGACY and "state.backend.type: rocksdb" in fixed  # a deprecated key renamed
    written = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert written == migrate(fixed)
    assert "".join(line[1:] for line in shown.splitlines(keepends=True)) == written
    _, out, _ = _run("config.yaml", "--format", "json")
    findings = json.loads(out)["findings"]
    assert [f for f in findings if f["fix"] is not None or f["rule"] == "FL102"] == []


def test_targeting_1_20_reads_the_legacy_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flink-conf.yaml").write_text(LEGACY, encoding="utf-8")
    _, out, _ = _run("flink-conf.yaml", "--select", "legacy-flink-conf", "--flink-version", "1.20", "--fix")
    assert "FL110" not in out and not (tmp_path / "config.yaml").exists()
