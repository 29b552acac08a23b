"""Readers that keep positions: every value knows its file, line and column.

One entry point: `read_file(path, text, kind=None) -> (configs, findings)`. The findings are
input problems (FL001 yaml-syntax, FL002 duplicate-key, unreadable input); rules see the configs.
`text` may be bytes: then size, binary content and UTF-8 are checked first.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from yaml.nodes import MappingNode, ScalarNode

from flink_lint.documents import detect
from flink_lint.documents.flink_conf import read_flink_conf
from flink_lint.documents.flink_yaml import read_root
from flink_lint.documents.job_config import Override, apply_overrides, read_job_config
from flink_lint.documents.kubernetes import link_session_jobs, read_manifest
from flink_lint.documents.read_problems import yaml_syntax
from flink_lint.documents.yaml_nodes import PLAIN, resolve_core
from flink_lint.model import FlinkConfig, Location, ReadProblem

MAX_BYTES = 2 * 1024 * 1024  # a Flink configuration is a few KB; anything this large is not one


def decode(path: str, data: bytes) -> tuple[Optional[str], Optional[ReadProblem]]:
    """The text of a file, or a located finding saying why it cannot be a configuration."""
    if len(data) > MAX_BYTES:
        return None, yaml_syntax.finding(
            f"file is {len(data) / 1048576:.1f} MiB, larger than the {MAX_BYTES // 1048576} MiB a configuration "
            "can reasonably be: not read",
            Location(path, 1, 1),
        )
    nul = data.find(b"\0", 0, 8192)
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return None, yaml_syntax.finding(
            "binary file (NUL byte): not a configuration",
            Location(path, line, nul - (data.rfind(b"\n", 0, nul) + 1) + 1),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[data.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8", "replace")) + 1
        return None, yaml_syntax.finding(
            f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded (Flink reads configuration as UTF-8)",
            Location(path, line, column),
            hint="re-save the file as UTF-8",
        )
    return text.removeprefix("\ufeff"), None


def _null(root) -> bool:
    """A document that is only `~`, `null` or nothing: an empty configuration."""
    return isinstance(root, ScalarNode) and root.tag == PLAIN and resolve_core(root.value) is None


def read_file(
    path: str, text: Union[str, bytes], kind: Optional[str] = None
) -> tuple[list[FlinkConfig], list[ReadProblem]]:
    """Every Flink configuration in the file, and the input problems found while reading it.

    kind: None (detect), "config-yaml", "flink-conf", "kubernetes" or "job-config".
    Files of other kinds give ([], []).
    """

    if isinstance(text, bytes):
        decoded, problem = decode(path, text)
        if problem is not None or decoded is None:
            return [], [problem] if problem is not None else []
        text = decoded
    if kind is not None and kind not in detect.KINDS:
        raise ValueError(f"unknown kind '{kind}'; use one of: {', '.join(detect.KINDS)}")
    if (kind or detect.kind_by_name(path)) == "flink-conf":
        return read_flink_conf(path, text)
    if not text.strip():
        return [], []
    documents, error = detect.parse(text)
    if error is not None:
        if kind is None and not detect.looks_like_flink(path, text):
            return [], []
        if kind is None and "{{" in text and "}}" in text:
            return [], []  # a Helm/Jinja template: YAML only after rendering
        return [], [yaml_syntax.from_error(path, error)]
    configs: list[FlinkConfig] = []
    findings: list[ReadProblem] = []
    roots = [root for root in documents if root is not None and not _null(root)]
    for index, root in enumerate(roots):
        if kind in (None, "kubernetes"):
            document_kind = detect.document_kind(path, root)
            if document_kind is None and kind is None and detect.kind_by_name(path) == "config-yaml":
                document_kind = "config-yaml"  # not a mapping: read_root says that Flink refuses it
            if kind == "kubernetes" and document_kind != "kubernetes":
                continue
        else:  # a root that is not a mapping is an error for Flink (config.yaml) and for the schema (job config)
            document_kind = kind if isinstance(root, MappingNode) or kind in ("config-yaml", "job-config") else None
        if document_kind is None:
            continue
        if document_kind == "config-yaml":
            if index > 0 and (kind or detect.kind_by_name(path)) == "config-yaml":
                findings.append(
                    yaml_syntax.finding(
                        "more than one YAML document: Flink reads config.yaml as a single document",
                        Location(path, root.start_mark.line + 1, root.start_mark.column + 1),
                    )
                )
            found, problems = read_root(path, root)
        elif document_kind == "kubernetes" and isinstance(root, MappingNode):
            found, problems = read_manifest(path, root, text)
        else:
            found, problems = read_job_config(path, root)
        configs.extend(found)
        findings.extend(problems)
    link_session_jobs(configs)
    return configs, findings


def read_job_config_file(
    path: str, text: str, overrides: Sequence[Override] = (), base: Optional[dict[str, Any]] = None
) -> tuple[list[FlinkConfig], list[ReadProblem]]:
    """A file read as one pack job config, as flink-jobs reads it (flink_lint.api): one YAML document
    (`flink-lint` reads every document of a file, and skips an empty one), `overrides` (`--set`)
    applied to it, its `job:` section read over `base` (the job's shipped section)."""

    documents, error = detect.parse(text)
    if error is not None:
        return [], [yaml_syntax.from_error(path, error)]
    roots = [root for root in documents if root is not None and not _null(root)]
    if not roots:
        return [], [yaml_syntax.finding("empty: a job config is a mapping with a `job:` section", Location(path, 1, 1))]
    findings: list[ReadProblem] = []
    if len(roots) > 1:
        findings.append(
            yaml_syntax.finding(
                "more than one YAML document: flink-jobs reads a job config as a single document",
                Location(path, roots[1].start_mark.line + 1, roots[1].start_mark.column + 1),
            )
        )
    apply_overrides(roots[0], overrides)
    configs, problems = read_job_config(path, roots[0], base)
    return configs, findings + problems
