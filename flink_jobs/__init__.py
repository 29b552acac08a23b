"""flink-jobpack: PyFlink DataStream jobs that stay healthy under load."""

from __future__ import annotations

import os
import sys
from typing import Iterable

__version__ = "0.1.0"


class _PathFollowingSysPath(list[str]):  # workarounds.py [modules-of-an-earlier-job]
    """A package `__path__` that, after its own folders, also looks for the package in every
    current sys.path entry.

    Workaround (PyFlink 2.3, thread mode on a session cluster): a TaskManager embeds one Python
    interpreter for all the jobs it runs, so `flink_jobs` stays imported from the first job's
    python-files folder, which Flink deletes when that job ends. A later job of another module
    (`flink_jobs.jobs.running_totals` after windowed-counts) then failed with ModuleNotFoundError
    although its own copy of the pack is on sys.path. Modules already imported stay as they are.
    """

    def __init__(self, package: str, entries):
        super().__init__(entries)
        self._parts = package.split(".")

    def __iter__(self):
        found = list(list.__iter__(self))  # its own folders first (a deleted one is skipped by import)
        seen = {os.path.realpath(entry) for entry in found}
        for root in sys.path:
            candidate = os.path.join(root or os.curdir, *self._parts)
            if os.path.realpath(candidate) not in seen and os.path.isfile(os.path.join(candidate, "__init__.py")):
                found.append(candidate)
                seen.add(os.path.realpath(candidate))
        return iter(found)


def follow_sys_path(package: str, path: Iterable[str]) -> list[str]:
    return _PathFollowingSysPath(package, path)


__path__ = follow_sys_path(__name__, __path__)
