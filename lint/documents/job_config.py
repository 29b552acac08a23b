"""The pack's own job configs (configs/*.yaml): a `job:` section and a `flink:` section.

flink_jobs reads these with pyyaml (YAML 1.1) and hands each `flink:` leaf to Flink's Configuration
as a string (`flink_jobs.config.flink_entries`: booleans as true/false, lists joined with `;`,
nested mappings flattened with `.`); we type the values the same way, so a rule judges exactly
the string the job will set. The FlinkConfig (kind "job-config") carries in its context:
`job` (the job section as plain values), `document` (the whole file as plain values) and
`positions` (a JobConfigPositions that maps a JSON-Schema instance path to a Location).
"""

from __future__ import annotations

from typing import Any, Optional

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flink_lint.documents.flink_yaml import Flattener
from flink_lint.documents.yaml_nodes import Budget, YamlError, get, key_node, location, to_python
from flink_lint.model import Finding, FlinkConfig, Location
from flink_lint.rules.config import yaml_syntax

SECTIONS = ("job", "flink")


def is_job_config(root: Node) -> bool:
    if not isinstance(root, MappingNode):
        return False
    keys = [k.value for k, _ in root.value if isinstance(k, ScalarNode)]
    return "job" in keys and set(keys) <= set(SECTIONS) and isinstance(get(root, "job"), MappingNode)


class JobConfigPositions:
    """Locations of JSON-Schema instance paths (tuples of keys and indexes) in the file."""

    def __init__(self, path: str, root: Node):
        self.path = path
        self.root = root

    def node(self, instance_path, key: bool = False) -> Node:
        """The node at `instance_path` (its key node when `key`), or the nearest existing ancestor."""
        node, last = self.root, None
        for part in instance_path:
            child = None
            if isinstance(node, MappingNode):
                for key_n, value_n in node.value:
                    if isinstance(key_n, ScalarNode) and _same_key(key_n, part):
                        child, last = value_n, key_n
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child, last = node.value[part], None
            if child is None:
                return node
            node = child
        return last if key and last is not None else node

    def location(self, instance_path, key: bool = False) -> Location:
        return location(self.path, self.node(instance_path, key))


def _same_key(node: ScalarNode, part: Any) -> bool:
    from flink_lint.documents.yaml_nodes import resolve_yaml11

    if node.value == part:
        return True
    return resolve_yaml11(node.value) == part if node.tag.endswith("plain") else False


def _job_value(flattener: Flattener):
    """flink_jobs.config.flink_entries: the string the job passes to Configuration.set_string."""

    def load(node: Node):
        value = to_python(node, flattener.budget, yaml11=True)
        if value is None:
            return None, None
        if isinstance(value, bool):
            return value, "true" if value else "false"
        if isinstance(value, list):
            return value, ";".join(str(item) for item in value)
        return value, str(value)

    return load


def read_job_config(path: str, root: Node) -> tuple[list[FlinkConfig], list[Finding]]:
    findings: list[Finding] = []
    budget = Budget()
    try:
        document = to_python(root, budget, yaml11=True)
    except YamlError as error:
        return [], [yaml_syntax.from_error(path, error)]
    job = document.get("job") if isinstance(document, dict) else None
    config = FlinkConfig(
        path=path,
        kind="job-config",
        location=location(path, root),
        context={
            "job": job if isinstance(job, dict) else {},
            "document": document,
            "positions": JobConfigPositions(path, root),
        },
    )
    flink = get(root, "flink")
    if isinstance(flink, MappingNode):
        flattener = Flattener(path, refuse_duplicates=False, null_message=None)
        flattener.loader = _job_value(flattener)
        try:
            flattener.flatten(flink)
        except YamlError as error:
            findings.append(yaml_syntax.from_error(path, error))
        config.settings = flattener.settings
        findings.extend(flattener.findings)
        start: Optional[Node] = key_node(root, "flink")
        config.location = location(path, start) if start is not None else config.location
    return [config], findings
