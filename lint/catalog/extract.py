"""Generate a Flink option catalog (schemas/flink-options-<version>.json) from Flink's own jars.

Development-time tool, run once per Flink version:

    python -m flink_lint.catalog.extract --version 2.3 --out schemas/flink-options-2.3.json
    python -m flink_lint.catalog.extract --flink-home /tmp/apache_flink_libraries-1.20.5/deps \\
        --opt-jar ~/.m2/repository/org/apache/flink/flink-sql-gateway/1.20.5/flink-sql-gateway-1.20.5.jar \\
        --version 1.20 --out schemas/flink-options-1.20.json

The jars are those of a Flink distribution: lib/, opt/ (SQL client, Python, ...) and plugins/*/ of
the Flink home (by default the installed pyflink package), plus the opt/ jars that the apache-flink
wheel and the apache-flink-libraries sdist leave out (`--opt-jar`; by default jvm/lib/flink-opt/,
fetched by `make jvm`: the SQL gateway, the state processor API and the S3 Hadoop/Presto, Azure,
GCS and OSS filesystems; these are shaded self-contained jars, scanned like the others in about
as many seconds again). Every option records the jar it comes from (`source`: `lib/flink-dist`,
`opt/flink-sql-gateway`, `opt/flink-s3-fs-hadoop`, `plugins/metrics-prometheus`, ...); an option
that two jars share (the S3 options of flink-s3-fs-base, in both S3 filesystems) records the
first in classpath order.

Needs `javac` and `java` (11+). java/OptionCatalogExtractor.java (next to this file) reads every static
ConfigOption field by reflection, and the options of every SQL gateway endpoint factory under its
`sql-gateway.endpoint.<identifier>.` prefix; this script builds the classpath, runs it, merges the
fields into unique keys, classifies each key's scope and writes deterministic JSON. The linter only
reads the JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any, Sequence
from pathlib import Path

JAVA_SOURCE = Path(__file__).resolve().parent / "java" / "OptionCatalogExtractor.java"
# The extractor's JVM sees this many processors: a default computed from them (the s3/oss
# `upload.max.concurrent.uploads`) comes out as this unlikely number and is recorded as CPU_DEFAULT,
# the same on every machine, not as the core count of the machine that ran the extraction.
CPU_MARKER = 97
CPU_DEFAULT = "the number of CPU cores"
# opt/ jars of the distribution that the apache-flink wheel leaves out, fetched by `make jvm`
FLINK_OPT_JARS = Path(__file__).resolve().parents[2] / "jvm" / "lib" / "flink-opt"

# Namespaces whose keys are read by code that is not in the scanned jars (plugins, the Kubernetes
# operator, Hadoop pass-through), so an unknown key under them is not necessarily a typo.
KNOWN_PREFIXES = {
    "kubernetes.operator.": "Flink Kubernetes operator options (not in the Flink jars)",
    "job.autoscaler.": "Flink autoscaler options of the Kubernetes operator (not in the Flink jars)",
    "metrics.reporter.": "metrics.reporter.<name>.<setting>: reporter settings, read by the reporter",
    "traces.reporter.": "traces.reporter.<name>.<setting>: trace reporter settings",
    "events.reporter.": "events.reporter.<name>.<setting>: event reporter settings",
    "s3.": "S3 filesystem plugins (flink-s3-fs-hadoop/presto), mirrored to fs.s3a.*",
    "s3a.": "S3 Hadoop filesystem plugin, mirrored to fs.s3a.*",
    "s3p.": "S3 Presto filesystem plugin",
    "presto.s3.": "S3 Presto filesystem plugin",
    "gs.": "Google Cloud Storage filesystem plugin",
    "fs.": "filesystem plugins: fs.<scheme>.* is passed to the Hadoop filesystem configuration",
    "flink.hadoop.": "flink.hadoop.<key>: copied into the Hadoop configuration without the prefix",
    "flink.yarn.": "flink.yarn.<key>: copied into the YARN configuration without the prefix",
}

# Options of a table's WITH (...) clause, CREATE CATALOG/MODULE, or a query hint: never top-level keys.
_CONNECTOR_CLASSES = re.compile(
    r"(ConnectorOptions|FormatOptions|FactoryUtil|\.LookupOptions|"
    r"DynamicTable\w*Options|TableSourceOptions)(\$.*)?$"
)
_TABLE_OBJECT_CLASSES = re.compile(
    r"(CatalogOptions|CatalogFactoryOptions|CatalogStoreFactoryOptions|"
    r"ModuleOptions|HintOptions|MLPredictRuntimeConfigOptions|"
    r"VectorSearchRuntimeConfigOptions)(\$.*)?$"
)
_REPORTER_CLASSES = re.compile(r"ReporterOptions(\$.*)?$")
# Options an SQL gateway endpoint reads under `sql-gateway.endpoint.<identifier>.` (recorded again
# with that prefix from the endpoint factories): bare, they are never top-level keys.
_ENDPOINT_CLASSES = re.compile(r"\.gateway\.rest\.util\.SqlGatewayRestOptions(\$.*)?$")
_INTERNAL_CLASSES = re.compile(r"(Internal|\.StreamConfig)(\$.*)?$")
_INTERNAL_KEYS = ("$internal.", "internal.", "__")
_EXCLUDED = "org.apache.flink.annotation.docs.Documentation$ExcludeFromDocumentation"
_SUFFIX_OPTION = "org.apache.flink.annotation.docs.Documentation$SuffixOption"


# ---------------------------------------------------------------- locating Flink
def default_flink_home() -> Path:
    """The installed pyflink package folder (holds lib/, opt/, plugins/), found without importing it."""
    spec = importlib.util.find_spec("pyflink")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pyflink is not installed here: pass --flink-home")
    return Path(list(spec.submodule_search_locations)[0])


def scan_jars(flink_home: Path, workdir: Path, opt_jars: Sequence[Path] = ()) -> dict[Path, str]:
    """jar -> where it is in the distribution (`opt/flink-sql-client`), in classpath order: flink-dist
    first, other lib/flink-*.jar, opt/*.jar and the extra opt/ jars, plugins/*/*.jar, the planner."""
    lib = flink_home / "lib"
    dist = sorted(lib.glob("flink-dist*.jar"))
    if not dist:
        raise SystemExit(f"no lib/flink-dist-*.jar under {flink_home}")
    version = flink_version_of(flink_home)
    jars = {jar: f"lib/{_artifact(jar, version)}" for jar in dist + sorted(set(lib.glob("flink-*.jar")) - set(dist))}
    for jar in sorted((flink_home / "opt").glob("*.jar")) + sorted(opt_jars):
        if version not in jar.name:
            raise SystemExit(f"{jar}: not a jar of Flink {version}")
        jars[jar] = f"opt/{_artifact(jar, version)}"
    for jar in sorted((flink_home / "plugins").glob("*/*.jar")):
        jars[jar] = f"plugins/{jar.parent.name}"
    for loader in sorted(lib.glob("flink-table-planner-loader-*.jar")):
        with zipfile.ZipFile(loader) as archive:
            if "flink-table-planner.jar" in archive.namelist():
                jars[Path(archive.extract("flink-table-planner.jar", workdir))] = f"lib/{_artifact(loader, version)}"
    return jars


def _artifact(jar: Path, version: str) -> str:
    """flink-sql-gateway-2.3.0.jar -> flink-sql-gateway; flink-scala_2.12-2.3.0.jar -> flink-scala."""
    return re.sub(r"(_2\.1[0-9])?-" + re.escape(version) + r"\.jar$", "", jar.name)


def flink_version_of(flink_home: Path) -> str:
    dist = sorted((flink_home / "lib").glob("flink-dist*.jar"))[0].name
    match = re.fullmatch(r"flink-dist(?:_[0-9.]+)?-(.+)\.jar", dist)
    return match.group(1) if match else "unknown"


# ---------------------------------------------------------------- running the extractor
def extract_fields(
    flink_home: Path, opt_jars: Sequence[Path] = ()
) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """Compile and run OptionCatalogExtractor; returns (field records with their `source`, stats,
    skipped classes)."""
    with tempfile.TemporaryDirectory(prefix="flink-options-") as tmp:
        workdir = Path(tmp)
        sources = scan_jars(flink_home, workdir, opt_jars)
        jars = list(sources)
        classes = workdir / "classes"
        subprocess.run(["javac", "-nowarn", "-cp", str(jars[0]), "-d", str(classes), str(JAVA_SOURCE)], check=True)
        jar_list = workdir / "jars.txt"
        jar_list.write_text("\n".join(str(j) for j in jars) + "\n", encoding="utf-8")
        # log4j jars let Flink's static initializers log; they are on the classpath, not scanned.
        log_jars = sorted((flink_home / "lib").glob("log4j-*.jar"))
        classpath = ":".join([str(classes)] + [str(j) for j in jars + log_jars])
        done = subprocess.run(
            [
                "java",
                "-Xss4m",
                "-XX:+UseSerialGC",
                "-Dlog4j2.level=OFF",
                f"-XX:ActiveProcessorCount={CPU_MARKER}",
                "-cp",
                classpath,
                "OptionCatalogExtractor",
                str(jar_list),
            ],
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    stats = records.pop()["stats"]
    by_name = {jar.name: source for jar, source in sources.items()}
    for record in records:
        record["source"] = by_name[record["jar"]]
        if record.get("default") == str(CPU_MARKER):
            record["default"] = CPU_DEFAULT
    skipped = [line[len("skipped ") :] for line in done.stderr.splitlines() if line.startswith("skipped ")]
    return records, stats, skipped


# ---------------------------------------------------------------- merging and classifying
_SIMPLE_TYPES = {
    "java.lang.String": "String",
    "java.lang.Boolean": "Boolean",
    "java.lang.Integer": "Integer",
    "java.lang.Long": "Long",
    "java.lang.Float": "Float",
    "java.lang.Double": "Double",
    "java.time.Duration": "Duration",
    "org.apache.flink.configuration.MemorySize": "MemorySize",
    "java.util.Map": "Map",
}


def type_name(record: dict[str, Any]) -> str:
    if record["enum_type"]:
        return "Enum"
    return _SIMPLE_TYPES.get(record["type"], record["type"])


_ABBREVIATIONS = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|resp|cf|min|max|no)|\d)\.$", re.IGNORECASE)


def first_sentence(text: str, limit: int = 200) -> str:
    """The description's first sentence, one line, at most `limit` characters."""
    text = " ".join(text.split())
    for match in re.finditer(r"[.!?](?=\s+[A-Z\"'(`<]|\s*$)", text):
        if not _ABBREVIATIONS.search(text[: match.end()]):
            text = text[: match.end()]
            break
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def is_deprecated(record: dict[str, Any]) -> bool:
    return "java.lang.Deprecated" in record["annotations"] or record["class_deprecated"]


