"""Fixtures for the linter tests. `flink_parse` runs Flink's own parsers in a JVM (pyflink's gateway)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JAVA_HELPER = Path(__file__).resolve().parent / "java" / "FlinkParsers.java"


@pytest.fixture(scope="session")
def flink_parse(tmp_path_factory):
    """flink_parse(kind, texts) -> [(accepted, value_or_message)], one JVM call per batch.

    Kinds are those of tests/lint/java/FlinkParsers.java. Needs pyflink (the `jobs` extra) and
    javac (a JDK: `apt-get install openjdk-17-jdk-headless`); `make test` and .ci/run install both.
    """
    from pyflink import java_gateway

    assert shutil.which("javac"), "javac is needed to compile the Flink parser helper: install a JDK"
    pyflink_home = Path(java_gateway.__file__).resolve().parent
    classes = tmp_path_factory.mktemp("flink-parsers")
    dist = sorted((pyflink_home / "lib").glob("flink-dist*.jar"))[0]
    subprocess.run(["javac", "-nowarn", "-cp", str(dist), "-d", str(classes), str(JAVA_HELPER)], check=True)

    gateway = java_gateway.get_gateway()
    jvm = gateway.jvm
    urls = gateway.new_array(jvm.java.net.URL, 1)
    urls[0] = jvm.java.io.File(str(classes)).toURI().toURL()
    loader = jvm.java.net.URLClassLoader(urls, jvm.java.lang.Thread.currentThread().getContextClassLoader())
    string_class = jvm.java.lang.Class.forName("java.lang.String")
    signature = gateway.new_array(jvm.java.lang.Class, 2)
    signature[0] = signature[1] = string_class
    method = loader.loadClass("FlinkParsers").getMethod("parse", signature)

    def parse(kind: str, texts: list[str]) -> list[tuple[bool, object]]:
        args = gateway.new_array(jvm.java.lang.Object, 2)
        args[0] = kind
        args[1] = json.dumps(texts)
        return [tuple(result) for result in json.loads(method.invoke(None, args))]

    return parse
