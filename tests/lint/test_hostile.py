"""Hostile input: one located finding (or nothing for files that are not ours), never a traceback,
bounded time. Inputs are generated here, in tmp_path."""

from __future__ import annotations

import pytest

from flink_lint.cli import main
from flink_lint.engine import lint_text

BOMB = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)
CASES = {
    "binary": b"\x7fELF\x02\x01\x01\x00\x00\x00",
    "non-utf8": "rest.port: 8081\nname: caf".encode() + b"\xe9\n",
    "ten-megabytes": b"parallelism.default: 1\n" + b"# padding\n" * 1_100_000,
    "alias-bomb": ("parallelism.default: 1\n" + BOMB).encode(),
    "deep-flow-nesting": ("parallelism.default: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
    "deep-block-nesting": (
        "parallelism.default: 1\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(50)) + "  " * 50 + "leaf: 1\n"
    ).encode(),
    "python-object-tag": b"parallelism.default: !!python/object/apply:os.system ['echo owned']\n",
    "python-name-key": b"? !!python/name:os.system\n: 1\nparallelism.default: 1\n",
    "control-characters": b"parallelism.default: 1\x07\n",
    "tabs": b"state:\n\tbackend: rocksdb\n",
}
EXPECTED = {  # (rule, line, column) of the one finding
    "binary": ("FL001", 1, 8),
    "non-utf8": ("FL001", 2, 10),
    "ten-megabytes": ("FL001", 1, 1),
    "alias-bomb": ("FL001", 2, 24),
    "deep-flow-nesting": ("FL001", 1, 86),
    "python-object-tag": ("FL001", 1, 22),
    "python-name-key": ("FL001", 1, 3),
    "control-characters": ("FL001", 1, 23),
    "tabs": ("FL001", 2, 1),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_gives_one_located_finding(name):
    findings = lint_text("conf/config.yaml", CASES[name], select=["FL00"])  # input rules only
    if name == "deep-block-nesting":
        assert [f.rule for f in findings] == []  # 50 levels is legal YAML, a config with a long key
        return
    assert len(findings) == 1, [(f.rule, f.message) for f in findings]
    finding = findings[0]
    assert (finding.rule, finding.location.line, finding.location.column) == EXPECTED[name], finding.message


def test_empty_files_are_fine(tmp_path, capsys):
    (tmp_path / "config.yaml").write_text("")
    (tmp_path / "flink-conf.yaml").write_text("\n# only comments\n")
    assert main([str(tmp_path), "--select", "FL00"]) == 0
    capsys.readouterr()


def test_cli_survives_all_of_them_at_once(tmp_path, capsys):
    for name, data in CASES.items():
        (tmp_path / f"{name}-config.yaml").write_bytes(data)
    assert main([str(tmp_path), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err == ""
