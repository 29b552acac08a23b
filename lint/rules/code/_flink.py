"""What the code rules know about PyFlink's API: function classes, operators, sources, batch mode.

Shared by the rule modules of lint/rules/code/ (not a rule itself: no CODE).
"""

from __future__ import annotations

import ast
from typing import Any, Iterator, Optional

from flink_lint.documents.python_source import LIFECYCLE, CallSite, Chain, ClassInfo, Function, PythonSource

# User functions that Flink calls once per record (DataStream and Table API).
FUNCTION_BASES = {
    "MapFunction",
    "FlatMapFunction",
    "FilterFunction",
    "ReduceFunction",
    "AggregateFunction",
    "ProcessFunction",
    "KeyedProcessFunction",
    "CoMapFunction",
    "CoFlatMapFunction",
    "CoProcessFunction",
    "KeyedCoProcessFunction",
    "ProcessWindowFunction",
    "ProcessAllWindowFunction",
    "WindowFunction",
    "AllWindowFunction",
    "KeySelector",
    "BroadcastProcessFunction",
    "KeyedBroadcastProcessFunction",
    "AsyncFunction",
    "TimestampAssigner",
    "Partitioner",
    "ScalarFunction",
    "TableFunction",
    "TableAggregateFunction",
    "SinkFunction",
}
# Operators that take a user function (the lambda or def passed to them runs per record).
OPERATORS = {
    "map",
    "flat_map",
    "filter",
    "key_by",
    "process",
    "reduce",
    "aggregate",
    "apply",
    "partition_custom",
    "with_timestamp_assigner",
    "unordered_wait",
    "ordered_wait",
    "unordered_wait_with_retry",
    "ordered_wait_with_retry",
}
UDF_FACTORIES = {"udf", "udtf", "udaf", "udtaf"}
WINDOW_CONFIG = {"trigger", "evictor", "allowed_lateness", "side_output_late_data"}
WINDOWS = {"window", "window_all", "count_window"}
STATE_GETTERS = {
    "get_state": "value",
    "get_list_state": "list",
    "get_map_state": "map",
    "get_reducing_state": "reducing",
    "get_aggregating_state": "aggregating",
}
DESCRIPTORS = {
    "ValueStateDescriptor",
    "ListStateDescriptor",
    "MapStateDescriptor",
    "ReducingStateDescriptor",
    "AggregatingStateDescriptor",
}
TABLE_SOURCES = {
    "from_path",
    "sql_query",
    "from_elements",
    "from_data_stream",
    "from_table_source",
    "from_descriptor",
    "scan",
    "from_changelog_stream",
    "from_pandas",
}


def method_calls(source: PythonSource, *methods: str) -> Iterator[CallSite]:
    """Call sites of `x.method(...)` for the given method names."""
    if len(methods) == 1:
        sites = source.calls_by_name.get(methods[0], [])
    else:
        sites = sorted(
            (site for method in set(methods) for site in source.calls_by_name.get(method, [])),
            key=lambda site: (site.call.lineno, site.call.col_offset),
        )
    for site in sites:
        if isinstance(site.call.func, ast.Attribute):
            yield site


def receiver_chain(source: PythonSource, site: CallSite) -> Chain:
    """The chain that the method of `site` is called on (`a.b().c()` -> chain of `a.b()`)."""
    return source.chain(site.receiver, site)


def before_window_config(chain: Chain) -> Optional[str]:
    """The last method of a chain, skipping trigger/evictor/lateness settings of a window."""
    for step in reversed(chain.steps):
        if step.method not in WINDOW_CONFIG:
            return step.method
    return None


def flink_function_classes(source: PythonSource) -> Iterator[ClassInfo]:
    for info in source.classes.values():
        if source.base_names(info) & FUNCTION_BASES:
            yield info


def per_record_methods(info: ClassInfo) -> list[Function]:
    return [
        method
        for name, method in info.methods.items()
        if name not in LIFECYCLE and not (name.startswith("__") and name.endswith("__"))
    ]


