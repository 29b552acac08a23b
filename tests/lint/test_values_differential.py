"""Our value parsers against Flink's own, in the JVM, on thousands of generated strings.

For every type, strings are generated deterministically (valid-looking, near misses and junk), Flink
parses them through pyflink's gateway (tests/lint/java/FlinkParsers.java: one call per batch) and our
accept/reject verdict and parsed value must equal Flink's for every string.
"""

from __future__ import annotations

import random
import struct

import pytest

from flink_lint.catalog import values

CASES_PER_TYPE = 1500
SPACES = ["", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x0b", "\x1f"]
SIGNS = ["", "", "", "+", "-", "--", "+-"]
DIGITS = [
    "0",
    "1",
    "7",
    "10",
    "010",
    "64",
    "128",
    "1024",
    "2147483647",
    "2147483648",
    "-2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "00000000000000000001",
    "\u0661\u0662",
    "\uff11\uff12",
    "\U0001d7cf",
    "\u0969",
    "1_000",
    "1,5",
    "1.5",
    "0x10",
    "1e3",
    "",
]
JUNK = [
    "",
    " ",
    "x",
    "é",
    "µ",
    "ſ",
    "ı",
    "K",
    "\u212a",
    "'",
    '"',
    ";",
    ",",
    ":",
    "=",
    "[",
    "]",
    "{",
    "}",
    "#",
    "~",
    "null",
    "-",
    "_",
    "\\",
    "%",
    "\u200b",
    "🙂",
]


def _java_trimmable(rng) -> str:
    return rng.choice(SPACES)


def _number(rng) -> str:
    if rng.random() < 0.6:
        return str(
            rng.choice([0, 1, 2, 5, 10, 64, 100, 512, 4096, 10**6, 2**31, 2**53, 2**62, 2**63, 10**20])
            + rng.choice([-1, 0, 0, 0, 1])
        )
    return rng.choice(DIGITS)


def _mutate(rng, text: str) -> str:
    """A near miss: change case, insert or drop a character, add spaces or signs."""
    choice = rng.randrange(8)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return text.swapcase()
    if choice == 2 and text:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1 :]
    if choice == 3:
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(JUNK + SPACES) + text[i:]
    if choice == 4:
        return _java_trimmable(rng) + text + _java_trimmable(rng)
    if choice == 5:
        return rng.choice(SIGNS) + text
    if choice == 6:
        return text + rng.choice(JUNK)
    return text


def _generate(seed: int, make) -> list[str]:
    rng = random.Random(seed)
    cases: list[str] = []
    seen: set[str] = set()
    while len(cases) < CASES_PER_TYPE:
        roll = rng.random()
        text = make(rng)
        if roll < 0.35:
            text = _mutate(rng, text)
        elif roll < 0.42:
            text = "".join(rng.choice(JUNK + SPACES + DIGITS[:8]) for _ in range(rng.randrange(5)))
        if text not in seen:
            seen.add(text)
            cases.append(text)
    return cases


# ---------------------------------------------------------------- generators per type
MEMORY_UNITS = [
    "",
    "b",
    "bytes",
    "byte",
    "k",
    "kb",
    "kibibytes",
    "m",
    "mb",
    "mebibytes",
    "g",
    "gb",
    "gibibytes",
    "t",
    "tb",
    "tebibytes",
    "p",
    "pb",
    "MiB",
    "GiB",
    "gig",
    "kB",
    "Mb",
    "K",
    "M",
    "\u212ab",
    "ｍ",
    "mb mb",
]
DURATION_UNITS = [
    "",
    "d",
    "day",
    "days",
    "h",
    "hour",
    "hours",
    "min",
    "m",
    "minute",
    "minutes",
    "mins",
    "s",
    "sec",
    "secs",
    "second",
    "seconds",
    "ms",
    "milli",
    "millis",
    "millisecond",
    "milliseconds",
    "µs",
    "μs",
    "us",
    "micro",
    "micros",
    "microsecond",
    "microseconds",
    "ns",
    "nano",
    "nanos",
    "nanosecond",
    "nanoseconds",
    "w",
    "week",
    "S",
    "MS",
    "Min",
    "H",
]
ISO_PARTS = [
    "P",
    "PT",
    "P1D",
    "PT10S",
    "PT0.5S",
    "PT1.123456789S",
    "PT1.1234567891S",
    "P1DT2H3M4.5S",
    "PT-1S",
    "-PT1S",
    "P-0D",
    "PT+5M",
    "P1W",
    "P1Y",
    "PT",
    "pt10s",
    "Pt1h",
    "PT1,5S",
    "PT.5S",
    "P106751991167300D",
    "P106751991167301D",
    "PT2562047788015215H",
    "PT9223372036854775807S",
    "PT-9223372036854775808S",
    "-PT-1S",
    "P1DT",
    "PT1H-60M",
    "PT0S",
    "P0D",
    "PT1M-1S",
]


