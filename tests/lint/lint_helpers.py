"""Shared helpers for the linter's framework tests (not a fixture module of its own)."""

from __future__ import annotations

import contextlib

from flink_lint.rules import registry

# Test-only rule modules live in tests/lint/demo_rules/ (importable as demo_rules.*, tests/lint
# being on sys.path as pytest's rootdir-relative test folder).


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
