"""Hostile input, end to end: `flink-lint --format json` in a subprocess over every input of the
corpus (tests/lint/hostile/: handwritten files, plus the large and generated ones that
tests/lint/hostile/generate.py writes into a tmp dir), and hostile file-system entries.

Every input: exit code 1 with located findings, or 2 with a one-line message; never a traceback;
within a (generous) time bound; under a 1 GiB address-space limit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from flink_lint.cli import main
from flink_lint.engine import lint_text

HOSTILE = Path(__file__).resolve().parent / "hostile"
REPO = HOSTILE.parents[2]


def _load(name: str):
    """tests/lint/hostile/<name>.py, under a name no other module has."""
    spec = importlib.util.spec_from_file_location(f"hostile_{name}", HOSTILE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate, runner = _load("generate"), _load("runner")

KIND_DIRS = ("config-yaml", "flink-conf", "kubernetes", "job-config")  # linted with --kind <dir>
OTHER_DIRS = ("detect", "python")  # linted without --kind: detection by name and content
TIMEOUT = 10.0  # seconds of CPU time per input (runner.py): generous, the slowest takes about 2 s
MEMORY = 1 << 30  # RLIMIT_AS of every run: 1 GiB


def handwritten() -> list:
    return sorted(path for directory in KIND_DIRS + OTHER_DIRS for path in (HOSTILE / directory).iterdir())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list:
    return sorted(generate.generate(tmp_path_factory.mktemp("hostile-generated")))


def _args(path: Path) -> list:
    """The command line for one input (or a directory's `any` path: the directory itself)."""
    kind = path.parent.name
    path = path.parent if path.name == "any" else path
    return [str(path), "--format", "json", "--fail-on", "info"] + (["--kind", kind] if kind in KIND_DIRS else [])


def _line_bound(data: bytes) -> int:
    """Lines a reader can count in `data` (every line-break convention YAML and Python know)."""
    text = data.decode("utf-8", "replace")
    return 1 + sum(text.count(brk) for brk in ("\n", "\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"))


def _problems(path: Path, result: dict) -> list:
    """What is wrong with one run's result (empty when it is as it must be)."""
    problems = []
    output = result["stdout"] + result["stderr"]
    if result["timed_out"]:
        problems.append(f"still running after {TIMEOUT:.0f} s of CPU time")
    if result["returncode"] not in (1, 2):
        problems.append(f"exit code {result['returncode']} (signal {result['signal']})")
    if "Traceback" in output or "internal error" in output:
        problems.append(f"crash: {result['stderr'].strip()[-600:]}")
    if result["returncode"] == 2:
        if len(result["stderr"].splitlines()) != 1 or not result["stderr"].startswith("flink-lint: "):
            problems.append(f"exit 2 needs a one-line message on stderr: {result['stderr'][:300]!r}")
        return problems
    if result["returncode"] != 1:
        return problems
    try:
        findings = json.loads(result["stdout"])["findings"]
    except (ValueError, KeyError) as error:
        return problems + [f"--format json printed no report: {error}: {result['stdout'][:200]!r}"]
    if result["stderr"]:
        problems.append(f"stderr not empty: {result['stderr'][:300]!r}")
    if not findings:
        problems.append("exit 1 without a finding")
    bound = _line_bound(path.read_bytes())
    for finding in findings:
        located = os.path.realpath(os.path.join(REPO, finding["path"]))
        if located != os.path.realpath(path):
            problems.append(f"finding in another file: {finding['path']}")
        if not (1 <= finding["line"] <= bound and finding["column"] >= 1 and finding["message"]):
            problems.append(f"not located in the file ({bound} lines): {finding}")
        if finding.get("end_line") is not None and finding["end_line"] < finding["line"]:
            problems.append(f"ends before it starts: {finding}")
    return problems


def run_isolated(argument_lists: list) -> list:
    """`flink-lint ARGS` once per entry, each in its own process (tests/lint/hostile/runner.py)."""
    return runner.run_in_subprocess(argument_lists, TIMEOUT, MEMORY, cwd=REPO)


# ---------------------------------------------------------------- the corpus
def test_corpus_has_at_least_200_inputs_of_every_sort(generated):
    mine = handwritten()
    assert len(mine) >= 200 and len(generated) >= 200, (len(mine), len(generated))
    for directory in KIND_DIRS + OTHER_DIRS:
        assert any(path.parent.name == directory for path in mine), directory
    sizes = sorted(path.stat().st_size for path in generated)
    assert sizes[-1] >= 10 * 1024 * 1024  # 10 MB files are generated, never committed
    assert max(path.stat().st_size for path in mine) < 64 * 1024


@pytest.mark.timeout(300)
def test_every_hostile_input_gives_a_located_finding_or_a_one_line_message(generated):
    """Exit 1 with findings located in the file, or exit 2 with one line on stderr; no traceback, no
    internal error; within TIMEOUT seconds of CPU time and MEMORY bytes of address space, for every input."""
    inputs = handwritten() + generated
    results = run_isolated([_args(path) for path in inputs])
    failures = {
        str(path.relative_to(path.parents[1])): problems
        for path, result in zip(inputs, results)
        if (problems := _problems(path, result))
    }
    assert not failures, json.dumps(failures, indent=1)[:6000]


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("directory", KIND_DIRS + OTHER_DIRS)
def test_the_flink_lint_script_over_a_whole_corpus_directory(directory, tmp_path):
    """The installed `flink-lint` script (a fresh interpreter), all of one directory in one run."""
    script = Path(sys.executable).with_name("flink-lint")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "flink_lint.cli"]
    folder = HOSTILE / directory
    # The repository's own [tool.flink-lint] excludes this corpus from `flink-lint .`: use defaults.
    defaults = tmp_path / "pyproject.toml"
    defaults.write_text("[tool.flink-lint]\n")
    done = subprocess.run(
        command + _args(folder / "any") + ["--config", str(defaults)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=240,
        cwd=REPO,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    located = {os.path.realpath(os.path.join(REPO, f["path"])) for f in json.loads(done.stdout)["findings"]}
    silent = [path.name for path in folder.iterdir() if os.path.realpath(path) not in located]
    assert not silent, silent


# ---------------------------------------------------------------- hostile file-system entries


def test_symlink_loop_is_a_finding_not_an_internal_error(tmp_path, capsys, monkeypatch):
    (tmp_path / "config.yaml").write_text("parallelism.default: 1\n")
    os.symlink("loop.yaml", tmp_path / "loop.yaml")  # points at itself
    monkeypatch.chdir(tmp_path)
    assert main([".", "--format", "json"]) == 1  # FL001: cannot read file
    captured = capsys.readouterr()
    assert captured.err == ""
    assert '"path": "loop.yaml"' in captured.out and '"FL001"' in captured.out
    assert main(["loop.yaml", "--format", "json"]) == 2  # named first: pyproject.toml is looked up from it
    err = capsys.readouterr().err
    assert err.startswith("flink-lint: loop.yaml:") and err.count("\n") == 1 and "internal error" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_a_walked_directory_is_skipped_not_read_forever(tmp_path):
    (tmp_path / "config.yaml").write_text("parallelism.default: 0\n")
    os.mkfifo(tmp_path / "pipe.yaml")  # nobody ever writes to it: open() would block for good
    result = subprocess.run(
        [sys.executable, "-m", "flink_lint.cli", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert "pipe.yaml" not in result.stdout and '"path": "config.yaml"' in result.stdout


# ---------------------------------------------------------------- crashes found by the corpus and the fuzzers
def test_integer_with_more_digits_than_python_converts_is_an_invalid_value():
    digits = "9" * 5000  # int() refuses more than 4,300 digits: was an internal error (ValueError)
    findings = lint_text("config.yaml", f"parallelism.default: {digits}\nrest.port: -{'0' * 4400}\n")
    assert [(f.rule, f.location.line) for f in findings] == [("FL104", 1)]
    findings = lint_text(
        "deployment.yaml",
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\n"
        f"spec:\n  job:\n    parallelism: {digits}\n  flinkConfiguration:\n    pipeline.jars: [{digits}]\n",
    )
    # huge numbers where Flink takes any text; the deployment rules (FL8xx) report what the manifest lacks
    # (and FL801: Kubernetes reads spec.job.parallelism as an integer of 32 bits, this one is not)
    assert [f.rule for f in findings] == ["FL802", "FL809", "FL809", "FL810", "FL801"]


@pytest.mark.timeout(30)
def test_megabyte_numbers_are_rejected_quickly_with_flinks_reason():
    from flink_lint.catalog import values

    digits = "1" * 1_900_000  # a config value can be this long (files up to 2 MiB are read)
    with pytest.raises(ValueError, match="out of range"):
        values.parse_int(digits)  # was quadratic big-number arithmetic: minutes
    with pytest.raises(ValueError, match="out of range"):
        values.parse_long("\u0661" * 50_000)  # Arabic-Indic digits: Java reads them too
    assert values.parse_long("0" * 100_000 + "42") == 42
    for parse, text in (
        (values.parse_memory_size, "9" * 5000 + "m"),
        (values.parse_duration_nanos, "9" * 5000),
        (values.parse_duration_nanos, "PT" + "9" * 5000 + "S"),
        (values.parse_duration_nanos, "P" + "9" * 5000 + "D"),
    ):
        with pytest.raises(ValueError) as raised:  # was Python's "Exceeds the limit (4300 digits)" message
            parse(text)
        assert "overflow" in str(raised.value) and "4300" not in str(raised.value)
    assert values.parse_duration_nanos("0" * 5000 + "1 s") == 10**9


@pytest.mark.parametrize("text", ["- parallelism.default: 4\n", "42\n", "just text\n", "-\n", "---\n...\n--- [a]\n"])
def test_config_yaml_that_is_not_a_mapping_is_reported_not_skipped(text):
    """Flink refuses a config.yaml whose document is a list or a scalar: was silently 'all checks passed'."""
    for path, kind in (("conf/config.yaml", None), ("anything.yaml", "config-yaml")):
        findings = lint_text(path, text, kind=kind)
        assert [(f.rule, f.message) for f in findings] == [
            ("FL001", "config.yaml must be a mapping of option keys to values")
        ], (path, kind)
    assert lint_text("conf/config.yaml", "~\n") == lint_text("conf/config.yaml", "---\n...\n") == []  # empty


def test_job_config_that_is_not_a_mapping_is_reported_and_kind_counts_documents():
    findings = lint_text("job.yaml", "- job: {}\n", kind="job-config")
    assert [(f.rule, f.location.line) for f in findings] == [("FL003", 1)]
    findings = lint_text("flink.yaml", "parallelism.default: 4\n---\nrest.port: 8081\n", kind="config-yaml")
    assert [(f.rule, f.location.line) for f in findings] == [("FL001", 3)]  # more than one document


def test_kubernetes_shapes_flink_cannot_use_are_reported_not_skipped():
    head = "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: x\n"
    for spec, where in (("spec:\n  - flinkConfiguration: {}\n", (6, 3)), ("spec: text\n", (5, 7))):
        findings = lint_text("deployment.yaml", head + spec)
        assert [(f.rule, f.location.line, f.location.column) for f in findings] == [("FL001", *where)], spec
    assert lint_text("deployment.yaml", head + "spec:\n") == []  # an empty spec is the operator's business
    configmap = "apiVersion: v1\nkind: ConfigMap\ndata:\n  config.yaml:\n    parallelism.default: 4\n"
    findings = lint_text("configmap.yaml", configmap)
    assert [(f.rule, f.location.line, f.location.column) for f in findings] == [("FL001", 5, 5)]
    assert "data.config.yaml must be a string" in findings[0].message


@pytest.mark.parametrize(
    "text, where",
    [
        ("parallelism.default: 4\ntaskmanager.memory.proc", (2, 24)),  # was line 3 of a 2-line file
        ("job:\n  name: demo\n  parallelism: [", (3, 17)),
        ("a: [\n", (2, 1)),  # after the final line break: the empty last line editors show
    ],
)
def test_end_of_stream_errors_point_inside_the_file(text, where):
    findings = lint_text("conf/config.yaml", text, select=["FL001"])
    assert [(f.location.line, f.location.column) for f in findings] == [where]
