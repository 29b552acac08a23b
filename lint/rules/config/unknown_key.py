"""Unknown key: a key that no option of the target Flink version declares.

**What it does**
Reports keys that are neither an option of the target Flink version, nor a deprecated alias, nor
under a plugin/operator namespace (`kubernetes.operator.`, `job.autoscaler.`, `s3.`, `fs.`,
`metrics.reporter.`, ...), nor an entry of a map option written as a nested mapping. Suggests
the closest declared keys. Under a filesystem plugin's namespace (`s3.`, `gs.`, `oss.`), whose
other keys are handed to Hadoop unread, a near-miss of an option that the plugin declares
(`s3.entropy.kye` for `s3.entropy.key`) is reported too. Table DDL options (`WITH (...)`), reporter suffixes and key templates
are declared by Flink too, but are not top-level keys: the message says which they are. Keys
that Flink 1.20 knew and the target dropped are left to `removed-key`.

**Why is this bad**
Flink ignores unknown keys silently: a typo such as `taskmanager.numberOfTaskSlot` leaves the
default in place and nobody notices until production behaves differently.

**Example**
```yaml
taskmanager.numberOfTaskSlot: 4
taskmanager.memory.fraction: 0.7
```

**Use instead**
```yaml
taskmanager.numberOfTaskSlots: 4
taskmanager.memory.managed.fraction: 0.7
```

**Fix**
none (a suggestion is not always right; the hint names the candidates).
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import FlinkConfig, Problem, RuleContext

CODE = "FL101"
NAME = "unknown-key"
SEVERITY = "warning"
FIXABLE = False

SCOPE_NOTES = {
    "table-ddl": "a table connector/format option: it belongs in a CREATE TABLE ... WITH (...) clause",
    "reporter-suffix": "a metrics reporter setting: write it as metrics.reporter.<name>.{key}",
    "template": "a documentation template, not a key",
}
# Keys dropped before Flink 1.20 (so in neither generated catalog), with what replaced them.
LEGACY_KEYS = {
    "taskmanager.network.bufferSize": "taskmanager.memory.segment-size",
    "taskmanager.memory.fraction": "taskmanager.memory.managed.fraction",
}


def _under_map_option(key: str, catalog) -> bool:
    """`pipeline.global-job-parameters.a` is entry `a` of the Map option, written nested."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        option = catalog.option(".".join(parts[:end]))
        if option is not None and option.get("type") == "Map":
            return True
    return False


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    catalog, legacy = context.catalog, context.catalog_for("1.20")
    reported = set()
    for setting in config.settings:
        key = setting.key
        if key in reported:
            continue
        typos = catalog.namespace_typos(key)
        if typos:
            reported.add(key)
            option = catalog.option(typos[0])
            yield Problem(
                f"unknown key '{key}': not an option of {option['source']}, which hands the other keys "
                "of its namespace to Hadoop unchecked",
                setting.key_location,
                hint=f"did you mean {' or '.join(repr(c) for c in typos)}?",
            )
            continue
        if catalog.is_known(key) or _under_map_option(key, catalog):
            continue
        option = catalog.option(key)
        if option is not None and option.get("scope") == "internal":
            continue
        if catalog is not legacy and legacy.is_known(key):
            continue  # removed-key
        reported.add(key)
        if option is not None and option.get("scope") in SCOPE_NOTES:
            message = f"'{key}' is not a top-level Flink option: it is {SCOPE_NOTES[option['scope']].format(key=key)}"
            hint = None
        else:
            message = f"unknown key '{key}': Flink {catalog.flink_version} ignores it"
            if key in LEGACY_KEYS:
                message += " (removed before Flink 1.20)"
                hint = f"use '{LEGACY_KEYS[key]}'"
            else:
                candidates = catalog.suggest(key)
                hint = f"did you mean {' or '.join(repr(c) for c in candidates)}?" if candidates else None
        yield Problem(message, setting.key_location, hint=hint)