def memory_case(rng) -> str:
    return _number(rng) + rng.choice(SPACES[:4]) + rng.choice(MEMORY_UNITS)


def duration_case(rng) -> str:
    if rng.random() < 0.25:
        return rng.choice(ISO_PARTS)
    return _number(rng) + rng.choice(SPACES[:4]) + rng.choice(DURATION_UNITS)


BOOLEANS = [
    "true",
    "false",
    "TRUE",
    "False",
    "tRuE",
    "yes",
    "no",
    "on",
    "off",
    "1",
    "0",
    "y",
    "t",
    "truе",
    "fals",
    "ｔｒｕｅ",
    "falſe",
    "True\n",
    "\ttrue",
]


def _random_case(rng, text: str) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def boolean_case(rng) -> str:
    if rng.random() < 0.6:
        return _random_case(rng, rng.choice(["true", "false", "falſe", "truE"]))
    return rng.choice(BOOLEANS)


def integer_case(rng) -> str:
    return rng.choice(SIGNS) + rng.choice(DIGITS + [_number(rng)] * 4) + rng.choice(["", "", "", "L", " ", ".0"])


FLOATS = [
    "0.1",
    ".1",
    "1.",
    "1.e5",
    ".e5",
    "1e-1",
    "1E+40",
    "1e40",
    "1e-50",
    "3.4028235e38",
    "3.4028236e38",
    "1.4e-45",
    "7e-46",
    "NaN",
    "nan",
    "Infinity",
    "inf",
    "-Infinity",
    "+NaN",
    "1.0d",
    "1.0f",
    "1.0D",
    "1.0F",
    "1.0dd",
    "0x1p3",
    "0X1.8P-2",
    "0x1",
    "0x.8p1",
    "0x1.p1",
    "0x1p3f",
    "0x1fffffffffffffp971",
    "1e",
    "1e+",
    "e5",
    ".",
    "0,1",
    "1_0",
    "4.9e-324",
    "1e400",
    "-0.0",
    "00.5",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "123456789012345678901234567890",
    "0.30000000000000004",
    "２.5",
]


def float_case(rng) -> str:
    if rng.random() < 0.5:
        return rng.choice(SIGNS) + rng.choice(FLOATS)
    mantissa = rng.choice(["", "0", "1", "12", "3.25", "0.000123", "99999.5", ".75"])
    exponent = rng.choice(["", "", "e1", "e-7", "E38", "e39", "e-45", "e+308", "e309", "e-400"])
    return rng.choice(SIGNS[:4]) + mantissa + exponent + rng.choice(["", "", "f", "d", "x"])


ENUM_CLASS = "org.apache.flink.configuration.ExternalizedCheckpointRetention"
ENUM_CONSTANTS = ["DELETE_ON_CANCELLATION", "RETAIN_ON_CANCELLATION", "NO_EXTERNALIZED_CHECKPOINTS"]
# An enum whose toString() is not its name: Flink matches toString(), the catalog lists those texts.
LOWER_ENUM_CLASS = "org.apache.flink.table.api.config.OptimizerConfigOptions$AdaptiveBroadcastJoinStrategy"
LOWER_ENUM_KEY = "table.optimizer.adaptive-broadcast-join.strategy"


def _enum_case(constants: list[str]):
    def make(rng) -> str:
        constant = rng.choice(constants)
        form = rng.randrange(6)
        if form == 0:
            return constant.lower()
        if form == 1:
            return constant.replace("_", "-")
        if form == 2:
            return _random_case(rng, constant)
        if form == 3:
            return constant.replace("_", " ")
        if form == 4:
            return constant.upper()
        return constant

    return make


def _catalog_enum(key: str) -> list[str]:
    from flink_lint.catalog import load_catalog

    return load_catalog("2.3").option(key)["enum"]


LIST_ITEMS = [
    "a",
    "b c",
    "'a;b'",
    '"x;y"',
    "'it''s'",
    "''",
    '""',
    "1",
    "~",
    "null",
    "[a]",
    "{k: v}",
    "k:a,p:'x'",
    " c ",
    "'a'b",
    "a'b",
    "-",
    "- a",
    "#x",
    "'unclosed",
    '"unclosed',
    "é",
]


