"""Unmatched join state: one side of a two-input join waits in state that no timer ever clears.

**What it does**
Reports `ValueState` of a two-input function (`process_element1`/`process_element2`,
`flat_map1`/`flat_map2`, `map1`/`map2`: a `KeyedCoProcessFunction`, `CoProcessFunction`,
`CoFlatMapFunction` ...) that stores one side while it waits for the other (`update`) and is
cleared when the other side arrives, when `on_timer` never clears it (there is no `on_timer`, or
it only reads the state) and the descriptor has no TTL. The finding is on the first `update`.
Jobs in BATCH mode are skipped.

**Why is this bad**
Keys whose other side never arrives (a payment without a receipt, an order that is never paid)
keep their state forever: state and checkpoints grow with every unmatched key, and the timer the
function registers fires, reads the state, and leaves it behind.

**Example**
```python
def process_element1(self, pay, ctx):
    receipt = self.receipt.value()
    if receipt is not None:
        yield pay, receipt
        self.receipt.clear()
    else:
        self.pay.update(pay)                   # waits for the receipt
        ctx.timer_service().register_event_time_timer(pay[3] + 5000)

def on_timer(self, timestamp, ctx):
    if self.pay.value() is not None:           # reported, but never cleared
        yield "unmatched", self.pay.value()
```

**Use instead**
```python
def on_timer(self, timestamp, ctx):
    if self.pay.value() is not None:
        yield "unmatched", self.pay.value()
    self.pay.clear()
    self.receipt.clear()
```

**Fix**
None: clear both sides in `on_timer` (or give the descriptors a TTL).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL714"
NAME = "unmatched-join-state"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    if _flink.is_batch_file(source):
        return
    for handle in _flink.state_handles(source):
        if handle.kind != "value" or handle.ttl or not _flink.co_function(handle.info):
            continue
        if not handle.used("update") or not handle.used("clear") or handle.used_in("on_timer", "clear"):
            continue
        update = min(handle.uses["update"], key=lambda site: (site.call.lineno, site.call.col_offset))
        timer = "`on_timer` never clears it" if "on_timer" in handle.info.methods else "no `on_timer` clears it"
        yield Problem(
            f"`{handle.name}` in `{handle.info.node.name}` keeps one side of the join until the other arrives, "
            f"and {timer}: keys that never match keep it forever",
            source.method_location(update.call),
            hint="clear the waiting state in on_timer (registered when it is stored), or give it a TTL",
        )
