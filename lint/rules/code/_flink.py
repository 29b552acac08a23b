"""What the code rules know about PyFlink's API: function classes, operators, sources, batch mode.

Shared by the rule modules of lint/rules/code/ (not a rule itself: no CODE).
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from flink_lint.documents.python_source import LIFECYCLE, CallSite, Chain, ClassInfo, PythonSource

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


def per_record_methods(info: ClassInfo) -> list:
    return [
        method
        for name, method in info.methods.items()
        if name not in LIFECYCLE and not (name.startswith("__") and name.endswith("__"))
    ]


def operator_functions(source: PythonSource) -> list:
    """Lambdas and functions handed to operators or wrapped as UDFs: their bodies run per record."""
    found, seen = [], set()

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


def created_environments(source: PythonSource) -> list:
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
        self.uses: dict[str, list[CallSite]] = {}  # method called on the handle -> its call sites
        if self.attr is not None:
            for site in source.calls:
                func = site.call.func
                if (
                    site.cls is info
                    and isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Attribute)
                    and func.value.attr == self.attr
                    and isinstance(func.value.value, ast.Name)
                    and func.value.value.id == "self"
                ):
                    self.uses.setdefault(func.attr, []).append(site)
        self.ttl = False
        if self.descriptor is not None:
            for site in method_calls(source, "enable_time_to_live"):
                value, _ = source.resolve(site.receiver, site)
                if value is self.descriptor:
                    self.ttl = True

    def used(self, *methods: str) -> bool:
        return any(method in self.uses for method in methods)


def state_handles(source: PythonSource) -> list:
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
