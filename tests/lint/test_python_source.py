"""The Python reader: ast only (never imports, never executes), name and variable resolution, SQL
extraction with positions, suppressions from real comments, bad input, and precision on the
examples that ship inside the apache-flink package."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flink_lint.config import ToolConfig
from flink_lint.documents.python_source import directives, read_python
from flink_lint.engine import lint_paths, lint_text

ROOT = Path(__file__).resolve().parents[2]


def _source(text: str):
    source, findings = read_python("job.py", text)
    assert source is not None, findings
    return source


def test_linting_never_imports_or_runs_the_file(tmp_path):
    marker = tmp_path / "imported.txt"
    job = tmp_path / "job.py"
    job.write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n"
        "from pyflink.datastream import StreamExecutionEnvironment\n"
        "if __name__ == '__main__':\n"
        f"    pathlib.Path({str(marker)!r}).write_text('run')\n"
    )
    report = lint_paths([str(tmp_path)], ToolConfig())
    assert report.files_checked == 1 and not report.internal_errors
    assert not marker.exists()


def test_names_resolve_through_imports_aliases_defaults_and_self():
    source = _source(
        "import requests as rq\n"
        "import time\n"
        "from pyflink.datastream.window import EventTimeSessionWindows as S\n"
        "from pyflink.java_gateway import get_gateway\n"
        "class F:\n"
        "    def __init__(self, sleep=time.sleep):\n"
        "        self.sleep = sleep\n"
        "        self.http = rq.Session()\n"
        "    def map(self, v):\n"
        "        self.sleep(1); self.http.get(v); S.with_gap(5)\n"
        "W = get_gateway().jvm.org.apache.flink.X\n"
        "W.withGap(1)\n"
    )
    names = {source.qualname(site.call.func, site) for site in source.calls}
    assert {
        "time.sleep",
        "requests.Session().get",
        "pyflink.datastream.window.EventTimeSessionWindows.with_gap",
        "pyflink.java_gateway.get_gateway().jvm.org.apache.flink.X.withGap",
    } <= names


def test_chains_follow_variables_to_the_nearest_earlier_assignment():
    source = _source(
        "# a Flink job\n"
        "def build(env):\n"
        "    ds = env.from_collection([1])\n"
        "    ds = ds.key_by(lambda x: x)\n"
        "    windowed = ds.window(w)\n"
        "    return windowed.process(f)\n"
    )
    site = next(site for site in source.calls if getattr(site.call.func, "attr", None) == "process")
    chain = source.chain(site.call, site)
    assert chain.methods() == ["from_collection", "key_by", "window", "process"]


def test_sql_is_extracted_with_positions():
    source = _source(
        "from pyflink.table import TableEnvironment\n"
        "t = TableEnvironment.create(s)\n"
        "q = 'SELECT a FROM x'\n"
        "t.execute_sql(q + ' JOIN y ON x.a = y.a')\n"
        "t.sql_query(f'SELECT {col} FROM z')\n"
        "', '.join(['a', 'b'])\n"
        "print('SELECT * FROM not_flink')\n"
    )
    texts = source.sql_texts()
    assert [sql.text for sql in texts] == ["SELECT a FROM x JOIN y ON x.a = y.a", "SELECT _expr_ FROM z"]
    first = texts[0]
    assert first.location(source, first.text.index("FROM")).line == 3
    assert (first.location(source, 0).line, first.location(source, 0).column) == (3, 6)


def test_suppressions_are_read_from_comments_not_strings():
    text = (
        "x = '# flink-lint: disable=FL706'\n"
        "# flink-lint: disable=blocking-call-in-function -- a comment\n"
        "# continues here\n"
        "y = 1\n"
    )
    found = directives("job.py", text)
    assert [(d.location.line, d.codes, d.target_line) for d in found] == [(2, ("blocking-call-in-function",), 4)]


HOSTILE = {
    "syntax error": ("from pyflink import x\nx(\n", "FL700"),
    "nested too deep": ("import pyflink\nx = " + "(" * 300 + "1" + ")" * 300 + "\n", "FL700"),
    "long expression": ("import pyflink\nx = " + " + ".join(["a"] * 2000) + "\n", None),
    "absurdly long expression": ("import pyflink\nx = " + " + ".join(["a"] * 100000) + "\n", "FL700"),
    "nul byte": (b"import pyflink\x00\n", "FL700"),
    "bad encoding": (b"import pyflink\n# \xff\xfe\n", "FL700"),
    "not about flink": ("def f(:\n", "FL700"),
    "empty": ("", None),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_bad_input_gives_one_located_finding_never_a_traceback(name):
    data, code = HOSTILE[name]
    started = time.perf_counter()
    findings = lint_text("job.py", data)
    assert time.perf_counter() - started < 10
    assert [f.rule for f in findings] == ([code] if code else [])
    for finding in findings:
        assert finding.location.line >= 1 and finding.location.column >= 1


def test_large_job_file_is_linted_in_bounded_time():
    body = "".join(f"ds{i} = env.from_collection([{i}]).key_by(lambda e: e).map(f{i})\n" for i in range(3000))
    started = time.perf_counter()
    lint_text(
        "big.py",
        "from pyflink.datastream import StreamExecutionEnvironment\n"
        "env = StreamExecutionEnvironment.get_execution_environment()\n" + body,
    )
    assert time.perf_counter() - started < 30  # generous: a crash or a blow-up, not a benchmark


def test_other_python_files_are_not_judged_by_code_rules():
    text = "import requests\nclass MapFunction:\n    def map(self, v):\n        return requests.get(v)\n"
    assert lint_text("tool.py", text) == []


def _examples() -> Path:
    import pyflink  # only to find the files; the linter itself never imports it

    return Path(pyflink.__file__).resolve().parent / "examples"


def test_pyflink_examples_risky_constructs_found_clean_code_clean():
    examples = _examples()
    report = lint_paths([str(examples)], ToolConfig())
    assert not report.internal_errors
    assert report.files_checked >= 30
    found = {(str(Path(f.location.path).resolve().relative_to(examples)), f.name) for f in report.findings}
    expected = {
        ("datastream/windowing/session_with_gap_window.py", "session-window"),
        ("datastream/windowing/session_with_dynamic_gap_window.py", "session-window"),
        ("table/windowing/session_window.py", "session-window"),
        ("datastream/windowing/tumbling_time_window.py", "window-without-preaggregation"),
        ("datastream/windowing/tumbling_count_window.py", "window-without-preaggregation"),
        ("table/basic_operations.py", "stream-stream-join"),
    }
    assert expected <= found
    clean = [
        "datastream/state_access.py",
        "datastream/event_time_timer.py",
        "datastream/word_count.py",
        "table/windowing/tumble_window.py",
        "table/windowing/sliding_window.py",
        "table/multi_sink.py",
        "datastream/asyncio/remote_model_inference.py",
        "table/async/async_scalar_function.py",
    ]
    for name in clean:
        assert not [f for f in found if f[0] == name], name
    assert not any(
        name
        in (
            "python-syntax",
            "blocking-call-in-function",
            "python-object-state",
            "idleness-drops-assigner",
            "missing-watermarks",
            "unbounded-list-state",
            "unmatched-join-state",
            "checkpoint-values-in-code",
            "removed-in-flink-2",
            "plaintext-credential",
            "kafka-legacy-connector",
        )
        for _, name in found
    )
    # session windows 3, window without pre-aggregation 5, the Table API join 1, word_count 1: nothing new
    assert len(report.findings) == 10, [(f.location.path, f.rule) for f in report.findings]


def test_the_pack_jobs_lint_clean():
    report = lint_paths([str(ROOT / "flink_jobs")], ToolConfig())
    assert report.findings == [] and not report.internal_errors
