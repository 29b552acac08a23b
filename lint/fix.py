"""Safe fixes (Finding.fix edits): rename-key, set-value, delete-key; write-config-yaml writes a new
file beside the linted one (`companions`: the config.yaml migrated from a legacy flink-conf.yaml).

Edits are made where the key is written, so comments, order, quoting and indentation stay as they
are: a key or value written on one line is replaced in place (for legacy flink-conf.yaml files this
is exactly Flink's own line format). A change of structure (a nested key whose replacement lives
under another parent, or a deletion that empties a parent mapping) is made as line edits located
with the YAML node tree. (A ruamel.yaml round-trip was tried first: on real manifests its dump
re-indented block sequences and moved comments, so nothing is dumped.) A file that does not parse
is never touched; the result must read back without new syntax errors, or nothing is written.
Files are replaced atomically.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from typing import Optional

from yaml.nodes import MappingNode, Node, SequenceNode

from flink_lint.documents import read_file
from flink_lint.documents.yaml_nodes import YamlError, compose_documents
from flink_lint.migration import MigrationError, migrate

from flink_lint.model import Edit, Finding, FlinkConfig, Setting


def _setting_for(finding: Finding, configs: list[FlinkConfig]) -> Optional[tuple[FlinkConfig, Setting]]:
    if finding.fix is None:
        return None
    for config in configs:
        for setting in config.settings:
            if setting.key == finding.fix.key and setting.key_location.line == finding.location.line:
                return config, setting
    for config in configs:
        found = config.get(finding.fix.key)
        if found is not None:
            return config, found
    return None


def _legacy(config) -> bool:
    return config.kind == "flink-conf" or config.context.get("embedded_kind") == "flink-conf"


def _leaf(lines: list[str], setting: Setting) -> Optional[str]:
    loc = setting.key_location
    if loc.end_column is None or (loc.end_line not in (None, loc.line)):
        return None
    text = lines[loc.line - 1][loc.column - 1 : loc.end_column - 1]
    if text[:1] in "'\"" and text[-1:] == text[:1]:
        text = text[1:-1]
    return text if setting.key.endswith(text) else None


def _replace(lines: list[str], line: int, start: int, end: Optional[int], new: str) -> None:
    old = lines[line - 1]
    lines[line - 1] = old[: start - 1] + new + (old[end - 1 :] if end is not None else "")


def apply(path: str, text: str, configs: list[FlinkConfig], findings: list[Finding]) -> tuple[str, int]:
    """(new text, number of edits applied). Unfixable or unsafe edits are skipped."""
    if any(f.rule == "FL001" and f.severity == "error" for f in findings):
        return text, 0  # never touch a file that does not parse
    lines = text.splitlines(keepends=True)
    newline_lines = [line.rstrip("\r\n") for line in lines]
    endings = [line[len(stripped) :] for line, stripped in zip(lines, newline_lines)]
    structural: list[tuple[Setting, Edit]] = []
    textual: list[tuple[int, int, Optional[int], Optional[str]]] = []  # (line, start, end, new text; None: delete)
    done = set()
    for finding in findings:
        if finding.fix is None:
            continue
        found = _setting_for(finding, configs)
        if found is None:
            continue
        config, setting = found
        if id(setting) in done:
            continue
        done.add(id(setting))
        edit = finding.fix
        leaf = _leaf(newline_lines, setting)
        legacy = _legacy(config)
        if edit.kind == "rename-key" and edit.new_text:
            prefix = setting.key[: len(setting.key) - len(leaf)] if leaf is not None else None
            if leaf is not None and edit.new_text.startswith(prefix or "") and (legacy or prefix is not None):
                loc = setting.key_location
                textual.append((loc.line, loc.column, loc.end_column, edit.new_text[len(prefix or "") :]))
            elif not legacy:
                structural.append((setting, edit))
        elif edit.kind == "set-value" and edit.new_text is not None:
            loc = setting.value_location
            if loc.end_column is not None and loc.end_line in (None, loc.line):
                textual.append((loc.line, loc.column, loc.end_column, edit.new_text))
        elif edit.kind == "delete-key":
            loc = setting.key_location
            siblings = [
                s
                for s in config.settings
                if s is not setting
                and leaf is not None
                and s.key.startswith(setting.key[: len(setting.key) - len(leaf)])
            ]
            single_line = setting.value_location.end_line in (None, setting.key_location.line) or (
                setting.value_location.end_line == loc.line + 1 and setting.value_location.end_column == 1
            )
            if legacy or (single_line and leaf is not None and (leaf == setting.key or siblings)):
                textual.append((loc.line, loc.column, None, None))
            else:
                structural.append((setting, edit))
    applied = 0
    for line, start, end, new in sorted(textual, key=lambda item: (item[0], item[1]), reverse=True):
        if new is None:
            del newline_lines[line - 1]
            del endings[line - 1]
        else:
            _replace(newline_lines, line, start, end, new)
        applied += 1
    new_text = "".join(body + ending for body, ending in zip(newline_lines, endings))
    if structural and not textual:  # after the in-place edits, on the next pass (positions stay exact)
        new_text, count = _structural(new_text, structural)
        applied += count
    if applied and not _reads_back(path, new_text, configs):
        return text, 0
    return new_text, applied


def _reads_back(path: str, text: str, configs: list[FlinkConfig]) -> bool:

    kind = {"flink-conf": "flink-conf", "config-yaml": "config-yaml", "job-config": "job-config"}.get(
        configs[0].kind if configs else "", None
    )
    _, problems = read_file(path, text, kind=kind)
    return not any(p.kind == "yaml-syntax" and p.severity in (None, "error") for p in problems)


Link = tuple[MappingNode, Node, Node]  # (mapping, key node, value node)


def _chain(root: Node, line: int, column: int) -> Optional[list[Link]]:
    """[(mapping node, key node, value node), ...] from `root` down to the key written at (line, column)."""

    if isinstance(root, SequenceNode):
        for item in root.value:
            found = _chain(item, line, column)
            if found:
                return found
        return None
    if not isinstance(root, MappingNode):
        return None
    for key, value in root.value:
        if key.start_mark.line + 1 == line and key.start_mark.column + 1 == column:
            return [(root, key, value)]
        if value.start_mark.line + 1 <= line <= value.end_mark.line + 1:
            found = _chain(value, line, column)
            if found:
                return [(root, key, value)] + found
    return None


def _structural(text: str, edits: list[tuple[Setting, Edit]]) -> tuple[str, int]:
    """Renames across parents and deletions that empty a parent, as line edits located with the
    YAML node tree: the old entry's lines (and parents it leaves empty) go, the new dotted key is
    written, with the original value text and comment, before the subtree it came from."""

    try:
        roots = [root for root in compose_documents(text) if root is not None]
    except YamlError:
        return text, 0
    lines = text.splitlines(keepends=True)
    first = lines[0] if lines else ""
    newline = first[len(first.rstrip("\r\n")) :] or "\n"  # the file's own line break (\r\n, \r or \n)
    removed_keys: set[int] = set()  # ids of key nodes
    kept: set[int] = set()  # ids of mappings that receive a renamed key: never removed as emptied
    delete_lines: set[int] = set()
    inserts: dict[int, list[str]] = {}  # line -> lines written before it
    applied = 0
    for setting, edit in sorted(edits, key=lambda item: item[0].key_location.line):
        loc, value_loc = setting.key_location, setting.value_location
        chain = next((c for c in (_chain(root, loc.line, loc.column) for root in roots) if c), None)
        if chain is None or value_loc.end_line not in (None, value_loc.line):
            continue
        keys = [key.value for _, key, _ in chain]
        leaf = keys[-1]
        flink_prefix = setting.key[: len(setting.key) - len(leaf)]
        depth = next(
            (m for m in range(len(keys)) if "".join(k + "." for k in keys[len(keys) - 1 - m : -1]) == flink_prefix),
            None,
        )
        if depth is None:
            continue
        config_root = len(keys) - 1 - depth  # chain index of the entry in the configuration's root mapping
        new_text = edit.new_text or ""
        if value_loc.end_column is None or (edit.kind == "rename-key" and not new_text):
            continue
        body = lines[loc.line - 1]
        value_text = body[value_loc.column - 1 : value_loc.end_column - 1]
        comment_at = body.find(" #", value_loc.end_column - 1)
        comment = body[comment_at:].rstrip("\r\n") if comment_at >= 0 else ""
        if edit.kind == "rename-key":  # the new line goes into the mapping of chain[host]: it and its parents stay
            host = len(chain) - 1
            while host > config_root and not new_text.startswith("".join(k + "." for k in keys[config_root:host])):
                host -= 1
            host_prefix = "".join(k + "." for k in keys[config_root:host])
            if not new_text.startswith(host_prefix):
                continue
            kept.update(id(mapping) for mapping, _, _ in chain[: host + 1])
        # remove the entry, then every parent it leaves empty (never one that receives a new line, never
        # above the configuration root)
        index = len(chain) - 1
        removed_keys.add(id(chain[index][1]))
        delete_lines.add(loc.line)
        while index > config_root:
            mapping = chain[index][0]
            if id(mapping) in kept or any(id(key) not in removed_keys for key, _ in mapping.value):
                break
            index -= 1
            removed_keys.add(id(chain[index][1]))
            delete_lines.add(chain[index][1].start_mark.line + 1)
        if edit.kind == "rename-key":
            anchor = chain[host][1]
            new_line = (
                " " * anchor.start_mark.column + new_text[len(host_prefix) :] + ": " + value_text + comment + newline
            )
            inserts.setdefault(anchor.start_mark.line + 1, []).append(new_line)
        applied += 1
    if not applied:
        return text, 0
    out = []
    for number, line in enumerate(lines, start=1):
        out.extend(inserts.get(number, []))
        if number not in delete_lines:
            out.append(line)
    return "".join(out), applied


def companions(text: str, findings: list[Finding]) -> tuple[list[tuple[str, str]], list[str]]:
    """(files to create as [(path, text)], problems as one line each) for the write-config-yaml
    fixes among `findings`; an existing file is never overwritten."""
    created, problems = [], []
    for finding in findings:
        if finding.fix is None or finding.fix.kind != "write-config-yaml":
            continue
        target = finding.fix.key
        if os.path.lexists(target):
            problems.append(f"{target}: exists, not overwritten")
            continue
        try:
            created.append((target, migrate(text)))
        except MigrationError as error:
            problems.append(f"{finding.location.path}: not migrated: {error}")
    return created, problems


def unified_diff(path: str, old: str, new: str, created: bool = False) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile="/dev/null" if created else f"a/{path.lstrip('/')}",
            tofile=f"b/{path.lstrip('/')}",
        )
    )


def create_atomically(path: str, text: str) -> None:
    """Write a new file (never replacing one): a temporary file beside it, then linked into place."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".flink-lint-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.link(temporary, path)  # fails if `path` appeared meanwhile
    finally:
        os.unlink(temporary)


def write_atomically(path: str, text: str) -> None:
    """Write to a temporary file next to `path`, keep its mode, then rename over it (over the file a
    symlink points to: the link stays a link)."""
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    mode = os.stat(path).st_mode & 0o7777
    with open(path, "rb") as original:
        encoding = "utf-8-sig" if original.read(3) == b"\xef\xbb\xbf" else "utf-8"  # keep a BOM
    handle, temporary = tempfile.mkstemp(prefix=".flink-lint-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
