"""Removed in Flink 2: PyFlink APIs that Flink 2.0 dropped, which fail on Flink 2.x.

**What it does**
Reports, for target Flink versions 2.x, the PyFlink 1.x APIs that no longer exist in PyFlink 2:
- methods: `set_stream_time_characteristic`, `set_restart_strategy`, `set_state_backend`,
  `read_text_file`, the Kryo registration methods, `enable_externalized_checkpoints`,
  `set_checkpoint_storage(_dir)`, `EnvironmentSettings.Builder.use_blink_planner`, the old Table
  API registration methods (`register_table_source`, `register_table_sink`, `sql_update`,
  `set_idle_state_retention_time`, ...), and on a TableEnvironment `connect`, `scan`,
  `register_table`, `register_function`, `insert_into` and `execute`;
- imports of removed names: `TimeCharacteristic`, `CsvTableSink`/`CsvTableSource`,
  `BatchTableEnvironment`, the connector descriptors of `pyflink.table.descriptors` (`Kafka`,
  `Json`, ...), the JSON/CSV/Avro row schemas of `pyflink.common.serialization`.
Each finding says what replaces the API. `FlinkKafkaConsumer`/`FlinkKafkaProducer` are reported by
`kafka-legacy-connector`. Not reported for `--flink-version 1.20`, where most still exist
(deprecated).

**Why is this bad**
The job fails before it runs: an `AttributeError` when the method is called, an `ImportError` at
the import, long before any data flows. Code copied from 1.x tutorials is full of them.

**Example**
```python
from pyflink.datastream import StreamExecutionEnvironment, TimeCharacteristic

env = StreamExecutionEnvironment.get_execution_environment()
env.set_stream_time_characteristic(TimeCharacteristic.EventTime)
lines = env.read_text_file("input.csv")
```

**Use instead**
```python
from pyflink.common import WatermarkStrategy
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.file_system import FileSource, StreamFormat

env = StreamExecutionEnvironment.get_execution_environment()  # event time is the default
source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), "input.csv").build()
lines = env.from_source(source, WatermarkStrategy.no_watermarks(), "input")
```

**Fix**
None: each replacement is a small rewrite (named in the message).
"""

from __future__ import annotations

import ast
from typing import Any, Iterator, Optional

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL751"
NAME = "removed-in-flink-2"
SEVERITY = "error"
FIXABLE = False
DOCUMENT = "python"

