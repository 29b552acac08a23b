"""JSON Schemas for FlinkDeployment and FlinkSessionJob, derived from the operator's CRDs.

Kubernetes validates a custom resource against the CRD's `openAPIV3Schema` on apply. We derive a
JSON Schema (draft 7) from it, once, and ship it under schemas/ (the CRD is 11,000 lines of YAML;
the linter should not parse it on every run):

    python -m flink_lint.crd ../shared/reference/k8s-operator/   # writes schemas/<kind>.schema.json

What changes on the way, and why:
- an object with `properties` gets `additionalProperties: false`, unless the CRD keeps unknown
  fields (`x-kubernetes-preserve-unknown-fields`) or says what they are (`additionalProperties`):
  the API server prunes an unknown field, or refuses it under strict field validation (the
  `kubectl` default since 1.27 warns): either way it is not what the author meant;
- every type also accepts null: the API server drops a null field before validating it;
- `x-kubernetes-int-or-string` is already spelled out as `anyOf` integer/string in the CRD.

Provenance goes into the schema's `$comment` (the CRD file and the operator commit it came from).
tests/lint/test_crd_schema.py derives again from the reference CRDs and compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from flink_lint.resources import data_path

SCHEMAS = {
    "FlinkDeployment": ("flinkdeployments.flink.apache.org-v1.yml", "flinkdeployment.schema.json"),
    "FlinkSessionJob": ("flinksessionjobs.flink.apache.org-v1.yml", "flinksessionjob.schema.json"),
}
OPERATOR_COMMIT = "6e9caeb48118934f4311534725196c52159eaa21"  # ../shared/reference/k8s-operator/README.md


def schema_path(kind: str) -> Path:
    return data_path("schemas", SCHEMAS[kind][1])


def _converted(node: Any) -> Any:
    if isinstance(node, list):
        return [_converted(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _converted(value) for key, value in node.items() if key != "x-kubernetes-int-or-string"}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: _converted(value) for name, value in node["properties"].items()}
        if "additionalProperties" not in out and not node.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def derive(crd: dict[str, Any], source: str) -> dict[str, Any]:
    """The JSON Schema of the CRD's served storage version."""
    versions = crd["spec"]["versions"]
    version = next((v for v in versions if v.get("storage")), versions[0])
    schema = _converted(version["schema"]["openAPIV3Schema"])
    kind = crd["spec"]["names"]["kind"]
    group = crd["spec"]["group"]
    schema["properties"]["apiVersion"] = {"enum": [f"{group}/{v['name']}" for v in versions if v.get("served")]}
    schema["properties"]["kind"] = {"const": kind}
    schema["properties"].setdefault("metadata", {"type": "object"})  # ObjectMeta: checked by the API server
    schema["required"] = ["apiVersion", "kind"]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": (
            f"Derived by `python -m flink_lint.crd` from {source} (openAPIV3Schema of {group}/{version['name']}), "
            f"apache/flink-kubernetes-operator at {OPERATOR_COMMIT}, Apache License 2.0. Do not edit by hand."
        ),
        "title": kind,
        **schema,
    }


def derive_file(crd_file: Path) -> dict[str, Any]:
    return derive(yaml.safe_load(crd_file.read_text(encoding="utf-8")), crd_file.name)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(
            "usage: python -m flink_lint.crd CRD_DIRECTORY  (e.g. ../shared/reference/k8s-operator/)", file=sys.stderr
        )
        return 2
    for kind, (crd_name, schema_name) in SCHEMAS.items():
        target = data_path("schemas") / schema_name
        target.write_text(
            json.dumps(derive_file(Path(argv[0]) / crd_name), separators=(",", ":")) + "\n", encoding="utf-8"
        )
        print(f"wrote {target} ({kind})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
