"""Value syntax, case by case, from the table in /work/shared/reference/flink-config.md section 2."""

from __future__ import annotations

import math

import pytest

from flink_lint.catalog.values import (
    parse_duration_ms,
    parse_duration_nanos,
    parse_memory_size,
    parse_value,
    split_escaped,
    value_error,
)

KB, MB, GB = 1024, 1024**2, 1024**3
S = 10**9

ACCEPTED = [
    # (type, text, parsed value)
    ("MemorySize", "64m", 64 * MB),
    ("MemorySize", "64 MB", 64 * MB),
    ("MemorySize", " 32 kb ", 32 * KB),
    ("MemorySize", "1024", 1024),
    ("MemorySize", "1 bytes", 1),
    ("MemorySize", "2 gibibytes", 2 * GB),
    ("MemorySize", "1t", 1024**4),
    ("Duration", "10 s", 10 * S),
    ("Duration", "500", 500 * 10**6),
    ("Duration", "5 min", 300 * S),
    ("Duration", "1d", 86_400 * S),
    ("Duration", "2 hours", 7_200 * S),
    ("Duration", "3 µs", 3_000),
    ("Duration", "7 nanos", 7),
    ("Duration", "PT10S", 10 * S),
    ("Duration", "pt10s", 10 * S),
    ("Duration", "P1D", 86_400 * S),
    ("Duration", "PT0.5S", S // 2),
    ("Duration", "9223372036854775807000ms", (2**63 - 1) * S),  # a BigInteger in Flink 2.3
    ("Boolean", "true", True),
    ("Boolean", "FALSE", False),
    ("Boolean", "tRuE", True),
    ("Integer", "10", 10),
    ("Integer", "+10", 10),
    ("Integer", "-10", -10),
    ("Integer", "010", 10),
    ("Integer", "-2147483648", -(2**31)),
    ("Long", "2147483648", 2**31),
    ("Float", "0.1", pytest.approx(0.1)),
    ("Double", "0.1", 0.1),
    ("Double", ".1", 0.1),
    ("Double", "1e-1", 0.1),
    ("Double", "1.0d", 1.0),
    ("Double", "0x1p3", 8.0),
    ("Double", " 2.5 ", 2.5),  # FloatingDecimal trims, unlike Integer.parseInt
    ("Double", "Infinity", math.inf),
    ("Float", "1e40", math.inf),
    ("Map", "k1:v1,k2:v2", {"k1": "v1", "k2": "v2"}),
    ("Map", "{k1: v1}", {"k1": "v1"}),
    ("Map", "'a:b,c',d:e", {"a": "b,c", "d": "e"}),  # quotes around a whole item
]

REJECTED = (
    [
        ("MemorySize", text)
        for text in [
            "1.5g",
            "1,5g",
            "-1m",
            "64 MiB",
            "1byte",
            "1p",
            "4 gig",
            "m",
            "",
            "   ",
            "9223372036854775807k",
            "99999999999999999999",
        ]
    ]
    + [
        ("Duration", text)
        for text in ["10 mins", "100us", "1w", "1.5s", "-1s", "P1W", "s", "", "PT-1S", "-PT1S", "PT", "P1DT"]
    ]
    + [("Boolean", text) for text in ["yes", "no", "on", "1", "0", " true ", "true\n"]]
    + [("Integer", text) for text in [" 10 ", "0x10", "1_000", "1e3", "10.0", "2147483648", "10L", "", "+"]]
    + [("Long", text) for text in ["9223372036854775808", "10L", " 1"]]
    + [("Double", text) for text in ["0,1", "nan", "inf", "1e", ".", "0x1", "1.0dd", ""]]
    + [("Map", text) for text in ["k1=v1", "k1:v1;k2:v2", "k1:", "a:1,a:2"]]
)


@pytest.mark.parametrize(("option_type", "text", "expected"), ACCEPTED)
def test_accepted(option_type, text, expected):
    assert parse_value(option_type, text) == expected


@pytest.mark.parametrize(("option_type", "text"), REJECTED)
def test_rejected_with_a_message(option_type, text):
    with pytest.raises(ValueError) as error:
        parse_value(option_type, text)
    assert str(error.value)


def test_nan_is_accepted():
    assert math.isnan(parse_value("Double", "NaN"))
    assert math.isnan(parse_value("Float", "-NaN"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exactly_once", "EXACTLY_ONCE"),
        ("EXACTLY_ONCE", "EXACTLY_ONCE"),
        ("At_Least_Once", "AT_LEAST_ONCE"),
    ],
)
def test_enum_accepts_constant_names_in_any_case(text, expected):
    assert parse_value("Enum", text, enum_values=["EXACTLY_ONCE", "AT_LEAST_ONCE"]) == expected


@pytest.mark.parametrize("text", ["exactly-once", "EXACTLY ONCE", " AT_LEAST_ONCE "])
def test_enum_rejects_other_spellings(text):
    with pytest.raises(ValueError, match="EXACTLY_ONCE, AT_LEAST_ONCE"):
        parse_value("Enum", text, enum_values=["EXACTLY_ONCE", "AT_LEAST_ONCE"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a;b;c", ["a", "b", "c"]),
        ("[a, b]", ["a", "b"]),
        (" a ; b ", ["a", "b"]),  # items are trimmed
        ("'a;b';c", ["a;b", "c"]),  # quotes protect the delimiter
        ("a;;b", ["a", "", "b"]),  # an empty item is kept
        ("1,2", ["1,2"]),  # commas never split lists
        ("k:a,p:'x';k:b,p:'y'", ["k:a,p:'x'", "k:b,p:'y'"]),
        ("- a\n- b", ["a", "b"]),  # a YAML block sequence
    ],
)
def test_string_lists(text, expected):
    assert parse_value("String", text, is_list=True) == expected


def test_commas_do_not_split_an_integer_list():
    with pytest.raises(ValueError):
        parse_value("Integer", "1,2", is_list=True)
    assert parse_value("Integer", "1;2", is_list=True) == [1, 2]
    assert parse_value("Integer", "[1, 2]", is_list=True) == [1, 2]


def test_a_list_of_maps():
    assert parse_value("Map", "k:a,p:'x';k:b,p:'y'", is_list=True) == [{"k": "a", "p": "x"}, {"k": "b", "p": "y"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k1:", "missing ':'"),
        ("'a'b;c", "Illegal quoting"),
    ],
)
def test_split_errors_explain_themselves(text, message):
    with pytest.raises(ValueError, match=message):
        parse_value("Map", text) if ":" in text else split_escaped(text, ";")


def test_value_error_uses_the_catalog_entry():
    option = {"type": "Enum", "enum": ["EXACTLY_ONCE", "AT_LEAST_ONCE"], "scope": "config"}
    assert value_error(option, "exactly_once") is None
    assert "AT_LEAST_ONCE" in value_error(option, "exactly-once")
    assert value_error({"type": "Boolean"}, "maybe")
    assert value_error({"type": "String", "list": True}, "a;b") is None


def test_existing_helpers_keep_their_behaviour():
    assert parse_memory_size("64m") == 64 * MB
    assert parse_duration_nanos("10 s") == 10 * S
    assert parse_duration_ms("10 s") == 10_000
    assert parse_duration_ms(250) == 250
    with pytest.raises(ValueError):
        parse_duration_ms(True)
