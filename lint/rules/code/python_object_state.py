"""Python object state: a dict, list or set on the function instance, filled per record.

**What it does**
Reports instance attributes of Flink function classes that are containers (`{}`, `[]`, `set()`,
`dict()`, `defaultdict(...)`, `Counter()`, `deque()`, `OrderedDict()`, comprehensions), created
in `__init__`, `open` or the class body, and filled in a per-record method (`self.x[k] = v`,
`self.x[k] += 1`, `append`, `add`, `update`, `setdefault`, `extend`, `insert`) but never emptied
(`clear`, `pop`, `popitem`, `remove`, `discard`, `del self.x[k]`, or reassigned per record). The
finding is on the first mutation.

**Why is this bad**
Flink does not know about Python attributes: they are not checkpointed (lost on every failure
and rescale, so results silently change after a restart), not partitioned by key (one dict per
subtask mixes all its keys), and nothing ever removes entries, so the worker's memory grows until
it is killed.

**Example**
```python
class CountPerUser(MapFunction):
    def __init__(self):
        self.counts = {}

    def map(self, event):
        self.counts[event.user] = self.counts.get(event.user, 0) + 1
        return event.user, self.counts[event.user]
```

**Use instead**
```python
class CountPerUser(KeyedProcessFunction):   # after key_by(user)
    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, event, ctx):
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        yield event.user, count
```

**Fix**
None: move the data into keyed state (ValueState/MapState, with TTL) after a key_by.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL713"
NAME = "python-object-state"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

CONTAINERS = {"dict", "list", "set", "defaultdict", "Counter", "deque", "OrderedDict"}
GROWING = {"append", "add", "update", "setdefault", "extend", "insert", "appendleft", "extendleft"}
SHRINKING = {"clear", "pop", "popitem", "remove", "discard", "popleft"}
SETUP = {"__init__", "open", None}


def check(source, context: RuleContext) -> Iterator[Problem]:
    for info in _flink.flink_function_classes(source):
        containers = {
            attr
            for attr, values in info.attributes.items()
            if any(_is_container(source, value) and _method_name(method) in SETUP for value, method in values)
        }
        containers |= _class_body_containers(source, info)
        if not containers:
            continue
        per_record = {id(method) for method in _flink.per_record_methods(info)}
        grows: dict[str, ast.expr] = {}
        emptied: set[str] = set()
        for attr, values in info.attributes.items():
            if attr in containers and any(method is not None and id(method) in per_record for _, method in values):
                emptied.add(attr)  # reassigned per record: a reset
        for node, method in _nodes(info):
            attr, kind = _mutation(node)
            if attr not in containers:
                continue
            if kind == "shrink":
                emptied.add(attr)
            elif kind == "grow" and id(method) in per_record:
                grows.setdefault(attr, node)
        for attr, node in sorted(grows.items(), key=lambda item: (item[1].lineno, item[1].col_offset)):
            if attr in emptied:
                continue
            yield Problem(
                f"`self.{attr}` in `{info.node.name}` is a Python container filled "
                "per record: not checkpointed, not keyed, never emptied",
                source.location(node),
                hint="keep it in keyed state (ValueState/MapState with TTL) after a key_by",
            )


def _method_name(method):
    return getattr(method, "name", None)


def _is_container(source, value) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        name = (source.qualname(value.func) or "").rsplit(".", 1)[-1]
        return name in CONTAINERS
    return False


def _class_body_containers(source, info) -> set:
    found = set()
    for statement in info.node.body:
        if isinstance(statement, ast.Assign) and _is_container(source, statement.value):
            found |= {target.id for target in statement.targets if isinstance(target, ast.Name)}
    return found


def _nodes(info):
    for method in info.methods.values():
        for node in ast.walk(method):
            yield node, method


def _self_attr(node):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def _mutation(node):
    """(attr, "grow" | "shrink") when `node` changes `self.attr`, else (None, None)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr = _self_attr(node.func.value)
        if attr is not None:
            if node.func.attr in GROWING:
                return attr, "grow"
            if node.func.attr in SHRINKING:
                return attr, "shrink"
    elif isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and _self_attr(target.value) is not None:
                return _self_attr(target.value), "grow"
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _self_attr(target.value) is not None:
                return _self_attr(target.value), "shrink"
    return None, None
