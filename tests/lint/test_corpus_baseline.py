"""flink-lint gives the same findings on ../shared/corpus as the recorded baseline.

The corpus is real configs collected from public repositories (../shared/corpus/configs/SOURCES.tsv);
the baseline (baseline/corpus-findings.json) is flink-lint's JSON output over it, reduced to path
(relative to the corpus), line, column, code, severity and message. A refactoring must leave it
unchanged; a deliberate change of findings records a new baseline:

    .venv/bin/python tests/lint/test_corpus_baseline.py
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from flink_lint.cli import main
from flink_lint.config import find_pyproject

CORPUS = (Path(__file__).resolve().parents[2].parent / "shared" / "corpus").resolve()  # shared/ may be a link
BASELINE = Path(__file__).resolve().parent / "baseline" / "corpus-findings.json"


def _corpus_configs() -> Path:
    configs = CORPUS / "configs"
    assert configs.is_dir(), f"the shared corpus is missing: expected the directory {configs}"
    assert find_pyproject([str(configs)]) is None, (
        f"a pyproject.toml above {configs} would change flink-lint's settings for the corpus"
    )
    return configs


def corpus_findings() -> list[dict]:
    """flink-lint --format json over the corpus configs, normalized and in the linter's order."""
    configs = _corpus_configs()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(configs), "--format", "json"])
    assert code in (0, 1) and not err.getvalue(), f"flink-lint failed (exit {code}): {err.getvalue()}"
    return [
        {
            "path": Path(finding["path"]).resolve().relative_to(CORPUS).as_posix(),
            "line": finding["line"],
            "column": finding["column"],
            "code": finding["rule"],
            "severity": finding["severity"],
            "message": finding["message"],
        }
        for finding in json.loads(out.getvalue())["findings"]
    ]


def test_corpus_findings_equal_the_baseline():
    expected = json.loads(BASELINE.read_text(encoding="utf-8"))
    actual = corpus_findings()
    missing = [finding for finding in expected if finding not in actual]
    extra = [finding for finding in actual if finding not in expected]
    assert not missing and not extra, (
        f"findings on the corpus changed: {len(missing)} gone, {len(extra)} new\n"
        f"gone: {json.dumps(missing[:5], indent=1)}\n"
        f"new: {json.dumps(extra[:5], indent=1)}"
    )
    assert actual == expected, "the same findings, in another order"


if __name__ == "__main__":  # record the baseline
    BASELINE.parent.mkdir(exist_ok=True)
    BASELINE.write_text(json.dumps(corpus_findings(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}", file=sys.stderr)
