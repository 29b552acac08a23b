"""Kubernetes manifests that carry a Flink configuration.

- FlinkDeployment / FlinkSessionJob (Flink Kubernetes operator): `spec.flinkConfiguration` (flat
  keys, or structured YAML since operator 1.13, flattened like config.yaml), and the facts rules
  need around it in `FlinkConfig.context`, each as (value, Location): `flinkVersion`,
  `job.parallelism`, `job.upgradeMode`, `job.state`, `taskManager.replicas`,
  `taskManager.resource.memory`, `taskManager.resource.cpu`, `jobManager.replicas`,
  `jobManager.resource.memory`, `jobManager.resource.cpu`; plus `deployment`
  ("application" | "session" | "session-job") and `name` as plain strings; `manifest`, the whole
  document as plain values (YAML 1.2 typed), and `manifest_positions`, which maps a path in it to a
  Location (for the CRD schema and the deployment rules, FL8xx).
- ConfigMaps whose `data` embeds `flink-conf.yaml` or `config.yaml`: the embedded text is read
  with the matching reader and every location is moved into the manifest (for a literal block
  scalar `|` line and column are exact; other scalar styles point at the start of the value).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, Callable, Optional

from yaml.nodes import MappingNode, Node, ScalarNode

from flink_lint.documents.flink_conf import read_flink_conf
from flink_lint.documents.flink_yaml import Flattener, read_config_yaml
from flink_lint.documents.job_config import JobConfigPositions
from flink_lint.documents.yaml_nodes import Budget, YamlError, get, key_node, location, shift, to_python
from flink_lint.model import FlinkConfig, ReadProblem, Location
from flink_lint.documents.read_problems import yaml_syntax

OPERATOR_KINDS = {"FlinkDeployment": "flink-deployment", "FlinkSessionJob": "flink-session-job"}
EMBEDDED = {"flink-conf.yaml": "flink-conf", "config.yaml": "config-yaml"}
_CONTEXT_PATHS = [
    ("flinkVersion", ("flinkVersion",)),
    ("job.parallelism", ("job", "parallelism")),
    ("job.upgradeMode", ("job", "upgradeMode")),
    ("job.state", ("job", "state")),
    ("job.savepointTriggerNonce", ("job", "savepointTriggerNonce")),
    ("taskManager.replicas", ("taskManager", "replicas")),
    ("taskManager.resource.memory", ("taskManager", "resource", "memory")),
    ("taskManager.resource.cpu", ("taskManager", "resource", "cpu")),
    ("jobManager.replicas", ("jobManager", "replicas")),
    ("jobManager.resource.memory", ("jobManager", "resource", "memory")),
    ("jobManager.resource.cpu", ("jobManager", "resource", "cpu")),
]


def _scalar(node: Optional[Node]) -> Optional[str]:
    return node.value if isinstance(node, ScalarNode) else None


def manifest_kind(root: Node) -> Optional[str]:
    """ "flink-deployment", "flink-session-job", "configmap" (with embedded Flink config) or None."""
    kind = _scalar(get(root, "kind"))
    api = _scalar(get(root, "apiVersion")) or ""
    if kind in OPERATOR_KINDS and api.startswith("flink.apache.org/"):
        return OPERATOR_KINDS[kind]
    if kind == "ConfigMap" and api in ("v1", "") and any(get(root, "data", name) is not None for name in EMBEDDED):
        return "configmap"
    return None


def read_manifest(path: str, root: MappingNode, text: str) -> tuple[list[FlinkConfig], list[ReadProblem]]:
    kind = manifest_kind(root)
    if kind == "configmap":
        return _read_configmap(path, root, text)
    if kind is None:
        return [], []
    spec = get(root, "spec")
    context: dict[str, Any] = {
        "name": _scalar(get(root, "metadata", "name")) or "",
        "kubernetes.kind": _scalar(get(root, "kind")),
    }
    if kind == "flink-session-job":
        context["deployment"] = "session-job"
    else:
        context["deployment"] = "application" if get(spec, "job") is not None else "session"
    budget = Budget()
    findings: list[ReadProblem] = []
    try:
        context["manifest"] = to_python(root, Budget())
        context["manifest_positions"] = JobConfigPositions(path, root)
    except YamlError:
        pass  # reported below where it matters (spec values), or by the YAML reader
    if spec is not None and not isinstance(spec, MappingNode) and not _null(spec):
        findings.append(
            yaml_syntax.finding(f"spec of a {context['kubernetes.kind']} must be a mapping", location(path, spec))
        )
    for name, parts in _CONTEXT_PATHS:
        node = get(spec, *parts)
        if node is not None:
            try:
                context[name] = (to_python(node, budget), location(path, node))
            except YamlError as error:
                findings.append(yaml_syntax.from_error(path, error))
    configuration = get(spec, "flinkConfiguration")
    start = key_node(spec, "flinkConfiguration")
    config = FlinkConfig(
        path=path, kind=kind, context=context, location=location(path, start if start is not None else root)
    )
    if isinstance(configuration, MappingNode):
        flattener = Flattener(
            path,
            null_message="`{key}` has no value: the operator needs a string for every key",
            duplicate_consequence="kubectl refuses a manifest with a duplicate key",
        )
        try:
            flattener.flatten(configuration)
        except YamlError as error:
            findings.append(yaml_syntax.from_error(path, error))
        config.settings = flattener.settings
        findings.extend(flattener.findings)
    elif configuration is not None and not _null(configuration):
        findings.append(
            yaml_syntax.finding(
                "spec.flinkConfiguration must be a mapping of Flink keys to values", location(path, configuration)
            )
        )
    return [config], findings


def link_session_jobs(configs: list[FlinkConfig]) -> None:
    """A FlinkSessionJob runs with its session cluster's flinkConfiguration under its own (the
    operator validates it against the merged map, validateSessionJobWithCluster): when that session
    FlinkDeployment (`spec.deploymentName`) is among `configs` (the same file), its settings go
    into the job's context as "session_cluster_settings"."""
    clusters = {
        config.context.get("name"): config
        for config in configs
        if config.kind == "flink-deployment" and config.context.get("deployment") == "session"
    }
    for config in configs:
        if config.kind != "flink-session-job":
            continue
        manifest = config.context.get("manifest")
        spec = manifest.get("spec") if isinstance(manifest, dict) else None
        name = spec.get("deploymentName") if isinstance(spec, dict) else None
        cluster = clusters.get(name) if isinstance(name, str) else None
        if cluster is not None:
            config.context["session_cluster_settings"] = list(cluster.settings)


