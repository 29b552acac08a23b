"""TaskManager memory as Flink derives it at startup (TaskExecutorProcessUtils,
TaskExecutorFlinkMemoryUtils, ProcessMemoryUtils), for the memory and network-buffer rules.

`derive_taskmanager` returns the sizes in bytes, or raises `MemoryConflict` with Flink's message
and the setting to blame. Fractions are Float options: parsed to 32-bit floats, then multiplied in
double precision and truncated, as MemorySize.multiply does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flink_lint.model import FlinkConfig, RuleContext, Setting
from flink_lint.rules.config import _settings

TM = "taskmanager.memory."
MAX_BYTES = 2**63 - 1


class MemoryConflict(Exception):
    def __init__(self, message: str, setting: Optional[Setting], area: str = "total"):
        super().__init__(message)
        self.message = message
        self.setting = setting
        self.area = area  # "total" (parts exceed a total), "network" or "jvm-overhead" (a min/max/fraction)


class NotConfigured(Exception):
    """No total or fine-grained size: Flink cannot derive the TaskManager memory."""


@dataclass
class TaskManagerMemory:
    process: Optional[int]
    flink: int
    framework_heap: int
    task_heap: int
    framework_off_heap: int
    task_off_heap: int
    managed: int
    network: int
    metaspace: int
    overhead: Optional[int]


def _h(size: int) -> str:
    return _settings.human_bytes(size)


def _multiply(size: int, fraction: float) -> int:
    return int(size * fraction)


class _Reader:
    def __init__(self, config: FlinkConfig, context: RuleContext, prefix: str = TM):
        self.config, self.context, self.prefix = config, context, prefix

    def memory(self, name: str) -> _settings.Read:
        return _settings.memory(self.config, self.prefix + name, self.context)

    def size(self, name: str) -> Optional[int]:
        return self.memory(name).value

    def required(self, name: str, why: str = "unparsable size") -> int:
        """A size that must be known to derive the memory model: NotConfigured without it."""
        size = self.size(name)
        if size is None:
            raise NotConfigured(why)
        return size

    def setting(self, name: str) -> Optional[Setting]:
        return _settings.effective(self.config, self.prefix + name, self.context)

    def fraction(self, name: str) -> Optional[float]:
        return _settings.fraction(self.config, self.prefix + name, self.context).value


def range_fraction(reader: _Reader, what: str, key: str, base: int) -> int:
    """A size derived as fraction x base, capped to [min, max] (RangeFraction + capToMinMax)."""
    minimum, maximum = reader.size(key + ".min"), reader.size(key + ".max")
    fraction = reader.fraction(key + ".fraction")
    if minimum is None or maximum is None or fraction is None:
        raise NotConfigured(f"unparsable {what} settings")
    if maximum < minimum:
        raise MemoryConflict(
            f"Inconsistently configured {what} min ({_h(minimum)}) and max ({_h(maximum)}): "
            "min value must be less or equal to max value",
            reader.setting(key + ".min") or reader.setting(key + ".max"),
            key,
        )
    if not 0 <= fraction < 1:
        raise MemoryConflict(
            f"{what} fraction must be in range [0, 1) (found {fraction:g})", reader.setting(key + ".fraction"), key
        )
    return max(minimum, min(maximum, _multiply(base, fraction)))


def _managed(reader: _Reader, total_flink: int) -> int:
    managed_size = reader.size("managed.size")
    if reader.setting("managed.size") is not None and managed_size is not None:
        return managed_size
    fraction = reader.fraction("managed.fraction")
    if fraction is None:
        raise NotConfigured("unparsable managed fraction")
    if not 0 <= fraction < 1:
        raise MemoryConflict(
            f"Managed Memory fraction must be in range [0, 1) (found {fraction:g})", reader.setting("managed.fraction")
        )
    return _multiply(total_flink, fraction)


def _network_inverse(reader: _Reader, rest: int) -> int:
    """Network memory when the total Flink memory is derived from its parts: network = f x total."""
    fraction = reader.fraction("network.fraction")
    minimum, maximum = reader.size("network.min"), reader.size("network.max")
    if fraction is None or minimum is None or maximum is None:
        raise NotConfigured("unparsable network settings")
    if maximum < minimum:
        raise MemoryConflict(
            f"Inconsistently configured network memory min ({_h(minimum)}) and max ({_h(maximum)}): "
            "min value must be less or equal to max value",
            reader.setting("network.min"),
            "network",
        )
    relative = _multiply(rest, fraction / (1 - fraction)) if 0 <= fraction < 1 else minimum
    return max(minimum, min(maximum, relative))


def _flink_parts(reader: _Reader, total_flink: int, total_setting: Optional[Setting]) -> TaskManagerMemory:
    framework_heap = reader.required("framework.heap.size", "unparsable memory sizes")
    framework_off_heap = reader.required("framework.off-heap.size", "unparsable memory sizes")
    task_off_heap = reader.required("task.off-heap.size", "unparsable memory sizes")
    managed = _managed(reader, total_flink)
    configured_task_heap = reader.size("task.heap.size")
    if reader.setting("task.heap.size") is not None and configured_task_heap is not None:
        task_heap = configured_task_heap
        without_network = framework_heap + framework_off_heap + task_heap + task_off_heap + managed
        if without_network > total_flink:
            raise MemoryConflict(
                f"Sum of configured Framework Heap Memory ({_h(framework_heap)}), Framework Off-Heap Memory "
                f"({_h(framework_off_heap)}), Task Heap Memory ({_h(task_heap)}), Task Off-Heap Memory "
                f"({_h(task_off_heap)}) and Managed Memory ({_h(managed)}) exceed configured Total Flink "
                f"Memory ({_h(total_flink)}).",
                reader.setting("task.heap.size") or total_setting,
            )
        network = total_flink - without_network
    else:
        network = range_fraction(reader, "network memory", "network", total_flink)
        without_heap = framework_heap + framework_off_heap + task_off_heap + managed + network
        if without_heap > total_flink:
            culprit = reader.setting("managed.size") or reader.setting("network.min") or total_setting
            raise MemoryConflict(
                f"Sum of configured Framework Heap Memory ({_h(framework_heap)}), Framework Off-Heap Memory "
                f"({_h(framework_off_heap)}), Task Off-Heap Memory ({_h(task_off_heap)}), Managed Memory "
                f"({_h(managed)}) and Network Memory ({_h(network)}) exceed configured Total Flink Memory "
                f"({_h(total_flink)}).",
                culprit,
            )
        task_heap = total_flink - without_heap
    return TaskManagerMemory(
        None, total_flink, framework_heap, task_heap, framework_off_heap, task_off_heap, managed, network, 0, None
    )


def derive_taskmanager(
    config: FlinkConfig, context: RuleContext, process_size: Optional[int] = None
) -> TaskManagerMemory:
    """The TaskManager memory of `config`; `process_size` stands in for an unset
    taskmanager.memory.process.size (a FlinkDeployment's taskManager.resource.memory)."""
    reader = _Reader(config, context)
    metaspace = reader.size("jvm-metaspace.size")
    process_setting, flink_setting = reader.setting("process.size"), reader.setting("flink.size")
    process = reader.size("process.size") if process_setting is not None else process_size
    flink = reader.size("flink.size") if flink_setting is not None else None
    if (
        (process_setting is not None and process is None)
        or (flink_setting is not None and flink is None)
        or metaspace is None
    ):
        raise NotConfigured("unparsable size")
    fine_grained = reader.setting("task.heap.size") is not None and reader.setting("managed.size") is not None

    if fine_grained and flink is None:
        rest = sum(
            reader.required(name)
            for name in (
                "framework.heap.size",
                "framework.off-heap.size",
                "task.heap.size",
                "task.off-heap.size",
                "managed.size",
            )
        )
        memory = _flink_parts(reader, rest + _network_inverse(reader, rest), None)
    elif flink is not None:
        memory = _flink_parts(reader, flink, flink_setting)
    elif process is not None:
        overhead = range_fraction(reader, "JVM overhead", "jvm-overhead", process)
        if metaspace + overhead > process:
            raise MemoryConflict(
                f"Sum of configured JVM Metaspace ({_h(metaspace)}) and JVM Overhead ({_h(overhead)}) exceed "
                f"configured Total Process Memory ({_h(process)}).",
                process_setting or reader.setting("jvm-metaspace.size"),
            )
        memory = _flink_parts(reader, process - metaspace - overhead, process_setting)
        memory.process, memory.overhead, memory.metaspace = process, overhead, metaspace
        return memory
    else:
        raise NotConfigured("no memory size configured")

    memory.metaspace = metaspace
    if process is not None:
        if process < memory.flink + metaspace:
            raise MemoryConflict(
                f"The configured Total Process Memory size ({_h(process)}) is less than the sum of the derived "
                f"Total Flink Memory size ({_h(memory.flink)}) and the configured or default JVM Metaspace size "
                f"({_h(metaspace)}).",
                process_setting or flink_setting,
            )
        memory.process, memory.overhead = process, process - memory.flink - metaspace
    return memory


def taskmanager_size_configured(config: FlinkConfig, context: RuleContext) -> bool:
    reader = _Reader(config, context)
    return any(reader.setting(name) is not None for name in ("process.size", "flink.size")) or (
        reader.setting("task.heap.size") is not None and reader.setting("managed.size") is not None
    )


def jobmanager_size_configured(config: FlinkConfig, context: RuleContext) -> bool:
    reader = _Reader(config, context, "jobmanager.memory.")
    return any(reader.setting(name) is not None for name in ("process.size", "flink.size", "heap.size"))


def jobmanager_conflict(config: FlinkConfig, context: RuleContext) -> Optional[MemoryConflict]:
    """JVM Metaspace + JVM Overhead must fit in jobmanager.memory.process.size."""
    reader = _Reader(config, context, "jobmanager.memory.")
    process_setting = reader.setting("process.size")
    process, metaspace = reader.size("process.size"), reader.size("jvm-metaspace.size")
    if process_setting is None or process is None or metaspace is None:
        return None
    try:
        overhead = range_fraction(reader, "JVM overhead", "jvm-overhead", process)
    except (MemoryConflict, NotConfigured) as error:
        return error if isinstance(error, MemoryConflict) else None
    if metaspace + overhead > process:
        return MemoryConflict(
            f"Sum of configured JVM Metaspace ({_h(metaspace)}) and JVM Overhead ({_h(overhead)}) exceed "
            f"configured Total Process Memory ({_h(process)}).",
            process_setting,
        )
    return None
