"""SARIF output validates against the official SARIF 2.1.0 schema (vendored: sarif/PROVENANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from flink_lint.config import ToolConfig
from flink_lint.engine import lint_paths
from flink_lint.report import render
from flink_lint.rules.registry import all_rules

SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))


def _sarif(tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(tmp_path)
    Path("conf").mkdir()
    Path("conf/config.yaml").write_text("parallelism.default: 1\nparallelism.default: 2\nrest.port:\n")
    Path("flink-conf.yaml").write_text("taskmanager.numberOfTaskSlots:4\n")
    report = lint_paths(["."], ToolConfig(select=["FL00"]))
    return json.loads(render("sarif", report, all_rules()))


def test_sarif_is_valid_against_the_official_schema(tmp_path, monkeypatch):
    sarif = _sarif(tmp_path, monkeypatch)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert sarif["version"] == "2.1.0"


def test_sarif_has_exact_regions_rules_and_help(tmp_path, monkeypatch):
    sarif = _sarif(tmp_path, monkeypatch)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {"FL001", "FL002"} <= {rule["id"] for rule in rules}
    assert all("**What it does**" in rule["help"]["markdown"] for rule in rules)
    regions = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in run["results"]
    }
    assert regions == {
        ("FL002", "conf/config.yaml", 2, 1),
        ("FL001", "conf/config.yaml", 3, 1),
        ("FL001", "flink-conf.yaml", 1, 1),
    }
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["endColumn"] > 1
