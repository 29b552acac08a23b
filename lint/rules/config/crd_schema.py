"""CRD schema: a FlinkDeployment or FlinkSessionJob that Kubernetes would not accept as written.

**What it does**
Validates the whole manifest against the JSON Schema derived from the operator's
CustomResourceDefinition (`schemas/flinkdeployment.schema.json`, `schemas/flinksessionjob.schema.json`,
made by `python -m flink_lint.crd` from the CRDs of apache/flink-kubernetes-operator) and reports
every error at its line and column: unknown fields (with "did you mean"), wrong types, values
outside an enum (`flinkVersion`, `upgradeMode`, `state`, `mode`).

**Why is this bad**
`kubectl apply` refuses a wrong type or enum value; an unknown field is pruned (or refused under
strict field validation): a misspelt `upgardeMode` silently leaves the job `stateless`. The API
server reports the first few errors; review should see all of them.

**Example**
```yaml
spec:
  flinkVersion: v2_9
  job:
    jarURI: local:///opt/flink/usrlib/job.jar
    parallelism: two
    upgardeMode: last-state
```

**Use instead**
```yaml
spec:
  flinkVersion: v2_2
  job:
    jarURI: local:///opt/flink/usrlib/job.jar
    parallelism: 2
    upgradeMode: last-state
```

**Fix**
none.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import Iterator

from flink_lint.crd import schema_path
from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL801"
NAME = "crd-schema"
SEVERITY = "error"
FIXABLE = False


@lru_cache(maxsize=None)
def _validator(kind: str):
    import jsonschema  # ~60 ms: imported only when a manifest is linted, not at every linter start

    return jsonschema.Draft7Validator(json.loads(schema_path(kind).read_text(encoding="utf-8")))


def _leaves(error):
    if error.validator in ("anyOf", "oneOf") and error.context:
        import jsonschema  # loaded by _validator already

        yield jsonschema.exceptions.best_match(error.context)
    else:
        yield error


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    document = _deployment.manifest(config)
    if document is None or document.get("kind") not in ("FlinkDeployment", "FlinkSessionJob"):
        return
    for top in sorted(_validator(document["kind"]).iter_errors(document), key=lambda e: list(map(str, e.path))):
        for error in _leaves(top):
            path = tuple(error.absolute_path)
            where = ".".join(map(str, path)) or "the manifest"
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = sorted(error.schema.get("properties", {}))
                for extra in sorted(set(error.instance) - set(allowed), key=str):
                    suggestion = difflib.get_close_matches(str(extra), allowed, n=1)
                    yield Problem(
                        f"unknown field `{extra}` in {where}: Kubernetes drops it (or refuses it under strict "
                        "field validation)",
                        _deployment.at(config, *path, extra, key=True),
                        hint=f"did you mean `{suggestion[0]}`?" if suggestion else f"allowed: {', '.join(allowed)}",
                    )
                continue
            yield Problem(f"{where}: {_message(error)}", _deployment.at(config, *path))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error) -> str:
    if error.validator == "type":
        types = [
            t for t in ([error.validator_value] if isinstance(error.validator_value, str) else error.validator_value)
        ]
        return f"{_short(error.instance)} is not of type {' or '.join(t for t in types if t != 'null')}"
    if error.validator == "enum":
        return f"{_short(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."
