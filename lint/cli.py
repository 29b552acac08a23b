"""flink-lint command line (being built: see the issue tracker)."""
from __future__ import annotations

import sys


def main(argv=None) -> int:
    print("flink-lint: not implemented yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
