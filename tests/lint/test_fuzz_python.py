"""Property-based fuzzing of the Python reader (lint/documents/python_source.py) and the code rules
(hypothesis), through `lint_text`, which lets any reader or rule exception escape.

Inputs: PyFlink-shaped programs from a small grammar (imports, environments, chains of stream
calls, variables that feed each other, cycles, UDF classes and functions, SQL strings), mutations
of the code-rule fixtures (spans cut, doubled, tokens inserted), token soup, and bytes.
Properties: nothing raises; every finding is located inside the file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from flink_lint.documents.python_source import read_python
from flink_lint.engine import lint_text

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from fuzz_settings import fuzz  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "code"
SEEDS = [
    case["input"]
    for path in sorted(FIXTURES.glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]
_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _check(text, path="jobs/job.py"):
    bound = len(_BREAKS.split(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)) + 1
    for finding in lint_text(path, text):  # strict: reader and rule exceptions escape
        location = finding.location
        assert location.path == path and 1 <= location.line <= bound and location.column >= 1, (
            finding.rule,
            location,
            finding.message,
        )
        assert finding.message


# ---------------------------------------------------------------- a small PyFlink grammar
NAMES = st.sampled_from(
    [
        "env",
        "t_env",
        "ds",
        "keyed",
        "windowed",
        "stream",
        "table",
        "a",
        "b",
        "self.x",
        "conf",
        "StreamExecutionEnvironment",
        "TableEnvironment",
        "time",
        "requests",
        "state",
    ]
)
METHODS = st.sampled_from(
    [
        "get_execution_environment",
        "create",
        "from_source",
        "from_collection",
        "key_by",
        "window",
        "reduce",
        "process",
        "map",
        "flat_map",
        "filter",
        "aggregate",
        "apply",
        "connect",
        "join",
        "interval_join",
        "set_parallelism",
        "enable_checkpointing",
        "execute_sql",
        "sql_query",
        "add_insert_sql",
        "assign_timestamps_and_watermarks",
        "with_idleness",
        "sleep",
        "post",
        "get_state",
        "get_list_state",
        "add",
        "update",
        "value",
        "print",
        "execute",
        "set_max_parallelism",
        "get_config",
        "set",
        "set_string",
        "in_streaming_mode",
        "for_bounded_out_of_orderness",
        "no_watermarks",
        "of_seconds",
        "disable_chaining",
    ]
)
LITERALS = st.sampled_from(
    [
        "1",
        "-1",
        "0",
        "4",
        "10 ** 100",
        "1e308 * 10",
        "None",
        "True",
        "[]",
        "{}",
        "()",
        "'SELECT * FROM t'",
        "'INSERT INTO s SELECT a, COUNT(*) FROM t GROUP BY a'",
        "f'SELECT {x} FROM t'",
        "'SELECT ' + x",
        "'%s' % x",
        "'{}'.format(x)",
        "\"CREATE TABLE t (a INT) WITH ('connector' = 'kafka')\"",
        "'parallelism.default'",
        "'execution.checkpointing.interval'",
        "'30 s'",
        "lambda e: e[0]",
        "lambda a, b: a",
        "Time.seconds(5)",
        "*args",
        "**kwargs",
    ]
)


def _expressions():
    def extend(inner):
        call = st.tuples(inner, METHODS, st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}.{t[1]}({', '.join(t[2])})")
        keyword = st.tuples(METHODS, NAMES, inner).map(lambda t: f"{t[1]}.{t[0]}(x={t[2]})")
        binary = st.tuples(inner, st.sampled_from(["+", "%", "if True else", "and"]), inner).map(" ".join)
        return st.one_of(call, keyword, binary, inner.map(lambda e: f"({e})"), inner.map(lambda e: f"[{e}]"))

    return st.recursive(st.one_of(NAMES, LITERALS), extend, max_leaves=8)


EXPRESSIONS = _expressions()
IMPORTS = st.sampled_from(
    [
        "from pyflink.datastream import StreamExecutionEnvironment\n",
        "from pyflink.datastream import *\n",
        "from pyflink.table import EnvironmentSettings, TableEnvironment\n",
        "import pyflink.datastream as pds\n",
        "from pyflink.datastream.functions import MapFunction, KeyedProcessFunction, RuntimeContext\n",
        "from pyflink.common import WatermarkStrategy, Time\n",
        "import time\nimport requests as rq\n",
        "from time import sleep as time\n",
        "StreamExecutionEnvironment = None\n",
    ]
)


def _statement(expression, name, method, body):
    return st.one_of(
        st.just(f"{name} = {expression}\n"),
        st.just(f"{expression}\n"),
        st.just(f"def {method}(self, value, ctx=None):\n    {body}\n    return {expression}\n"),
        st.just(
            f"class C{method}(MapFunction):\n    def open(self, ctx):\n        self.x = {expression}\n"
            f"    def map(self, value):\n        {body}\n        return value\n"
        ),
        st.just(f"for {name.split('.')[-1]} in {expression}:\n    {body}\n"),
        st.just(f"if {expression}:\n    {name} = {name}\nelse:\n    {name} = {expression}\n"),
        st.just(f"{name} = {name}\n"),  # self-reference: resolution must stop
    )


STATEMENTS = st.tuples(EXPRESSIONS, NAMES, METHODS, EXPRESSIONS).flatmap(lambda t: _statement(*t))
PROGRAMS = st.tuples(st.lists(IMPORTS, max_size=3), st.lists(STATEMENTS, min_size=1, max_size=8)).map(
    lambda t: "".join(t[0]) + "".join(t[1])
)


@fuzz(500)
@given(PROGRAMS)
def test_pyflink_shaped_programs(source):
    _check(source)


# ---------------------------------------------------------------- fixture mutations, token soup, bytes
TOKENS = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "\n",
    "    ",
    "\t",
    "'",
    '"',
    '"""',
    "#",
    "\\\n",
    "lambda",
    "def",
    "class",
    "return",
    "yield",
    "async",
    "await",
    "import",
    "from",
    "*",
    "**",
    "@",
    "env",
    "key_by",
    "execute_sql",
    "f'{",
    "}'",
    "\x00",
    "\x0c",
    "\ufeff",
    "é",
    "# flink-lint: disable=FL706",
    "# noqa",
]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        action = draw(st.sampled_from(["cut", "double", "insert", "truncate"]))
        if action == "cut":
            text = text[:start] + text[end:]
        elif action == "double":
            text = text[:end] + text[start:end] + text[end:]
        elif action == "insert":
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[start:]
        else:
            text = text[:start]
    return text


@fuzz(600)
@given(mutated())
def test_mutated_code_rule_fixtures(source):
    _check(source)


@fuzz(400)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup(source):
    _check(source)


@fuzz(300)
@given(st.binary(max_size=300))
def test_bytes(data):
    _check(data)
    source, findings = read_python("jobs/job.py", data)
    assert source is None or not findings


# ---------------------------------------------------------------- found by the fuzzers
def test_syntax_warnings_are_neither_printed_nor_errors(tmp_path, capsys):
    """`0if x` and `"\\d"` are SyntaxWarnings: the CLI printed them on stderr, and under -W error the
    reader called valid code a syntax error."""
    import warnings

    from flink_lint.cli import main

    job = tmp_path / "job.py"
    job.write_text(
        "from pyflink.datastream import StreamExecutionEnvironment\nimport re\n"
        'x = 0if 1 else 2\np = re.compile("\\d")\nassert (x, 1)\n'
    )
    assert main([str(job), "--format", "json"]) == 0
    assert capsys.readouterr().err == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lint_text(str(job), job.read_text()) == []
