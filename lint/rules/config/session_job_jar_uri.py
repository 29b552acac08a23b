"""Session job jar URI: a FlinkSessionJob `jarURI` the operator will not fetch.

**What it does**
Checks `spec.job.jarURI` of a FlinkSessionJob as the operator does: a URI with a scheme, the
scheme in the operator's allowlist (`kubernetes.operator.user.artifacts.allowed-schemes`, default
`https` only), and a host for http/https. Operators with a longer allowlist set it under
`[tool.flink-lint.options.session-job-jar-uri]` as `allowed-schemes = ["https", "s3"]`.

**Why is this bad**
The admission webhook rejects the resource: `jarURI scheme 'http' is not in the allowlist [https].
Configure 'kubernetes.operator.user.artifacts.allowed-schemes' to extend the allowlist.`

**Example**
```yaml
kind: FlinkSessionJob
spec:
  deploymentName: session
  job:
    jarURI: http://artifacts.example.com/job.jar
```

**Use instead**
```yaml
kind: FlinkSessionJob
spec:
  deploymentName: session
  job:
    jarURI: https://artifacts.example.com/job.jar
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL808"
NAME = "session-job-jar-uri"
SEVERITY = "error"
FIXABLE = False
OPTIONS = ("allowed-schemes",)

DEFAULT_SCHEMES = ("https",)  # KubernetesOperatorConfigOptions.JAR_URI_ALLOWED_SCHEMES


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.SESSION_JOB:
        return
    uri = _deployment.get(config, "spec", "job", "jarURI")
    if not isinstance(uri, str) or "{{" in uri or "${" in uri:
        return
    where = _deployment.at(config, "spec", "job", "jarURI")
    allowed = [str(s).lower() for s in context.options.get("allowed-schemes", DEFAULT_SCHEMES)]
    try:
        parts = urlsplit(uri)
    except ValueError as error:
        yield Problem(f"jarURI is not a valid URI: {error}", where)
        return
    if not parts.scheme:
        yield Problem("jarURI must include a scheme", where, hint="e.g. https://host/path/job.jar")
    elif parts.scheme.lower() not in allowed:
        yield Problem(
            f"jarURI scheme '{parts.scheme}' is not in the allowlist [{', '.join(allowed)}]. Configure "
            "'kubernetes.operator.user.artifacts.allowed-schemes' to extend the allowlist.",
            where,
            hint="serve the jar over https, or extend the operator's allowlist (and this rule's allowed-schemes)",
        )
    elif parts.scheme.lower() in ("http", "https") and not parts.hostname:
        yield Problem("jarURI must include a host for http/https schemes", where)