def operator_functions(source: PythonSource) -> list[Function | ast.Lambda]:
    """Lambdas and functions handed to operators or wrapped as UDFs: their bodies run per record."""
    found: list[Function | ast.Lambda] = []
    seen: set[int] = set()

    def add(node):
        if node is not None and id(node) not in seen:
            seen.add(id(node))
            found.append(node)

    for site in source.calls:
        func = site.call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if (
            name in OPERATORS and isinstance(func, ast.Attribute) and not foreign_receiver(source, site)
        ) or name in UDF_FACTORIES:
            for arg in list(site.call.args) + [keyword.value for keyword in site.call.keywords]:
                if isinstance(arg, ast.Lambda):
                    add(arg)
                elif isinstance(arg, ast.Name):
                    add(source.functions.get(arg.id))
    for function in source.functions.values():
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = source.qualname(target) or ""
            if name.rsplit(".", 1)[-1] in UDF_FACTORIES:
                add(function)
    return found


def foreign_receiver(source: PythonSource, site: CallSite) -> bool:
    """`x.method(...)` where x is an object of a non-Flink library (a pandas frame, an executor)."""
    name = source.qualname(site.receiver, site) or ""
    for imported in source.imports.values():
        if not imported.startswith("pyflink") and (
            name == imported or name.startswith(imported + ".") or name.startswith(imported + "(")
        ):
            return True
    return False


def is_batch_file(source: PythonSource) -> bool:
    """The DataStream job runs in BATCH mode (`set_runtime_mode(RuntimeExecutionMode.BATCH)`)."""
    cached = getattr(source, "_batch", None)
    if cached is None:
        cached = source._batch = any(
            (source.qualname(arg, site) or "").endswith("BATCH")
            for site in method_calls(source, "set_runtime_mode")
            for arg in site.call.args
        )
    return cached


ENVIRONMENT_CREATORS = {"get_execution_environment", "create"}
ENVIRONMENTS = {"StreamExecutionEnvironment", "StreamTableEnvironment", "TableEnvironment"}


def created_environments(source: PythonSource) -> list[CallSite]:
    """Call sites where the file creates its own environment (`StreamExecutionEnvironment.
    get_execution_environment(...)`, `StreamTableEnvironment.create(...)`, `TableEnvironment.create(...)`)."""
    created = []
    for site in source.calls:
        func = site.call.func
        if isinstance(func, ast.Attribute) and func.attr in ENVIRONMENT_CREATORS:
            name = source.qualname(func, site) or ""
            parts = name.split(".")
            if len(parts) >= 2 and parts[-2] in ENVIRONMENTS and source.is_flink(name):
                created.append(site)
    return created


def checkpointing_enabled(source: PythonSource) -> bool:
    """`enable_checkpointing(...)` is called, or the file mentions `execution.checkpointing.interval`."""
    if any(True for _ in method_calls(source, "enable_checkpointing")):
        return True
    return any("checkpointing.interval" in constant for constant in source.constants)


def table_env_is_batch(source: PythonSource, node: ast.AST, site: CallSite) -> bool:
    """`node` is (or comes from) a TableEnvironment created with batch settings."""
    chain = source.chain(node, site)
    for step in chain.steps:
        if step.method == "in_batch_mode":
            return True
        if step.method == "create":
            for arg in list(step.call.args) + [keyword.value for keyword in step.call.keywords]:
                if source.chain(arg, site).has("in_batch_mode"):
                    return True
    return is_batch_file(source)


def first_arg(call: ast.Call, keyword: Optional[str] = None) -> Optional[ast.AST]:
    if call.args:
        return call.args[0]
    for item in call.keywords:
        if keyword is None or item.arg == keyword:
            return item.value
    return None


def short(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1].removesuffix("()")