_CONFIG = "a Configuration passed to StreamExecutionEnvironment.get_execution_environment(config)"
_KRYO = f"pipeline.serialization-config in {_CONFIG}"
_TABLE_DDL = (
    "CREATE TABLE ... WITH ('connector' = ...) in execute_sql, or create_temporary_table(name, TableDescriptor)"
)
# Method names that only PyFlink 1.x had: the call fails on PyFlink 2.
METHODS = {
    "set_stream_time_characteristic": "nothing: event time is the default (drop the call; watermarks come from a "
    "WatermarkStrategy)",
    "get_stream_time_characteristic": "nothing: event time is the default",
    "set_restart_strategy": f"restart-strategy.type (and restart-strategy.<type>.*) in {_CONFIG}",
    "get_restart_strategy": "the restart-strategy.* options of the configuration",
    "set_state_backend": f"state.backend.type (hashmap | rocksdb) in {_CONFIG}",
    "get_state_backend": "the state.backend.type option",
    "add_default_kryo_serializer": _KRYO,
    "register_type_with_kryo_serializer": _KRYO,
    "register_kryo_type": _KRYO,
    "register_pojo_type": _KRYO,
    "enable_externalized_checkpoints": "CheckpointConfig.set_externalized_checkpoint_retention("
    "ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)",
    "set_externalized_checkpoint_cleanup": "CheckpointConfig.set_externalized_checkpoint_retention("
    "ExternalizedCheckpointRetention...)",
    "set_checkpoint_storage": f"execution.checkpointing.storage and execution.checkpointing.dir in {_CONFIG}",
    "set_checkpoint_storage_dir": f"execution.checkpointing.dir in {_CONFIG}",
    "set_prefer_checkpoint_for_recovery": "nothing (removed: recovery uses the latest checkpoint or savepoint)",
    "set_execution_mode": "env.set_runtime_mode(RuntimeExecutionMode.BATCH | STREAMING)",
    "read_text_file": "env.from_source(FileSource.for_record_stream_format(StreamFormat.text_line_format(), path)"
    ".build(), WatermarkStrategy.no_watermarks(), name)",
    "use_blink_planner": "nothing: the Blink planner is the only planner (drop the call)",
    "use_old_planner": "nothing: the Blink planner is the only planner",
    "use_any_planner": "nothing: the Blink planner is the only planner",
    "register_table_source": _TABLE_DDL,
    "register_table_sink": _TABLE_DDL,
    "from_table_source": f"from_path over a table created with {_TABLE_DDL}",
    "register_java_function": "create_java_temporary_function (or CREATE FUNCTION in execute_sql)",
    "sql_update": "execute_sql (or a StatementSet for several INSERTs)",
    "set_idle_state_retention_time": "TableConfig.set_idle_state_retention(Duration) or table.exec.state.ttl",
    "get_min_idle_state_retention_time": "TableConfig.get_idle_state_retention()",
    "get_max_idle_state_retention_time": "TableConfig.get_idle_state_retention()",
    "set_null_check": "nothing (removed)",
    "set_decimal_context": "nothing (removed)",
}
# Names other libraries use too: reported on a Flink object or an environment variable only.
GENERIC = {"read_text_file", "set_state_backend", "get_state_backend", "set_execution_mode", "sql_update"}
# Method names that still exist elsewhere (DataStream.connect, Table.insert_into, env.execute):
# removed only on a TableEnvironment.
TABLE_ENV_METHODS = {
    "connect": _TABLE_DDL,
    "scan": "t_env.from_path(name)",
    "register_table": "t_env.create_temporary_view(name, table)",
    "register_function": "t_env.create_temporary_system_function(name, udf)",
    "insert_into": "table.execute_insert(name), or a StatementSet",
    "execute": "execute_sql / table.execute_insert / a StatementSet's execute(): each submits its own job",
}
TABLE_ENVIRONMENTS = ("TableEnvironment", "StreamTableEnvironment", "BatchTableEnvironment")
_DESCRIPTORS_KEPT = {"Descriptor", "Rowtime", "Schema"}
_ROW_FORMATS = {
    "JsonRowDeserializationSchema": "pyflink.datastream.formats.json",
    "JsonRowSerializationSchema": "pyflink.datastream.formats.json",
    "CsvRowDeserializationSchema": "pyflink.datastream.formats.csv",
    "CsvRowSerializationSchema": "pyflink.datastream.formats.csv",
    "AvroRowDeserializationSchema": "pyflink.datastream.formats.avro",
    "AvroRowSerializationSchema": "pyflink.datastream.formats.avro",
}
_CSV_TABLE = "CREATE TABLE ... WITH ('connector' = 'filesystem', 'format' = 'csv')"
# (module, name) -> replacement; a name None stands for every name of the module.
IMPORTS: dict[tuple[str, Optional[str]], str] = {
    ("pyflink.datastream", "TimeCharacteristic"): "nothing: event time is the default",
    ("pyflink.datastream.time_characteristic", None): "nothing: event time is the default",
    ("pyflink.table", "CsvTableSink"): _CSV_TABLE,
    ("pyflink.table", "CsvTableSource"): _CSV_TABLE,
    ("pyflink.table.sinks", None): _TABLE_DDL,
    ("pyflink.table.sources", None): _TABLE_DDL,
    ("pyflink.table", "BatchTableEnvironment"): "TableEnvironment.create(EnvironmentSettings.in_batch_mode())",
    ("pyflink.datastream", "MemoryStateBackend"): f"state.backend.type: hashmap in {_CONFIG}",
    ("pyflink.datastream", "FsStateBackend"): f"state.backend.type: hashmap in {_CONFIG}",
    ("pyflink.datastream", "RocksDBStateBackend"): f"state.backend.type: rocksdb in {_CONFIG}",
    ("pyflink.datastream", "ExternalizedCheckpointCleanup"): "ExternalizedCheckpointRetention",
    ("pyflink.datastream.state_backend", "MemoryStateBackend"): f"state.backend.type: hashmap in {_CONFIG}",
    ("pyflink.datastream.state_backend", "FsStateBackend"): f"state.backend.type: hashmap in {_CONFIG}",
    ("pyflink.datastream.state_backend", "RocksDBStateBackend"): f"state.backend.type: rocksdb in {_CONFIG}",
    ("pyflink.datastream.checkpoint_config", "ExternalizedCheckpointCleanup"): "ExternalizedCheckpointRetention",
    **{("pyflink.common.serialization", name): f"{name} from {module}" for name, module in _ROW_FORMATS.items()},
    **{("pyflink.common", name): f"{name} from {module}" for name, module in _ROW_FORMATS.items()},
}


