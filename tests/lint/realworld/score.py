"""Score flink-lint's code rules on the labelled public PyFlink jobs (labels.yaml). Prints figures;
asserts nothing (fetch the files first: tests/lint/realworld/fetch.py).

    .venv/bin/python tests/lint/realworld/score.py [--verbose]

A finding matches a label of the same code within +-2 lines (TOLERANCE). Per rule:
- must-recall = expected findings found / expected findings (labels `expect`);
- precision = findings matching `expect` or `allow` / all findings of the rule.
Findings on a `quiet` trap line that match no label are listed as trap violations. `beyond` labels
(risks no rule claims to cover) are counted and listed, never scored.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

from flink_lint.config import ToolConfig
from flink_lint.engine import lint_text
from flink_lint.rules.registry import all_rules

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.yaml"
CACHE = HERE / ".cache"
TOLERANCE = 2
CODE_RULES = [rule.code for rule in all_rules() if rule.document == "python" and rule.code != "FL700"]


def _match(finding, labels: list, used: set):
    for index, label in enumerate(labels):
        if index in used or label["code"] != finding.rule:
            continue
        if abs(label["line"] - finding.location.line) <= TOLERANCE:
            used.add(index)
            return label
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", default=str(LABELS), help="labels file (default: labels.yaml; also holdout.yaml)")
    parser.add_argument("--verbose", action="store_true", help="list every miss, false alarm and trap")
    args = parser.parse_args()
    entries = yaml.safe_load(Path(args.labels).read_text(encoding="utf-8"))["files"]
    expected, found_expected, findings, correct = Counter(), Counter(), Counter(), Counter()
    misses, false_alarms, traps, beyond = [], [], [], []
    repos = set()
    for entry in entries:
        path = CACHE / entry["repo"] / entry["commit"] / entry["path"]
        if not path.is_file():
            sys.exit(f"{path} is missing: run tests/lint/realworld/fetch.py first")
        repos.add(entry["repo"])
        name = f"{entry['repo']}/{entry['path']}"
        result = [
            f
            for f in lint_text(str(path), path.read_bytes(), ToolConfig(), "2.3", select=CODE_RULES)
            if f.rule != "FL700"
        ]
        expect, allow = entry.get("expect") or [], entry.get("allow") or []
        used_expect, used_allow = set(), set()
        for label in expect:
            expected[label["code"]] += 1
        quiet_lines = {label["line"]: label for label in entry.get("quiet") or []}
        for finding in sorted(result, key=lambda f: (f.location.line, f.rule)):
            findings[finding.rule] += 1
            label = _match(finding, expect, used_expect)
            if label is not None:
                found_expected[finding.rule] += 1
                correct[finding.rule] += 1
                continue
            if _match(finding, allow, used_allow) is not None:
                correct[finding.rule] += 1
                continue
            line = f"{name}:{finding.location.line}: {finding.rule} {finding.message}"
            false_alarms.append(line)
            if finding.location.line in quiet_lines:
                traps.append(f"{line}  [trap: {quiet_lines[finding.location.line]['why']}]")
        for index, label in enumerate(expect):
            if index not in used_expect:
                misses.append(f"{name}:{label['line']}: {label['code']} missed: {label['why']}")
        beyond += [f"{name}:{label['line']}: {label['why']}" for label in entry.get("beyond") or []]
    print(f"{len(entries)} files from {len(repos)} repositories; line tolerance +-{TOLERANCE}")
    print(
        f"{'rule':7} {'expected':>8} {'found':>6} {'must-recall':>11} {'findings':>9} {'correct':>8} {'precision':>9}"
    )
    for code in sorted(set(expected) | set(findings)):
        recall = f"{found_expected[code] / expected[code]:.2f}" if expected[code] else "-"
        precision = f"{correct[code] / findings[code]:.2f}" if findings[code] else "-"
        print(
            f"{code:7} {expected[code]:8} {found_expected[code]:6} {recall:>11} {findings[code]:9} "
            f"{correct[code]:8} {precision:>9}"
        )
    total_expected, total_found = sum(expected.values()), sum(found_expected.values())
    total_findings, total_correct = sum(findings.values()), sum(correct.values())
    print(
        f"{'all':7} {total_expected:8} {total_found:6} {total_found / max(total_expected, 1):11.2f} "
        f"{total_findings:9} {total_correct:8} {total_correct / max(total_findings, 1):9.2f}"
    )
    after_run = sum(1 for entry in entries for label in entry.get("allow") or [] if label.get("after_run"))
    print(
        f"trap violations: {len(traps)}; beyond the rules (not scored): {len(beyond)}; "
        f"labels added after the first run (allow only): {after_run}"
    )
    if args.verbose:
        for title, lines in (("missed", misses), ("false alarms", false_alarms), ("traps", traps), ("beyond", beyond)):
            if lines:
                print(f"\n{title}:")
                print("\n".join(f"  {line}" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
