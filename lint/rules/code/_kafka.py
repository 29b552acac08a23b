"""What the code rules know about Flink's Kafka connector: KafkaSink/KafkaSource builders in PyFlink
code and `'connector' = 'kafka'` tables in SQL DDL.

Facts checked in apache/flink-connector-kafka (branches v4.0 and v5.0, KafkaSinkBuilder.java,
KafkaConnectorOptionsUtil.java) and Flink's CommitterOperator:
- the sink builder starts every producer config with `transaction.timeout.ms` = 1 h
  (DEFAULT_KAFKA_TRANSACTION_TIMEOUT), for DataStream and SQL sinks alike;
- `build()` refuses EXACTLY_ONCE without a transactional-id prefix; SQL and upsert-kafka tables
  refuse `'sink.delivery-guarantee' = 'exactly-once'` without `'sink.transactional-id-prefix'`;
- with checkpointing off, sink transactions are committed only at the end of a bounded input.

Shared by the rule modules of lint/rules/code/ (not a rule itself: no CODE).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from flink_lint.documents.python_source import CallSite, PythonSource, SqlText
from flink_lint.rules.code import _flink, _sql

BROKER_MAX_TIMEOUT_MS = 900_000  # broker default transaction.max.timeout.ms (15 min)
BUILDER_DEFAULT_TIMEOUT_MS = 3_600_000  # KafkaSinkBuilder's DEFAULT_KAFKA_TRANSACTION_TIMEOUT (1 h)
TIMEOUT_KEY = "transaction.timeout.ms"
MAX_TIMEOUT_OPTION = "transaction-max-timeout-ms"  # rule option: the brokers' transaction.max.timeout.ms
KAFKA_CONNECTORS = ("kafka", "upsert-kafka")
SINK_METHODS = (
    "set_delivery_guarantee",
    "set_deliver_guarantee",
    "set_transactional_id_prefix",
    "set_property",
    "build",
)
SOURCE_METHODS = ("set_bounded", "build")
WATERMARKING = {"for_bounded_out_of_orderness", "for_monotonous_timestamps", "for_generator"}

_CREATE = re.compile(r"\bCREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.`\"]+)\s*\(")
_WITH = re.compile(r"\s*(?:COMMENT\s*(?:\s|'(?:[^']|'')*')*)?(?:PARTITIONED\s+BY\s*\([^)]*\)\s*)?WITH\s*\(")
_OPTION = re.compile(r"'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'")
_WATERMARK = re.compile(r"\bWATERMARK\s+FOR\b")
_INSERT = re.compile(r"\bINSERT\s+(?:INTO|OVERWRITE)\s+([\w.`\"]+)")


def max_timeout_ms(options: dict[str, Any]) -> int:
    """The broker's transaction.max.timeout.ms: the rule option `transaction-max-timeout-ms`, else 15 min."""
    value = options.get(MAX_TIMEOUT_OPTION, BROKER_MAX_TIMEOUT_MS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else BROKER_MAX_TIMEOUT_MS


def human_ms(ms: int) -> str:
    for unit, factor in (("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms >= factor and ms % factor == 0:
            return f"{ms // factor} {unit}"
    return f"{ms} ms"


def _is(source: PythonSource, node: ast.AST, site: CallSite, class_name: str) -> bool:
    name = source.qualname(node, site) or ""
    return _flink.short(name) == class_name and source.is_flink(name)


# ---------------------------------------------------------------------- DataStream builders
@dataclass
class SinkBuilder:
    """One `KafkaSink.builder()` and every call that configures it (chained or on a variable)."""

    origin: CallSite
    calls: dict[str, list[CallSite]] = field(default_factory=dict)  # method -> its sites, file order

    def last(self, method: str) -> Optional[CallSite]:
        sites = self.calls.get(method) or []
        return sites[-1] if sites else None

    def exactly_once(self, source: PythonSource) -> Optional[CallSite]:
        """The call that sets EXACTLY_ONCE, when the last delivery guarantee set is EXACTLY_ONCE."""
        sites = (self.calls.get("set_delivery_guarantee") or []) + (self.calls.get("set_deliver_guarantee") or [])
        if not sites:
            return None
        site = max(sites, key=lambda s: (s.call.lineno, s.call.col_offset))
        argument = _flink.first_arg(site.call, "delivery_guarantee")
        if argument is None:
            return None
        return site if (source.qualname(argument, site) or "").endswith("EXACTLY_ONCE") else None

    def timeout(self, source: PythonSource) -> tuple[Optional[int], Optional[CallSite]]:
        """(ms or None when not a constant, CallSite) of the last set_property("transaction.timeout.ms",
        ...); (None, None) when the builder never sets it."""
        found: tuple[Optional[int], Optional[CallSite]] = (None, None)
        for site in self.calls.get("set_property") or []:
            args = site.call.args
            if len(args) >= 2 and isinstance(args[0], ast.Constant) and args[0].value == TIMEOUT_KEY:
                value, _ = source.resolve(args[1], site)
                constant = isinstance(value, ast.Constant) and not isinstance(value.value, bool)
                found = (milliseconds(str(value.value)) if isinstance(value, ast.Constant) and constant else None, site)
        return found


def milliseconds(text: str) -> Optional[int]:
    """A Kafka `*.ms` property value (an integer, spaces around allowed), or None."""
    try:
        return int(text.strip())
    except ValueError:
        return None


def _builders(source: PythonSource, class_name: str, methods: tuple[str, ...]) -> list[SinkBuilder]:
    """The `<class_name>.builder()` chains of the file, found once per file (several rules ask)."""
    cache = source.__dict__.setdefault("_kafka_builders", {})
    if class_name not in cache:
        cache[class_name] = _find_builders(source, class_name, methods)
    return cache[class_name]


def _find_builders(source: PythonSource, class_name: str, methods: tuple[str, ...]) -> list[SinkBuilder]:
    found = [
        SinkBuilder(site)
        for site in _flink.method_calls(source, "builder")
        if _is(source, site.receiver, site, class_name)
    ]
    by_call = {id(builder.origin.call): builder for builder in found}
    for site in _flink.method_calls(source, *methods):
        for step in _flink.receiver_chain(source, site).steps:
            builder = by_call.get(id(step.call))
            if builder is not None:
                builder.calls.setdefault(site.method_name, []).append(site)
                break
    return found


def sink_builders(source: PythonSource) -> list[SinkBuilder]:
    return _builders(source, "KafkaSink", SINK_METHODS)


def source_builders(source: PythonSource) -> list[SinkBuilder]:
    return _builders(source, "KafkaSource", SOURCE_METHODS)


def kafka_source_of(source: PythonSource, node: ast.AST, site: CallSite) -> Optional[SinkBuilder]:
    """The KafkaSource builder that `node` (a from_source argument) is built from, if any."""
    chain = source.chain(node, site)
    origins = {id(step.call) for step in chain.steps}
    for builder in source_builders(source):
        if id(builder.origin.call) in origins:
            return builder
    return None


# ---------------------------------------------------------------------- SQL DDL
@dataclass
class Table:
    """A CREATE TABLE of the file's SQL, with its WITH options."""

    name: str  # upper case, as normalized
    sql: SqlText
    connector: str
    options: dict[str, tuple[str, int]]  # lower-case key -> (value, offset of the key's quote in sql.text)
    watermark: Optional[int]  # offset of WATERMARK FOR, None without one
    offset: int  # of the connector option

    def option(self, key: str) -> Optional[str]:
        found = self.options.get(key)
        return found[0] if found else None

    @property
    def guarantee_offset(self) -> int:
        """Offset of the `'sink.delivery-guarantee'` key (where exactly-once findings point)."""
        return self.options["sink.delivery-guarantee"][1]

    @property
    def exactly_once(self) -> bool:
        return (self.option("sink.delivery-guarantee") or "").strip().lower() == "exactly-once"

    @property
    def bounded(self) -> bool:
        """A scan that ends: Kafka with scan.bounded.mode, datagen with number-of-rows, a
        filesystem table that is not monitored, a JDBC table."""
        if self.connector in KAFKA_CONNECTORS:
            return self.option("scan.bounded.mode") not in (None, "unbounded")
        if self.connector == "datagen":
            return self.option("number-of-rows") is not None
        if self.connector == "filesystem":
            return self.option("source.monitor-interval") is None
        return self.connector in ("jdbc", "values")


def tables(source: PythonSource) -> list[Table]:
    """Every CREATE TABLE of the file's SQL whose connector is kafka or upsert-kafka."""
    return [table for table in all_tables(source) if table.connector in KAFKA_CONNECTORS]


def all_tables(source: PythonSource) -> list[Table]:
    cached: Optional[list[Table]] = getattr(source, "_sql_tables", None)
    if cached is not None:
        return cached
    found: list[Table] = []
    for sql in source.sql_texts():
        text = _sql.normalize(sql.text)
        for create in _CREATE.finditer(text):
            schema_end = _closing(text, create.end() - 1)
            if schema_end is None:
                continue
            with_clause = _WITH.match(text, schema_end + 1)
            if with_clause is None:
                continue
            options_end = _closing(text, with_clause.end() - 1)
            if options_end is None:
                continue
            options: dict[str, tuple[str, int]] = {}
            for match in _OPTION.finditer(sql.text, with_clause.end(), options_end):
                key = match.group(1).replace("''", "'").strip().lower()
                options[key] = (match.group(2).replace("''", "'"), match.start())
            if "connector" not in options:
                continue
            connector = options["connector"][0].strip().lower()
            watermark = _WATERMARK.search(text, create.end(), schema_end)
            found.append(
                Table(
                    create.group(1).strip('`"'),
                    sql,
                    connector,
                    options,
                    watermark.start() if watermark else None,
                    options["connector"][1],
                )
            )
    source._sql_tables = found
    return found


def insert_targets(source: PythonSource) -> set[str]:
    """Names (upper case) of the tables that SQL statements insert into."""
    return {
        match.group(1).strip('`"') for sql in source.sql_texts() for match in _INSERT.finditer(_sql.normalize(sql.text))
    }


def _closing(text: str, open_index: int) -> Optional[int]:
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


# ---------------------------------------------------------------------- job shape
BOUNDED_SOURCES = ("from_collection", "from_elements", "read_text_file")


def has_unbounded_input(source: PythonSource) -> bool:
    """Whether the job may read without end: any source that is not known to be bounded (a
    KafkaSource without set_bounded, a source function, a Kafka table without scan.bounded.mode);
    True when the file shows no source at all (its input comes from elsewhere)."""
    seen = any(True for _ in _flink.method_calls(source, *BOUNDED_SOURCES))
    if any(True for _ in _flink.method_calls(source, "add_source")):
        return True
    for site in _flink.method_calls(source, "from_source"):
        seen = True
        argument = _flink.first_arg(site.call, "source")
        if argument is None:
            return True
        kafka = kafka_source_of(source, argument, site)
        if kafka is not None:
            if not kafka.calls.get("set_bounded"):
                return True
            continue
        value, _ = source.resolve(argument, site)
        names = {_flink.short(source.qualname(step.receiver, site)) for step in source.chain(value, site).steps}
        if isinstance(value, ast.Call):
            names.add(_flink.short(source.qualname(value.func, site)))
        if "NumberSequenceSource" in names or ("FileSource" in names and "monitor_continuously" not in names):
            continue
        return True
    targets = insert_targets(source)
    for table in all_tables(source):
        if table.name in targets or table.name.split(".")[-1] in targets:
            continue
        seen = True
        if not table.bounded:
            return True
    return not seen
