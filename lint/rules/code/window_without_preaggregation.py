"""Window without pre-aggregation: `process`/`apply` on a window keeps every element until it fires.

**What it does**
Reports `.process(...)` and `.apply(...)` called directly on a window (`window`, `window_all`,
`count_window`, after any `trigger`, `evictor`, `allowed_lateness` or `side_output_late_data`),
through variables that hold the windowed stream. `aggregate(agg, window_function)` and
`reduce(reduce_function, window_function)` are incremental and not reported. Jobs in BATCH mode
are skipped.

**Why is this bad**
Without an incremental function the window state is a list of every element of every open window
per key: memory and checkpoint size grow with the data rate times the window length, and all the
work happens at once when the window fires, a burst that backpressures the input.

**Example**
```python
keyed.window(TumblingEventTimeWindows.of(Time.minutes(5))).process(CountAndBounds())
```

**Use instead**
```python
keyed.window(TumblingEventTimeWindows.of(Time.minutes(5))).aggregate(
    CountSumMinMax(), AddWindowBounds(), accumulator_type=Types.TUPLE([Types.LONG()] * 4))
```

**Fix**
None: move the computation into an AggregateFunction (or ReduceFunction) and keep the
ProcessWindowFunction only for the window metadata.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL704"
NAME = "window-without-preaggregation"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    if _flink.is_batch_file(source):
        return
    for site in _flink.method_calls(source, "process", "apply"):
        chain = _flink.receiver_chain(source, site)
        window = _flink.before_window_config(chain)
        if window not in _flink.WINDOWS:
            continue
        yield Problem(
            f"`{site.method_name}` on a `{window}` keeps every element of the window in state until it fires",
            source.method_location(site.call),
            hint="use aggregate(agg, window_function) or reduce(fn, window_function): one accumulator per window",
        )
