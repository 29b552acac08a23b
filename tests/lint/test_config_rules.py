"""Every case of tests/lint/fixtures/config/<rule-name>.yaml, run through the real engine (reader,
rules, suppressions) with only that rule selected: the same convention as the code rules'
fixtures (tests/lint/fixtures/code/, tests/lint/test_code_rules.py).

A fixture file (sqlfluff style):

    rule: deprecated-key               # the rule's name (or code)
    cases:
      - name: deprecated state.backend
        kind: config-yaml            # config-yaml | flink-conf | flink-deployment | job-config
        flink_version: "2.3"         # optional, default 2.3
        options: {key: value}        # optional: the rule's [tool.flink-lint.options.<rule>]
        input: |
          state.backend: rocksdb
        expect: [{rule: FL102, line: 1, column: 1}]   # [] for a pass case; `severity: warning`
                                                      # where it differs from the rule's default
        fixes: [{kind: rename-key, key: state.backend, new_text: state.backend.type}]   # optional

`expect` lists the findings of the fixture's rule only, in file order.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
import yaml

import flink_lint.rules.config as config_rules
from flink_lint.config import ToolConfig
from flink_lint.engine import lint_text
from flink_lint.model import RuleContext
from flink_lint.rules.registry import find_rule

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config"
# Fixture kind -> (file name the reader sees, reader kind)
KINDS = {
    "config-yaml": ("config.yaml", "config-yaml"),
    "flink-conf": ("flink-conf.yaml", "flink-conf"),
    "flink-deployment": ("deployment.yaml", "kubernetes"),
    "job-config": ("job.yaml", "job-config"),
}


def _rule_modules() -> dict:
    modules = {}
    for info in pkgutil.iter_modules(config_rules.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{config_rules.__name__}.{info.name}")
        if hasattr(module, "CODE"):
            modules[module.CODE] = module
    return modules


RULES = _rule_modules()


def _cases():
    for path in sorted(FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{path.stem}: {case['name']}")


def _run(code: str, case: dict) -> list:
    file_name, kind = KINDS[case["kind"]]
    config = ToolConfig(options={code: case.get("options", {})})
    version = str(case.get("flink_version", "2.3"))
    findings = lint_text(
        f"fixtures/{file_name}", case["input"], config=config, flink_version=version, kind=kind, select=[code]
    )
    return [finding for finding in findings if finding.rule == code]


@pytest.mark.parametrize("rule_name, case", list(_cases()))
def test_rule_case(rule_name, case):
    rule = find_rule(rule_name)
    assert rule is not None and rule.document == "config", rule_name
    findings = _run(rule.code, case)
    got = [{"rule": f.rule, "line": f.location.line, "column": f.location.column} for f in findings]
    expected = [{k: v for k, v in item.items() if k != "severity"} for item in case["expect"]]
    assert got == expected, "\n".join(f"{f.location.line}:{f.location.column} {f.message}" for f in findings)
    for finding, item in zip(findings, case["expect"]):
        assert (finding.name, finding.severity) == (rule.name, item.get("severity", rule.severity))
        assert finding.message and finding.location.path.endswith(KINDS[case["kind"]][0])
    if "fixes" in case:
        edits = [{"kind": f.fix.kind, "key": f.fix.key, "new_text": f.fix.new_text} for f in findings if f.fix]
        assert edits == [{"new_text": None, **fix} for fix in case["fixes"]]


def test_every_rule_has_fixtures():
    covered = {
        find_rule(yaml.safe_load(path.read_text(encoding="utf-8"))["rule"]).code for path in FIXTURES.glob("*.yaml")
    }
    assert set(RULES) - {"FL001", "FL002", "FL003", "FL009"} <= covered
    assert all(path.stem == find_rule(path.stem).name for path in FIXTURES.glob("*.yaml")), "named after the rule"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_module_shape(code):
    module = RULES[code]
    assert module.SEVERITY in ("error", "warning", "info")
    assert module.NAME == module.NAME.lower() and " " not in module.NAME
    for section in ("What it does", "Why is this bad", "Example", "Use instead", "Fix"):
        assert f"**{section}**" in (module.__doc__ or ""), f"{code} docstring lacks **{section}**"


# ---------------------------------------------------------------- the memory model against Flink's own
MEMORY_CASES = [
    {"taskmanager.memory.process.size": "1728m"},
    {"taskmanager.memory.process.size": "16000m"},
    {"taskmanager.memory.process.size": "1g", "taskmanager.memory.managed.size": "1g"},
    {"taskmanager.memory.process.size": "400m"},
    {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.task.heap.size": "1g"},
    {"taskmanager.memory.flink.size": "2g", "taskmanager.memory.process.size": "2g"},
    {"taskmanager.memory.flink.size": "3g", "taskmanager.memory.process.size": "4g"},
    {"taskmanager.memory.flink.size": "1280m"},
    {"taskmanager.memory.task.heap.size": "1g", "taskmanager.memory.managed.size": "512m"},
    {
        "taskmanager.memory.process.size": "2048m",
        "taskmanager.memory.network.fraction": "0.2",
        "taskmanager.memory.network.min": "128mb",
        "taskmanager.memory.network.max": "1024mb",
    },
    {"taskmanager.memory.process.size": "8g", "taskmanager.memory.jvm-overhead.fraction": "0.05"},
    {"taskmanager.memory.process.size": "3g", "taskmanager.memory.managed.fraction": "0.7"},
    {"taskmanager.memory.process.size": "2g", "taskmanager.memory.network.max": "32mb"},
]


def test_memory_model_matches_flink():
    """_memory.derive_taskmanager gives Flink's TaskExecutorProcessUtils sizes to the byte, and
    fails exactly where Flink fails."""
    from pyflink import java_gateway
    from flink_lint.model import FlinkConfig, Location, Setting
    from flink_lint.rules.config import _memory

    jvm = java_gateway.get_gateway().jvm
    utils = jvm.org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils
    for case in MEMORY_CASES:
        conf = jvm.org.apache.flink.configuration.Configuration()
        for key, value in case.items():
            conf.setString(key, value)
        try:
            spec = utils.processSpecFromConfig(conf)
            expected = (
                spec.getNetworkMemSize().getBytes(),
                spec.getManagedMemorySize().getBytes(),
                spec.getTaskHeapSize().getBytes(),
                spec.getTotalFlinkMemorySize().getBytes(),
            )
        except Exception:  # py4j wraps IllegalConfigurationException
            expected = "rejected"
        settings = [
            Setting(k, v, Location("x", i + 1, 1), Location("x", i + 1, 5)) for i, (k, v) in enumerate(case.items())
        ]
        try:
            memory = _memory.derive_taskmanager(FlinkConfig("x", "config-yaml", settings), RuleContext("2.3"))
            got = (memory.network, memory.managed, memory.task_heap, memory.flink)
        except _memory.MemoryConflict:
            got = "rejected"
        assert got == expected, case
