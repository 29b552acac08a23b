"""Hypothesis settings shared by tests/lint/test_fuzz_*.py: deterministic, quiet, no example database.

`derandomize=True` draws the same examples on every run (CI reproducible); a failure prints the
shrunk example and the test's `@reproduce_failure` blob only when it fails. FLINK_LINT_FUZZ_SCALE
multiplies every test's example count for a longer local run (default 1: about 10,000 cases in
all, a few seconds a target):

    FLINK_LINT_FUZZ_SCALE=20 .venv/bin/python -m pytest tests/lint/test_fuzz_*.py -q
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = max(1, int(os.environ.get("FLINK_LINT_FUZZ_SCALE", "1")))


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, derandomize=True, database=None, deadline=None,
                    print_blob=False, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                             HealthCheck.filter_too_much])
