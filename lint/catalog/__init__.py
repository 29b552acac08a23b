"""Flink option catalogs (generated from Flink's jars) and Flink-exact value parsers.

The catalogs are schemas/flink-options-<version>.json, written by `python -m flink_lint.catalog.extract`.
Reading one is plain JSON: the linter never imports pyflink.

    >>> catalog = load_catalog("2.3")
    >>> catalog.option("state.backend.type")["default"]
    'hashmap'
    >>> catalog.replacement_for("state.backend")
    'state.backend.type'
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import Any

from flink_lint.resources import data_path

SCHEMAS = data_path("schemas")
DEFAULT_VERSION = "2.3"


class Catalog:
    """The options of one Flink version: key -> {type, list, default, deprecated_keys, fallback_keys,
    enum, description, deprecated, scope}; absent fields are null/false/empty."""

    def __init__(self, data: dict[str, Any]):
        self.flink_version: str = data["flink_version"]
        self.options: dict[str, dict[str, Any]] = data["options"]
        self.deprecated_key_map: dict[str, list[str]] = data["deprecated_key_map"]
        self.known_prefixes: dict[str, str] = data["known_prefixes"]
        self._config_keys = sorted(k for k, o in self.options.items() if o["scope"] == "config")

    def option(self, key: str) -> dict[str, Any] | None:
        """The option declared under `key` (any scope), or None."""
        return self.options.get(key)

    def replacements_for(self, deprecated_key: str) -> list[str]:
        """The keys that read `deprecated_key` as a deprecated alias, the one to use first."""
        return self.deprecated_key_map.get(deprecated_key, [])

    def replacement_for(self, deprecated_key: str) -> str | None:
        """The key to use instead of `deprecated_key` (`state.backend` -> `state.backend.type`), or None."""
        replacements = self.replacements_for(deprecated_key)
        return replacements[0] if replacements else None

    def known_prefix(self, key: str) -> str | None:
        """The plugin/operator namespace `key` belongs to (`kubernetes.operator.`), or None."""
        return next((prefix for prefix in self.known_prefixes if key.startswith(prefix)), None)

    def is_known(self, key: str) -> bool:
        """A declared top-level option, a deprecated alias, or under a known plugin/operator prefix."""
        option = self.options.get(key)
        return (
            (option is not None and option["scope"] == "config")
            or key in self.deprecated_key_map
            or self.known_prefix(key) is not None
        )

    def namespace_typos(self, key: str) -> list[str]:
        """`s3.entropy.kye`: known only by its plugin namespace (`s3.` is passed through to Hadoop), yet
        nearly an option that the namespace's plugin declares (`s3.entropy.key`): those options, else [].
        A spelling that the plugin reads too (`s3.access.key` for `s3.access-key`) is no typo."""
        prefix = self.known_prefix(key)
        if prefix is None or key in self.options or key in self.deprecated_key_map:
            return []
        declared = [k for k in self._config_keys if k.startswith(prefix)]
        if any(key in self.options[k].get("fallback_keys", []) or _spelling(key) == _spelling(k) for k in declared):
            return []
        return difflib.get_close_matches(key, declared, n=3, cutoff=0.9)

    def suggest(self, key: str, limit: int = 3) -> list[str]:
        """ "Did you mean" candidates among the top-level keys, closest first."""
        return difflib.get_close_matches(key, self._config_keys, n=limit, cutoff=0.8)


def _spelling(key: str) -> str:
    return key.replace("-", ".").replace("_", ".").lower()


@lru_cache(maxsize=None)
def load_catalog(version: str = DEFAULT_VERSION) -> Catalog:
    """The catalog of Flink `version` ("2.3", "1.20"); read once per process."""
    path = SCHEMAS / f"flink-options-{version}.json"
    if not path.is_file():
        available = sorted(p.stem.removeprefix("flink-options-") for p in SCHEMAS.glob("flink-options-*.json"))
        raise ValueError(f"no option catalog for Flink {version}; available: {', '.join(available)}")
    return Catalog(json.loads(path.read_text(encoding="utf-8")))


def available_versions() -> list[str]:
    return sorted(p.stem.removeprefix("flink-options-") for p in SCHEMAS.glob("flink-options-*.json"))
