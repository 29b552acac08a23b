"""Parallelism above max parallelism: the job's parallelism exceeds `pipeline.max-parallelism`.

**What it does**
Compares the job's parallelism (`parallelism.default`, or a FlinkDeployment's `job.parallelism`)
with an explicitly set `pipeline.max-parallelism` (the number of key groups).

**Why is this bad**
The job fails at submission: `Vertex ...'s parallelism (P) is higher than the max parallelism (M).
Please lower the parallelism or increase the max parallelism.` Max parallelism is also the upper
bound for rescaling keyed state later, and it cannot change without losing state.

**Example**
```yaml
parallelism.default: 16
pipeline.max-parallelism: 8
```

**Use instead**
```yaml
parallelism.default: 16
pipeline.max-parallelism: 128
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.rules.config import _job, _settings

CODE = "FL302"
NAME = "parallelism-above-max"
SEVERITY = "error"
FIXABLE = False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    parallelism = _job.parallelism(config, context)
    maximum = _settings.integer(config, "pipeline.max-parallelism", context)
    if maximum.setting is None or not isinstance(maximum.value, int) or not isinstance(parallelism.value, int):
        return
    if 0 < maximum.value < parallelism.value <= 32768:
        yield Problem(
            f"parallelism ({parallelism.value}) is higher than the max parallelism ({maximum.value}): "
            "Flink rejects the job",
            parallelism.location or maximum.setting.value_location,
            hint=f"raise pipeline.max-parallelism (at line {maximum.setting.key_location.line}) or lower the parallelism",
        )
