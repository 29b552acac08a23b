"""Unbounded list state: `ListState`/`MapState` that only ever grows.

**What it does**
Reports keyed `ListState` and `MapState` (from `get_list_state` / `get_map_state` in a Flink
function class) that receive elements (`add`, `add_all`, `put`, `put_all`) but are never cleared
(`clear()`, also from a timer's `on_timer`), pruned (`remove`, `update` with the kept elements)
or given a TTL (`descriptor.enable_time_to_live(...)`), and those that are cleared only on some
paths: only under a condition (when a threshold is reached), or only in `on_timer` when no timer is
ever registered or the timer is registered only for some records (under a test of the record
alone, `if value.kind == "logout"`); keys that never get there keep their elements forever. A
clear in a timer that the function registers (unconditionally, or when the key is first seen), or
an unconditional clear, bounds the state. The finding is on the first call that adds. Jobs in
BATCH mode are skipped.

**Why is this bad**
Every record stays in state forever: state, checkpoints and recovery time grow with the stream,
and reading the list back (`get()`) gets slower with every element, until the operator is the
job's bottleneck or the TaskManager runs out of memory or disk.

**Example**
```python
def process_element(self, event, ctx):
    self.seen.add(event)            # ListState: never cleared
    yield len(list(self.seen.get()))
```

**Use instead**
```python
def process_element(self, event, ctx):
    self.seen.add(event)
    ctx.timer_service().register_event_time_timer(ctx.timestamp() + HOUR_MS)

def on_timer(self, timestamp, ctx):
    yield summarize(self.seen.get())
    self.seen.clear()
```

**Fix**
None: clear the state from a timer, keep an aggregate instead of the events, or enable TTL.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL711"
NAME = "unbounded-list-state"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    if _flink.is_batch_file(source):
        return
    for handle in _flink.state_handles(source):
        never = _flink.grows_without_bound(handle)
        sometimes = None if never else _flink.cleared_only_sometimes(source, handle)
        if not never and sometimes is None:
            continue
        adds = sorted(
            (site for method in ("add", "add_all", "put", "put_all") for site in handle.uses.get(method, [])),
            key=lambda site: (site.call.lineno, site.call.col_offset),
        )
        kind = "ListState" if handle.kind == "list" else "MapState"
        how = (
            "is never cleared, pruned or given a TTL"
            if never
            else f"is cleared {sometimes}: keys that never get there keep their elements forever"
        )
        yield Problem(
            f"{kind} `{handle.name}` in `{handle.info.node.name}` receives elements ({adds[0].method_name}) but {how}",
            source.method_location(adds[0].call),
            hint="clear it from a timer registered when the first element arrives, or enable_time_to_live",
        )
