"""A pack job config (`configs/*.yaml`) does not match schemas/job-config.schema.json.

**What it does**
Validates every job config against the JSON Schema that `flink-jobs` uses, and reports every
error (not only the first) at the line and column of the offending key or value, with "did you
mean" for misspelt keys.

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
from typing import Iterator, NamedTuple, Optional

from flink_lint.model import FlinkConfig, Problem, RuleContext
from flink_lint.resources import data_path

CODE = "FL003"
NAME = "schema"
SEVERITY = "error"
FIXABLE = False

SCHEMA_PATH = data_path("schemas", "job-config.schema.json")


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # imported only when a job config is linted

    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _leaf_errors(error):
    """The most specific errors under an if/allOf/anyOf error (all of them for allOf)."""
    if error.validator in ("allOf", "if", "then") and error.context:
        for child in error.context:
            yield from _leaf_errors(child)
    elif error.validator in ("anyOf", "oneOf") and error.context:
        import jsonschema

        yield jsonschema.exceptions.best_match(error.context)
    else:
        yield error


class SchemaError(NamedTuple):
    path: tuple  # JSON instance path of the value (of the key, when `at_key`)
    message: str
    at_key: bool = False
    hint: Optional[str] = None


def schema_errors(document) -> Iterator[SchemaError]:
    """Every problem of a job config (a plain value) against schemas/job-config.schema.json, the
    most specific error of each, unknown keys one by one with "did you mean". Shared by this rule
    and `flink-jobs` (flink_jobs/config.py), which locate them each their own way."""
    seen = set()
    for top in _validator().iter_errors(document):
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
            if (error.validator, path, error.message) in seen:
                continue
            seen.add((error.validator, path, error.message))
            yield SchemaError(path, f"{'.'.join(map(str, path)) or 'config'}: {error.message}")


def check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]:
    if config.kind != "job-config" or "positions" not in config.context:
        return
    positions = config.context["positions"]
    for error in schema_errors(config.context["document"]):
        yield Problem(error.message, positions.location(error.path, key=error.at_key), hint=error.hint)
