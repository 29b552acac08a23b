"""Fetch the labelled public PyFlink jobs (labels.yaml) into the local cache, at exactly their commits.

    .venv/bin/python tests/lint/realworld/fetch.py [--mirrors DIR]

Each file goes to tests/lint/realworld/.cache/<owner>/<repo>/<commit>/<path> (gitignored: the files
are other people's code and are never committed). A local git mirror `<DIR>/<owner>+<repo>/repo`
that has the commit is used when present (`git show <commit>:<path>`); otherwise the file is
downloaded from raw.githubusercontent.com at that commit. Files already in the cache are kept.
Exit 0 when every file is there, 1 when some could not be fetched (each named on one line).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.yaml"
CACHE = HERE / ".cache"


def cached_path(entry: dict) -> Path:
    return CACHE / entry["repo"] / entry["commit"] / entry["path"]


def _from_mirror(mirrors: Path, entry: dict):
    git_dir = mirrors / entry["repo"].replace("/", "+") / "repo"
    if not git_dir.is_dir():
        return None
    result = subprocess.run(
        ["git", "-C", str(git_dir), "show", f"{entry['commit']}:{entry['path']}"], capture_output=True
    )
    return result.stdout if result.returncode == 0 else None


def _from_github(entry: dict):
    url = "https://raw.githubusercontent.com/{}/{}/{}".format(
        entry["repo"], entry["commit"], urllib.parse.quote(entry["path"])
    )
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except OSError as error:
        print(f"{entry['repo']}/{entry['path']}: {url}: {error}", file=sys.stderr)
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", default=str(LABELS), help="labels file (default: labels.yaml; also holdout.yaml)")
    parser.add_argument("--mirrors", default="/work/.mirror", help="directory of local git mirrors (optional)")
    args = parser.parse_args()
    entries = yaml.safe_load(Path(args.labels).read_text(encoding="utf-8"))["files"]
    missing = 0
    for entry in entries:
        target = cached_path(entry)
        if target.is_file():
            continue
        data = _from_mirror(Path(args.mirrors), entry) or _from_github(entry)
        if data is None:
            print(f"not fetched: {entry['repo']} {entry['commit'][:12]} {entry['path']}", file=sys.stderr)
            missing += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    repos = {entry["repo"] for entry in entries}
    print(f"{len(entries) - missing} of {len(entries)} files from {len(repos)} repositories in {CACHE}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
