"""Missing watermarks: an event-time window on a stream that never gets timestamps or watermarks.

**What it does**
Reports `window(...)` with an event-time assigner (`TumblingEventTimeWindows`,
`SlidingEventTimeWindows`, `EventTimeSessionWindows`, `DynamicEventTimeSessionWindows`) when the
stream can be followed back to its source in the same file (through variables) and nowhere on
the way gets a watermark strategy: the source is `from_collection` or `read_text_file`, or
`from_source(..., WatermarkStrategy.no_watermarks(), ...)`, and there is no
`assign_timestamps_and_watermarks(...)`. Streams that come from parameters or other modules are
not judged.

**Why is this bad**
Without timestamps the window operator fails the job (`Record has Long.MIN_VALUE timestamp (= no
timestamp marker)`); with source timestamps but no watermarks, event time never advances and the
windows never fire: state grows and nothing is emitted.

**Example**
```python
events = env.from_source(kafka, WatermarkStrategy.no_watermarks(), "events")
events.key_by(user).window(TumblingEventTimeWindows.of(Time.minutes(1))).reduce(merge)
```

**Use instead**
```python
strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5)) \
    .with_timestamp_assigner(EventTime())
events = env.from_source(kafka, strategy, "events")
```

**Fix**
None: choose the out-of-orderness bound and the timestamp field.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL721"
NAME = "missing-watermarks"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"

EVENT_TIME = {
    "TumblingEventTimeWindows",
    "SlidingEventTimeWindows",
    "EventTimeSessionWindows",
    "DynamicEventTimeSessionWindows",
}
NO_TIMESTAMP_SOURCES = {"from_collection", "read_text_file"}
SOURCES = NO_TIMESTAMP_SOURCES | {
    "from_source",
    "add_source",
    "from_data_stream",
    "to_data_stream",
    "to_append_stream",
    "to_changelog_stream",
}


def check(source, context: RuleContext) -> Iterator[Problem]:
    for site in _flink.method_calls(source, "window"):
        assigner = _flink.first_arg(site.call, "window_assigner")
        if assigner is None:
            continue
        value, _ = source.resolve(assigner, site)
        assigner_chain = source.chain(value, site)
        names = {_flink.short(source.qualname(step.call.func.value, site)) for step in assigner_chain.steps}
        if isinstance(value, ast.Call):
            names.add(_flink.short(source.qualname(value.func, site)))
        used = names & EVENT_TIME
        if not used:
            continue
        chain = _flink.receiver_chain(source, site)
        if not chain.steps or chain.has("assign_timestamps_and_watermarks", "union", "connect"):
            continue
        origin = next((step for step in chain.steps if step.method in SOURCES), None)
        if origin is None:
            continue
        if origin.method in NO_TIMESTAMP_SOURCES:
            why = f"`{origin.method}` gives records no timestamps"
        elif origin.method == "from_source" and _no_watermarks(source, origin.call, site):
            why = "the source uses WatermarkStrategy.no_watermarks()"
        else:
            continue
        yield Problem(
            f"event-time window `{sorted(used)[0]}` on a stream without a watermark "
            f"strategy ({why}): the job fails or the windows never fire",
            source.method_location(site.call),
            hint="assign_timestamps_and_watermarks(WatermarkStrategy.for_bounded_out_of_orderness(...)"
            ".with_timestamp_assigner(...)) or pass the strategy to from_source",
        )


def _no_watermarks(source, call: ast.Call, site) -> bool:
    strategy = (
        call.args[1]
        if len(call.args) > 1
        else next((keyword.value for keyword in call.keywords if keyword.arg == "watermark_strategy"), None)
    )
    if strategy is None:
        return False
    chain = source.chain(strategy, site)
    return [step.method for step in chain.steps] == ["no_watermarks"]
