"""The pack's own job configs (configs/*.yaml): a `job:` section and a `flink:` section.

flink_jobs reads these through this reader (flink_lint.api.check_job_config): values typed as
pyyaml (YAML 1.1) types them, each `flink:` leaf handed to Flink's Configuration as a string
(booleans as true/false, lists joined with `;`, nested mappings flattened with `.`), so a rule
judges exactly the string the job will set. The FlinkConfig (kind "job-config") carries in its
context: `job` (the job section as plain values, read over the job's shipped section when a
`base` is given: `over_base`), `document` (the whole file as plain values) and `positions`
(a JobConfigPositions that maps a JSON-Schema instance path to a Location).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flink_lint.documents.flink_yaml import Flattener
from flink_lint.documents.yaml_nodes import (
    CORE,
    MAX_DEPTH,
    PLAIN,
    Budget,
    YamlError,
    get,
    key_node,
    location,
    compose_documents,
    resolve_yaml11,
    to_python,
)
from flink_lint.model import FlinkConfig, ReadProblem, Location
from flink_lint.documents.read_problems import duplicate_key, yaml_syntax

SECTIONS = ("job", "flink")
REPLACED_WHOLE = ("source", "sink", "slow-operator", "failing-operator")  # a user's section replaces the base's


def over_base(job: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A user's `job:` section read over a base one (the job's shipped configs/<job>.yaml): mappings
    merge key by key, except the sections of REPLACED_WHOLE (a Kafka source inherits nothing of the
    generator's). The name is not inherited: a config without one is named after its job or file."""
    merged = {key: copy.deepcopy(value) for key, value in base.items() if key != "name"}
    for key, value in job.items():
        inherited = merged.get(key)
        if isinstance(inherited, dict) and isinstance(value, dict) and key not in REPLACED_WHOLE:
            merged[key] = {**inherited, **value}
        else:
            merged[key] = value
    return merged


# Values set with `--set KEY=VALUE` are nodes without a place in the file: their marks carry a line
# far past any file (OVERRIDE_LINE + the override's index), which flink_lint.api turns back into
# the `--set` text the user typed, so a finding about an override points at it.
OVERRIDE_LINE = 1_000_000_000


@dataclass(frozen=True)
class Override:
    """`KEY=VALUE` of `flink-jobs --set`: `job.window.size=5 s` sets ("job", "window", "size");
    `flink.parallelism.default=2` sets the Flink key `parallelism.default` of the `flink:` section."""

    text: str
    path: tuple[str, ...]
    value: str  # YAML text, typed as the file's values are (`4` an integer, `[a, b]` a list)

    @classmethod
    def parse(cls, text: str) -> Override:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError("expected KEY=VALUE, e.g. job.window.size=5s or flink.parallelism.default=4")
        section, _, rest = key.partition(".")
        if section not in SECTIONS or not rest:
            raise ValueError("KEY must start with `job.` or `flink.`")
        return cls(text, ("flink", rest) if section == "flink" else ("job", *rest.split(".")), value)


def _override_mark(index: int) -> yaml.Mark:
    return yaml.Mark("--set", 0, OVERRIDE_LINE + index, 0, None, None)  # type: ignore[arg-type]  # no buffer


def _override_node(override: Override, index: int) -> Node:
    """The value's node tree, every mark moved to the override's line; text that is not one YAML
    value is a string, as pyyaml would not read it either."""
    mark = _override_mark(index)
    try:
        roots = compose_documents(override.value) if override.value.strip() else []
    except YamlError:
        roots = [ScalarNode(CORE + "str", override.value)]
    node = roots[0] if len(roots) == 1 and roots[0] is not None else ScalarNode(CORE + "str", override.value)
    stack = [node]
    while stack:  # compose_documents bounds the depth; aliases may share nodes, hence `seen`
        current = stack.pop()
        current.start_mark = current.end_mark = mark
        if isinstance(current, MappingNode):
            stack += [part for pair in current.value for part in pair if part.start_mark is not mark]
        elif isinstance(current, SequenceNode):
            stack += [item for item in current.value if item.start_mark is not mark]
    return node


def apply_overrides(root: Node, overrides: Sequence[Override]) -> None:
    """Set each override's path in the document (creating mappings on the way), in order."""
    for index, override in enumerate(overrides):
        mark = _override_mark(index)
        node = root
        for depth, part in enumerate(override.path):
            if not isinstance(node, MappingNode):
                break  # the schema reports the non-mapping; the override has nowhere to go
            last = depth == len(override.path) - 1
            pairs = [pair for pair in node.value if isinstance(pair[0], ScalarNode) and pair[0].value == part]
            if last:
                value = _override_node(override, index)
                if pairs:
                    pairs[-1][0].start_mark = pairs[-1][0].end_mark = mark
                    node.value[node.value.index(pairs[-1])] = (pairs[-1][0], value)
                else:
                    node.value.append((ScalarNode(PLAIN, part, mark, mark), value))
            elif pairs and isinstance(pairs[-1][1], MappingNode):
                node = pairs[-1][1]
            else:
                child = MappingNode(CORE + "map", [], mark, mark)
                if pairs:
                    node.value[node.value.index(pairs[-1])] = (pairs[-1][0], child)
                else:
                    node.value.append((ScalarNode(PLAIN, part, mark, mark), child))
                node = child


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
    if node.value == part:
        return True
    return resolve_yaml11(node.value) == part if node.tag.endswith("plain") else False


def _job_value(flattener: Flattener):
    """The string flink-jobs passes to Configuration.set_string for a `flink:` leaf."""

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


def _duplicates(path: str, node: Node, depth: int = 0) -> list[ReadProblem]:
    """Keys written twice in one mapping of the `job:` section: pyyaml keeps the last one."""
    findings: list[ReadProblem] = []
    if isinstance(node, SequenceNode) and depth < MAX_DEPTH:
        for item in node.value:
            findings += _duplicates(path, item, depth + 1)
    if not isinstance(node, MappingNode) or depth >= MAX_DEPTH:
        return findings
    first: dict[str, Node] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value in first:
            findings.append(
                duplicate_key.finding(
                    f"duplicate key `{key.value}` (first at line {first[key.value].start_mark.line + 1}): "
                    "only the last value is used",
                    location(path, key),
                    "warning",
                    hint="remove one of the two",
                )
            )
        elif isinstance(key, ScalarNode):
            first[key.value] = key
        findings += _duplicates(path, value, depth + 1)
    return findings


def read_job_config(
    path: str, root: Node, base: Optional[dict[str, Any]] = None
) -> tuple[list[FlinkConfig], list[ReadProblem]]:
    """One job config document; `base`: the `job:` section it is read over (rules see the merge)."""
    findings: list[ReadProblem] = []
    budget = Budget()
    try:
        document = to_python(root, budget, yaml11=True)
    except YamlError as error:
        return [], [yaml_syntax.from_error(path, error)]
    job = document.get("job") if isinstance(document, dict) else None
    job = job if isinstance(job, dict) else {}
    job_node = get(root, "job")
    if job_node is not None:
        findings += _duplicates(path, job_node)
    config = FlinkConfig(
        path=path,
        kind="job-config",
        location=location(path, root),
        context={
            "job": over_base(job, base) if base is not None else job,
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
