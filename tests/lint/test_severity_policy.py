"""The severity policy (docs/rules.md, lint/docs.py): a careful production configuration passes the
default gate (`--fail-on warning`), and every rule's declared severity is one the policy names.

Careful production configurations: the pack's own configs/ (job configs and cluster configs,
reviewed in pull requests) and the Flink Kubernetes operator's PyFlink example in
../shared/reference/k8s-operator/. The operator's autoscaling example in the corpus (SOURCES.tsv:
apache/flink-kubernetes-operator examples/autoscaling/autoscaling.yaml) is a minikube demo: its
checkpoints, savepoints and HA metadata live on a hostPath volume under last-state, which loses
state when a pod moves to another node, so it gets exactly those warnings (FL821) and advice.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from flink_lint.cli import main
from flink_lint.docs import SEVERITY_POLICY, rules_markdown
from flink_lint.rules.registry import all_rules

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO.parent / "shared").resolve()
OPERATOR_EXAMPLES = [SHARED / "reference" / "k8s-operator" / "python-example.yaml"]
AUTOSCALING_DEMO = SHARED / "corpus" / "configs" / "05-operator-autoscaling.yaml"


def _lint(*argv) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--format", "json"])
    assert not err.getvalue(), err.getvalue()
    return code, json.loads(out.getvalue())


def test_the_packs_configs_pass_the_default_gate():
    code, report = _lint(str(REPO / "configs"))
    assert report["summary"]["files"] >= 4 and report["summary"]["not_linted"] == 0
    assert code == 0, report["findings"]


def test_the_operators_examples_pass_the_default_gate():
    for example in OPERATOR_EXAMPLES:
        assert example.is_file(), f"missing reference file {example}"
    code, report = _lint(*map(str, OPERATOR_EXAMPLES))
    assert report["summary"]["files"] == len(OPERATOR_EXAMPLES) and report["summary"]["not_linted"] == 0
    assert code == 0, report["findings"]
    # what they do get is advice: deprecated keys Flink still reads (state.checkpoints.dir, ...)
    assert {(f["rule"], f["severity"]) for f in report["findings"]} <= {("FL102", "info")}


def test_the_autoscaling_demo_fails_only_for_its_host_path_state():
    code, report = _lint(str(AUTOSCALING_DEMO))
    assert code == 1
    gated = [(f["rule"], f["line"]) for f in report["findings"] if f["severity"] in ("error", "warning")]
    assert gated == [("FL821", 35), ("FL821", 36), ("FL821", 39)], report["findings"]


def test_a_gate_of_info_still_shows_the_advice():
    code, report = _lint(str(AUTOSCALING_DEMO), "--fail-on", "info")
    assert code == 1 and report["summary"]["info"] >= 2


def test_the_policy_heads_the_rules_page():
    page = rules_markdown()
    assert page.index("## Severity policy") < page.index("## Rules") < page.index("## FL001")
    assert SEVERITY_POLICY in (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for severity in ("**error**", "**warning**", "**info**"):
        assert severity in SEVERITY_POLICY
    assert {rule.severity for rule in all_rules()} == {"error", "warning", "info"}
