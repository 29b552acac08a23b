"""Idleness drops the assigner: `with_idleness()` after `with_timestamp_assigner()` in PyFlink.

**What it does**
Reports `with_idleness(...)` and `with_watermark_alignment(...)` called on a `WatermarkStrategy`
that already has a Python `with_timestamp_assigner(...)`, in one chain or through variables
(`strategy = strategy.with_idleness(...)`).

**Why is this bad**
In PyFlink these methods build a new Java strategy from the Java side only and drop the Python
timestamp assigner set before them (PR #13986): records reach the windows without timestamps and
the job fails at runtime with `Record has Java Long.MIN_VALUE timestamp`.

**Example**
```python
WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5)) \
    .with_timestamp_assigner(EventTime()) \
    .with_idleness(Duration.of_minutes(1))
```

**Use instead**
```python
WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5)) \
    .with_idleness(Duration.of_minutes(1)) \
    .with_timestamp_assigner(EventTime())
```

**Fix**
None offered automatically: move `with_timestamp_assigner(...)` to the end of the chain.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL722"
NAME = "idleness-drops-assigner"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    for site in _flink.method_calls(source, "with_idleness", "with_watermark_alignment"):
        chain = _flink.receiver_chain(source, site)
        assigner = chain.last("with_timestamp_assigner")
        if assigner is None:
            continue
        method = site.method_name
        yield Problem(
            f"`{method}` after `with_timestamp_assigner` (line "
            f"{assigner.call.func.end_lineno}) drops the Python timestamp assigner: the job fails with "
            "`Record has Java Long.MIN_VALUE timestamp`",
            source.method_location(site.call),
            hint=f"call with_timestamp_assigner(...) last, after {method}(...)",
        )
