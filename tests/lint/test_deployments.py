"""FlinkDeployment/FlinkSessionJob manifests as the operator sees them: the shipped CRD schemas are
what `python -m flink_lint.crd` derives from the reference CRDs, `spec.flinkVersion` picks the
catalog, every error comes at once, and the operator's own example passes the default gate.
The rules' cases are data: tests/lint/fixtures/config/<rule-name>.yaml (FL801-FL823)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flink_lint.cli import main
from flink_lint.crd import SCHEMAS, derive_file, schema_path
from flink_lint.engine import lint_text

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "k8s-operator"


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_shipped_schema_is_derived_from_the_reference_crd(kind):
    crd_file, _ = SCHEMAS[kind]
    assert json.loads(schema_path(kind).read_text()) == derive_file(REFERENCE / crd_file)


def _manifest(version: str, extra: str = "") -> str:
    return (
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: demo\nspec:\n"
        f'  flinkVersion: {version}\n  serviceAccount: flink\n  flinkConfiguration:\n    state.backend.async: "true"\n'
        "  jobManager: {resource: {memory: 2g, cpu: 1}}\n  taskManager: {resource: {memory: 2g, cpu: 1}}\n" + extra
    )


KEYS = ["FL101", "FL102", "FL103"]


def test_flink_version_selects_the_catalog():
    """state.backend.async is an option of 1.20 and gone in 2.x, whatever --flink-version says."""
    for target in ("2.3", "1.20"):
        old = [(f.rule, f.message) for f in lint_text("d.yaml", _manifest("v1_18"), flink_version=target, select=KEYS)]
        new = [(f.rule, f.message) for f in lint_text("d.yaml", _manifest("v2_1"), flink_version=target, select=KEYS)]
        assert old == [], old
        assert [rule for rule, _ in new] == ["FL103"], new


def test_every_operator_error_at_once():
    """The webhook stops at its first error; review gets all of them."""
    text = (
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: Demo_Job\nspec:\n"
        "  flinkVersion: v1_14\n  flinkConfiguration:\n    kubernetes.cluster-id: x\n"
        "  logConfiguration:\n    log4j.properties: x\n  jobManager:\n    replicas: 2\n"
        "  job:\n    jarURI: local:///x.jar\n    upgradeMode: savepoint\n    parallelizm: 2\n"
    )
    rules = sorted({f.rule for f in lint_text("d.yaml", text) if f.rule.startswith("FL8") or f.rule == "FL408"})
    assert rules == ["FL408", "FL801", "FL802", "FL803", "FL804", "FL805", "FL806", "FL809", "FL810"]


def test_operator_example_passes_the_default_gate(capsys):
    assert main([str(REFERENCE / "python-example.yaml")]) == 0
    assert "All checks passed" in capsys.readouterr().out
