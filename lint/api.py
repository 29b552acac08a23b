"""The linter's public layer for the pack's own tools: flink-jobs reads, validates and reports its
files here, through the reader, schema, catalog and rules `flink-lint` uses (same codes, same
messages, same limits on hostile input), never through a rule module of its own.

- `check_job_config(path, overrides, base)`: the findings of `flink-lint --kind job-config` for a
  job config with `--set KEY=VALUE` overrides applied (their findings point at `--set KEY=VALUE`)
  and its `job:` section read over `base` (the job's shipped configs/<job>.yaml), plus the values
  flink-jobs builds its typed settings from.
- `validate_yaml(path, schema_path)`: another YAML file of the pack (configs/alerts.yaml) read by
  the same reader and checked against its JSON Schema, problems located at file:line:col.
- `location_text(location)`, `finding_lines(finding)`: findings printed as `flink-lint` prints them.
- `BROKER_MAX_TIMEOUT_MS`: the Kafka broker's default transaction.max.timeout.ms the Kafka rules
  (FL613, FL743) hold transaction timeouts against; `DEFAULT_HEADROOM`: the capacity headroom
  FL304 assumes when a job config's `capacity` gives none; `kafka_sink_defaults()`: the Kafka
  sink settings' defaults, declared once in the job-config schema (`default`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Sequence

from flink_lint.config import ToolConfig
from flink_lint.documents import decode, detect, read_job_config_file
from flink_lint.documents.job_config import OVERRIDE_LINE, JobConfigPositions, Override
from flink_lint.documents.yaml_nodes import Budget, YamlError, to_python
from flink_lint.engine import SEVERITY_RANK, Linter, read_bytes
from flink_lint.model import Finding, Location, Problem
from flink_lint.report.text import finding_lines, location_text
from flink_lint.rules.code._kafka import BROKER_MAX_TIMEOUT_MS
from flink_lint.rules.config._kafka import sink_defaults as kafka_sink_defaults
from flink_lint.rules.config.parallelism_below_capacity import DEFAULT_HEADROOM
from flink_lint.rules.config.schema import schema_errors

__all__ = [
    "BROKER_MAX_TIMEOUT_MS",
    "DEFAULT_HEADROOM",
    "JobConfigCheck",
    "Override",
    "ValidatedYaml",
    "at_least",
    "check_job_config",
    "kafka_sink_defaults",
    "finding_lines",
    "location_text",
    "validate_yaml",
]

DEFAULT_FLINK_VERSION = "2.3"


@dataclass
class JobConfigCheck:
    """What the linter found in one job config, and the values it read (with the overrides)."""

    path: str
    findings: list[Finding]
    internal_errors: list[str]  # a reader or rule failed: the config cannot be trusted as checked
    document: Any = None  # the file as plain values (YAML 1.1, as pyyaml types them); None: unreadable
    job: dict[str, Any] = field(default_factory=dict)  # the `job:` section read over the base
    flink: dict[str, str] = field(default_factory=dict)  # flat Flink key -> the string the job sets
    positions: Optional[JobConfigPositions] = None
    overrides: Sequence[Override] = ()

    def at_least(self, severity: str) -> list[Finding]:
        """The findings at `severity` or worse (error > warning > info)."""
        return at_least(self.findings, severity)

    def where(self, *instance_path: str | int) -> str:
        """`file:line:col` of a value of the document, or `--set KEY=VALUE` when an override set it."""
        if self.positions is None:
            return location_text(Location(self.path, 1, 1))
        return location_text(_origin(self.positions.location(instance_path, key=True), self.overrides))


def at_least(findings: Sequence[Finding], severity: str) -> list[Finding]:
    """The findings at `severity` or worse (error > warning > info), as --fail-on counts them."""
    return [f for f in findings if SEVERITY_RANK[f.severity] <= SEVERITY_RANK[severity]]


def _origin(location: Location, overrides: Sequence[Override]) -> Location:
    """An override's node carries a line past the file (OVERRIDE_LINE + index): name the override."""
    if location.line <= OVERRIDE_LINE:
        return location
    return Location(f"--set {overrides[location.line - OVERRIDE_LINE - 1].text}", 0, 0)


def check_job_config(
    path: str,
    overrides: Sequence[Override] = (),
    base: Optional[dict[str, Any]] = None,
    flink_version: str = DEFAULT_FLINK_VERSION,
) -> JobConfigCheck:
    """Lint `path` as a pack job config, every rule selected, default severities (the findings of
    `flink-lint --kind job-config` without a [tool.flink-lint] table)."""
    linter = Linter(ToolConfig(), flink_version, kind="job-config")
    data, problem = read_bytes(path)
    text: Optional[str] = None
    if problem is None and data is not None:
        text, problem = decode(path, data)
    if problem is not None or text is None:
        findings = linter.findings_for(path, "", [], [problem] if problem else [])
        return JobConfigCheck(path, findings, linter.internal_errors)
    try:
        configs, read = read_job_config_file(path, text, overrides, base)
        findings = linter.findings_for(path, text, configs, read)
    except Exception as error:  # a reader bug: one line, as flink-lint reports it
        return JobConfigCheck(path, [], [f"{path}: internal error while reading: {type(error).__name__}: {error}"])
    findings = [replace(f, location=_origin(f.location, overrides)) for f in findings]
    if not configs:
        return JobConfigCheck(path, findings, linter.internal_errors, overrides=overrides)
    config = configs[0]
    return JobConfigCheck(
        path,
        findings,
        linter.internal_errors,
        document=config.context["document"],
        job=config.context["job"],
        flink={setting.key: setting.value for setting in config.settings},
        positions=config.context["positions"],
        overrides=overrides,
    )


@dataclass
class ValidatedYaml:
    value: Any  # the document as plain values (YAML 1.1); None for an empty file
    problems: list[Problem]  # unreadable input and schema errors, located; empty: valid


def validate_yaml(path: str, schema_path: Path) -> ValidatedYaml:
    """A YAML file of the pack (one document) read with the linter's reader and limits, checked
    against a JSON Schema; every problem located at the key or value it is about."""
    data, problem = read_bytes(path)
    text: Optional[str] = None
    if problem is None and data is not None:
        text, problem = decode(path, data)
    if problem is not None or text is None:
        return ValidatedYaml(None, [Problem(problem.message, problem.location, problem.hint)] if problem else [])
    documents, error = detect.parse(text)
    if error is not None:
        return ValidatedYaml(None, [Problem(error.message, Location(path, error.line, error.column))])
    roots = [root for root in documents if root is not None]
    if not roots:
        return ValidatedYaml(None, [])
    if len(roots) > 1:
        second = roots[1].start_mark
        return ValidatedYaml(
            None, [Problem("more than one YAML document", Location(path, second.line + 1, second.column + 1))]
        )
    try:
        value = to_python(roots[0], Budget(), yaml11=True)
    except YamlError as failure:
        return ValidatedYaml(None, [Problem(failure.message, Location(path, failure.line, failure.column))])
    positions = JobConfigPositions(path, roots[0])
    problems = [
        Problem(found.message, positions.location(found.path, key=found.at_key), hint=found.hint)
        for found in schema_errors(value, schema_path)
    ]
    return ValidatedYaml(value, sorted(problems, key=lambda p: (p.location.line, p.location.column, p.message)))
