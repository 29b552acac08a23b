"""Network buffers insufficient: the network memory cannot hold the buffers that an all-to-all
shuffle (keyBy, rebalance) needs at the configured parallelism and slots per TaskManager.

**What it does**
Estimates the network buffers one TaskManager must hand out before its tasks can start, for one
all-to-all shuffle between two operators of parallelism P, and compares them with the buffers
its network memory holds (network memory / `taskmanager.memory.segment-size`).

Formula (Flink 1.17+ source: `InputGateSpecUtils.createGateBuffersSpec`,
`NettyShuffleUtils.getMinMaxNetworkBuffersPerResultPartition`; docs "Network memory tuning
guide", section "Network buffer lifecycle"), with b = buffers per channel (2, the 1.20 option
`taskmanager.network.memory.buffers-per-channel`, internal since 2.0) and F = floating buffers
per gate (8):

- an input gate requires b exclusive buffers per *remote* channel + 1 floating buffer (its pool
  may grow by F); channels from subtasks in the same TaskManager are local and take none;
- a result partition writing P subpartitions requires P + 1 buffers;
- a TaskManager running k = min(slots per TaskManager, P) subtasks of each operator, spread like
  the other TaskManagers', has P - k remote channels per gate, so it needs at least
  k x ((b x (P - k) + 1) + (P + 1)) buffers, more for every further shuffle.

Checked against Flink 2.3 on the embedded MiniCluster (one TaskManager, all channels local):
with 32 mb of network memory (1024 buffers of 32 kb) a rebalance at parallelism 31 starts
(31 x 33 = 1023) and at 32 fails with `required 33, but only 1 available` (32 x 34 = 1088);
tests/lint/test_network_buffers_flink.py runs both.

Network memory is what Flink derives at startup: min/max/fraction of the total Flink memory
(from `taskmanager.memory.process.size`, `taskmanager.memory.flink.size`, or a FlinkDeployment's
`taskManager.resource.memory`). A pack job config runs on the embedded MiniCluster, which uses
`taskmanager.memory.network.min` (else max, else 64 mb) and one slot per subtask.

**Why is this bad**
The job deploys, then fails at task start with `java.io.IOException: Insufficient number of
network buffers: required N, but only M available`, and restarts in a loop.

**Example**
```yaml
parallelism.default: 64
taskmanager.numberOfTaskSlots: 16
taskmanager.memory.network.min: 64mb
taskmanager.memory.network.max: 64mb
```

**Use instead**
```yaml
parallelism.default: 64
taskmanager.numberOfTaskSlots: 16
taskmanager.memory.network.min: 128mb   # 4096 buffers >= 16 x ((2 x 48 + 1) + 65) = 2592
taskmanager.memory.network.max: 128mb
```

**Fix**
none.
"""

from __future__ import annotations

from typing import Iterator, Optional

from flink_lint.catalog.values import parse_memory_size
from flink_lint.model import FlinkConfig, Problem, RuleContext, Setting
from flink_lint.rules.config import _job, _memory, _settings

CODE = "FL203"
NAME = "network-buffers-insufficient"
SEVERITY = "error"
FIXABLE = False

BUFFERS_PER_CHANNEL = 2
LOCAL_NETWORK_DEFAULT = 64 * 1024**2  # TaskExecutorResourceUtils: MiniCluster network memory


def required_buffers(parallelism: int, subtasks_per_taskmanager: int, per_channel: int = BUFFERS_PER_CHANNEL) -> int:
    """Buffers one TaskManager needs for one all-to-all shuffle (see the module docstring)."""
    gate = per_channel * (parallelism - subtasks_per_taskmanager) + 1  # local channels take none
    partition = parallelism + 1
    return subtasks_per_taskmanager * (gate + partition)


def _legacy_int(config: FlinkConfig, context: RuleContext, key: str, default: int) -> int:
    if not context.catalog.flink_version.startswith("1."):
        return default  # internal in 2.x: the key is not read
    value = _settings.integer(config, key, context).value
    return value if isinstance(value, int) and value >= 0 else default


def _kubernetes_memory(config: FlinkConfig) -> Optional[int]:
    value, _ = _settings.context_fact(config, "taskManager.resource.memory")
    if value is None:
        return None
    try:
        return parse_memory_size(str(value).replace("Mi", "m").replace("Gi", "g"))
    except ValueError:
        return None


def _network_memory(
    config: FlinkConfig, context: RuleContext
) -> tuple[Optional[int], Optional[Setting], Optional[str]]:
    """(bytes, the setting that decides it, in words) or (None, None, None) when unknown."""
    minimum = _settings.memory(config, "taskmanager.memory.network.min", context)
    maximum = _settings.memory(config, "taskmanager.memory.network.max", context)
    if config.kind == "job-config":
        for read in (minimum, maximum):
            if read.setting is not None:
                return read.value, read.setting, "network memory"
        return LOCAL_NETWORK_DEFAULT, None, "the MiniCluster's default network memory"
    if minimum.setting is not None and maximum.setting is not None and minimum.value == maximum.value:
        return minimum.value, minimum.setting, "network memory"
    try:
        memory = _memory.derive_taskmanager(config, context, _kubernetes_memory(config))
    except (_memory.MemoryConflict, _memory.NotConfigured):
        return None, None, None
    decider = (
        maximum.setting
        or minimum.setting
        or _settings.effective(config, "taskmanager.memory.process.size", context)
        or _settings.effective(config, "taskmanager.memory.flink.size", context)
    )
    return memory.network, decider, "derived network memory"


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    parallelism = _job.parallelism(config, context)
    if not isinstance(parallelism.value, int) or parallelism.value <= 1:
        return
    p = parallelism.value
    slots = _job.slots_per_taskmanager(config, context)
    if config.kind == "job-config" and slots.setting is None:
        per_tm = p  # the MiniCluster offers one slot per subtask
    elif isinstance(slots.value, int) and slots.value >= 1:
        per_tm = min(slots.value, p)
    else:
        return
    segment = _settings.memory(config, "taskmanager.memory.segment-size", context).value
    network, decider, what = _network_memory(config, context)
    if not segment or network is None or segment & (segment - 1) or segment < 4096:
        return
    per_channel = _legacy_int(config, context, "taskmanager.network.memory.buffers-per-channel", BUFFERS_PER_CHANNEL)
    available = network // segment
    needed = required_buffers(p, per_tm, per_channel)
    if available >= needed:
        return
    h = _settings.human_bytes
    yield Problem(
        f"{what} of {h(network)} holds {available} buffers of {h(segment)}, but one all-to-all shuffle at "
        f"parallelism {p} with {per_tm} subtasks per TaskManager needs {per_tm} x (({per_channel} x {p - per_tm} + 1) + "
        f"({p} + 1)) = {needed}: tasks fail with 'Insufficient number of network buffers'",
        _settings.where(config, decider, value=True)
        if decider is not None or parallelism.location is None
        else parallelism.location,
        hint=f"set taskmanager.memory.network.min and .max to at least {h(needed * segment)}, "
        "or lower the parallelism or the slots per TaskManager",
    )
