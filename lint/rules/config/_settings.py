"""Effective, typed Flink settings as Flink reads them, for the config rules.

A key is read under its own name first, then under its deprecated aliases (Flink reads an alias
only when the new key is absent); an unset key takes the catalog default. A value Flink cannot
parse yields None here: `invalid-value` (FL104) reports it, the other rules stay silent.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from flink_lint.catalog import values
from flink_lint.model import FlinkConfig, Location, RuleContext, Setting


class Read(NamedTuple):
    value: Any  # the parsed value (int, float, bool by the reader used), None when unset without default or unparsable
    setting: Optional[Setting]  # the setting Flink reads, None when the default applies


def aliases(key: str, context: RuleContext) -> tuple[str, ...]:
    """`key` and its deprecated keys, in both the target and the 1.20 catalog."""
    keys = [key]
    for catalog in (context.catalog, context.catalog_for("1.20")):
        option = catalog.option(key) or {}
        keys += [k for k in option.get("deprecated_keys") or () if k not in keys]
    return tuple(keys)


def effective(config: FlinkConfig, key: str, context: RuleContext) -> Optional[Setting]:
    """The setting Flink uses for `key`: the new key wins over its deprecated aliases."""
    return config.first_of(*aliases(key, context))


def _default(key: str, context: RuleContext) -> Optional[str]:
    for catalog in (context.catalog, context.catalog_for("1.20")):
        option = catalog.option(key)
        if option is not None:
            return option.get("default")
    return None


def read(
    config: FlinkConfig, key: str, context: RuleContext, parse: Callable[[str], object], default: Optional[str] = None
) -> Read:
    """`key` parsed with `parse`; unset: `default`, else the catalog default."""
    setting = effective(config, key, context)
    text = setting.value if setting is not None else (default if default is not None else _default(key, context))
    if text is None:
        return Read(None, setting)
    try:
        return Read(parse(text), setting)
    except (ValueError, TypeError):
        return Read(None, setting)


def memory(config: FlinkConfig, key: str, context: RuleContext, default: Optional[str] = None) -> Read:
    return read(config, key, context, values.parse_memory_size, default)


def duration_ms(config: FlinkConfig, key: str, context: RuleContext, default: Optional[str] = None) -> Read:
    return read(config, key, context, lambda text: values.parse_duration_nanos(text) // 10**6, default)


def integer(config: FlinkConfig, key: str, context: RuleContext, default: Optional[str] = None) -> Read:
    return read(config, key, context, values.parse_int, default)


def fraction(config: FlinkConfig, key: str, context: RuleContext, default: Optional[str] = None) -> Read:
    return read(config, key, context, values.parse_float, default)


def boolean(config: FlinkConfig, key: str, context: RuleContext, default: Optional[str] = None) -> Read:
    return read(config, key, context, values.parse_boolean, default)


def is_set(config: FlinkConfig, key: str, context: RuleContext) -> bool:
    return effective(config, key, context) is not None


def context_fact(config: FlinkConfig, key: str) -> tuple[Any, Optional[Location]]:
    """(value, Location or None) of a fact the reader put in config.context, e.g. "job.parallelism"."""
    fact = config.context.get(key)
    if isinstance(fact, tuple) and len(fact) == 2 and (fact[1] is None or isinstance(fact[1], Location)):
        return fact
    return fact, None


def where(config: FlinkConfig, *settings: Optional[Setting], value: bool = False) -> Location:
    """The first given setting's key (or value) location, else where the configuration starts."""
    for setting in settings:
        if setting is not None:
            return setting.value_location if value else setting.key_location
    return config.location or Location(config.path, 1, 1)


def human_bytes(size: int) -> str:
    """Flink's MemorySize.toHumanReadableString style, shortened: 1.50 gb, 64 mb, 4096 bytes."""
    for unit, factor in (("tb", 1024**4), ("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if size >= factor:
            amount = size / factor
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.2f} {unit}"
    return f"{size} bytes"
