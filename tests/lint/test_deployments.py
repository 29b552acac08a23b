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


EVERY_CHECK = """\
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: This_Name_Is_Not_Valid
spec:
  flinkVersion: v1_14
  flinkConfiguration:
    kubernetes.cluster-id: mine
    kubernetes.operator.deployment.rollback.enabled: "true"
    job.autoscaler.enabled: "true"
    job.autoscaler.utilization.target: "1.5"
    execution.checkpointing.interval: 1 min
  logConfiguration:
    my-log.properties: x
  ingress:
    className: nginx
  jobManager:
    replicas: 2
    resource: {memory: lots, cpu: 1, ephemeralStorage: many}
  taskManager:
    replicas: 0
    resources:
      requests: {memory: 4Gi, cpu: "2"}
      limits: {memory: 2Gi, cpu: "1"}
  job:
    jarURI: local:///opt/flink/x.jar
    parallelism: 2
    upgradeMode: savepoint
    parallelizm: 2
---
apiVersion: flink.apache.org/v1beta1
kind: FlinkSessionJob
metadata:
  name: session-job
spec:
  deploymentName: session
  job:
    jarURI: http://artifacts.example.com/job.jar
    parallelism: 1
"""


def test_every_operator_check_in_one_run():
    """One file that breaks every check of the operator's validator the rules model: each is
    reported in the same run (FL801-FL814 and FL408), where the webhook would name only the first."""
    findings = lint_text("d.yaml", EVERY_CHECK)
    operator = [f"FL8{n:02d}" for n in range(1, 15)] + ["FL408"]
    assert sorted({f.rule for f in findings if f.rule in operator}) == sorted(operator)
    assert all(f.severity == "error" for f in findings if f.rule in operator)


def test_operator_example_passes_the_default_gate(capsys):
    assert main([str(REFERENCE / "python-example.yaml")]) == 0
    assert "All checks passed" in capsys.readouterr().out
