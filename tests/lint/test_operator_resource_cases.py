"""The operator's own validator test cases for pod resources and the ingress template
(flink-kubernetes-operator DefaultValidatorTest, ResourceConfigUtilsTest, IngressUtilsTest), each as a
FlinkDeployment through the real engine: the same verdict (which rule, or none) and the same
message start as the operator's webhook."""

from __future__ import annotations


import pytest

from flink_lint.engine import lint_text

RULES = ["FL809", "FL812", "FL813", "FL814"]
HEADER = """\
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: basic-ingress
spec:
  serviceAccount: flink
"""
MEMORY = "  jobManager: {resource: {memory: 1g}}\n  taskManager: {resource: {memory: 1g}}\n"
TM_REQUESTS = "  jobManager: {{resource: {{memory: 2048m, cpu: 1}}}}\n  taskManager:\n    resources:\n{}"

CASES = [
    # (spec lines after serviceAccount, expected (rule, message start) or None)
    ("  jobManager: {resource: {memory: 1G, cpu: 1}}\n  taskManager: {resource: {memory: '100', cpu: 1}}", None),
    ("  jobManager: {resource: {memory: 1Gi, cpu: 1}}\n  taskManager: {resource: {memory: 1Gi, cpu: 1}}", None),
    (
        "  jobManager: {resource: {memory: 1Gi, cpu: 1}}\n  taskManager: {resource: {memory: invalid, cpu: 1}}",
        ("FL809", "TaskManager resource memory parse error"),
    ),
    (
        "  jobManager: {resource: {memory: invalid, cpu: 1}}\n  taskManager: {resource: {memory: 1Gi, cpu: 1}}",
        ("FL809", "JobManager resource memory parse error"),
    ),
    (
        "  jobManager: {resource: {memory: 1Gi, cpu: 1, ephemeralStorage: abc}}\n  taskManager: {resource: {memory: 1g}}",
        ("FL812", "JobManager resource ephemeral storage parse error"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: abc}"),
        ("FL809", "TaskManager resource requirements requests memory parse error"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi}\n      limits: {memory: xyz}"),
        ("FL809", "TaskManager resource requirements limits memory parse error"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi, cpu: notacpu}"),
        ("FL812", "TaskManager resource requirements requests cpu parse error"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi, cpu: '-1'}"),
        ("FL812", "TaskManager resource requirements requests cpu must be positive"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi, cpu: '0'}"),
        ("FL812", "TaskManager resource requirements requests cpu must be positive"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi, ephemeral-storage: -5Gi}"),
        ("FL812", "TaskManager resource requirements requests ephemeral-storage must not be negative"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: -2Gi}"),
        ("FL809", "TaskManager resource requirements requests memory parse error"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: '0'}"),
        ("FL809", "TaskManager resource requirements requests memory must be positive"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 4Gi}\n      limits: {memory: 2Gi}"),
        ("FL813", "TaskManager resource requirements memory request"),
    ),
    (
        TM_REQUESTS.format("      requests: {memory: 2Gi, cpu: 1000m}\n      limits: {cpu: 500m}"),
        ("FL813", "TaskManager resource requirements cpu request"),
    ),
    (TM_REQUESTS.format("      requests: {memory: 2Gi, cpu: '1'}\n      limits: {memory: 4Gi, cpu: '2'}"), None),
    (TM_REQUESTS.format("      requests: {memory: 1Gi, cpu: 500m}\n      limits: {memory: 2048Mi, cpu: '1'}"), None),
    (MEMORY + "  ingress: {}", ("FL814", "Ingress template must be defined")),
    (
        MEMORY + "  ingress: {template: 'example.com:port'}",
        ("FL814", "Unable to process the Ingress template(example.com:port). Error:"),
    ),
    (MEMORY + "  ingress: {template: 'example.com/{{namespace}}/{{name}}'}", None),
    (MEMORY + "  ingress: {template: 'flink.k8s.io/{{namespace}}/{{name}}'}", None),
    (MEMORY + "  ingress: {template: '/{{namespace}}/{{name}}'}", None),
    (MEMORY + "  ingress: {template: '{{name}}.{{namespace}}.flink.k8s.io'}", None),
    (MEMORY + "  ingress: {template: '/{{namespace}}/{{name}}(/|$)(.*)'}", None),
]


@pytest.mark.parametrize("spec, expected", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_the_operators_own_cases(spec, expected):
    text = HEADER + spec + "\n"
    findings = lint_text("deployment.yaml", text, kind="kubernetes", select=RULES)
    got = [(f.rule, f.message) for f in findings]
    if expected is None:
        assert got == []
    else:
        assert len(got) == 1 and got[0][0] == expected[0] and got[0][1].startswith(expected[1]), got
