"""YAML nodes with exact positions, typed as Flink 2.x reads them (YAML 1.2 core schema).

pyyaml's libyaml composer gives the node tree with start and end marks; pyyaml resolves plain
scalars with YAML 1.1 rules (`yes` -> true, `010` -> 8), so the loader below resolves nothing:
every untagged plain scalar gets the tag PLAIN and we type it here with the YAML 1.2 core schema
that snakeyaml-engine (Flink's reader) uses. `resolve_yaml11` gives pyyaml's typing instead, for
files that are read by pyyaml at run time (the pack's job configs).

Guards for hostile input: aliases are counted while walking (an alias bomb stops at MAX_NODES),
nesting deeper than MAX_DEPTH is refused before libyaml's recursive composer sees it, and tags
outside the core schema (`!!python/object`) are errors, never constructed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flink_lint.catalog.values import _java_to_string, resolve_core
from flink_lint.model import Location

PLAIN = "tag:flink-lint:plain"
CORE = "tag:yaml.org,2002:"
MAX_NODES = 100_000  # nodes visited per document (aliases expanded): far above any real config
MAX_DEPTH = 64  # nesting levels; Flink configs use < 10


class YamlError(ValueError):
    """A document Flink could not load: message and 1-based position."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class YamlLimitError(YamlError):
    """The document is too big or too deep to read at all: stop reading it."""


if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, unless pyyaml was built without it


class _PlainLoader(_Base):
    """Resolves every untagged plain scalar to PLAIN; quoted ones get !!str as usual."""

    yaml_implicit_resolvers = {None: [(PLAIN, re.compile(r"(?s).*"))]}


_YAML11 = yaml.SafeLoader("")  # pyyaml's YAML 1.1 resolver and constructor, for resolve_yaml11


def _too_deep(text: str) -> Optional[tuple[int, int]]:
    """Position of the first flow bracket nested deeper than MAX_DEPTH (libyaml's composer recurses)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            offset = match.start()
            line = text.count("\n", 0, offset) + 1
            return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
        depth = max(depth, 0)
    return None


_LINE_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """libyaml puts end-of-stream errors of a text without a final line break on the line after the
    last one: point at the end of the last line instead."""
    lines = _LINE_BREAKS.split(text)
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, column


def compose_documents(text: str) -> list[Optional[Node]]:
    """The root node of every document in `text` (None for an empty document); raises YamlError."""
    deep = _too_deep(text)
    if deep:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *deep)
    try:
        return list(yaml.compose_all(text, Loader=_PlainLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        if mark is None:
            raise YamlError(message) from None
        raise YamlError(message, *_within(text, mark.line + 1, mark.column + 1)) from None
    except yaml.YAMLError as error:  # reader errors (control characters) carry a position in text
        match = re.search(r"position (\d+)", str(error))
        line, column = 1, 1
        if match:
            offset = int(match.group(1))
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise YamlError(str(error).splitlines()[0].rstrip(":"), line, column) from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels") from None


def location(path: str, node: Node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def shift(loc: Location, line_offset: int, column_offset: int) -> Location:
    """A location inside embedded text moved to the enclosing file (column shift on every line)."""
    return Location(
        loc.path,
        loc.line + line_offset,
        loc.column + column_offset,
        None if loc.end_line is None else loc.end_line + line_offset,
        None if loc.end_column is None else loc.end_column + column_offset,
    )


# ---------------------------------------------------------------- scalar typing
def resolve_yaml11(text: str) -> Any:
    """A plain scalar as pyyaml (YAML 1.1) types it: yes -> True, 010 -> 8, 1e3 -> '1e3'."""
    tag = _YAML11.resolve(ScalarNode, text, (True, False))
    try:
        return _YAML11.construct_object(ScalarNode(tag, text), deep=True)
    except (yaml.YAMLError, ValueError):
        return text


def scalar_value(node: ScalarNode, yaml11: bool = False) -> Any:
    """The typed value of a scalar node; raises YamlError for tags outside the core schema."""
    tag = node.tag
    if tag == PLAIN:
        return resolve_yaml11(node.value) if yaml11 else resolve_core(node.value)
    if tag in (CORE + "str", "!"):
        return node.value
    if tag == CORE + "null":
        return None
    typed = {CORE + "bool": bool, CORE + "int": int, CORE + "float": float}.get(tag)
    if typed is not None:
        value = resolve_core(node.value)
        if isinstance(value, typed) and not (typed is int and isinstance(value, bool)):
            return value
        if typed is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        raise YamlError(
            f"'{node.value}' is not a valid {tag.rsplit(':', 1)[-1]}",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
    raise YamlError(
        f"unsupported tag {tag.replace(CORE, '!!')}: Flink's YAML reader refuses it",
        node.start_mark.line + 1,
        node.start_mark.column + 1,
    )


def check_collection_tag(node: Node) -> None:
    """Raise YamlError for a mapping or sequence with a tag outside the core schema (`!!python/tuple`)."""
    expected = CORE + ("map" if isinstance(node, MappingNode) else "seq")
    if node.tag not in (expected, "!"):
        raise YamlError(
            f"unsupported tag {node.tag.replace(CORE, '!!')}: Flink's YAML reader refuses it",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )


# ---------------------------------------------------------------- walking with guards
@dataclass
class Budget:
    """Nodes visited in one document, aliases counted every time they are reached."""

    visited: int = 0

    def visit(self, node: Node, depth: int) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlLimitError(
                f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        if depth > MAX_DEPTH:
            raise YamlLimitError(
                f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1, node.start_mark.column + 1
            )


def to_python(node: Node, budget: Budget, yaml11: bool = False, depth: int = 0) -> Any:
    """Plain Python value of a node (mappings as dicts, last duplicate wins)."""
    budget.visit(node, depth)
    if isinstance(node, (MappingNode, SequenceNode)):
        check_collection_tag(node)
    if isinstance(node, MappingNode):
        return {
            _key(key, budget, yaml11, depth): to_python(value, budget, yaml11, depth + 1) for key, value in node.value
        }
    if isinstance(node, SequenceNode):
        return [to_python(item, budget, yaml11, depth + 1) for item in node.value]
    assert isinstance(node, ScalarNode)
    return scalar_value(node, yaml11)


def _key(node: Node, budget: Budget, yaml11: bool, depth: int) -> Any:
    if not isinstance(node, ScalarNode):
        raise YamlError("a mapping key must be a scalar", node.start_mark.line + 1, node.start_mark.column + 1)
    budget.visit(node, depth)
    value = scalar_value(node, yaml11)
    return value


def key_text(node: Node) -> str:
    """A mapping key as Flink's flatten() writes it (String.valueOf of the loaded key)."""
    if not isinstance(node, ScalarNode):
        raise YamlError("a mapping key must be a scalar", node.start_mark.line + 1, node.start_mark.column + 1)
    value = scalar_value(node)
    if value is None:
        return "null"
    return _java_to_string(value)


def get(node: Optional[Node], *path: str) -> Optional[Node]:
    """The value node at a path of string keys through mappings, or None."""
    for part in path:
        if not isinstance(node, MappingNode):
            return None
        found = None
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                found = value
        node = found
    return node


def key_node(node: Optional[Node], name: str) -> Optional[Node]:
    if isinstance(node, MappingNode):
        for key, _ in reversed(node.value):
            if isinstance(key, ScalarNode) and key.value == name:
                return key
    return None
