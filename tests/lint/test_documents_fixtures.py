"""Readers, driven by data: one YAML file per case under fixtures/documents/.

A case: `path` (the file name used for detection), optional `kind` (--kind), `input` (the text),
and `expect`: `configs` (kind, optional `count` of settings, `settings` as {key, value, at, value_at}
and `context` as {name: value}) and `findings` ({rule, at, severity, message: a substring}).
Positions are "line:col", 1-based. Every expected list is exact: nothing more may be found.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flink_lint.documents import read_file
from flink_lint.engine import read_finding

CASES = sorted((Path(__file__).parent / "fixtures" / "documents").glob("*.yaml"))


def _at(location) -> str:
    return f"{location.line}:{location.column}"


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_reader_case(case_path):
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    configs, problems = read_file(case["path"], case["input"], kind=case.get("kind"))
    findings = [read_finding(problem) for problem in problems]  # the engine stamps them with the rule
    expect = case["expect"]

    got_findings = [(f.rule, _at(f.location), f.severity, f.message) for f in findings]
    wanted = expect.get("findings", [])
    assert len(got_findings) == len(wanted), got_findings
    for got, want in zip(got_findings, wanted):
        assert got[:3] == (want["rule"], want["at"], want["severity"]), got
        assert want.get("message", "") in got[3], got

    wanted_configs = expect.get("configs", [])
    assert [c.kind for c in configs] == [c["kind"] for c in wanted_configs]
    for config, want in zip(configs, wanted_configs):
        if "count" in want:
            assert len(config.settings) == want["count"], [s.key for s in config.settings]
        got = {(s.key, _at(s.key_location)): s for s in config.settings}
        for expected in want.get("settings", []):
            setting = got.get((expected["key"], expected["at"]))
            assert setting is not None, (expected, sorted(got))
            assert setting.value == expected["value"], (expected, setting.value)
            if "value_at" in expected:
                assert _at(setting.value_location) == expected["value_at"], expected
            if "duplicate_of" in expected:
                assert setting.duplicate_of and _at(setting.duplicate_of) == expected["duplicate_of"]
        for name, value in want.get("context", {}).items():
            actual = config.context[name]
            assert (actual[0] if isinstance(actual, tuple) else actual) == value, name


def test_templated_values_are_marked():
    configs, _ = read_file(
        "deploy.yaml",
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\n"
        "spec:\n  flinkConfiguration:\n    a.b: ${X}\n    c.d: '{{ .Values.x }}'\n    e.f: 1\n",
    )
    assert [s.templated for s in configs[0].settings] == [True, True, False]
