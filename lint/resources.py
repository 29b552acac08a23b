"""Where the data files live: schemas/ and configs/ of a checkout (editable installs, tests), or the
copies a wheel installs under <prefix>/share/flink-jobpack/ (pre-commit, `pip install flink-jobpack`)."""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
INSTALLED = Path(sys.prefix) / "share" / "flink-jobpack"


def data_path(*parts: str) -> Path:
    """schemas/<name> or configs/<name>: the checkout's copy first, else the installed one."""
    for base in (CHECKOUT, INSTALLED):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return CHECKOUT.joinpath(*parts)
