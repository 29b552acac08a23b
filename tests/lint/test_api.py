"""flink_lint.api: the public layer flink-jobs reads and validates its files through. A job config
gets exactly flink-lint's findings (same reader, same limits, same rules); `--set` overrides are
part of the document and their findings point at them; the `job:` section is read over a base."""

from __future__ import annotations

import pytest

from flink_lint.api import Override, check_job_config, finding_lines, location_text, validate_yaml
from flink_lint.config import ToolConfig
from flink_lint.engine import lint_paths
from flink_lint.resources import data_path

GOOD = data_path("configs", "windowed-counts.yaml")
BASE = {"sink": {"type": "collect"}, "source": {"type": "generator"}, "events": {"count": 10, "keys": 5}}


def write(tmp_path, text, name: str = "job.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


HOSTILE = {
    "too-large": b"job:\n  name: x\n" + b"# padding\n" * 300_000,
    "binary": b"job:\n  name: \x00x\n",
    "latin-1": "job:\n  name: caf\xe9\n".encode("latin-1"),
    "alias-bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\njob: {name: [*e, *e, *e]}\n"
    ).encode(),
    "deep": ("job: " + "[" * 200 + "]" * 200 + "\n").encode(),
    "python-tag": b"job: !!python/object:os.system {}\n",
    "syntax": b"job:\n  name: x\n  window: {size: 10 s\n",
    "everything-wrong": (
        GOOD.read_text().replace("size: 1 min", "size: 1 week").replace("parallelism.default", "parallelism.defualt")
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_job_config_gets_exactly_flink_lints_findings(tmp_path, name):
    path = write(tmp_path, HOSTILE[name])
    linted = lint_paths([path], ToolConfig(), kind="job-config")
    assert not linted.internal_errors
    checked = check_job_config(path)
    assert checked.findings == linted.findings
    assert checked.findings, "every hostile input is reported"


def test_findings_about_an_override_point_at_it(tmp_path):
    path = write(tmp_path, "job:\n  name: x\n  window: {size: 1 min}\nflink:\n  parallelism.default: 1\n")
    overrides = [
        Override.parse("job.window.size=soon"),  # replaces a value of the file
        Override.parse("job.emit.interval=5 ms"),  # creates job.emit
        Override.parse("flink.parallelism.defualt=2"),  # adds a Flink key
    ]
    checked = check_job_config(path, overrides)
    where = {(f.rule, location_text(f.location)) for f in checked.findings}
    assert ("FL003", "--set job.window.size=soon") in where
    assert ("FL003", "--set job.emit.interval=5 ms") in where
    assert ("FL101", "--set flink.parallelism.defualt=2") in where
    assert checked.job["window"] == {"size": "soon"} and checked.flink["parallelism.defualt"] == "2"
    assert checked.where("job", "window", "size") == "--set job.window.size=soon"
    assert checked.where("flink", "parallelism.default") == f"{path}:5:3"
    assert [line for f in checked.findings for line in finding_lines(f) if line.startswith("--set job.window")] == [
        "--set job.window.size=soon: FL003 schema [error] job.window.size: duration 'soon' is neither <number><unit> "
        "(e.g. 10 s, 500 ms, 5 min) nor ISO-8601 (PT10S)"
    ]


def test_override_values_are_typed_as_the_file_and_malformed_ones_are_strings(tmp_path):
    path = write(tmp_path, "job: {name: x}\n")
    checked = check_job_config(
        path,
        [Override.parse("job.events.count=500"), Override.parse("job.events.rate=null"), Override.parse("job.x=[a")],
    )
    assert checked.document["job"]["events"] == {"count": 500, "rate": None}
    assert checked.document["job"]["x"] == "[a"
    with pytest.raises(ValueError, match="expected KEY=VALUE"):
        Override.parse("nokey")
    with pytest.raises(ValueError, match="must start with `job.` or `flink.`"):
        Override.parse("window.size=1")


def test_the_job_section_is_read_over_the_base(tmp_path):
    path = write(tmp_path, "job:\n  name: mine\n  events: {count: null}\n")
    base = {**BASE, "name": "shipped"}
    checked = check_job_config(path, base=base)
    assert checked.job == {"name": "mine", "sink": {"type": "collect"}, "source": {"type": "generator"},
                           "events": {"count": None, "keys": 5}}  # fmt: skip
    assert [f.rule for f in checked.findings] == ["FL622"]  # the collect sink comes from the base
    assert base["events"] == {"count": 10, "keys": 5}, "the base is not changed"
    assert [f.rule for f in check_job_config(path).findings] == [], "without the base nothing says collect"


def test_an_empty_or_multi_document_job_config_is_one_finding(tmp_path):
    empty = check_job_config(write(tmp_path, "# nothing\n"))
    assert [(f.rule, f.message) for f in empty.findings] == [
        ("FL001", "empty: a job config is a mapping with a `job:` section")
    ]
    two = check_job_config(write(tmp_path, "job: {name: a}\n---\njob: {name: b}\n"))
    assert [(f.rule, f.location.line) for f in two.findings] == [("FL001", 3)]
    missing = check_job_config(str(tmp_path / "nowhere.yaml"))
    assert [(f.rule, f.message) for f in missing.findings] == [("FL001", "cannot read file: No such file or directory")]


def test_validate_yaml_locates_schema_errors(tmp_path):
    schema = data_path("schemas", "alerts.schema.json")
    path = write(tmp_path, "alerts:\n  backpresure-ratio: {warning: 0.5}\n  kafka-lag: {warning: -5}\n", "alerts.yaml")
    validated = validate_yaml(path, schema)
    assert [(location_text(p.location), p.message, p.hint) for p in validated.problems] == [
        (f"{path}:2:3", "unknown key `backpresure-ratio` in alerts", "did you mean `backpressure-ratio`?"),
        (f"{path}:3:24", "alerts.kafka-lag.warning: -5 is less than the minimum of 0", None),
    ]
    bomb = validate_yaml(write(tmp_path, HOSTILE["alias-bomb"], "bomb.yaml"), schema)
    assert bomb.value is None and "alias bomb" in bomb.problems[0].message
    assert validate_yaml(str(data_path("configs", "alerts.yaml")), schema).problems == []
