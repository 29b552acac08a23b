"""Capacity planning: how many subtasks a rate needs, and how fast one subtask really is.

Two rules, both in events per second:
- the capacity-planning rule of thumb (design for 2x peak), the one flink-lint's FL304 checks:
      parallelism = ceil(peak x headroom / per-subtask capacity)
- Flink's autoscaler (flink-autoscaler ScalingExecutor / JobVertexScaler): a vertex's true
  processing rate is what it would process if it were busy all the time,
      TPR = input rate / busy ratio          (busy ratio = busyTimeMsPerSecond / 1000)
  and the parallelism that keeps it at the target utilization u (diagnosis.target-utilization of
  configs/alerts.yaml) for a rate is
      parallelism = ceil(rate / (u x TPR per subtask)).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

from flink_lint.api import DEFAULT_HEADROOM  # FL304's, for a job config's `capacity` without one

MIN_BUSY_RATIO = 0.05  # below this the busy time is noise: the TPR would be a guess


def headroom_parallelism(peak: float, per_subtask: float, headroom: float = DEFAULT_HEADROOM) -> int:
    """ceil(peak x headroom / per-subtask capacity)."""
    _require_positive(peak=peak, per_subtask=per_subtask, headroom=headroom)
    return max(1, math.ceil(peak * headroom / per_subtask - 1e-9))


def utilization_parallelism(rate: float, per_subtask_tpr: float, utilization: float) -> int:
    """ceil(rate / (utilization x per-subtask true processing rate)), the autoscaler's target."""
    _require_positive(rate=rate, per_subtask_tpr=per_subtask_tpr, utilization=utilization)
    if utilization > 1:
        raise ValueError("target utilization is a busy ratio in (0, 1]")
    return max(1, math.ceil(rate / (utilization * per_subtask_tpr) - 1e-9))


def true_processing_rate(records_per_second: Optional[float], busy_ratio: Optional[float]) -> Optional[float]:
    """records/s divided by the share of time busy; None when the vertex is too idle to tell."""
    if busy_ratio is None or records_per_second is None or busy_ratio < MIN_BUSY_RATIO:
        return None
    return records_per_second / min(busy_ratio, 1.0)


def _require_positive(**values: float) -> None:
    for name, value in values.items():
        if value is None or not value > 0 or math.isinf(value):
            raise ValueError(f"{name.replace('_', '-')} must be a positive number, not {value}")


def write_capacity(
    config_path: str, per_subtask_rate: float, peak: Optional[float] = None, headroom: Optional[float] = None
) -> None:
    """Set job.capacity.{peak-rate, per-subtask-rate, headroom} in a job config, keeping its comments
    and key order (ruamel.yaml round trip); flink-lint's FL304 checks the parallelism against them."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.representer.add_representer(  # keep an explicit `null` as written, not an empty value
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    path = Path(config_path)
    document = yaml.load(path.read_text(encoding="utf-8"))
    job = document.get("job")
    if job is None:
        job = document["job"] = CommentedMap()
    capacity = job.get("capacity")
    if not isinstance(capacity, dict):
        capacity = CommentedMap()
        position = list(job).index("name") + 1 if "name" in job else 0
        job.insert(position, "capacity", capacity, comment="events/s; flink-jobs plan --measure --write")
    if peak is not None:
        capacity["peak-rate"] = _plain(peak)
    capacity["per-subtask-rate"] = _plain(per_subtask_rate)
    if headroom is not None:
        capacity["headroom"] = float(headroom)
    with open(path, "w", encoding="utf-8") as out:
        yaml.dump(document, out)


def _plain(value: float):
    """Whole numbers as int, others rounded to 3 significant decimals (readable in review)."""
    return int(round(value)) if value >= 100 or float(value).is_integer() else round(value, 3)
