"""Stream-stream join: two unbounded inputs joined, each side kept in state for the other.

**What it does**
Reports joins of two streams:
- DataStream: two keyed streams `connect`ed (`a.connect(b).key_by(ka, kb)`,
  `a.key_by(ka).connect(b.key_by(kb))`, through variables too) and processed with a co-function
  defined in the file that keeps keyed state (`KeyedCoProcessFunction`, `CoProcessFunction`,
  `CoFlatMapFunction`, `CoMapFunction` using `get_state`, `get_list_state`, ...), and any two
  streams `connect`ed into a co-function that fills Python containers per record (a join held in
  the worker's memory). A broadcast `connect` (`connect(rules.broadcast(descriptor))`) or a
  co-function without state is not a join;
- Table API: `join`, `left_outer_join`, `right_outer_join`, `full_outer_join` of two tables of a
  streaming TableEnvironment (`join_lateral` with a table function is not a join of streams);
- SQL: regular joins (`JOIN ... ON`, `FROM a, b WHERE ...`) and interval joins (`BETWEEN` time
  bounds) in `execute_sql` / `sql_query` / `add_insert_sql`. Window joins (ON window_start and
  window_end), `LATERAL TABLE(...)` and `UNNEST` are not reported; lookup and temporal joins
  (`FOR SYSTEM_TIME AS OF`) are reported by `lookup-join` at medium risk.
Jobs in BATCH mode and batch TableEnvironments are skipped. High risk in the operator-risk table:
reported as **warning**.

**Why is this bad**
A regular join keeps every row of both inputs forever (state grows without bound, checkpoints
grow with it); each new row probes the other side's state, and a hot key multiplies output.
These joins are the classic source of backpressure and of state that eventually does not fit.

**Example**
```python
orders.key_by(order_key).connect(payments.key_by(payment_key)).process(MatchPayment())
t_env.execute_sql("INSERT INTO matched SELECT * FROM orders o JOIN payments p ON o.id = p.order_id")
```

**Use instead**
```python
# bound the state: an interval or window join, a lookup join against a table, or TTL
t_env.execute_sql("INSERT INTO matched SELECT * FROM orders o JOIN payments p ON o.id = p.order_id "
                  "AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '1' HOUR")  # still reported: bounded, say why
t_env.get_config().set("table.exec.state.ttl", "1 h")
```

**Fix**
None: a join's semantics are a design decision; bound it (interval, window, TTL) and suppress
with the reason.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink, _sql

CODE = "FL702"
NAME = "stream-stream-join"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

CO_FUNCTIONS = {"KeyedCoProcessFunction", "CoProcessFunction", "CoFlatMapFunction", "CoMapFunction"}
TABLE_JOINS = ("join", "left_outer_join", "right_outer_join", "full_outer_join")
HINT = "bound the join state: interval/window join, lookup join, or state TTL (table.exec.state.ttl)"


def check(source, context: RuleContext) -> Iterator[Problem]:
    batch = _flink.is_batch_file(source)
    if not batch:
        yield from _connected(source)
    yield from _table_api(source)
    for sql in source.sql_texts():
        if _flink.table_env_is_batch(source, sql.call.func.value, sql.site):
            continue
        for join in _sql.joins(sql.text):
            if join.kind == "temporal":
                continue
            kind = {"interval": "interval join", "implicit": "join (FROM a, b)"}.get(join.kind, "regular join")
            yield Problem(
                f"SQL {kind} of two streams in {sql.method}: both sides are kept "
                "in state" + (" for the interval" if join.kind == "interval" else " without bound"),
                sql.location(source, join.offset),
                hint=HINT,
            )


def _connected(source) -> Iterator[Problem]:
    for site in _flink.method_calls(source, "process", "flat_map", "map"):
        chain = _flink.receiver_chain(source, site)
        connect = chain.last("connect")
        if connect is None:
            continue
        after = chain.steps[chain.steps.index(connect) + 1 :]
        if any(step.method not in ("key_by",) for step in after):
            continue
        keyed_after = any(step.method == "key_by" for step in after)
        left = source.chain(connect.receiver, site)
        right_node = _flink.first_arg(connect.call)
        if right_node is None:
            continue
        right = source.chain(right_node, site)
        if right.has("broadcast"):
            continue
        function = _flink.first_arg(site.call)
        info = source.class_of(function, site) if function is not None else None
        if info is None or not (source.base_names(info) & CO_FUNCTIONS or _flink.co_function(info)):
            continue
        keyed = keyed_after or (_keyed(left) and _keyed(right))
        if keyed and _keeps_state(source, info):
            yield Problem(
                f"two keyed streams connected and joined in `{info.node.name}`, which keeps both sides in keyed state",
                source.method_location(connect.call),
                hint=HINT,
            )
        elif _flink.filled_containers(source, info):
            yield Problem(
                f"two streams connected and joined in `{info.node.name}`, which keeps the other side in Python "
                "containers (not checkpointed, never emptied)",
                source.method_location(connect.call),
                hint=HINT + "; keep the join state in keyed state after key_by on both inputs",
            )


def _keyed(chain) -> bool:
    return bool(chain.steps) and chain.steps[-1].method == "key_by"


def _keeps_state(source, info) -> bool:
    for site in source.calls:
        if site.cls is info:
            func = site.call.func
            if getattr(func, "attr", None) in _flink.STATE_GETTERS:
                return True
    return False


def _table_api(source) -> Iterator[Problem]:
    for site in _flink.method_calls(source, *TABLE_JOINS):
        left = _flink.receiver_chain(source, site)
        if not left.has(*_flink.TABLE_SOURCES):
            continue
        right_node = _flink.first_arg(site.call)
        if right_node is None:
            continue
        right = source.chain(right_node, site)
        if not right.has(*_flink.TABLE_SOURCES) and not right.steps:
            if not _is_name(right.origin):
                continue
        first = next(step for step in left.steps if step.method in _flink.TABLE_SOURCES)
        if _flink.table_env_is_batch(source, first.receiver, site):
            continue
        yield Problem(
            f"Table API `{site.method_name}` of two streaming tables: both sides are kept in state without bound",
            source.method_location(site.call),
            hint=HINT,
        )


def _is_name(node) -> bool:
    return isinstance(node, ast.Name)
