"""Safe fixes (Finding.fix edits): rename-key, set-value, delete-key.

Edits are made where the key is written, so comments, order, quoting and indentation stay as they
are: a key or value written on one line is replaced in place (for legacy flink-conf.yaml files this
is exactly Flink's own line format). A change of structure (a nested key whose replacement lives
under another parent, or a deletion that empties a parent mapping) goes through a ruamel.yaml
round-trip, imported only then. A file that does not parse is never touched; the result must read
back without new syntax errors, or nothing is written. Files are replaced atomically.
"""
from __future__ import annotations

import difflib
import os
import tempfile
from typing import Optional

from lint.model import Finding, Setting


def _setting_for(finding: Finding, configs: list) -> Optional[tuple]:
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


def _leaf(lines: list, setting: Setting) -> Optional[str]:
    loc = setting.key_location
    if loc.end_column is None or (loc.end_line not in (None, loc.line)):
        return None
    text = lines[loc.line - 1][loc.column - 1:loc.end_column - 1]
    if text[:1] in "'\"" and text[-1:] == text[:1]:
        text = text[1:-1]
    return text if setting.key.endswith(text) else None


def _replace(lines: list, line: int, start: int, end: int, new: str) -> None:
    old = lines[line - 1]
    lines[line - 1] = old[:start - 1] + new + old[end - 1:]


def apply(path: str, text: str, configs: list, findings: list) -> tuple[str, int]:
    """(new text, number of edits applied). Unfixable or unsafe edits are skipped."""
    if any(f.rule == "FL001" and f.severity == "error" for f in findings):
        return text, 0  # never touch a file that does not parse
    lines = text.splitlines(keepends=True)
    newline_lines = [line.rstrip("\r\n") for line in lines]
    endings = [line[len(stripped):] for line, stripped in zip(lines, newline_lines)]
    structural = []
    textual = []  # (line, start, end, new text or None to delete the line)
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
                textual.append((loc.line, loc.column, loc.end_column, edit.new_text[len(prefix):]))
            elif not legacy:
                structural.append((setting, edit))
        elif edit.kind == "set-value" and edit.new_text is not None:
            loc = setting.value_location
            if loc.end_column is not None and loc.end_line in (None, loc.line):
                textual.append((loc.line, loc.column, loc.end_column, edit.new_text))
        elif edit.kind == "delete-key":
            loc = setting.key_location
            siblings = [s for s in config.settings if s is not setting
                        and leaf is not None and s.key.startswith(setting.key[: len(setting.key) - len(leaf)])]
            single_line = setting.value_location.end_line in (None, setting.key_location.line) or \
                (setting.value_location.end_line == loc.line + 1 and setting.value_location.end_column == 1)
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
    if structural and not textual:
        new_text, count = _structural(new_text, structural)
        applied += count
    if applied and not _reads_back(path, new_text, configs):
        return text, 0
    return new_text, applied


def _reads_back(path: str, text: str, configs: list) -> bool:
    from lint.documents import read_file

    kind = {"flink-conf": "flink-conf", "config-yaml": "config-yaml", "job-config": "job-config"}.get(
        configs[0].kind if configs else "", None)
    _, problems = read_file(path, text, kind=kind)
    return not any(p.rule == "FL001" and p.severity == "error" for p in problems)


def _structural(text: str, edits: list) -> tuple[str, int]:
    """Renames across parents and deletions that empty a parent, with ruamel.yaml round-trip."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    try:
        documents = list(yaml.load_all(text))
    except Exception:
        return text, 0
    applied = 0
    for setting, edit in edits:
        target = (setting.key_location.line - 1, setting.key_location.column - 1)
        for document in documents:
            chain = _chain_to(document, target)
            if chain is None:
                continue
            (mapping, key), parents = chain[-1], chain[:-1]
            value = mapping[key]
            comment = mapping.ca.items.pop(key, None)
            position = list(mapping.keys()).index(key)
            del mapping[key]
            while parents and not mapping:  # prune parents left empty
                mapping, key = parents.pop()
                position = list(mapping.keys()).index(key)
                comment = comment or mapping.ca.items.pop(key, None)
                del mapping[key]
            if edit.kind == "rename-key":
                prefix = _prefix_of(parents, chain)
                host, host_prefix, host_position = mapping, prefix, position
                while not edit.new_text.startswith(host_prefix) and parents:
                    host, key = parents.pop()
                    host_position = list(host.keys()).index(key) + 1
                    host_prefix = _prefix_of(parents, parents + [(host, key)])
                if not isinstance(host, CommentedMap):
                    continue
                host.insert(min(host_position, len(host)), edit.new_text[len(host_prefix):], value)
                if comment is not None:
                    host.ca.items[edit.new_text[len(host_prefix):]] = comment
            applied += 1
            break
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue(), applied


def _prefix_of(parents: list, chain: list) -> str:
    """The dotted prefix of keys inside the mapping reached by `parents`."""
    return "".join(f"{key}." for _, key in parents)


def _chain_to(node, target: tuple, chain: Optional[list] = None) -> Optional[list]:
    """[(mapping, key), ...] from `node` down to the key written at (line, column), 0-based."""
    from ruamel.yaml.comments import CommentedMap

    chain = chain or []
    if not isinstance(node, CommentedMap):
        if isinstance(node, list):
            for item in node:
                found = _chain_to(item, target, chain)
                if found:
                    return found
        return None
    for key in list(node.keys()):
        try:
            position = tuple(node.lc.key(key))
        except (KeyError, TypeError):  # a key inserted by an earlier edit has no position
            continue
        if position == target:
            return chain + [(node, key)]
        found = _chain_to(node[key], target, chain + [(node, key)])
        if found:
            return found
    return None


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{path.lstrip('/')}", tofile=f"b/{path.lstrip('/')}"))


def write_atomically(path: str, text: str) -> None:
    """Write to a temporary file next to `path`, keep its mode, then rename over it."""
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".flink-lint-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
