"""Property-based fuzzing of every value parser in lint/catalog/values.py (hypothesis).

On any text: the parser returns or raises ValueError, nothing else, and gives the same answer
twice. On generated valid values: the parser gives back exactly the value that was written.
(Exact agreement with Flink's own parsers is tests/lint/test_values_differential.py.)
"""

from __future__ import annotations

import math
import string
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from flink_lint.catalog import values

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from fuzz_settings import fuzz  # noqa: E402

# Text that reaches the parsers' corners: digits of any script, units, signs, ISO durations,
# quotes and delimiters, YAML flow syntax, Java trim()-able controls, and any other character.
_PIECES = [
    "0",
    "1",
    "9",
    "00",
    "-",
    "+",
    ".",
    ",",
    ";",
    ":",
    ": ",
    "'",
    "''",
    '"',
    " ",
    "\t",
    "\n",
    "\x00",
    "\x1f",
    "\u00a0",
    "\u2003",
    "\u0661",
    "\uff19",
    "\U0001d7d9",
    "e",
    "E",
    "p",
    "x",
    "0x",
    "d",
    "f",
    "NaN",
    "Infinity",
    "inf",
    "true",
    "FALSE",
    "yes",
    "b",
    "k",
    "kb",
    "m",
    "mb",
    "g",
    "gb",
    "t",
    "tb",
    "bytes",
    "mebibytes",
    "ms",
    "s",
    "min",
    "h",
    "day",
    "µs",
    "nanos",
    "P",
    "T",
    "PT",
    "D",
    "H",
    "M",
    "S",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "#",
    "|",
    ">",
    "~",
    "null",
    "9" * 25,
]
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.characters()), max_size=16).map("".join),
)
ENUM = ["EXACTLY_ONCE", "AT_LEAST_ONCE", "NONE"]
PARSERS = {
    "memory": values.parse_memory_size,
    "duration": values.parse_duration_nanos,
    "duration-ms": values.parse_duration_ms,
    "boolean": values.parse_boolean,
    "int": values.parse_int,
    "long": values.parse_long,
    "double": values.parse_double,
    "float": values.parse_float,
    "enum": lambda text: values.parse_enum(text, ENUM),
    "split-semicolon": lambda text: values.split_escaped(text, ";"),
    "split-comma": lambda text: values.split_escaped(text, ","),
    "list": values.parse_list,
    "list-of-int": lambda text: values.parse_list(text, values.parse_int),
    "map": values.parse_map,
}
TYPES = ["String", "Boolean", "Integer", "Long", "Float", "Double", "Duration", "MemorySize", "Enum", "Map"]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _outcome(parse, text):
    try:
        return "ok", parse(text)
    except ValueError as error:  # the only exception a parser may raise
        return "error", str(error)


# ---------------------------------------------------------------- any text: ValueError only, deterministic
@fuzz(1500)
@given(st.sampled_from(sorted(PARSERS)), TEXT)
def test_parsers_raise_only_value_error_and_are_deterministic(name, text):
    first, second = _outcome(PARSERS[name], text), _outcome(PARSERS[name], text)
    assert first[0] == second[0] and _same(first[1], second[1])
    if first[0] == "error":
        assert first[1], "an empty error message"


@fuzz(1500)
@given(st.sampled_from(TYPES), st.booleans(), TEXT)
def test_parse_value_and_value_error_agree_on_any_text(option_type, is_list, text):
    option = {"type": option_type, "list": is_list, **({"enum": ENUM} if option_type == "Enum" else {})}
    verdict = _outcome(lambda t: values.parse_value(option_type, t, option.get("enum"), is_list), text)
    message = values.value_error(option, text)
    assert (message is None) == (verdict[0] == "ok")
    assert values.is_valid_value(option, text) == (message is None)
    assert message == values.value_error(option, text)


@fuzz(600)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_java_double_to_string_reads_back_exactly(number):
    text = values.java_double_to_string(number)
    assert _same(values.parse_double(text), number)
    assert text == values.java_double_to_string(number)


# ---------------------------------------------------------------- generated valid values round-trip
MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "bytes": 1,
    "k": 1024,
    "kb": 1024,
    "kibibytes": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mebibytes": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gibibytes": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "tebibytes": 1024**4,
}
DURATION_UNITS = {
    "": 10**6,
    "ms": 10**6,
    "milli": 10**6,
    "millis": 10**6,
    "milliseconds": 10**6,
    "s": 10**9,
    "sec": 10**9,
    "secs": 10**9,
    "second": 10**9,
    "seconds": 10**9,
    "min": 60 * 10**9,
    "m": 60 * 10**9,
    "minute": 60 * 10**9,
    "minutes": 60 * 10**9,
    "h": 3600 * 10**9,
    "hour": 3600 * 10**9,
    "hours": 3600 * 10**9,
    "d": 86400 * 10**9,
    "day": 86400 * 10**9,
    "days": 86400 * 10**9,
    "ns": 1,
    "nano": 1,
    "nanos": 1,
    "nanosecond": 1,
    "nanoseconds": 1,
    "µs": 1000,
    "micro": 1000,
    "micros": 1000,
    "microsecond": 1000,
    "microseconds": 1000,
}
SPACES = st.text(alphabet=" \t", max_size=2)