def scope_of(key: str, records: list[dict[str, Any]]) -> str:
    """config (a top-level key) / table-ddl / reporter-suffix / endpoint-suffix / template / internal.

    A key defined in several classes gets the narrower scope only if every definition agrees.
    """

    def every(test) -> bool:
        return all(test(r) for r in records)

    def reporter(record) -> bool:
        return _SUFFIX_OPTION in record["annotations"] or bool(_REPORTER_CLASSES.search(record["class"]))

    def endpoint(record) -> bool:
        return bool(_ENDPOINT_CLASSES.search(record["class"]))

    if every(lambda r: reporter(r) or endpoint(r)):
        if every(endpoint):
            return "endpoint-suffix"  # only as sql-gateway.endpoint.<identifier>.<key>
        return "reporter-suffix"  # only as metrics.reporter.<name>.<key>, traces.reporter.<name>.<key>
    if "<" in key or "#" in key:
        return "template"  # external-resource.<resource_name>.amount, fields.#.kind
    if (
        key.startswith(_INTERNAL_KEYS)
        or every(lambda r: _INTERNAL_CLASSES.search(r["class"]))
        or (".internal." in key and every(lambda r: _EXCLUDED in r["annotations"]))
    ):
        return "internal"  # set by Flink itself: $internal.pipeline.job-id, python.internal.files-key-map
    if not key.startswith("sql-gateway.") and every(  # FactoryUtil declares sql-gateway.endpoint.type too
        lambda r: (
            _CONNECTOR_CLASSES.search(r["class"])
            or (_TABLE_OBJECT_CLASSES.search(r["class"]) and not key.startswith("table."))
        )
    ):
        return "table-ddl"  # WITH ('path' = ...), CREATE CATALOG ... WITH ('type' = ...), hints
    return "config"


