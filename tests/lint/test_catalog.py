"""The generated option catalogs: fresh from the jars, and consistent with flink-config.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flink_lint.catalog import SCHEMAS, load_catalog
from flink_lint.catalog.values import value_error

REPO = Path(__file__).resolve().parents[2]


def _scopes(catalog) -> dict[str, int]:
    counts: dict[str, int] = {}
    for option in catalog.options.values():
        counts[option["scope"]] = counts.get(option["scope"], 0) + 1
    return counts


def test_committed_catalog_equals_a_fresh_extraction(tmp_path):
    # needs the installed pyflink jars (the `jobs` extra), jvm/lib/flink-opt (`make jvm`: the SQL
    # gateway of the distribution's opt/) and javac (a JDK), as `make test` provides
    out = tmp_path / "flink-options-2.3.json"
    subprocess.run(
        [sys.executable, "-m", "flink_lint.catalog.extract", "--version", "2.3", "--out", str(out)],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    committed = (SCHEMAS / "flink-options-2.3.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "regenerate: python -m flink_lint.catalog.extract --version 2.3"
    )


def test_the_catalog_file_is_small():
    for path in SCHEMAS.glob("flink-options-*.json"):
        assert path.stat().st_size < 1_000_000, path


def test_version_and_totals_2_3():
    catalog = load_catalog("2.3")
    assert catalog.flink_version == "2.3.0"
    # reference: 1,193 keys, 997 top-level (with the filesystems and the state processor API of opt/)
    assert 1150 <= len(catalog.options) <= 1250
    assert 950 <= _scopes(catalog)["config"] <= 1050


def test_version_and_totals_1_20():
    catalog = load_catalog("1.20")
    assert catalog.flink_version == "1.20.5"
    assert 1000 <= len(catalog.options) <= 1100  # reference: 1,042 keys
    assert 830 <= _scopes(catalog)["config"] <= 920  # reference: about 875 top-level keys


@pytest.mark.parametrize("version", ["2.3", "1.20"])
def test_every_scope_is_represented(version):
    scopes = _scopes(load_catalog(version))
    expected = {"config", "table-ddl", "reporter-suffix", "template", "internal"}
    # endpoint-suffix: options of the SQL gateway (opt/flink-sql-gateway), not in the 1.20.5 sdist
    # and not on Maven Central for 1.20.5
    assert set(scopes) == (expected | {"endpoint-suffix"} if version == "2.3" else expected)
    # reference: 17 in both versions, plus in 2.3 the six `fields.#.*` of the state processor API's
    # savepoint connector (opt/flink-state-processor-api, not in the 1.20.5 sdist)
    assert scopes["template"] == (23 if version == "2.3" else 17)


@pytest.mark.parametrize("version", ["2.3", "1.20"])
def test_every_option_says_which_jar_of_the_distribution_it_comes_from(version):
    catalog = load_catalog(version)
    sources = {option["source"] for option in catalog.options.values()}
    assert all(source.split("/", 1)[0] in ("lib", "opt", "plugins") for source in sources), sources
    assert {"lib/flink-dist", "opt/flink-python", "opt/flink-sql-client", "plugins/metrics-prometheus"} <= sources
    assert catalog.option("python.executable")["source"] == "opt/flink-python"
    assert catalog.option("sql-client.verbose")["source"] == "opt/flink-sql-client"
    assert catalog.option("taskmanager.numberOfTaskSlots")["source"] == "lib/flink-dist"


# opt/ jars of the distribution that the apache-flink wheel lacks (jvm/pom.xml, `make jvm`) -> options
OPT_JAR_OPTIONS = {
    "flink-s3-fs-hadoop": ["s3.entropy.key", "s3.entropy.length", "s3.upload.min.part.size", "s3.access-key"],
    "flink-gs-fs-hadoop": ["gs.writer.temporary.bucket.name", "gs.writer.chunk.size", "gs.retry.max-attempt"],
    "flink-oss-fs-hadoop": ["oss.upload.min.part.size", "oss.upload.max.concurrent.uploads"],
    "flink-sql-gateway": ["sql-gateway.endpoint.rest.port"],
}


@pytest.mark.parametrize("artifact", sorted(OPT_JAR_OPTIONS))
def test_options_of_the_opt_jars_that_the_wheel_lacks(artifact):
    catalog = load_catalog("2.3")
    for key in OPT_JAR_OPTIONS[artifact]:
        option = catalog.option(key)
        assert option["source"] == f"opt/{artifact}" and option["scope"] == "config", key
        assert catalog.is_known(key) and catalog.namespace_typos(key) == [], key
    # the state processor API's savepoint connector: table options, not top-level keys
    assert catalog.option("state.path") == {**catalog.option("state.path"), "scope": "table-ddl"}
    assert catalog.option("state.path")["source"] == "opt/flink-state-processor-api"


def test_typos_under_a_filesystem_namespace_get_did_you_mean():
    catalog = load_catalog("2.3")
    assert catalog.namespace_typos("s3.entropy.kye") == ["s3.entropy.key"]
    assert catalog.namespace_typos("gs.writer.temporary.bucket.nme") == ["gs.writer.temporary.bucket.name"]
    assert catalog.suggest("oss.upload.min.part.sze")[0] == "oss.upload.min.part.size"
    # spellings the plugin reads, and Hadoop's own keys, are no typos
    for key in ("s3.access.key", "s3.secret.key", "s3.path.style.access", "s3.connection.maximum"):
        assert catalog.is_known(key) and catalog.namespace_typos(key) == [], key


def test_sql_gateway_endpoint_options_are_read_under_their_prefix():
    catalog = load_catalog("2.3")
    for key in ("port", "bind-port", "address", "bind-address"):
        option = catalog.option(f"sql-gateway.endpoint.rest.{key}")
        assert option["scope"] == "config" and option["source"] == "opt/flink-sql-gateway", key
        assert catalog.is_known(f"sql-gateway.endpoint.rest.{key}")
    assert catalog.option("sql-gateway.endpoint.rest.port")["default"] == "8083"
    assert catalog.is_known("sql-gateway.endpoint.type") and catalog.is_known("sql-gateway.session.idle-timeout")
    assert not catalog.is_known("address") and not catalog.is_known("bind-port")  # bare: never top-level
    assert catalog.option("address")["scope"] == "endpoint-suffix"


@pytest.mark.parametrize("version", ["2.3", "1.20"])
def test_deprecated_keys_in_both_versions(version):
    catalog = load_catalog(version)
    assert catalog.replacement_for("state.backend") == "state.backend.type"
    assert catalog.replacement_for("state.checkpoints.dir") == "execution.checkpointing.dir"
    assert catalog.replacement_for("state.backend.fs.checkpointdir") == "execution.checkpointing.dir"
    assert catalog.replacement_for("state.backend.incremental") == "execution.checkpointing.incremental"
    assert catalog.replacement_for("execution.checkpointing.unaligned") == "execution.checkpointing.unaligned.enabled"
    assert catalog.replacement_for("restart-strategy") == "restart-strategy.type"
    for part in ("fraction", "min", "max"):
        assert catalog.replacement_for(f"taskmanager.network.memory.{part}") == f"taskmanager.memory.network.{part}"
    akka = [old for old, new in catalog.deprecated_key_map.items() if old.startswith("akka.")]
    assert len(akka) == 22
    assert "state.backend" in catalog.option("state.backend.type")["deprecated_keys"]


def test_state_backend_type_is_primary_with_hashmap_default():
    for version in ("2.3", "1.20"):
        option = load_catalog(version).option("state.backend.type")
        assert option["scope"] == "config" and option["default"] == "hashmap" and not option.get("deprecated")


def test_removed_in_2_0():
    old, new = load_catalog("1.20"), load_catalog("2.3")
    number_of_buffers = old.option("taskmanager.network.numberOfBuffers")
    assert number_of_buffers["type"] == "Integer" and number_of_buffers["default"] == "2048"
    assert number_of_buffers["deprecated"]
    for key in (
        "taskmanager.network.numberOfBuffers",
        "taskmanager.network.memory.buffers-per-channel",
        "taskmanager.network.memory.floating-buffers-per-gate",
        "taskmanager.network.memory.max-buffers-per-channel",
        "taskmanager.heap.size",
        "jobmanager.heap.size",
    ):
        assert not new.is_known(key), key
        assert old.option(key) is not None, key
    for key in ("taskmanager.network.bufferSize", "taskmanager.memory.fraction"):
        assert not old.is_known(key) and not new.is_known(key)


def test_aliases_that_moved_in_2_x():
    old, new = load_catalog("1.20"), load_catalog("2.3")
    assert old.option("state.backend.local-recovery") is not None
    assert new.option("state.backend.local-recovery") is None
    assert "execution.checkpointing.local-backup.enabled" in new.replacements_for("state.backend.local-recovery")
    assert new.replacement_for("execution.savepoint.path") == "execution.state-recovery.path"
    assert (
        new.replacement_for("execution.checkpointing.checkpoints-after-tasks-finish.enabled")
        == "execution.checkpointing.checkpoints-after-tasks-finish"
    )
    assert old.option("web.port")["deprecated"] and old.option("web.port")["default"] == "8081"
    assert set(new.replacements_for("web.port")) == {"rest.port", "rest.bind-port"}
    assert new.replacement_for("web.port") == "rest.port"  # rest.bind-port falls back to rest.port
    bind_address = new.option("rest.bind-address")
    assert "web.address" in bind_address["fallback_keys"]
    assert "jobmanager.web.address" in bind_address["deprecated_keys"]


def test_the_one_changed_default():
    old, new = load_catalog("1.20"), load_catalog("2.3")
    assert old.option("security.ssl.verify-hostname")["default"] == "true"
    assert new.option("security.ssl.verify-hostname")["default"] == "false"


def test_types_enums_and_scopes_of_well_known_options():
    catalog = load_catalog("2.3")
    assert catalog.option("taskmanager.memory.process.size")["type"] == "MemorySize"
    assert catalog.option("execution.checkpointing.interval")["type"] == "Duration"
    assert catalog.option("pipeline.jars")["list"] is True
    assert catalog.option("pipeline.global-job-parameters")["type"] == "Map"
    mode = catalog.option("execution.checkpointing.mode")
    assert mode["type"] == "Enum" and set(mode["enum"]) == {"EXACTLY_ONCE", "AT_LEAST_ONCE"}
    assert catalog.option("path")["scope"] == "table-ddl"
    assert catalog.option("factory.class")["scope"] == "reporter-suffix"
    assert catalog.option("$internal.pipeline.job-id")["scope"] == "internal"
    assert catalog.option("external-resource.<resource_name>.amount")["scope"] == "template"
    assert value_error(mode, "exactly_once") is None and value_error(mode, "exactly-once")


def test_plugin_and_operator_namespaces_are_known():
    catalog = load_catalog("2.3")
    assert catalog.option("kubernetes.operator.reconcile.interval") is None
    for key in (
        "kubernetes.operator.reconcile.interval",
        "job.autoscaler.enabled",
        "metrics.reporter.prom.port",
        "s3.access-key",
        "fs.s3a.endpoint",
    ):
        assert catalog.is_known(key), key
    assert not catalog.is_known("taskmanager.memory.proces.size")


def test_did_you_mean():
    catalog = load_catalog("2.3")
    assert catalog.suggest("taskmanager.memory.proces.size")[0] == "taskmanager.memory.process.size"
    assert catalog.suggest("state.backend.typ") == ["state.backend.type"]
    assert catalog.suggest("completely.unrelated.words") == []


def test_loading_needs_no_pyflink():
    code = (
        "import sys, flink_lint.catalog as c, flink_lint.catalog.values; c.load_catalog('2.3'); "
        "assert 'pyflink' not in sys.modules and 'ruamel' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_unknown_version():
    with pytest.raises(ValueError, match="available"):
        load_catalog("0.9")