def _cased(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if flip and c.isascii() else c for c, flip in zip(word, flips))  # "µ".upper() is Greek


@fuzz(500)
@given(st.data(), st.sampled_from(sorted(MEMORY_UNITS)), SPACES, SPACES, SPACES)
def test_memory_sizes_round_trip(data, unit, before, between, after):
    number = data.draw(st.integers(0, (2**63 - 1) // MEMORY_UNITS[unit]))
    text = f"{before}{number}{between if unit else ''}{_cased(data.draw, unit)}{after}"
    assert values.parse_memory_size(text) == number * MEMORY_UNITS[unit]


@fuzz(500)
@given(st.data(), st.integers(0, 10**12), st.sampled_from(sorted(DURATION_UNITS)), SPACES, SPACES)
def test_durations_round_trip(data, number, unit, between, after):
    text = f"{number}{between if unit else ''}{_cased(data.draw, unit)}{after}"
    assert values.parse_duration_nanos(text) == number * DURATION_UNITS[unit]
    assert values.parse_duration_ms(text) == number * DURATION_UNITS[unit] // 10**6


@fuzz(300)
@given(
    st.integers(0, 10**6),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999_999_999),
    st.booleans(),
)
def test_iso_durations_round_trip(days, hours, minutes, seconds, nanos, lower):
    text = f"P{days}DT{hours}H{minutes}M{seconds}.{nanos:09d}S"
    expected = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 10**9 + nanos
    assert values.parse_duration_nanos(text.lower() if lower else text) == expected


@fuzz(500)
@given(st.integers(-(2**63), 2**63 - 1), st.sampled_from(["", "+", "0", "00"]))
def test_integers_round_trip(number, decoration):
    text = (decoration if number >= 0 else "-" + decoration.lstrip("+")) + str(abs(number))
    assert values.parse_long(text) == number
    if -(2**31) <= number < 2**31:
        assert values.parse_int(text) == number
    else:
        assert _outcome(values.parse_int, text)[0] == "error"


@fuzz(400)
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", "d", "D"]), SPACES)
def test_doubles_round_trip(number, suffix, around):
    text = f"{around}{number!r}{suffix}{around}"  # (Java refuses "Infinityd": infinities are above)
    assert _same(values.parse_double(text), number)


@fuzz(300)
@given(st.data(), st.sampled_from(["true", "false"]))
def test_booleans_and_enums_in_any_case(data, word):
    assert values.parse_boolean(_cased(data.draw, word)) is (word == "true")
    constant = data.draw(st.sampled_from(ENUM))
    assert values.parse_enum(_cased(data.draw, constant), ENUM) == constant


ITEM = st.text(alphabet=string.ascii_letters + string.digits + "._/-;:,'\" ", max_size=8)


@fuzz(400)
@given(st.lists(ITEM, min_size=1, max_size=6))
def test_quoted_items_split_back(items):
    text = ";".join("'" + item.replace("'", "''") + "'" for item in items)
    assert values.split_escaped(text, ";") == items
    assert values.parse_list(text) == items


SAFE = st.from_regex(r"[a-z][a-z0-9.\-]{0,8}", fullmatch=True).filter(
    lambda s: s not in ("null", "true", "false") and not s.endswith(("-", "."))
)


@fuzz(250)
@given(st.dictionaries(SAFE, SAFE, min_size=1, max_size=5), st.booleans())
def test_maps_round_trip_in_both_syntaxes(mapping, yaml_syntax):
    if yaml_syntax:
        text = "{" + ", ".join(f"{k}: {v}" for k, v in mapping.items()) + "}"
    else:
        text = ",".join(f"{k}:{v}" for k, v in mapping.items())
    assert values.parse_map(text) == mapping


@fuzz(300)
@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=6), st.booleans())
def test_lists_of_integers_round_trip_in_both_syntaxes(numbers, yaml_syntax):
    text = ("[" + ", ".join(map(str, numbers)) + "]") if yaml_syntax else ";".join(map(str, numbers))
    assert values.parse_list(text, values.parse_int) == numbers
