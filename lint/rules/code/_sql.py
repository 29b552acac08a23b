"""A small scanner for the Flink SQL inside job code: session windows and joins, by offset.

Not a parser: comments and string literals are blanked (offsets kept), then keywords are found at
word boundaries. Shared by the code rules (not a rule itself: no CODE).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_COMMENT_OR_STRING = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)
_SESSION = re.compile(r"\bSESSION\s*\(")
_JOIN = re.compile(r"(?:\b(?:LEFT|RIGHT|FULL|INNER|CROSS)\s+(?:OUTER\s+)?)?\bJOIN\b")
_NOT_A_STREAM_JOIN = re.compile(r"\s*(?:LATERAL\b|UNNEST\b|TABLE\s*\()")
_TEMPORAL = re.compile(r"\bFOR\s+SYSTEM_TIME\s+AS\s+OF\b")
_ON = re.compile(r"\bON\b")
_JOIN_END = re.compile(
    r"\b(?:JOIN|WHERE|GROUP\s+BY|ORDER\s+BY|UNION|LIMIT|HAVING|WINDOW|LEFT|RIGHT|FULL|INNER|CROSS)\b|;"
)
_FROM = re.compile(r"\bFROM\b")
_FROM_END = re.compile(
    r"\b(?:WHERE|GROUP|ORDER|JOIN|LEFT|RIGHT|FULL|INNER|CROSS|UNION|LIMIT|HAVING|WINDOW|SELECT|"
    r"MATCH_RECOGNIZE|ON)\b|;"
)
_STATEFUL = re.compile(r"\b(?:GROUP\s+BY|JOIN|OVER|DISTINCT|MATCH_RECOGNIZE|TUMBLE|HOP|CUMULATE|SESSION)\b")


@dataclass(frozen=True)
class Join:
    offset: int  # of the JOIN keywords (or of the second table of a comma join)
    kind: str  # regular | interval | temporal | implicit


_NOT_NEWLINE = re.compile(r"[^\n]")


@functools.lru_cache(maxsize=256)  # the join, session-window and state rules read the same statements
def normalize(sql: str) -> str:
    """Upper case, comments and string literals blanked; same length and offsets as `sql`."""

    def blank(match: re.Match[str]) -> str:
        return _NOT_NEWLINE.sub(" ", match.group(0))

    return _COMMENT_OR_STRING.sub(blank, sql).upper()


def session_windows(sql: str) -> list[int]:
    return [match.start() for match in _SESSION.finditer(normalize(sql))]


def is_stateful(sql: str) -> bool:
    return bool(_STATEFUL.search(normalize(sql)))


def joins(sql: str) -> list[Join]:
    """Every join between two relations; lateral table functions and UNNEST are not joins of
    streams, window joins (ON ... window_start ... window_end) end with their window."""
    text = normalize(sql)
    found: list[Join] = []
    for match in _JOIN.finditer(text):
        rest = text[match.end() :]
        if _NOT_A_STREAM_JOIN.match(rest):
            continue
        end = _JOIN_END.search(rest, _first_word_end(rest))
        segment = rest[: end.start()] if end else rest
        on = _ON.search(segment)
        reference = segment[: on.start()] if on else segment
        condition = segment[on.end() :] if on else ""
        if _TEMPORAL.search(reference):
            found.append(Join(match.start(), "temporal"))
        elif "WINDOW_START" in condition and "WINDOW_END" in condition:
            continue
        elif re.search(r"\bBETWEEN\b", condition) or re.search(r"(?:<=?|>=?).*\bINTERVAL\b", condition):
            found.append(Join(match.start(), "interval"))
        else:
            found.append(Join(match.start(), "regular"))
    for match in _FROM.finditer(text):
        depth, index = 0, match.end()
        while index < len(text):
            char = text[index]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth < 0:
                    break
            elif depth == 0:
                if char == ",":
                    after = text[index + 1 :]
                    if not _NOT_A_STREAM_JOIN.match(after) and after.strip():
                        found.append(Join(index + 1 + len(after) - len(after.lstrip()), "implicit"))
                elif char.isalpha() and (index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_")):
                    if _FROM_END.match(text, index):
                        break
            index += 1
    return sorted(found, key=lambda join: join.offset)


def _first_word_end(text: str) -> int:
    match = re.match(r"\s*\S+", text)
    return match.end() if match else 0
