"""Non-parallel operator: one subtask does the work of the whole job.

**What it does**
Reports operators that run with parallelism 1 however large the job is:
- `window_all(...)` (an all-window runs in a single subtask) and `force_non_parallel()`;
- `key_by` on a constant (`key_by(lambda e: 0)`): every record goes to one key, one subtask;
- `set_parallelism(1)` on a stateful operator (a `process`, `reduce`, `aggregate`, `apply`, ...
  after `key_by` or a window) in a job whose other operators are parallel (the job does not set
  `env.set_parallelism(1)` itself).
Sources with parallelism 1 are not reported.

**Why is this bad**
The single subtask is the job's throughput limit: adding TaskManagers does not help, the operator
backpressures everything upstream, and its state cannot be rescaled.

**Example**
```python
events.window_all(TumblingEventTimeWindows.of(Time.minutes(1))).reduce(merge_counts)
events.key_by(lambda e: "all").process(GlobalDedup())
```

**Use instead**
```python
# aggregate per key in parallel first, then combine the (few) partial results
events.key_by(lambda e: e.key).window(TumblingEventTimeWindows.of(Time.minutes(1))).reduce(merge_counts)
```

**Fix**
None: the data flow needs a real key (or a two-step aggregation).
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL705"
NAME = "non-parallel-operator"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

STATEFUL = {
    "process",
    "reduce",
    "aggregate",
    "apply",
    "sum",
    "min",
    "max",
    "min_by",
    "max_by",
    "flat_map",
    "map",
    "filter",
}


def check(source, context: RuleContext) -> Iterator[Problem]:
    for site in _flink.method_calls(source, "window_all", "force_non_parallel"):
        if _flink.foreign_receiver(source, site):
            continue
        method = site.method_name
        yield Problem(
            f"`{method}` runs in a single subtask: the whole stream goes through one operator instance",
            source.method_location(site.call),
            hint="key the stream and aggregate per key first (window, then combine the partial results)",
        )
    for site in _flink.method_calls(source, "key_by"):
        selector = _flink.first_arg(site.call)
        if (
            isinstance(selector, ast.Lambda)
            and isinstance(selector.body, ast.Constant)
            and not _flink.foreign_receiver(source, site)
        ):
            yield Problem(
                f"`key_by` on the constant {selector.body.value!r}: every record goes to one key and one subtask",
                source.method_location(site.call),
                hint="key by a field that spreads the load",
            )
    if _job_is_single(source):
        return
    for site in _flink.method_calls(source, "set_parallelism"):
        value = _flink.first_arg(site.call)
        if not (isinstance(value, ast.Constant) and value.value == 1):
            continue
        chain = _flink.receiver_chain(source, site)
        operators = [
            step for step in chain.steps if step.method not in ("name", "uid", "set_description", "slot_sharing_group")
        ]
        if not operators or operators[-1].method not in STATEFUL:
            continue
        before = _flink.before_window_config(type(chain)(chain.origin, operators[:-1]))
        if before not in ("key_by", *_flink.WINDOWS):
            continue
        yield Problem(
            f"stateful `{operators[-1].method}` pinned to parallelism 1 in a "
            "parallel job: it is the job's throughput limit",
            source.method_location(site.call),
            hint="let it run at the job's parallelism (its state is keyed and rescales)",
        )


def _job_is_single(source) -> bool:
    """The job itself runs at parallelism 1: `env.set_parallelism(1)` or parallelism.default 1."""
    for site in _flink.method_calls(source, "set_parallelism"):
        value = _flink.first_arg(site.call)
        if isinstance(value, ast.Constant) and value.value == 1:
            chain = _flink.receiver_chain(source, site)
            if not chain.steps or chain.steps[-1].method in ("get_execution_environment", "create"):
                return True
    for site in _flink.method_calls(source, "set_string", "set", "set_integer"):
        args = site.call.args
        if (
            len(args) == 2
            and isinstance(args[0], ast.Constant)
            and args[0].value == "parallelism.default"
            and isinstance(args[1], ast.Constant)
            and str(args[1].value) == "1"
        ):
            return True
    return False
