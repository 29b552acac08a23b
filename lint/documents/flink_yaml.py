"""Flink 2.x `config.yaml`, read as Flink's GlobalConfiguration reads it.

YAML 1.2 (snakeyaml-engine): `010` is 10, `0x10` is 16, `1e3` is 1000.0, `yes` and `on` stay
strings. Nested mappings are flattened with `.` and may mix with dotted keys; every leaf becomes
Flink's string form of the loaded value (`1000.0`, `true`, `[a, b]`). A duplicate key inside one
mapping makes Flink refuse the file; the same key nested and dotted is accepted, the last one wins.
A null value (`key:`, `~`, `null`) makes Flink refuse the file.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flink_lint.catalog.values import _java_to_string, _YamlMapping
from flink_lint.documents.yaml_nodes import (
    Budget,
    check_collection_tag,
    YamlError,
    YamlLimitError,
    compose_documents,
    key_text,
    location,
    scalar_value,
)
from flink_lint.model import FlinkConfig, ReadProblem, Location, Setting
from flink_lint.documents.read_problems import duplicate_key, yaml_syntax


def flink_string(value: Any) -> str:
    """ConfigurationUtils.convertToString of a YAML-loaded value (lists in YAML flow style)."""
    return _java_to_string(value)


def flink_object(node: Node, budget: Budget, depth: int = 0) -> Any:
    """A value node as snakeyaml-engine loads it, in the shapes flink_lint.catalog.values formats."""
    budget.visit(node, depth)
    if isinstance(node, (MappingNode, SequenceNode)):
        check_collection_tag(node)
    if isinstance(node, MappingNode):
        return _YamlMapping(
            (flink_object(k, budget, depth + 1), flink_object(v, budget, depth + 1)) for k, v in node.value
        )
    if isinstance(node, SequenceNode):
        return [flink_object(item, budget, depth + 1) for item in node.value]
    assert isinstance(node, ScalarNode)
    return scalar_value(node)


Loader = Callable[[Node], tuple[Any, Optional[str]]]  # a value node -> (raw value, Flink's string; None: null)


class Flattener:
    """Turns a mapping node into Settings; collects reader findings (nulls, duplicates, bad tags).

    refuse_duplicates: a duplicate inside one mapping is an error (Flink refuses the file) rather
    than a warning. loader(node) -> (raw value, Flink string) or raise YamlError.
    """

    def __init__(
        self,
        path: str,
        *,
        loader: Optional[Loader] = None,
        refuse_duplicates: bool = True,
        null_message: Optional[str] = '`{key}` has no value: Flink refuses a null value ("Value must not be null")',
        duplicate_consequence: str = "Flink refuses a config.yaml with a duplicate key",
    ):
        self.path = path
        self.loader = loader or self._flink_value
        self.refuse_duplicates = refuse_duplicates
        self.null_message = null_message
        self.duplicate_consequence = duplicate_consequence
        self.budget = Budget()
        self.settings: list[Setting] = []
        self.findings: list[ReadProblem] = []
        self._first: dict[str, Location] = {}

    def _flink_value(self, node: Node):
        raw = flink_object(node, self.budget)
        if raw is None:
            return None, None
        return raw, flink_string(raw)

    def flatten(self, node: MappingNode, prefix: str = "", depth: int = 0, reported: bool = False) -> None:
        """reported: an enclosing key was already reported as a duplicate (no second finding below it)."""
        seen_here: dict[str, Location] = {}
        for key_node, value_node in node.value:
            try:
                self.budget.visit(key_node, depth)
                key = prefix + key_text(key_node)
                if isinstance(value_node, MappingNode):
                    check_collection_tag(value_node)
            except YamlLimitError:
                raise
            except YamlError as error:
                self.findings.append(yaml_syntax.from_error(self.path, error))
                continue
            key_loc = location(self.path, key_node)
            duplicate_here = key in seen_here
            if duplicate_here and not reported:
                severity = "error" if self.refuse_duplicates else "warning"
                consequence = self.duplicate_consequence if self.refuse_duplicates else "only the last value is used"
                self.findings.append(
                    duplicate_key.finding(
                        f"duplicate key `{key}` (first at line {seen_here[key].line}): {consequence}",
                        key_loc,
                        severity,
                        hint="remove one of the two",
                    )
                )
            seen_here.setdefault(key, key_loc)
            if isinstance(value_node, MappingNode):
                self.flatten(value_node, key + ".", depth + 1, reported or duplicate_here)
                continue
            try:
                raw, text = self.loader(value_node)
            except YamlLimitError:
                raise
            except YamlError as error:
                self.findings.append(yaml_syntax.from_error(self.path, error))
                continue
            if text is None:
                if self.null_message:
                    self.findings.append(
                        yaml_syntax.finding(
                            self.null_message.format(key=key), key_loc, hint="give it a value or delete the line"
                        )
                    )
                continue
            first = self._first.get(key)
            if first is not None and not duplicate_here and not reported:
                self.findings.append(
                    duplicate_key.finding(
                        f"`{key}` is set again (first at line {first.line}, written differently): "
                        "Flink uses this last value",
                        key_loc,
                        "warning",
                        hint="keep one of the two settings",
                    )
                )
            self.settings.append(
                Setting(
                    key=key,
                    value=text,
                    key_location=key_loc,
                    value_location=location(self.path, value_node),
                    raw=raw,
                    duplicate_of=first,
                )
            )
            self._first.setdefault(key, key_loc)


def read_root(path: str, root: Node, kind: str = "config-yaml") -> tuple[list[FlinkConfig], list[ReadProblem]]:
    """One parsed config.yaml document."""
    if not isinstance(root, MappingNode):
        return [], [yaml_syntax.finding("config.yaml must be a mapping of option keys to values", location(path, root))]
    flattener = Flattener(path)
    try:
        flattener.flatten(root)
    except YamlError as error:
        return [], [yaml_syntax.from_error(path, error)]
    config = FlinkConfig(path=path, kind=kind, settings=flattener.settings, location=location(path, root))
    return [config], flattener.findings


def read_config_yaml(path: str, text: str, kind: str = "config-yaml") -> tuple[list[FlinkConfig], list[ReadProblem]]:
    """A whole config.yaml text (also one embedded in a ConfigMap)."""
    try:
        documents = [d for d in compose_documents(text) if d is not None]
    except YamlError as error:
        return [], [yaml_syntax.from_error(path, error)]
    if not documents:
        return [FlinkConfig(path=path, kind=kind, location=Location(path, 1, 1))], []
    configs, findings = read_root(path, documents[0], kind)
    if len(documents) > 1:
        findings.append(
            yaml_syntax.finding(
                "more than one YAML document: Flink reads config.yaml as a single document",
                location(path, documents[1]),
            )
        )
    return configs, findings
