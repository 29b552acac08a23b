"""Our flink-conf.yaml -> config.yaml migration against Flink's own, in the JVM, key by key.

For every legacy `flink-conf.yaml` of the shared corpus (../shared/corpus/configs/SOURCES.tsv) and a
few written to be awkward (quotes, YAML-typed values, skipped lines, keys set twice, a key that is
the prefix of another, non-ASCII), in a directory of its own:

- Flink's migration runs exactly as `bin/migrate-config-file.sh` runs it: `BashJavaUtils
  MIGRATE_LEGACY_FLINK_CONFIGURATION_TO_STANDARD_YAML --configDir DIR` from the Flink 2.3 jars
  inside pyflink; its output lines become a `config.yaml`;
- ours is `flink_lint.migration.migrate` (what `flink-lint --fix` writes);
- Flink 2.3's GlobalConfiguration reads both directories (tests/lint/java/FlinkConfigDirs.java),
  and Flink's legacy line parser reads the original file.

Our config.yaml must read, key by key, as the legacy file read by Flink's legacy parser, and as
Flink's own migrated file wherever that one keeps the legacy values: Flink's nesting loses a key
that is also the prefix of another (`state.backend` and `state.backend.fs.checkpointdir` in the
corpus: its migration drops one of them silently, or fails), ours keeps both. A directory holding
only the legacy file is refused by Flink 2.3 (why the rule is an error).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from flink_lint.migration import migrate

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO.parent / "shared" / "corpus" / "configs").resolve()
JAVA_HELPER = Path(__file__).resolve().parent / "java" / "FlinkConfigDirs.java"
RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"
JAVA_UTF8 = ["-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dlog4j2.level=OFF"]

HANDWRITTEN = {
    "typed-values": (
        "a.int: 010\na.float: 1e3\na.bool: True\na.yes: yes\na.null: null\na.tilde: ~\n"
        "a.octal: 0o17\na.hex: 0x1F\na.plain: 42\na.true: true\na.list: [a, b]\na.map: {k: v}\n"
    ),
    "quotes-and-colons": (
        "q.double: \"abc\"\nq.single: 'it''s'\nq.url: hdfs://namenode:8020/flink/checkpoints\n"
        "q.colon-space: a: b\nq.star: *\nq.amp: &anchor\nq.at: @x\nq.backtick: `x`\nq.dash: - x\n"
        "q.percent: %x\nq.pipe: |\nq.gt: >\nq.braces: {a\nq.comma: a, b\nq.question: ? x\n"
    ),
    "comments-and-skips": (
        "# a comment: with colon\n  indented.key  :   value   # trailing comment\n"
        "no-space:after-colon\nempty.value: \n: no key\nvalue.with.hash: a#b\n\n   \n"
        "tab.inside: a\tb\n"
    ),
    "set-twice-and-prefixes": (
        "state.backend: rocksdb\nstate.backend.incremental: true\nstate.backend: hashmap\n"
        "parallelism.default: 1\nparallelism.default: 4\n"
    ),
    "non-ascii-and-crlf": "name.é: café ☕\r\nname.cjk: 日本\r\npath.win: C:\\flink\\conf\r\n",
}


def _generated(count: int = 400, seed: int = 12) -> str:
    """Values made of the characters YAML treats specially (deterministic)."""
    rng = random.Random(seed)
    pool = list("aZ09_./-:'\"\\[]{},*&!%@`|>?~ \té☕\x7f\u00a0") + ["true", "010", "1e3", "null", ": ", "0x1F", "- "]
    lines = []
    for index in range(count):
        value = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8))).strip(" \t")
        if value:
            lines.append(f"gen.k{index}: {value}\n")
    return "".join(lines)


def _legacy_files() -> list[tuple[str, str]]:
    assert CORPUS.is_dir(), f"the shared corpus is missing: expected {CORPUS}"
    corpus = [(path.name, path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*flink-conf.yaml"))]
    assert len(corpus) >= 6, "expected the corpus's legacy flink-conf.yaml files"
    return corpus + sorted(HANDWRITTEN.items()) + [("generated", _generated())]


@pytest.fixture(scope="module")
def flink_home() -> Path:
    from importlib.util import find_spec

    spec = find_spec("pyflink")
    assert spec is not None and spec.submodule_search_locations, "pyflink (the `jobs` extra) is needed"
    assert shutil.which("javac") and shutil.which("java"), "a JDK is needed: apt-get install openjdk-17-jdk-headless"
    return Path(list(spec.submodule_search_locations)[0])


def _flink_migrate(flink_home: Path, conf_dir: Path) -> tuple[bool, str]:
    """(succeeded, config.yaml text or Flink's error) from BashJavaUtils, as the script runs it."""
    dist = sorted((flink_home / "lib").glob("flink-dist*.jar"))[0]
    classpath = f"{flink_home / 'bin' / 'bash-java-utils.jar'}:{dist}"
    done = subprocess.run(
        ["java", *JAVA_UTF8, "-classpath", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils"]
        + ["MIGRATE_LEGACY_FLINK_CONFIGURATION_TO_STANDARD_YAML", "--configDir", str(conf_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    lines = [line[len(RESULT_PREFIX) :] for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0:
        error = [line for line in (done.stdout + done.stderr).splitlines() if "Exception" in line]
        return False, error[0] if error else f"exit {done.returncode}"
    return True, "\n".join(lines) + "\n"


def _read_with_flink(flink_home: Path, workdir: Path, arguments: list[str]) -> dict[str, dict]:
    dist = sorted((flink_home / "lib").glob("flink-dist*.jar"))[0]
    classes = workdir / "classes"
    subprocess.run(["javac", "-nowarn", "-cp", str(dist), "-d", str(classes), str(JAVA_HELPER)], check=True)
    log4j = sorted((flink_home / "lib").glob("log4j-*.jar"))
    classpath = ":".join([str(classes), str(dist)] + [str(jar) for jar in log4j])
    done = subprocess.run(
        ["java", *JAVA_UTF8, "-cp", classpath, "FlinkConfigDirs", *arguments],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    return {entry["dir"]: entry for entry in json.loads(done.stdout.strip().splitlines()[-1])}


def test_our_migration_reads_as_flinks(flink_home, tmp_path):
    cases = []
    for name, text in _legacy_files():
        base = tmp_path / name
        legacy, flink, ours = base / "legacy", base / "flink", base / "ours"
        for folder in (legacy, flink, ours):
            folder.mkdir(parents=True)
        (legacy / "flink-conf.yaml").write_bytes(text.encode("utf-8"))
        succeeded, flink_output = _flink_migrate(flink_home, legacy)
        if succeeded:
            (flink / "config.yaml").write_text(flink_output, encoding="utf-8")
        (ours / "config.yaml").write_bytes(migrate(text).encode("utf-8"))
        cases.append((name, legacy, flink if succeeded else None, ours, flink_output))
    arguments = []
    for _, legacy, flink, ours, _ in cases:
        arguments += [f"legacy:{legacy / 'flink-conf.yaml'}", str(legacy), str(ours)] + ([str(flink)] if flink else [])
    read = _read_with_flink(flink_home, tmp_path, arguments)

    flink_failed, flink_lost = [], {}
    for name, legacy, flink, ours, flink_output in cases:
        legacy_map = read[f"legacy:{legacy / 'flink-conf.yaml'}"]["config"]
        assert legacy_map, name
        # Flink 2.3 refuses a configuration directory that holds only flink-conf.yaml
        assert "config.yaml" in read[str(legacy)].get("error", ""), (name, read[str(legacy)])
        ours_read = read[str(ours)]
        assert "config" in ours_read, (name, ours_read)
        assert ours_read["config"] == legacy_map, (name, _differences(ours_read["config"], legacy_map))
        if flink is None:
            flink_failed.append((name, flink_output))
            assert _overlapping(legacy_map), (name, flink_output)  # the only way Flink's migration fails
            continue
        flink_map = read[str(flink)]["config"]
        lost = _differences(flink_map, legacy_map)
        if lost:
            flink_lost[name] = lost
        overlapping = _overlapping(legacy_map)
        assert {key for key, _, _ in lost} <= overlapping, (name, lost)
        kept = {key: value for key, value in flink_map.items() if key not in overlapping}
        assert {k: v for k, v in ours_read["config"].items() if k not in overlapping} == kept, name
    # Flink's nesting cannot hold a key that is also another key's prefix (state.backend and
    # state.backend.incremental): its migration fails, or silently drops a key (which one depends
    # on its hash map's order). Ours keeps both, as the legacy file had them.
    assert "set-twice-and-prefixes" in {name for name, _ in flink_failed} | set(flink_lost)
    print(f"{len(cases)} files; Flink's migration failed on {flink_failed}; lost keys on {flink_lost}")


def _overlapping(config: dict) -> set:
    """Keys that are the prefix of another key, and those other keys."""
    keys = sorted(config)
    found = set()
    for key in keys:
        for other in keys:
            if other.startswith(key + "."):
                found |= {key, other}
    return found


def _differences(ours: dict, theirs: dict) -> list:
    keys = sorted(set(ours) | set(theirs))
    return [(key, ours.get(key), theirs.get(key)) for key in keys if ours.get(key) != theirs.get(key)]


def test_flinks_migration_script_runs_what_we_run(flink_home):
    script = (flink_home / "bin" / "migrate-config-file.sh").read_text(encoding="utf-8")
    utils = (flink_home / "bin" / "bash-java-utils.sh").read_text(encoding="utf-8")
    assert "migrateLegacyFlinkConfigToStandardYaml" in script
    assert "MIGRATE_LEGACY_FLINK_CONFIGURATION_TO_STANDARD_YAML" in utils
    assert os.path.isfile(flink_home / "bin" / "bash-java-utils.jar")