def check(source, context: RuleContext) -> Iterator[Problem]:
    if context.flink_version.startswith("1."):
        return
    yield from _imports(source)
    for site in _flink.method_calls(source, *METHODS):
        if _flink.foreign_receiver(source, site) or (site.method_name in GENERIC and not _environment(source, site)):
            continue
        yield _finding(source, site.method_name, METHODS[site.method_name], source.method_location(site.call))
    for site in _flink.method_calls(source, *TABLE_ENV_METHODS):
        if _on_table_environment(source, site):
            method = site.method_name
            yield _finding(
                source, f"TableEnvironment.{method}", TABLE_ENV_METHODS[method], source.method_location(site.call)
            )


def _imports(source) -> Iterator[Problem]:
    """One finding per imported line: `from pyflink.table.descriptors import Kafka, Json` is one."""
    for node in source.import_froms:
        if not (node.module or "").startswith("pyflink"):
            continue
        by_line: dict[int, list[Any]] = {}
        for alias in node.names:
            replacement = IMPORTS.get((node.module, alias.name)) or IMPORTS.get((node.module, None))
            if (
                replacement is None
                and node.module == "pyflink.table.descriptors"
                and alias.name not in _DESCRIPTORS_KEPT
            ):
                replacement = _TABLE_DDL
            if replacement is not None:
                line = getattr(alias, "lineno", node.lineno)
                by_line.setdefault(line, []).append((alias, replacement))
        for found in by_line.values():
            names = ", ".join(f"{node.module}.{alias.name}" for alias, _ in found)
            replacements = "; ".join(dict.fromkeys(replacement for _, replacement in found))
            yield _finding(source, names, replacements, _alias_location(source, found[0][0], node))


def _environment(source, site) -> bool:
    """The receiver is a Flink object, or an environment handed in (`def build(env): env.read_text_file`)."""
    if source.is_flink(source.qualname(site.receiver, site)):
        return True
    origin = _flink.receiver_chain(source, site).origin
    while isinstance(origin, ast.Attribute):
        origin = origin.value
    return isinstance(origin, ast.Name) and "env" in origin.id.lower()


def _alias_location(source, alias, statement):
    """The imported name's own line (`from m import (\n a,\n b)`); Python 3.9 only knows the statement's."""
    return source.location(alias) if hasattr(alias, "lineno") else source.location(statement)


def _on_table_environment(source, site) -> bool:
    """`x.method(...)` where x is a TableEnvironment created in this file."""
    chain = _flink.receiver_chain(source, site)
    if not chain.steps or chain.steps[-1].method != "create":
        return False
    name = source.qualname(chain.steps[-1].call.func, site) or ""
    parts = name.split(".")
    return len(parts) >= 2 and parts[-2] in TABLE_ENVIRONMENTS and source.is_flink(name)


def _finding(source, what: str, replacement: str, location) -> Problem:
    return Problem(
        f"`{what}` fails on Flink 2.x: PyFlink 2 removed {'them' if ', ' in what else 'it'}; use {replacement}",
        location,
        hint=f"replace it: {replacement}",
    )
