"""Shared helpers for the linter's framework tests (not a fixture module of its own)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from flink_lint.rules import registry

FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))  # test-only rule modules: lint_test_rules.*


@contextlib.contextmanager
def extra_rules(*modules: str):
    """Register extra rule modules for the duration of a test (the registry list is explicit)."""
    saved = list(registry.RULE_MODULES)
    registry.RULE_MODULES.extend(m for m in modules if m not in registry.RULE_MODULES)
    registry.all_rules.cache_clear()
    try:
        yield
    finally:
        registry.RULE_MODULES[:] = saved
        registry.all_rules.cache_clear()
