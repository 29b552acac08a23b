"""YAML documents as plain Python values plus a position for every path.

pyyaml's composer gives nodes with start marks; we build the values ourselves so that a path
like ("job", "window", "size") maps back to line and column (1-based), duplicate keys are
reported instead of silently overwritten, and aliases cannot expand without bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Loader = yaml.SafeLoader

Path = tuple  # tuple of str keys and int indexes
MAX_NODES = 1_000_000  # alias-bomb guard: nodes visited while building values


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class YamlDocument:
    value: Any
    positions: dict = field(default_factory=dict)  # Path -> Position of the value
    key_positions: dict = field(default_factory=dict)  # Path -> Position of the mapping key
    duplicates: list = field(default_factory=list)  # (Path, first Position, duplicate Position)

    def position_of(self, path: Path) -> Position:
        """Position of the value at path, or of its nearest existing ancestor."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, Position(1, 1))

    def key_position_of(self, path: Path) -> Position:
        return self.key_positions.get(tuple(path)) or self.position_of(path)


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, position: Position):
        super().__init__(message)
        self.message = message
        self.position = position


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, document: YamlDocument):
        self.document = document
        self.visited = 0
        self.constructor = yaml.SafeLoader("")  # scalar resolution with safe types only

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlSyntaxError(f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)", _mark(node))
        self.document.positions.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlSyntaxError("merge keys (<<) are not supported here", _mark(key_node))
                key = self.build(key_node, path + ("<key>",))
                if isinstance(key, (dict, list)):
                    raise YamlSyntaxError("a mapping key must be a scalar", _mark(key_node))
                child = path + (key,)
                if key in result:
                    self.document.duplicates.append((child, self.document.key_positions[child], _mark(key_node)))
                    self.document.positions.pop(child, None)
                self.document.key_positions[child] = _mark(key_node)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            raise YamlSyntaxError(str(error.problem or error), _mark(node)) from None


def load_yaml_documents(text: str) -> list[YamlDocument]:
    """All documents of a YAML stream, with positions; raises YamlSyntaxError."""
    documents = []
    try:
        for root in yaml.compose_all(text, Loader=_Loader):
            document = YamlDocument(value=None)
            if root is not None:
                document.value = _Builder(document).build(root, ())
            documents.append(document)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = error.problem or error.context or "invalid YAML"
        raise YamlSyntaxError(problem, position) from None
    except yaml.YAMLError as error:  # e.g. reader errors on control characters
        raise YamlSyntaxError(str(error).splitlines()[0], Position(1, 1)) from None
    return documents
