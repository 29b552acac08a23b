"""Find a Java 11+ runtime before anything starts a JVM.

PyFlink launches `java` from JAVA_HOME or PATH; without it the user gets a py4j stack trace.
We check first and say which package to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

MINIMUM_JAVA = 11
INSTALL_HINT = (
    "install a Java 11+ runtime, e.g. `apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), "
    "`brew install openjdk@17` (macOS), or set JAVA_HOME"
)


class JavaMissing(Exception):
    """No usable Java runtime; the message says what to install."""


def find_java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("java")


def java_major_version(java: str) -> int | None:
    try:
        probe = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', probe.stderr + probe.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def require_java() -> str:
    """Return the java executable, or raise JavaMissing with an actionable message."""
    java = find_java()
    if java is None:
        raise JavaMissing(f"Java not found (no JAVA_HOME, no `java` on PATH): {INSTALL_HINT}")
    major = java_major_version(java)
    if major is None:
        raise JavaMissing(f"could not run `{java} -version`: {INSTALL_HINT}")
    if major < MINIMUM_JAVA:
        raise JavaMissing(f"{java} is Java {major}; Flink needs Java {MINIMUM_JAVA}+: {INSTALL_HINT}")
    return java


def main() -> int:
    try:
        java = require_java()
    except JavaMissing as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    print(f"java: {java} (Java {java_major_version(java)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
