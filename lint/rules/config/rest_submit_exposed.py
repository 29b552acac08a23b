"""REST submit exposed: the JobManager's REST endpoint reachable from outside the cluster while it
accepts jar uploads.

**What it does**
For a FlinkDeployment whose REST endpoint leaves the cluster, through `spec.ingress` or
`kubernetes.rest-service.exposed.type: LoadBalancer` or `NodePort`, reports that
`web.submit.enable` is on (its default).

**Why is this bad**
With submission on, anyone who reaches the endpoint can upload a jar and run it
(`/jars/upload`, `/jars/:id/run`) with the JobManager's service account and credentials: code
execution in your cluster from the network. The web UI and the REST monitoring API do not need it.

**Example**
```yaml
spec:
  flinkConfiguration:
    kubernetes.rest-service.exposed.type: LoadBalancer
```

**Use instead**
```yaml
spec:
  flinkConfiguration:
    kubernetes.rest-service.exposed.type: LoadBalancer
    web.submit.enable: "false"
```

**Fix**
Safe: sets `web.submit.enable: "false"` (quoted: operators before 1.13 read flinkConfiguration as
strings) when the key is written; jobs are submitted by the operator, not through the web UI.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Edit, FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment, _settings

CODE = "FL822"
NAME = "rest-submit-exposed"
SEVERITY = "warning"
FIXABLE = True

EXPOSED_TYPES = ("LOADBALANCER", "NODEPORT")


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT:
        return
    submit = _settings.boolean(config, "web.submit.enable", context, default="true")
    if submit.value is False:
        return
    exposed = _settings.effective(config, "kubernetes.rest-service.exposed.type", context)
    if exposed is not None and exposed.value.strip().upper() in EXPOSED_TYPES:
        how, where = f"a {exposed.value.strip()} service", exposed.value_location
    elif _deployment.get(config, "spec", "ingress") is not None:
        how, where = "an ingress (spec.ingress)", _deployment.at(config, "spec", "ingress", key=True)
    else:
        return
    yield Problem(
        f"the REST endpoint is exposed through {how} while web.submit.enable is on"
        f"{'' if submit.setting else ' (its default)'}: anyone who reaches it can upload and run a jar",
        submit.setting.key_location if submit.setting is not None else where,
        hint='set web.submit.enable: "false" (the operator submits the job; the web UI still works)',
        fix=Edit("set-value", submit.setting.key, '"false"') if submit.setting is not None else None,
    )
