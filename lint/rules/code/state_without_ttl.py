"""State without TTL: keyed state kept forever for every key ever seen.

**What it does**
Reports keyed state descriptors (`ValueStateDescriptor`, `ListStateDescriptor`,
`MapStateDescriptor`, `ReducingStateDescriptor`, `AggregatingStateDescriptor`) used with
`get_state` / `get_*_state` in a Flink function class, when the descriptor never gets
`enable_time_to_live(...)` and the function never clears the state (`clear()`, `remove()`).
Window state (`context.window_state()`) is cleared with its window and not reported, but a
window function's global state (`context.global_state().get_state(...)`) is kept per key forever
and is; list and map state that grows without bound is reported by `unbounded-list-state`
instead, and list or map state rewritten with `update(...)` is pruned. Jobs in BATCH
mode are skipped. Reported as **info**: a small, bounded key space may be fine forever.

**Why is this bad**
State for a key that never comes back stays until the job is dropped: with user ids, session ids
or devices as keys, state and checkpoints grow without limit. Prefer
`return_expired_if_not_cleaned_up()` with TTL: PyFlink's `NeverReturnExpired` turns off the state
cache of the operator (FLINK-24105, several times slower).

**Example**
```python
def open(self, runtime_context):
    self.last = runtime_context.get_state(ValueStateDescriptor("last", Types.LONG()))
```

**Use instead**
```python
def open(self, runtime_context):
    descriptor = ValueStateDescriptor("last", Types.LONG())
    descriptor.enable_time_to_live(
        StateTtlConfig.new_builder(Time.hours(24)).return_expired_if_not_cleaned_up().build())
    self.last = runtime_context.get_state(descriptor)
```

**Fix**
None: choose a TTL that matches the key's lifetime, or clear the state from a timer.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL712"
NAME = "state-without-ttl"
SEVERITY = "info"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    if _flink.is_batch_file(source):
        return
    reported = set()
    for handle in _flink.state_handles(source):
        if handle.ttl or handle.used("clear", "remove") or _flink.grows_without_bound(handle):
            continue
        if handle.kind in ("list", "map") and handle.used("update"):
            continue  # rewritten with the elements it keeps: pruned
        if handle.attr is None and handle.local is None:
            continue  # the handle is not kept where we can follow its use
        anchor = handle.descriptor if handle.descriptor is not None else handle.getter.call
        if id(anchor) in reported:
            continue
        reported.add(id(anchor))
        name = _name(anchor) or handle.name
        yield Problem(
            f"keyed state `{name}` in `{handle.info.node.name}` has no TTL and is "
            "never cleared: it is kept forever for every key",
            source.location(anchor),
            hint="descriptor.enable_time_to_live(StateTtlConfig.new_builder(...)"
            ".return_expired_if_not_cleaned_up().build()), or clear it from a timer",
        )


def _name(call):
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