def list_case(rng) -> str:
    items = [rng.choice(LIST_ITEMS) for _ in range(rng.randrange(4))]
    form = rng.randrange(5)
    if form == 0:
        return "[" + rng.choice([", ", ",", " ,"]).join(items) + "]"
    if form == 1:
        return "\n".join("- " + item for item in items)
    separator = rng.choice([";", ";", "; ", " ;", ";;", ","])
    return separator.join(items)


MAP_KEYS = ["k1", "k2", "a", "'k:1'", '"k,2"', "1", "true", "~", "", " k ", "key.sub", "a", "'x''y'"]
MAP_VALUES = ["v1", "v2", "1", "'v,1'", '"v:2"', "", "~", "[1,2]", "{a: 1}", " v ", "x y", "'q''t'"]


def map_case(rng) -> str:
    pairs = [(rng.choice(MAP_KEYS), rng.choice(MAP_VALUES)) for _ in range(rng.randrange(4))]
    form = rng.randrange(5)
    if form == 0:
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if form == 1:
        return "\n".join(f"{k}: {v}" for k, v in pairs)
    pair_separator = rng.choice([":", ":", "=", ": "])
    item_separator = rng.choice([",", ",", ";", ", "])
    return item_separator.join(f"{k}{pair_separator}{v}" for k, v in pairs)


# ---------------------------------------------------------------- the comparison
def _float_bits(value: float) -> str:
    return format(struct.unpack(">I", struct.pack(">f", value))[0], "x")


def _double_bits(value: float) -> str:
    return format(struct.unpack(">Q", struct.pack(">d", value))[0], "x")


def _duration(flink_value) -> int:
    seconds, nanos = flink_value
    return seconds * 10**9 + nanos


TYPES = {
    # name: (Flink kind, generator, our parser, Flink value -> ours)
    "MemorySize.parseBytes": ("MemorySize.parseBytes", memory_case, values.parse_memory_size, int),
    "MemorySize": ("MemorySize", memory_case, lambda t: values.parse_value("MemorySize", t), int),
    "TimeUtils.parseDuration": ("TimeUtils.parseDuration", duration_case, values.parse_duration_nanos, _duration),
    "Duration": ("Duration", duration_case, lambda t: values.parse_value("Duration", t), _duration),
    "Boolean": ("Boolean", boolean_case, lambda t: values.parse_value("Boolean", t), bool),
    "Integer": ("Integer", integer_case, lambda t: values.parse_value("Integer", t), int),
    "Long": ("Long", integer_case, lambda t: values.parse_value("Long", t), int),
    "Float": ("Float", float_case, lambda t: _float_bits(values.parse_value("Float", t)), str),
    "Double": ("Double", float_case, lambda t: _double_bits(values.parse_value("Double", t)), str),
    "Enum": (
        "Enum:" + ENUM_CLASS,
        _enum_case(ENUM_CONSTANTS),
        lambda t: values.parse_value("Enum", t, enum_values=ENUM_CONSTANTS),
        str,
    ),
    "Enum (toString)": (
        "Enum:" + LOWER_ENUM_CLASS,
        _enum_case(_catalog_enum(LOWER_ENUM_KEY)),
        lambda t: values.parse_value("Enum", t, enum_values=_catalog_enum(LOWER_ENUM_KEY)),
        str,
    ),
    "List<String>": ("List<String>", list_case, lambda t: values.parse_value("String", t, is_list=True), list),
    "Map": ("Map", map_case, lambda t: values.parse_value("Map", t), dict),
}


@pytest.mark.parametrize("name", list(TYPES))
def test_same_verdict_and_value_as_flink(name, flink_parse):
    kind, generate, ours, from_flink = TYPES[name]
    cases = _generate(seed=sum(map(ord, name)), make=generate)
    disagreements = []
    verdicts = flink_parse(kind, cases)
    for text, (accepted, flink_value) in zip(cases, verdicts):
        try:
            our_value, our_error = ours(text), None
        except ValueError as error:
            our_value, our_error = None, str(error)
        if accepted and our_error is not None:
            disagreements.append(f"{text!r}: Flink accepts ({flink_value!r}), we reject: {our_error}")
        elif not accepted and our_error is None:
            disagreements.append(f"{text!r}: Flink rejects ({flink_value}), we accept: {our_value!r}")
        elif accepted and our_value != from_flink(flink_value):
            disagreements.append(f"{text!r}: Flink reads {flink_value!r}, we read {our_value!r}")
    assert not disagreements, f"{len(disagreements)} of {len(cases)} disagree:\n" + "\n".join(disagreements[:40])
    accepted = sum(1 for ok, _ in verdicts if ok)
    assert len(cases) >= 1000 and 50 <= accepted <= len(cases) - 50, "a mix of good and bad values"
