"""What a FlinkDeployment / FlinkSessionJob manifest says beyond its flinkConfiguration: the rest
of the document as plain values (`config.context["manifest"]`, filled by
lint/documents/kubernetes.py) and where each part of it is written. Shared by the FL8xx rules.
"""

from __future__ import annotations

from typing import Any, Optional

from flink_lint.model import FlinkConfig, Location, RuleContext
from flink_lint.rules.config import _job, _settings

DEPLOYMENT = "flink-deployment"
SESSION_JOB = "flink-session-job"
STATEFUL_UPGRADE_MODES = ("savepoint", "last-state")


def manifest(config: FlinkConfig) -> Optional[dict[str, Any]]:
    """The whole manifest as plain values, or None for other kinds, and for a manifest whose `spec`
    is not a mapping (FL001 yaml-syntax says so; nothing else in it can be judged)."""
    if config.kind not in _job.KUBERNETES_KINDS:
        return None
    document = config.context.get("manifest")
    return document if isinstance(document, dict) and isinstance(document.get("spec"), dict) else None


def get(config: FlinkConfig, *path):
    """The value at `path` (keys and list indexes) of the manifest, or None."""
    node = manifest(config)
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def at(config: FlinkConfig, *path, key: bool = False) -> Location:
    """Where `path` is written (its key with `key`), or its nearest written ancestor."""
    positions = config.context.get("manifest_positions")
    if positions is None:
        return _settings.where(config)
    return positions.location(tuple(path), key=key)


def integer(value) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ha_enabled(config: FlinkConfig, context: RuleContext) -> bool:
    """high-availability.type (formerly `high-availability`) names a mode other than NONE."""
    setting = _settings.effective(config, "high-availability.type", context) or config.get("high-availability")
    return setting is not None and setting.value.strip().upper() not in ("", "NONE")


def flag(config: FlinkConfig, key: str, context: RuleContext, default: bool) -> bool:
    read = _settings.boolean(config, key, context, default="true" if default else "false")
    return default if read.value is None else bool(read.value)