class StateHandle:
    """Keyed state obtained in a function class: `self.attr = ctx.get_list_state(descriptor)`."""

    def __init__(self, source: PythonSource, info: ClassInfo, getter: CallSite):
        self.info, self.getter = info, getter
        self.kind = STATE_GETTERS[getter.method_name]
        self.attr = next(
            (attr for attr, values in info.attributes.items() if any(value is getter.call for value, _ in values)), None
        )
        argument = first_arg(getter.call, "state_descriptor")
        self.descriptor = None
        if argument is not None:
            value, _ = source.resolve(argument, getter)
            if isinstance(value, ast.Call) and short(source.qualname(value.func, getter)) in DESCRIPTORS:
                self.descriptor = value
        self.local = None  # `state = ctx.global_state().get_state(d)`: a handle kept in a local variable
        if self.attr is None and getter.method is not None:
            for node in ast.walk(getter.method):
                if isinstance(node, ast.Assign) and node.value is getter.call:
                    names = [target.id for target in node.targets if isinstance(target, ast.Name)]
                    self.local = names[0] if names else None
        self.uses: dict[str, list[CallSite]] = {}  # method called on the handle -> its call sites
        if self.attr is not None or self.local is not None:
            for site in source.calls:
                func = site.call.func
                if site.cls is not info or not isinstance(func, ast.Attribute):
                    continue
                handle = func.value
                if (
                    self.attr is not None
                    and isinstance(handle, ast.Attribute)
                    and handle.attr == self.attr
                    and isinstance(handle.value, ast.Name)
                    and handle.value.id == "self"
                ) or (
                    self.local is not None
                    and site.method is getter.method
                    and isinstance(handle, ast.Name)
                    and handle.id == self.local
                ):
                    self.uses.setdefault(func.attr, []).append(site)
        self.ttl = False
        for site in method_calls(source, "enable_time_to_live"):
            value, _ = source.resolve(site.receiver, site)
            if value is getter.call or (self.descriptor is not None and value is self.descriptor):
                self.ttl = True  # on the descriptor, or (a mistake, but the intent is plain) on the state

    def used(self, *methods: str) -> bool:
        return any(method in self.uses for method in methods)

    def used_in(self, method_name: str, *methods: str) -> bool:
        """`self.x.<method>()` is called inside the class method `method_name`."""
        return any(
            site.method is not None and site.method.name == method_name
            for method in methods
            for site in self.uses.get(method, [])
        )

    @property
    def name(self) -> str:
        return f"self.{self.attr}" if self.attr is not None else str(self.local)


def state_handles(source: PythonSource) -> list[StateHandle]:
    handles = []
    for site in method_calls(source, *STATE_GETTERS):
        if site.cls is None or receiver_chain(source, site).has("window_state"):
            continue
        handles.append(StateHandle(source, site.cls, site))
    return handles


def grows_without_bound(handle: StateHandle) -> bool:
    """A list/map state that receives elements and is never cleared, pruned or given a TTL."""
    return (
        handle.kind in ("list", "map")
        and handle.used("add", "add_all", "put", "put_all")
        and not handle.ttl
        and not handle.used("clear", "remove", "update")
    )


TIMER_REGISTRATIONS = ("register_event_time_timer", "register_processing_time_timer")


def cleared_only_sometimes(source: PythonSource, handle: StateHandle) -> Optional[str]:
    """Why a list/map state that receives elements and is cleared somewhere still keeps them for
    some keys: its clear runs only under a condition, or only in a timer nothing registers. None
    when it is bounded (pruned, TTL, cleared unconditionally or by a registered timer)."""
    if (
        handle.kind not in ("list", "map")
        or handle.ttl
        or not handle.used("add", "add_all", "put", "put_all")
        or not handle.used("clear")
        or handle.used("remove", "update")
    ):
        return None
    registrations = [site for site in method_calls(source, *TIMER_REGISTRATIONS) if site.cls is handle.info]
    if handle.used_in("on_timer", "clear"):
        if not registrations:
            return "in on_timer, but no timer is ever registered"
        if all(_registered_for_some_records(site) for site in registrations):
            return "in on_timer, and its timer is registered only for some records"
        return None
    for site in handle.uses["clear"]:
        if site.method is not None and _unconditional(site.method, site.call):
            return None
    return "only under a condition (a threshold), and no timer clears it"


