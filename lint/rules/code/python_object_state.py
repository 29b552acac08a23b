"""Python object state: a dict, list or set on the function instance, filled per record.

**What it does**
Reports instance attributes of Flink function classes that are containers (`{}`, `[]`, `set()`,
`dict()`, `defaultdict(...)`, `Counter()`, `deque()`, `OrderedDict()`, comprehensions), created
in `__init__`, `open` or the class body, and filled in a per-record method (`self.x[k] = v`,
`self.x[k] += 1`, `append`, `add`, `update`, `setdefault`, `extend`, `insert`) but never emptied
(`clear`, `pop`, `popitem`, `remove`, `discard`, `del self.x[k]`, or reassigned per record). The
finding is on the first mutation.

Beyond containers:
- accumulators: numbers set up on the instance (`self.total = 0.0`) and added to per record
  (`self.total += value`) that end up in the output (returned or yielded), never reset per record;
  one finding per class, on the first accumulation. A counter used only for logging is fine;
- helper objects: an instance of a class of this file kept on the function (`self.tracker =
  SessionTracker()`) whose method fills a container of its own that nothing empties, called per
  record (`self.tracker.observe(key, event)`): the finding is on that call.

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
from typing import Any, Iterator

from flink_lint.documents.python_source import ClassInfo, PythonSource
from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL713"
NAME = "python-object-state"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

SETUP = _flink.SETUP


def check(source, context: RuleContext) -> Iterator[Problem]:
    for info in _flink.flink_function_classes(source):
        containers = {
            attr
            for attr, values in info.attributes.items()
            if any(
                _flink.is_container(source, value) and _flink.method_name(method) in SETUP for value, method in values
            )
        }
        containers |= _flink.class_body_containers(source, info)
        if not containers:
            continue
        per_record = {id(method) for method in _flink.per_record_methods(info)}
        grows: dict[str, ast.expr] = {}
        emptied: set[str] = set()
        for attr, values in info.attributes.items():
            if attr in containers and any(method is not None and id(method) in per_record for _, method in values):
                emptied.add(attr)  # reassigned per record: a reset
        for node, method in _flink.class_nodes(info):
            attr, kind = _flink.mutation(node)
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
    for info in _flink.flink_function_classes(source):
        yield from _accumulators(source, info)
        yield from _helper_objects(source, info)


def _accumulators(source, info) -> Iterator[Problem]:
    numbers = {
        attr
        for attr, values in info.attributes.items()
        if all(_number(value) or method is not None and method.name not in SETUP for value, method in values)
        and any(_number(value) and _flink.method_name(method) in SETUP for value, method in values)
    }
    numbers |= {
        target.id
        for statement in info.node.body
        if isinstance(statement, ast.Assign) and _number(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    if not numbers:
        return
    per_record = [method for method in _flink.per_record_methods(info)]
    reset = {
        attr
        for attr, values in info.attributes.items()
        for _, method in values
        if method is not None and method.name not in SETUP
    }
    added: dict[str, Any] = {}
    returned: set[str] = set()
    for method in per_record:
        for node in ast.walk(method):
            if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
                attr = _flink.self_attr(node.target)
                if attr in numbers and attr not in reset:
                    added.setdefault(attr, node)
            elif isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) and node.value is not None:
                returned |= {_flink.self_attr(inner) for inner in ast.walk(node.value)}
    found = sorted((node.lineno, node.col_offset, attr, node) for attr, node in added.items() if attr in returned)
    if found:
        names = ", ".join(f"`self.{attr}`" for _, _, attr, _ in found)
        yield Problem(
            f"{names} in `{info.node.name}` {'accumulate' if len(found) > 1 else 'accumulates'} per record "
            "on the function instance: not "
            "checkpointed (the totals restart from zero after a failure) and not keyed (one total per subtask)",
            source.location(found[0][3]),
            hint="key the stream and keep the running value in ValueState, or use reduce/aggregate",
        )


def _helper_objects(source, info) -> Iterator[Problem]:
    helpers = {}
    for attr, values in info.attributes.items():
        for value, method in values:
            if _flink.method_name(method) in SETUP and isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                helper = source.classes.get(value.func.id)
                if (
                    helper is not None
                    and helper is not info
                    and not (source.base_names(helper) & _flink.FUNCTION_BASES)
                ):
                    growing = _growing_methods(source, helper)
                    if growing:
                        helpers[attr] = (helper, growing)
    if not helpers:
        return
    per_record = {id(method) for method in _flink.per_record_methods(info)}
    for site in source.calls:
        func = site.call.func
        if site.cls is not info or site.method is None or id(site.method) not in per_record:
            continue
        if isinstance(func, ast.Attribute) and _flink.self_attr(func.value) in helpers:
            helper, growing = helpers[_flink.self_attr(func.value)]
            if func.attr in growing:
                yield Problem(
                    f"`self.{_flink.self_attr(func.value)}.{func.attr}(...)` in `{info.node.name}` fills "
                    f"`{helper.node.name}.{growing[func.attr]}` per record: Python object state, not "
                    "checkpointed, not keyed, never emptied",
                    source.method_location(site.call),
                    hint="keep the per-key data in keyed state (MapState/ValueState with TTL) after a key_by",
                )


def _growing_methods(source: PythonSource, helper: ClassInfo) -> dict[str, Any]:
    """Methods of a plain class that fill one of its own containers, which no method empties:
    {method name: attribute}."""
    containers = {
        attr
        for attr, values in helper.attributes.items()
        if any(_flink.is_container(source, value) and _flink.method_name(method) in SETUP for value, method in values)
    }
    grows: dict[str, Any] = {}
    emptied: set[str] = set()
    for node, method in _flink.class_nodes(helper):
        attr, kind = _flink.mutation(node)
        if attr in containers:
            if kind == "shrink":
                emptied.add(attr)
            elif kind == "grow" and method.name not in SETUP:
                grows.setdefault(method.name, attr)
    return {name: attr for name, attr in grows.items() if attr not in emptied}


def _number(value) -> bool:
    return (
        isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool)
    )
