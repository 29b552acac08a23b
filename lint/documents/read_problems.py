"""The problems readers report, by kind: `yaml_syntax.finding(message, location)` is a ReadProblem of
kind "yaml-syntax" that the engine turns into an FL001 finding (duplicate_key: FL002,
python_syntax: FL700). Readers import these, never a rule module: rules sit above readers."""

from __future__ import annotations

from typing import Optional

from flink_lint.documents.yaml_nodes import YamlError
from flink_lint.model import Location, ReadProblem


class ProblemKind:
    """The constructors of the read problems of one kind (the name of the input rule)."""

    def __init__(self, kind: str, default_hint: Optional[str] = None):
        self.kind = kind
        self.default_hint = default_hint

    def finding(
        self, message: str, location: Location, severity: Optional[str] = None, hint: Optional[str] = None
    ) -> ReadProblem:
        """The problem (the engine makes it the rule's finding); severity None: the rule's default."""
        return ReadProblem(self.kind, message, location, hint or self.default_hint, severity)

    def from_error(self, path: str, error: YamlError) -> ReadProblem:
        """The problem for a reader's YamlError (message, line, column) in `path`."""
        return self.finding(error.message, Location(path, error.line, error.column))


yaml_syntax = ProblemKind("yaml-syntax")
duplicate_key = ProblemKind("duplicate-key")
python_syntax = ProblemKind("python-syntax", "fix the file so that `python -m py_compile` accepts it")
