"""Which reader a file needs: by content first, then by name; `kind` (from --kind) overrides.

- a name ending in `flink-conf.yaml` (or kind "flink-conf"): the legacy line reader, no YAML;
- each YAML document: a FlinkDeployment / FlinkSessionJob or a ConfigMap embedding a Flink config
  -> kubernetes; `job:` (+ `flink:`) only -> job-config; a mapping of Flink option keys, or any
  mapping in a file named `config.yaml` -> config-yaml; anything else is not ours and is ignored.
- a file that does not parse is reported only when it is ours by name or by content: its key lines
  (`key:` at the start of a line, nested by indentation, dotted or not) are read without a YAML
  parser and judged as a parsed mapping is (`is_flink_config`).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Optional

from yaml.nodes import MappingNode, Node, ScalarNode

from flink_lint.catalog import load_catalog
from flink_lint.documents.job_config import is_job_config
from flink_lint.documents.kubernetes import manifest_kind
from flink_lint.documents.yaml_nodes import YamlError, compose_documents

KINDS = ("config-yaml", "flink-conf", "kubernetes", "job-config", "python")  # python: PyFlink job code
_FLINKY_TEXT = re.compile(
    r"^\s*(?:(?:taskmanager|jobmanager|execution|state|parallelism|restart-strategy|high-availability|"
    r"pipeline)\.[\w.-]+\s*:|apiVersion:\s*flink\.apache\.org/)",
    re.MULTILINE,
)


@lru_cache(maxsize=1)
def _namespaces() -> frozenset[str]:
    """First segments of Flink's option keys (from the 2.3 catalog, never typed by hand)."""
    catalog = load_catalog()
    names = {key.split(".", 1)[0] for key, option in catalog.options.items() if option["scope"] == "config"}
    names |= {key.split(".", 1)[0] for key in catalog.deprecated_key_map}
    names |= {prefix.split(".", 1)[0] for prefix in catalog.known_prefixes}
    return frozenset(names)


def is_python(path: str, kind: str | None = None) -> bool:
    """Read as PyFlink job code (lint/documents/python_source.py) rather than YAML?"""
    return kind == "python" or (kind is None and path.lower().endswith(".py"))


def kind_by_name(path: str) -> str | None:
    name = os.path.basename(path).lower()
    if name.endswith(("flink-conf.yaml", "flink-conf.yml")):
        return "flink-conf"
    if name.endswith(("config.yaml", "config.yml")) and ("flink" in name or name in ("config.yaml", "config.yml")):
        return "config-yaml"
    return None


_KEY_LINE = re.compile(r"""^([ \t]*)(["']?)([A-Za-z0-9$_][\w.$<>#-]*)\2[ \t]*:(?:[ \t]+(.*?))?[ \t]*$""")


def keys_in_text(text: str, limit: int = 5000) -> list[str]:
    """The flat keys of a YAML text that may not parse, from its `key:` lines alone: a key with no
    value on its line is the parent of the more indented keys below it (block mappings only)."""
    keys: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, key)
    for line in text.splitlines()[:limit]:
        match = _KEY_LINE.match(line)
        if match is None:
            continue
        indent = len(match.group(1).expandtabs())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        key = ".".join([parent for _, parent in parents] + [match.group(3)])
        value = (match.group(4) or "").split(" #", 1)[0].strip()
        if value and not value.startswith("#"):
            keys.append(key)
        else:
            parents.append((indent, match.group(3)))
    return keys


def looks_like_flink(path: str, text: str) -> bool:
    """For a file that does not parse: is it ours, so that its syntax error is worth reporting?
    By name, or by content: its keys, nested or dotted, are Flink option keys."""
    name = os.path.basename(path).lower()
    return (
        kind_by_name(path) is not None
        or name.endswith(("config.yaml", "config.yml"))
        or "flink" in name
        or bool(_FLINKY_TEXT.search(text))
        or _mostly_flink_keys(keys_in_text(text))
    )


def _flat_keys(node: MappingNode, prefix: str = "", out: list[str] | None = None, depth: int = 0) -> list[str]:
    out = [] if out is None else out
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            continue
        if isinstance(value, MappingNode) and depth < 8:
            _flat_keys(value, prefix + key.value + ".", out, depth + 1)
        else:
            out.append(prefix + key.value)
    return out


def is_flink_config(root) -> bool:
    """A mapping whose keys are mostly Flink option keys, one of them a key Flink knows."""
    if not isinstance(root, MappingNode):
        return False
    return _mostly_flink_keys(_flat_keys(root))


def _mostly_flink_keys(keys: list[str]) -> bool:
    if not keys:
        return False
    catalog = load_catalog()
    namespaces = _namespaces()
    in_namespace = sum(key.split(".", 1)[0] in namespaces for key in keys)
    return in_namespace * 2 >= len(keys) and any(catalog.is_known(key) for key in keys)


def document_kind(path: str, root) -> str | None:
    """The kind of one parsed YAML document, or None when it is not a Flink configuration."""
    if not isinstance(root, MappingNode):
        return None
    if manifest_kind(root) is not None:
        return "kubernetes"
    if is_job_config(root):
        return "job-config"
    if is_flink_config(root) or kind_by_name(path) == "config-yaml":
        return "config-yaml"
    return None


def parse(text: str) -> tuple[list[Optional[Node]], Optional[YamlError]]:
    """The documents of `text` (none when it does not parse), and the YamlError if any."""
    try:
        return compose_documents(text), None
    except YamlError as error:
        return [], error
