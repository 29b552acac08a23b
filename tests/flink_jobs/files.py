"""Reading what Flink's FileSink committed: visible part files only (in-progress ones are hidden)."""

import json
from pathlib import Path


def committed_records(directory: Path, stream: str) -> list:
    records = []
    for part in sorted((directory / stream).rglob("*")):
        if part.is_file() and not part.name.startswith("."):
            records += [json.loads(line) for line in part.read_text().splitlines() if line]
    return records
