"""The Kubernetes operator's parsers of pod resources, as its DefaultValidator applies them: fabric8's
`Quantity` (requests, limits, ephemeral storage) and `ResourceConfigUtils.parseResourceMemoryString`
followed by Flink's `MemorySize.parse` (memory). Shared by FL809 resource-memory, FL812
resource-quantity and FL813 resource-request-above-limit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator

from flink_lint.catalog.values import parse_memory_size
from flink_lint.model import FlinkConfig, Location
from flink_lint.rules.config import _deployment

COMPONENTS = (("jobManager", "JobManager"), ("taskManager", "TaskManager"))
_UNIT_CHARACTERS = set("eEinumkKMGTP")  # Quantity.indexOfUnit
_MULTIPLES = {
    **{suffix: Decimal(2) ** (10 * power) for power, suffix in enumerate(("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    **{suffix: Decimal(10) ** exponent for suffix, exponent in (("n", -9), ("u", -6), ("m", -3), ("k", 3))},
    **{suffix: Decimal(10) ** exponent for suffix, exponent in (("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18))},
}
_BIG_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # new BigDecimal(String), no exponent
_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def text(value) -> str:
    """A YAML value as the operator's Jackson reads it into a String or Quantity (`2` -> "2")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def quantity(value) -> Decimal:
    """fabric8 `Quantity.getAmountInBytes(Quantity.parse(value))`: bytes for memory, cores for CPU.
    ValueError where it throws (an amount that is not a decimal, an unknown suffix such as `GB`)."""
    value = text(value)
    if not value:
        raise ValueError("an empty quantity")
    if value.startswith("."):
        value = "0" + value
    unit = next((i for i, char in enumerate(value) if char in _UNIT_CHARACTERS), len(value))
    amount, suffix = value[:unit], value[unit:]
    has_digit = any(char.isdigit() for char in suffix)
    if has_digit and suffix[-1].isalpha():
        raise ValueError(f"'{value}' is not a quantity: its suffix '{suffix}' ends with a letter")
    if not _BIG_DECIMAL.fullmatch(amount):
        raise ValueError(f"'{value}' is not a quantity: '{amount}' is not a decimal number")
    if has_digit and len(suffix) > 1:  # 4e9, 129e-6
        if not _JAVA_INT.fullmatch(suffix[1:]):
            raise ValueError(f"'{value}' is not a quantity: bad exponent '{suffix}'")
        return Decimal(amount) * Decimal(10) ** int(suffix[1:])
    if suffix not in _MULTIPLES:
        raise ValueError(
            f"'{value}' is not a quantity: unknown suffix '{suffix}' (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E)"
        )
    return Decimal(amount) * _MULTIPLES[suffix]


def _decimal_to_string(number: Decimal) -> str:
    """BigDecimal.toString of such a product: `1610612736.0` keeps its scale (MemorySize.parse refuses it)."""
    return format(number, "f")


def memory_bytes(value) -> int:
    """`MemorySize.parse(ResourceConfigUtils.parseResourceMemoryString(value))`: a Flink memory size
    (`2048m`, `2g`: powers of 1024) or else a Kubernetes quantity (`2Gi`, `2G`, case-insensitive,
    `B` dropped), in bytes. ValueError where the operator's validator throws: neither form, or a
    fraction of a byte (`1.5Gi` is 1610612736.0 bytes, which MemorySize.parse refuses)."""
    value = text(value)
    try:
        return parse_memory_size(value)
    except ValueError:
        pass
    k8s = re.sub(r"\s", "", value).upper()
    k8s = k8s[:-1] if k8s.endswith("B") else k8s
    k8s = k8s[:-1] + "i" if k8s.endswith("I") else k8s
    try:
        amount = quantity(k8s)
    except ValueError as error:
        raise ValueError(f"'{value}' is neither a Flink memory size (2048m, 2g) nor a Kubernetes quantity (2Gi)") from (
            error
        )
    try:
        return parse_memory_size(_decimal_to_string(amount))
    except ValueError:
        raise ValueError(
            f"'{value}' is {_decimal_to_string(amount)} bytes, which Flink's MemorySize does not parse: "
            "use a whole number of a smaller unit"
        ) from None


def requirements(config: FlinkConfig) -> Iterator[tuple[str, str, str, str, object, Location]]:
    """(component key, component name, section, resource, value, location) of every entry of
    `spec.<component>.resources.requests/limits`."""
    for component, name in COMPONENTS:
        for section in ("requests", "limits"):
            entries = _deployment.get(config, "spec", component, "resources", section)
            if not isinstance(entries, dict):
                continue
            for resource, value in entries.items():
                if value is None:
                    continue
                location = _deployment.at(config, "spec", component, "resources", section, resource)
                yield component, name, section, str(resource), value, location