def merge(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Unique keys; on conflicting definitions the non-deprecated field (then the first found) wins."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_key.setdefault(record["key"], []).append(record)
    options = {}
    for key, fields in by_key.items():
        scope = scope_of(key, fields)
        # a reporter's `port` is described by the reporter, not by the SQL gateway's bare `port`
        matching = [f for f in fields if not (scope == "reporter-suffix" and _ENDPOINT_CLASSES.search(f["class"]))]
        chosen = sorted(matching or fields, key=is_deprecated)[0]
        deprecated_keys: list[str] = []
        fallback_keys: list[str] = []
        for field in [chosen] + [f for f in fields if f is not chosen]:
            for fallback in field["fallback_keys"]:
                target = deprecated_keys if fallback["deprecated"] else fallback_keys
                if fallback["key"] not in target:
                    target.append(fallback["key"])
        entry = {
            "type": type_name(chosen),
            "list": chosen["list"],
            "default": chosen.get("default"),
            "deprecated_keys": deprecated_keys,
            "fallback_keys": fallback_keys,
            "enum": chosen.get("enum"),
            "description": first_sentence(chosen["description"]),
            "deprecated": all(is_deprecated(f) for f in fields),
            "scope": scope,
            "source": chosen["source"],
        }
        options[key] = {name: value for name, value in entry.items() if value not in (None, False, [], "")}
    return options


def deprecated_key_map(options: dict[str, Any]) -> dict[str, list[str]]:
    """old key -> the keys that read it as a deprecated alias; a key whose own fallback is listed comes
    later (`web.port` -> [`rest.port`, `rest.bind-port`]: rest.bind-port falls back to rest.port)."""
    mapping: dict[str, list[str]] = {}
    for key, option in options.items():
        for old in option.get("deprecated_keys", []):
            mapping.setdefault(old, []).append(key)

    def order(old: str):
        return lambda new: (
            any(f in mapping[old] for f in options[new].get("fallback_keys", [])),
            options[new].get("scope") != "config",
            new,
        )

    return {old: sorted(news, key=order(old)) for old, news in sorted(mapping.items())}


def build_catalog(flink_home: Path, opt_jars: Sequence[Path] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    started = time.monotonic()
    records, stats, skipped = extract_fields(flink_home, opt_jars)
    options = merge(records)
    catalog = {
        "flink_version": flink_version_of(flink_home),
        "known_prefixes": KNOWN_PREFIXES,
        "deprecated_key_map": deprecated_key_map(options),
        "options": dict(sorted(options.items())),
    }
    stats = dict(stats, keys=len(options), skipped=skipped, seconds=round(time.monotonic() - started, 1))
    return catalog, stats


def dumps(catalog: dict[str, Any]) -> str:
    """Deterministic JSON, one option per line (small diffs between regenerations)."""

    def line(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    parts = []
    for name in sorted(catalog):
        value = catalog[name]
        if isinstance(value, dict) and value:
            body = ",\n".join(f"  {line(k)}: {line(v)}" for k, v in sorted(value.items()))
            parts.append(f" {line(name)}: {{\n{body}\n }}")
        else:
            parts.append(f" {line(name)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flink_lint.catalog.extract", description=__doc__.split("\n")[0])
    parser.add_argument("--flink-home", type=Path, help="folder with lib/, opt/, plugins/ (default: installed pyflink)")
    parser.add_argument(
        "--opt-jar",
        type=Path,
        action="append",
        help="a jar of the distribution's opt/ that the Flink home lacks (default with the installed "
        "pyflink: jvm/lib/flink-opt/*.jar, from `make jvm`)",
    )
    parser.add_argument("--version", required=True, help="catalog version label, e.g. 2.3")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    flink_home = args.flink_home or default_flink_home()
    opt_jars = args.opt_jar
    if opt_jars is None and args.flink_home is None:
        opt_jars = sorted(FLINK_OPT_JARS.glob("*.jar"))
        if not opt_jars:
            parser.error(f"no jars in {FLINK_OPT_JARS}: run `make jvm` (the opt/ jars that the wheel lacks)")
    catalog, stats = build_catalog(flink_home, opt_jars or [])
    if not catalog["flink_version"].startswith(args.version):
        parser.error(f"--version {args.version} does not match the jars' Flink {catalog['flink_version']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(catalog), encoding="utf-8")
    scopes: dict[str, int] = {}
    for option in catalog["options"].values():
        scopes[option["scope"]] = scopes.get(option["scope"], 0) + 1
    print(
        f"Flink {catalog['flink_version']}: {stats['classes_scanned']} classes scanned, "
        f"{stats['classes_with_options']} with options, {stats['fields']} fields -> {stats['keys']} keys "
        f"{dict(sorted(scopes.items()))}, {len(catalog['deprecated_key_map'])} deprecated keys, "
        f"{len(stats['skipped'])} classes skipped; {stats['seconds']} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
