"""A pack job config (`configs/*.yaml`) does not match schemas/job-config.schema.json.

**What it does**
Validates every job config against the JSON Schema that `flink-jobs` uses, and reports every
error (not only the first) at the line and column of the offending key or value, with "did you
mean" for misspelt keys. Durations are read with Flink's duration syntax (`10 s`, `PT10S`, an
integer of ms): one that does not parse, zero where at least 1 ms is needed, or an emission timer
under 10 ms is reported too.

**Why is this bad**
`flink-jobs` refuses a config that does not match the schema, so the job never starts; a typo in
an optional key would otherwise be noticed only when the job behaves differently than reviewed.

**Example**
```yaml
job:
  name: windowed-counts
  window:
    sise: 1 min
```

**Use instead**
```yaml
job:
  name: windowed-counts
  window:
    size: 1 min
```

**Fix**
None: the right key or value is for a human to choose.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, Optional

from flink_lint.catalog.values import parse_duration_ms
from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.resources import data_path

if TYPE_CHECKING:
    import jsonschema

CODE = "FL003"
NAME = "schema"
SEVERITY = "error"
FIXABLE = False

SCHEMA_PATH = data_path("schemas", "job-config.schema.json")
TIMER_MIN_MS = 10  # a processing-time emission timer: flink-jobs refuses a shorter interval


def _milliseconds(instance: Any) -> Optional[int]:
    """A duration in ms, None for a value of another type (the schema's `type` reports it)."""
    if isinstance(instance, bool) or not isinstance(instance, (str, int)):
        return None
    return parse_duration_ms(instance)


def _duration(instance: Any) -> bool:
    _milliseconds(instance)
    return True


def _positive_duration(instance: Any) -> bool:
    if _milliseconds(instance) == 0:
        raise ValueError("must be at least 1 ms")
    return True


def _timer_interval(instance: Any) -> bool:
    milliseconds = _milliseconds(instance)
    if milliseconds is not None and milliseconds < TIMER_MIN_MS:
        raise ValueError(f"must be at least {TIMER_MIN_MS} ms (a processing-time timer)")
    return True


def _kafka_milliseconds(instance: Any) -> bool:
    if isinstance(instance, bool) or not str(instance).isdigit() or int(instance) < 1:
        raise ValueError("must be a positive integer number of milliseconds (the Kafka producer's syntax)")
    return True


# Formats the schemas declare (JSON Schema leaves custom formats to the validator): durations are
# read with Flink's own duration syntax, as flink-jobs reads them. A check raises ValueError.
FORMATS: dict[str, Callable[[Any], bool]] = {
    "flink-duration": _duration,
    "flink-positive-duration": _positive_duration,
    "flink-timer-interval": _timer_interval,
    "kafka-milliseconds": _kafka_milliseconds,
}


@lru_cache(maxsize=None)
def validator(schema_path: Path = SCHEMA_PATH) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator of `schema_path` that checks the FORMATS."""
    import jsonschema  # ~60 ms: only when a job config is linted, not at every linter start

    checker = jsonschema.FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name, raises=ValueError)(check)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def best_match(errors: list[jsonschema.ValidationError]) -> jsonschema.ValidationError:
    import jsonschema  # loaded by validator() already

    return jsonschema.exceptions.best_match(errors)


def _leaf_errors(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """The most specific errors under an if/allOf/anyOf error (all of them for allOf)."""
    if error.validator in ("allOf", "if", "then") and error.context:
        for child in error.context:
            yield from _leaf_errors(child)
    elif error.validator in ("anyOf", "oneOf") and error.context:
        yield best_match(error.context)
    else:
        yield error


class SchemaError(NamedTuple):
    path: tuple[str | int, ...]  # JSON instance path of the value (of the key, when `at_key`)
    message: str
    at_key: bool = False
    hint: Optional[str] = None


def schema_errors(document: Any, schema_path: Path = SCHEMA_PATH) -> Iterator[SchemaError]:
    """Every problem of a plain value against a JSON Schema (default: the job config's), the most
    specific error of each, unknown keys one by one with "did you mean". Shared by this rule and
    the linter's public layer (flink_lint.api), which validates other files of the pack with it."""
    seen = set()
    for top in validator(schema_path).iter_errors(document):
        for error in _leaf_errors(top):
            path = tuple(error.absolute_path)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = sorted(error.schema.get("properties", {}))
                for extra in sorted(set(error.instance) - set(allowed), key=str):
                    if ("extra", path, extra) in seen:
                        continue
                    seen.add(("extra", path, extra))
                    suggestion = difflib.get_close_matches(str(extra), allowed, n=1)
                    section = ".".join(map(str, path)) or "the top level"
                    yield SchemaError(
                        path + (extra,),
                        f"unknown key `{extra}` in {section}",
                        True,
                        f"did you mean `{suggestion[0]}`?" if suggestion else f"allowed: {', '.join(allowed)}",
                    )
                continue
            message = str(error.cause) if error.validator == "format" and error.cause else error.message
            if (error.validator, path, message) in seen:
                continue
            seen.add((error.validator, path, message))
            yield SchemaError(path, f"{'.'.join(map(str, path)) or 'config'}: {message}")


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != "job-config" or "positions" not in config.context:
        return
    positions = config.context["positions"]
    for error in schema_errors(config.context["document"]):
        yield Problem(error.message, positions.location(error.path, key=error.at_key), hint=error.hint)
