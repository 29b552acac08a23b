"""Session window: windows that stay open while a key keeps sending, and merge as they grow.

**What it does**
Reports session windows in every form a PyFlink job can build them: the DataStream assigners
`EventTimeSessionWindows`, `ProcessingTimeSessionWindows`, `DynamicEventTimeSessionWindows` and
`DynamicProcessingTimeSessionWindows` (`with_gap`, `with_dynamic_gap`), the same Java classes
reached through the py4j gateway (`get_gateway().jvm...EventTimeSessionWindows.withGap`), the
Table API `Session.with_gap(...)`, and SQL `SESSION(...)` in `execute_sql` / `sql_query` /
`add_insert_sql`. Severity follows the operator-risk table of backpressure guides: session
windows are high risk, reported as **warning** (high -> warning, medium -> info, low -> not
reported; error is kept for code that fails at runtime).

**Why is this bad**
A session never closes while its key stays active, so its state has no upper bound; every new
element may merge windows (state rewritten, timers moved), and an always-active key (a bot, a
sensor stuck on) keeps one ever-growing window. Session windows are the window type most often
behind backpressure and checkpoint growth.

**Example**
```python
keyed.window(EventTimeSessionWindows.with_gap(Time.minutes(30))).process(SessionSummary())
```

**Use instead**
```python
# Bound the session: a tumbling window (low risk) or a KeyedProcessFunction with a timer
# that emits and clears after a maximum session length; if a session window is the
# requirement, pre-aggregate it and suppress this finding with the reason.
keyed.window(TumblingEventTimeWindows.of(Time.minutes(30))).aggregate(Count(), Emit())
```

**Fix**
None: the window semantics are a design decision.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _sql

CODE = "FL701"
NAME = "session-window"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

ASSIGNERS = {
    "EventTimeSessionWindows",
    "ProcessingTimeSessionWindows",
    "DynamicEventTimeSessionWindows",
    "DynamicProcessingTimeSessionWindows",
}
FACTORIES = {"with_gap", "with_dynamic_gap", "withGap", "withDynamicGap"}
HINT = "bound the session (tumbling window or a timer that emits and clears), or pre-aggregate it"


def check(source, context: RuleContext) -> Iterator[Problem]:
    candidates = [site for word in (*FACTORIES, *ASSIGNERS) for site in source.calls_by_name.get(word, [])]
    for site in sorted(candidates, key=lambda site: (site.call.lineno, site.call.col_offset)):
        name = source.qualname(site.call.func, site)
        if not name:
            continue
        parts = name.replace("()", "").split(".")
        flink = source.is_flink(name)
        if len(parts) >= 2 and parts[-2] in ASSIGNERS and parts[-1] in FACTORIES and flink:
            yield Problem(
                f"session window `{parts[-2]}.{parts[-1]}`: state grows while a "
                "key stays active and windows merge on every element",
                _where(source, site.call),
                hint=HINT,
            )
        elif parts[-1] in ASSIGNERS and flink and not name.endswith("()"):
            yield Problem(
                f"session window `{parts[-1]}`: state grows while a key stays "
                "active and windows merge on every element",
                source.location(site.call),
                hint=HINT,
            )
        elif len(parts) >= 2 and parts[-2] == "Session" and parts[-1] == "with_gap" and flink:
            yield Problem(
                "Table API session window `Session.with_gap`: state grows while a key stays active",
                _where(source, site.call),
                hint=HINT,
            )
    for sql in source.sql_texts():
        for offset in _sql.session_windows(sql.text):
            yield Problem(
                f"SQL session window `SESSION(...)` in {sql.method}: state grows while a key stays active",
                sql.location(source, offset),
                hint=HINT,
            )


def _where(source, call: ast.Call):
    """At the assigner's class name: `EventTimeSessionWindows.with_gap(...)` -> the class."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
        target = func.value
        if isinstance(target, ast.Attribute):
            location = source.method_location(ast.Call(func=target, args=[], keywords=[]))
            return location
        return source.location(target)
    return source.location(call)