def catalog_version(flink_version: object, default: str) -> str:
    """The option catalog for a manifest's `spec.flinkVersion`: v1_x -> 1.20 (the oldest catalog we
    ship), v2_x -> 2.3; anything else (missing, templated, not a version): `default`."""
    match = re.fullmatch(r"v(\d+)_(\d+)", flink_version) if isinstance(flink_version, str) else None
    if match is None:
        return default
    return "1.20" if int(match.group(1)) == 1 else "2.3"


def _null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(("plain", "null")) and node.value in ("", "~", "null")


def _embedded_offsets(text: str, node: ScalarNode) -> Optional[tuple[int, int]]:
    """(line offset, column offset) from the embedded text to the file, for a literal block scalar."""
    if node.style != "|":
        return None
    lines = text.splitlines()
    header_line = node.start_mark.line
    header = lines[header_line][node.start_mark.column :] if header_line < len(lines) else ""
    explicit = re.match(r"\|[+-]?([1-9])|\|([1-9])[+-]?", header)
    if explicit:
        parent_indent = len(lines[header_line]) - len(lines[header_line].lstrip(" "))
        return header_line + 1, parent_indent + int(explicit.group(1) or explicit.group(2))
    for line in lines[header_line + 1 :]:
        if line.strip():
            return header_line + 1, len(line) - len(line.lstrip(" "))
    return header_line + 1, 0


def _at(where: Location, _inner: Location) -> Location:
    """Any location inside text that cannot be mapped back: the start of the embedded value."""
    return where


def _moved(item, move):
    if isinstance(item, ReadProblem):
        item.location = move(item.location)
        return item
    return dataclasses.replace(
        item,
        key_location=move(item.key_location),
        value_location=move(item.value_location),
        duplicate_of=move(item.duplicate_of) if item.duplicate_of else None,
    )


def _read_configmap(path: str, root: MappingNode, text: str) -> tuple[list[FlinkConfig], list[ReadProblem]]:
    configs, findings = [], []
    for name, kind in EMBEDDED.items():
        node = get(root, "data", name)
        if node is not None and not isinstance(node, ScalarNode):
            findings.append(
                yaml_syntax.finding(
                    f"data.{name} must be a string (the file's text): kubectl refuses "
                    "a ConfigMap whose data holds a mapping or list",
                    location(path, node),
                )
            )
        if not isinstance(node, ScalarNode):
            continue
        offsets = _embedded_offsets(text, node) if text else None
        start = location(path, node)
        move: Callable[[Location], Location]
        if offsets:
            move = functools.partial(shift, line_offset=offsets[0], column_offset=offsets[1])
        else:
            move = functools.partial(_at, Location(path, start.line, start.column))
        reader = read_flink_conf if kind == "flink-conf" else read_config_yaml
        inner_configs, inner_findings = reader(path, node.value)
        for config in inner_configs:
            config.kind = "configmap"
            config.settings = [_moved(setting, move) for setting in config.settings]
            data_key = key_node(get(root, "data"), name)
            config.location = location(path, data_key) if data_key is not None else start
            config.context = {
                "name": _scalar(get(root, "metadata", "name")) or "",
                "embedded": name,
                "embedded_kind": kind,
            }
            configs.append(config)
        findings.extend(_moved(finding, move) for finding in inner_findings)
    return configs, findings
