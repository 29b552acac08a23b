"""Property-based fuzzing of the YAML readers (hypothesis): config.yaml, legacy flink-conf.yaml,
Kubernetes manifests and job configs, through `read_file` (detect.read_file's entry) and through
the whole engine with every rule (`lint_text` lets any reader or rule exception escape).

Inputs: YAML-ish text built from YAML's significant tokens and Flink keys, bytes, and generated
structures dumped to YAML (as config.yaml, inside a FlinkDeployment, embedded in a ConfigMap).
Properties: nothing raises; every finding and every setting is located inside the text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from flink_lint.documents import read_file
from flink_lint.engine import lint_text

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from fuzz_settings import fuzz  # noqa: E402

KEYS = [
    "parallelism.default",
    "taskmanager.numberOfTaskSlots",
    "taskmanager.memory.process.size",
    "execution.checkpointing.interval",
    "state.backend",
    "state.backend.type",
    "pipeline.jars",
    "kubernetes.jobmanager.labels",
    "taskmanager.memory.network.fraction",
    "rest.port",
    "execution.runtime-mode",
    "security.ssl.keystore-password",
    "taskmanager",
    "memory",
    "network",
    "unknown.key",
    "job",
    "flink",
    "spec",
]
VALUES = [
    "4",
    "-1",
    "0",
    "0x10",
    "010",
    "1e3",
    "4g",
    "1.5g",
    "10 s",
    "PT10S",
    "true",
    "yes",
    "~",
    "null",
    "",
    "rocksdb",
    "hashmap",
    "[a, b]",
    "{k: v}",
    "'quoted'",
    '"dq"',
    "a;b",
    "k1:v1,k2:v2",
    "9" * 30,
    ".inf",
    "secret",
    "${ENV}",
    "{{ tpl }}",
]
TOKENS = (
    [
        "\n",
        "\n  ",
        "\n    ",
        "\r\n",
        "\r",
        "\t",
        " ",
        ": ",
        ":",
        "- ",
        "? ",
        "---\n",
        "...\n",
        "#",
        "# c\n",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "!!str ",
        "!!int ",
        "!!python/tuple ",
        "!t ",
        "|",
        "|-\n",
        ">",
        "'",
        '"',
        "\\",
        "%YAML 1.2\n",
        "<<: ",
        "\ufeff",
        "\x00",
        "\x07",
        "\x85",
        "\u2028",
        "é",
        "# flink-lint: disable=FL104\n",
        "# flink-lint: disable-file=ALL\n",
    ]
    + [key + ": " for key in KEYS]
    + VALUES
)
YAMLISH = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
KINDS = [None, "config-yaml", "flink-conf", "kubernetes", "job-config"]
NAMES = {
    None: "conf/config.yaml",
    "config-yaml": "conf/config.yaml",
    "flink-conf": "conf/flink-conf.yaml",
    "kubernetes": "k8s/deployment.yaml",
    "job-config": "configs/job.yaml",
}
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _bound(text) -> int:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return len(_BREAKS.split(text)) + 1


def _located(location, bound: int, path: str) -> bool:
    return location.path == path and 1 <= location.line <= bound and location.column >= 1


def _check_reader(text, kind):
    path = NAMES[kind]
    configs, findings = read_file(path, text, kind=kind)
    bound = _bound(text)
    for finding in findings:
        assert _located(finding.location, bound, path), (finding.location, finding.message)
        assert finding.kind in ("yaml-syntax", "duplicate-key") and finding.message
    for config in configs:
        for setting in config.settings:
            assert _located(setting.key_location, bound, path) and _located(setting.value_location, bound, path)
            assert isinstance(setting.key, str) and isinstance(setting.value, str)


def _check_engine(text, kind):
    path = NAMES[kind]
    bound = _bound(text)
    for finding in lint_text(path, text, kind=kind):  # strict: a rule's exception fails the test
        assert _located(finding.location, bound, path), (finding.rule, finding.location, finding.message)


@fuzz(2500)
@given(YAMLISH, st.sampled_from(KINDS))
def test_readers_on_yamlish_text(text, kind):
    _check_reader(text, kind)


@fuzz(1000)
@given(YAMLISH, st.sampled_from(KINDS))
def test_engine_with_every_rule_on_yamlish_text(text, kind):
    _check_engine(text, kind)


@fuzz(300)
@given(st.binary(max_size=200), st.sampled_from(KINDS))
def test_readers_on_bytes(data, kind):
    _check_reader(data, kind)
    _check_engine(data, kind)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(VALUES), st.text(max_size=12))
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(), st.booleans(), st.none()),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
CONFIGS = st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6)
STYLES = st.sampled_from(
    [
        dict(default_flow_style=False),
        dict(default_flow_style=True),
        dict(default_style='"'),
        dict(default_flow_style=False, allow_unicode=True, width=20),
    ]
)


def _dump(value, style) -> str:
    return yaml.safe_dump(value, sort_keys=False, **style)


@fuzz(250)
@given(CONFIGS, STYLES)
def test_generated_config_yaml(config, style):
    text = _dump(config, style)
    _check_reader(text, "config-yaml")
    _check_engine(text, "config-yaml")


@fuzz(150)
@given(CONFIGS, TREES, st.sampled_from(["FlinkDeployment", "FlinkSessionJob"]), STYLES)
def test_generated_flink_deployments(config, job, kind, style):
    manifest = {
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": kind,
        "metadata": {"name": "fuzz"},
        "spec": {
            "job": job,
            "taskManager": {"replicas": job, "resource": {"memory": job}},
            "flinkConfiguration": config,
        },
    }
    text = _dump(manifest, style)
    _check_reader(text, "kubernetes")
    _check_engine(text, None)


@fuzz(150)
@given(CONFIGS, st.sampled_from(["config.yaml", "flink-conf.yaml"]), st.booleans())
def test_generated_configmaps(config, name, legacy_text):
    embedded = "".join(f"{key}: {value}\n" for key, value in config.items()) if legacy_text else _dump(config, {})
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fuzz"}, "data": {name: embedded}}
    text = yaml.safe_dump(manifest, sort_keys=False, default_style="|" if legacy_text else None)
    _check_reader(text, "kubernetes")
    _check_engine(text, "kubernetes")


@fuzz(150)
@given(TREES, CONFIGS, STYLES)
def test_generated_job_configs(job, flink, style):
    text = _dump({"job": job, "flink": flink}, style)
    _check_reader(text, "job-config")
    _check_engine(text, "job-config")


@fuzz(400)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(KEYS + ["", " ", "#k"]),
            st.sampled_from(VALUES + [": ", "#", " # c"]),
            st.sampled_from([": ", ":", " : ", ":\t", " "]),
            st.sampled_from(["\n", "\r\n", "\r", ""]),
        ),
        max_size=10,
    )
)
def test_legacy_flink_conf_lines(lines):
    text = "".join(key + separator + value + end for key, value, separator, end in lines)
    _check_reader(text, "flink-conf")
    _check_engine(text, "flink-conf")