def _registered_for_some_records(site: CallSite) -> bool:
    """The timer registration runs only under a test of the record alone (`if value.kind == "end"`),
    so keys whose records never pass it are never cleared. A test that reads anything else (state,
    the context, a local: a first-element check) is taken as bounding the state."""
    method = site.method
    if method is None or not method.name.startswith("process_element") or len(method.args.args) < 2:
        return False
    record = method.args.args[1].arg
    local = {node.id for node in ast.walk(method) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    tests = _enclosing_tests(method.body, site.call)
    if not tests:
        return False
    for test in tests:
        names = {node.id for node in ast.walk(test) if isinstance(node, ast.Name)}
        if record not in names or names & (
            local | {"self", *(arg.arg for arg in method.args.args if arg.arg != record)}
        ):
            return False
    return True


def _enclosing_tests(body: list[ast.stmt], call: ast.Call) -> Optional[list[ast.expr]]:
    """The if/while tests (and loop iterables) that guard `call` in `body`; None when it is not there."""
    for statement in body:
        if isinstance(statement, (ast.If, ast.While, ast.For, ast.AsyncFor)):
            guard = statement.iter if isinstance(statement, (ast.For, ast.AsyncFor)) else statement.test
            for branch in (statement.body, statement.orelse):
                found = _enclosing_tests(branch, call)
                if found is not None:
                    return [guard, *found]
        elif isinstance(statement, (ast.Try, ast.With, ast.AsyncWith)):
            inner = [*statement.body, *getattr(statement, "handlers", []), *getattr(statement, "finalbody", [])]
            found = _enclosing_tests(inner, call)
            if found is not None:
                return found
        elif isinstance(statement, ast.ExceptHandler):
            found = _enclosing_tests(statement.body, call)
            if found is not None:
                return found
        elif any(node is call for node in ast.walk(statement)):
            return []
    return None


def _unconditional(method: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> bool:
    """`call` is a statement of the method's own body (or of a `try`/`with` there), not in an if/loop."""
    pending = list(method.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.Expr) and statement.value is call:
            return True
        if isinstance(statement, (ast.Try, ast.With)):
            pending.extend(statement.body)
            pending.extend(getattr(statement, "finalbody", []))
    return False


def co_function(info: ClassInfo) -> bool:
    """A function with two inputs (process_element1/2, flat_map1/2, map1/2)."""
    return any(
        f"{name}1" in info.methods and f"{name}2" in info.methods for name in ("process_element", "flat_map", "map")
    )


def calls_by_function(source: PythonSource) -> dict[int, list[CallSite]]:
    """id(function or method) -> [CallSite] made in its body (nested lambdas included)."""
    cached: Optional[dict[int, list[CallSite]]] = getattr(source, "_calls_by_function", None)
    if cached is not None:
        return cached
    found: dict[int, list[CallSite]] = {}
    for site in source.calls:
        owner = site.method if site.method is not None else site.scope
        found.setdefault(id(owner), []).append(site)
        if site.scope is not owner and site.scope is not source.tree:
            found.setdefault(id(site.scope), []).append(site)
    source._calls_by_function = found
    return found


def _callees(source: PythonSource, function: ast.AST, info: Optional[ClassInfo]) -> Iterator[Any]:
    """Functions of this file that `function` calls: `self.helper(...)` in its class, `helper(...)`."""
    for site in calls_by_function(source).get(id(function), []):
        func = site.call.func
        if (
            info is not None
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
            and func.attr in info.methods
        ):
            yield info.methods[func.attr]
        elif isinstance(func, ast.Name) and func.id in source.functions:
            yield source.functions[func.id]


def per_record_reach(source: PythonSource) -> dict[int, tuple[str, str]]:
    """Where Flink runs code once per record, and what that code calls in this file, to any depth:
    id(function) -> (its name, the per-record method or function it is reached from).

    Per-record entry points: the methods of Flink function classes except the lifecycle ones and
    the helpers they call themselves (a helper called only from `open` is not per record), the
    functions and lambdas handed to operators, and UDFs."""
    cached = getattr(source, "_per_record_reach", None)
    if cached is not None:
        return cached
    reach: dict[int, tuple[str, str]] = {}
    pending: list[tuple[Any, Optional[ClassInfo], str, str]] = []  # (function, class, name, root)
    for info in flink_function_classes(source):
        methods = per_record_methods(info)
        helpers = {
            id(callee)
            for method in info.methods.values()
            for callee in _callees(source, method, info)
            if callee is not method
        }
        for method in methods:
            if id(method) not in helpers or method.name in PER_RECORD_CALLBACKS:
                name = f"{info.node.name}.{method.name}"
                pending.append((method, info, name, name))
    for function in operator_functions(source):
        name = "a lambda passed to an operator" if isinstance(function, ast.Lambda) else function.name
        pending.append((function, None, name, name))
    while pending:
        function, caller_info, name, root = pending.pop(0)
        if id(function) in reach:
            continue
        reach[id(function)] = (name, root)
        for callee in _callees(source, function, caller_info):
            if id(callee) in reach:
                continue
            in_class = caller_info is not None and caller_info.methods.get(getattr(callee, "name", "")) is callee
            callee_name = (
                f"{caller_info.node.name}.{callee.name}" if caller_info is not None and in_class else callee.name
            )
            pending.append((callee, caller_info if in_class else None, callee_name, root))
    source._per_record_reach = reach
    return reach


# Methods Flink calls per record (or per timer or window), whatever else calls them.
PER_RECORD_CALLBACKS = {
    "map",
    "flat_map",
    "filter",
    "process_element",
    "process_element1",
    "process_element2",
    "process_broadcast_element",
    "map1",
    "map2",
    "flat_map1",
    "flat_map2",
    "process",
    "on_timer",
    "eval",
    "reduce",
    "apply",
    "add",
    "get_key",
    "extract_timestamp",
    "accumulate",
    "retract",
    "invoke",
    "partition",
}


# ---------------------------------------------------------------------- Python object state
CONTAINERS = {"dict", "list", "set", "defaultdict", "Counter", "deque", "OrderedDict"}
GROWING = {"append", "add", "update", "setdefault", "extend", "insert", "appendleft", "extendleft"}
SHRINKING = {"clear", "pop", "popitem", "remove", "discard", "popleft"}
SETUP = {"__init__", "open", None}


def method_name(method):
    return getattr(method, "name", None)


def is_container(source, value) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        name = (source.qualname(value.func) or "").rsplit(".", 1)[-1]
        return name in CONTAINERS
    return False


def class_body_containers(source: PythonSource, info: ClassInfo) -> set[str]:
    found: set[str] = set()
    for statement in info.node.body:
        if isinstance(statement, ast.Assign) and is_container(source, statement.value):
            found |= {target.id for target in statement.targets if isinstance(target, ast.Name)}
    return found


def class_nodes(info):
    for method in info.methods.values():
        for node in ast.walk(method):
            yield node, method


def self_attr(node):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def mutation(node):
    """(attr, "grow" | "shrink") when `node` changes `self.attr`, else (None, None)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr = self_attr(node.func.value)
        if attr is not None:
            if node.func.attr in GROWING:
                return attr, "grow"
            if node.func.attr in SHRINKING:
                return attr, "shrink"
    elif isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and self_attr(target.value) is not None:
                return self_attr(target.value), "grow"
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and self_attr(target.value) is not None:
                return self_attr(target.value), "shrink"
    return None, None


def filled_containers(source: PythonSource, info: ClassInfo) -> set[str]:
    """Attributes of a function class that are containers set up in __init__/open (or the class
    body) and filled in a per-record method."""
    containers = {
        attr
        for attr, values in info.attributes.items()
        if any(is_container(source, value) and method_name(method) in SETUP for value, method in values)
    } | class_body_containers(source, info)
    per_record = {id(method) for method in per_record_methods(info)}
    return {
        attr
        for node, method in class_nodes(info)
        for attr, kind in [mutation(node)]
        if attr in containers and kind == "grow" and id(method) in per_record
    }
