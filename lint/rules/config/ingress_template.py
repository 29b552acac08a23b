"""Ingress template: a `spec.ingress` without a template, or with one that is not a URL.

**What it does**
For a FlinkDeployment with `spec.ingress`, checks what the operator's validator checks: the
`template` is set, and once `{{name}}` and `{{namespace}}` are replaced (and `http://` put in
front when it has no `http(s)://`) it parses as a URL with Java's parser: a port after the host
that is a number, an IPv6 host in brackets that is one.

**Why is this bad**
The admission webhook rejects the resource: `Ingress template must be defined`, `Unable to process
the Ingress template(example.com:port). Error: ...`.

**Example**
```yaml
spec:
  ingress:
    template: "flink.example.com:{{port}}/{{namespace}}/{{name}}(/|$)(.*)"
    className: nginx
```

**Use instead**
```yaml
spec:
  ingress:
    template: "flink.example.com/{{namespace}}/{{name}}(/|$)(.*)"
    className: nginx
```

**Fix**
none.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator, Optional

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _deployment

CODE = "FL814"
NAME = "ingress-template"
SEVERITY = "error"
FIXABLE = False

_NAME = re.compile(r"\{\{name\}\}", re.IGNORECASE)
_NAMESPACE = re.compile(r"\{\{namespace\}\}", re.IGNORECASE)
_PROTOCOL = re.compile(r"^https?://", re.IGNORECASE)
_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def _parse_port(text: str, authority: str) -> int:
    """Integer.parseInt of the port, as URLStreamHandler.parseURL reads it."""
    if not _JAVA_INT.fullmatch(text) or not -(2**31) <= int(text) < 2**31:
        raise ValueError(f'the port "{text}" of "{authority}" is not a number')
    return int(text)


def url_error(template: str, name: str, namespace: str) -> Optional[str]:
    """Why `new URL(...)` of the expanded template throws (IngressUtils.getIngressUrl), or None."""
    url = template if _PROTOCOL.search(template) else "http://" + template
    url = _NAMESPACE.sub(namespace, _NAME.sub(name, url)).strip("".join(chr(c) for c in range(33)))
    rest = url[url.index(":") + 1 :].split("#", 1)[0]
    if not rest.startswith("//"):
        return None
    rest = rest[2:]
    end = rest.find("/")
    if end < 0:
        end = rest.find("?")
    authority = rest if end < 0 else rest[:end]
    if authority.count("@") > 1:
        return None  # not server-based: Java keeps it as an opaque authority
    host = authority.split("@", 1)[-1]
    port = -1
    try:
        if host.startswith("["):
            close = host.find("]")
            if close <= 2:
                return f"Invalid authority field: {authority}"
            try:
                ipaddress.IPv6Address(host[1:close].split("%", 1)[0])
            except ValueError:
                return f"Invalid host: {host}"
            after = host[close + 1 :]
            if after and not after.startswith(":"):
                return f"Invalid authority field: {authority}"
            if len(after) > 1:
                port = _parse_port(after[1:], authority)
        elif ":" in host and not host.endswith(":"):
            port = _parse_port(host[host.index(":") + 1 :], authority)
    except ValueError as error:
        return str(error)
    return f"Invalid port number :{port}" if port < -1 else None


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != _deployment.DEPLOYMENT or _deployment.manifest(config) is None:
        return
    ingress = _deployment.get(config, "spec", "ingress")
    if not isinstance(ingress, dict):
        return  # absent, null (no ingress), or not a mapping (crd-schema)
    template = ingress.get("template")
    if template is None:
        yield Problem(
            "Ingress template must be defined",
            _deployment.at(config, "spec", "ingress", key=True),
            hint='set spec.ingress.template, e.g. "flink.example.com/{{namespace}}/{{name}}(/|$)(.*)"',
        )
        return
    name = str(_deployment.get(config, "metadata", "name") or "")
    # the API server gives the webhook the namespace the resource is applied to
    namespace = str(_deployment.get(config, "metadata", "namespace") or "default")
    error = url_error(str(template), name, namespace)
    if error is not None:
        yield Problem(
            f"Unable to process the Ingress template({template}). Error: {error}",
            _deployment.at(config, "spec", "ingress", "template"),
            hint="a host, an optional numeric port and a path: flink.example.com/{{namespace}}/{{name}}",
        )
