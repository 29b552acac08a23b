"""Checkpointing disabled: a stateful job whose code sets up its environment but never checkpoints.

**What it does**
Reports a job file that creates its own environment (`StreamExecutionEnvironment.
get_execution_environment(...)`, `StreamTableEnvironment.create(...)`, `TableEnvironment.create(...)`)
and configures it in code (a `Configuration` passed in, `set_parallelism`, `set_state_backend`,
`get_config().set(...)`, ...), keeps state (keyed state, windows, `key_by` aggregations, SQL or
Table API aggregations, joins and windows), reads from a source that is not an in-memory
collection, and never enables checkpointing (`enable_checkpointing(...)` or the key
`execution.checkpointing.interval`). Files that receive their environment from elsewhere (e.g.
`build(env, ...)`) leave checkpointing to whoever configures it and are not reported; BATCH jobs
are skipped.

Table API and SQL-only jobs: a streaming TableEnvironment created in the file that writes to a
table whose connector keeps data (`kafka`, `upsert-kafka`, `jdbc`, `filesystem`, databases, ...:
anything but `print`, `blackhole` and `datagen`), through `INSERT INTO` (SQL, f-strings and helper
templates included), `execute_insert(name)` or `insert_into(name)`, is reported even when it keeps
no state: those sinks commit or flush on checkpoints.

**Why is this bad**
Checkpointing is off by default. Without it a failure restarts the job from scratch: keyed state
and windows are lost, sources rewind to their start offsets, and exactly-once sinks (FileSink,
Kafka transactions) never commit their output.

**Example**
```python
env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(4)
env.from_source(kafka, strategy, "events").key_by(user).process(Sessionize()).sink_to(sink)
env.execute("sessions")
```

**Use instead**
```python
env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(4)
env.enable_checkpointing(30_000)
```

**Fix**
None: choose the checkpoint interval (and the checkpoint storage) for the job.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink, _kafka, _sql

CODE = "FL731"
NAME = "checkpointing-disabled"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

CONFIGURING = {
    "set_parallelism",
    "set_max_parallelism",
    "set_state_backend",
    "set_runtime_mode",
    "set_restart_strategy",
    "set_stream_time_characteristic",
    "set_buffer_timeout",
    "configure",
    "set_python_executable",
    "set_default_savepoint_directory",
    "get_config",
    "set_string",
    "set_integer",
    "set_boolean",
}
STATEFUL_METHODS = {
    "key_by",
    "window",
    "window_all",
    "count_window",
    "group_by",
    "over_window",
    "distinct",
    "join",
    "left_outer_join",
    "right_outer_join",
    "full_outer_join",
    *_flink.STATE_GETTERS,
}
SOURCES = {"from_source", "add_source", "read_text_file", "from_path", "from_descriptor"}
NOT_SOURCES = {"print", "blackhole", "datagen"}  # sinks for demos, and generated data
_CONNECTOR = re.compile(r"'connector'\s*=\s*'([\w.-]+)'", re.IGNORECASE)


def check(source, context: RuleContext) -> Iterator[Problem]:
    created = _flink.created_environments(source)
    if not created or _flink.checkpointing_enabled(source) or _flink.is_batch_file(source):
        return
    created = [site for site in created if not _flink.table_env_is_batch(source, site.call, site)]
    if not created:
        return
    sink = _durable_table_sink(source, created)
    if sink is not None:
        yield Problem(
            f"the streaming TableEnvironment job writes to a '{sink}' table but never enables checkpointing: "
            "the sink commits (or flushes) only on checkpoints, and a failure restarts the job from scratch",
            source.method_location(created[0].call),
            hint="set execution.checkpointing.interval (t_env.get_config().set(...)), or env.enable_checkpointing",
        )
        return
    if not _configured(source, created) or not _stateful(source) or not _external_source(source):
        return
    first = created[0]
    yield Problem(
        "the job configures its environment and keeps state but never enables "
        "checkpointing: a failure restarts it from scratch",
        source.method_location(first.call),
        hint="env.enable_checkpointing(30_000), or set execution.checkpointing.interval",
    )


NOT_DURABLE = {"print", "blackhole", "datagen"}
TABLE_CREATORS = {"create_temporary_table", "create_table"}
INSERTS = {"execute_insert", "insert_into", "add_insert"}


def _durable_table_sink(source, created):
    """The connector of a table that a streaming TableEnvironment of this file writes to, unless it
    is a print/blackhole table; None when the file writes to no table it defines."""
    if not any(site.method_name == "create" for site in created):
        return None
    connectors = {table.name.upper().split(".")[-1]: table.connector for table in _kafka.all_tables(source)}
    for site in _flink.method_calls(source, *TABLE_CREATORS):
        name = _flink.first_arg(site.call)
        descriptor = site.call.args[1] if len(site.call.args) > 1 else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str) and descriptor is not None:
            step = source.chain(descriptor, site).last("for_connector")
            connector = _flink.first_arg(step.call) if step is not None else None
            if isinstance(connector, ast.Constant) and isinstance(connector.value, str):
                connectors[name.value.upper().split(".")[-1]] = connector.value.lower()
    targets = {target.upper().split(".")[-1] for target in _kafka.insert_targets(source)}
    for site in _flink.method_calls(source, *INSERTS):
        name = _flink.first_arg(site.call)
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            targets.add(name.value.upper().split(".")[-1])
    for target in sorted(targets):
        connector = connectors.get(target)
        if connector is not None and connector not in NOT_DURABLE:
            return connector
    return None


def _configured(source, created) -> bool:
    if any(site.call.args or site.call.keywords for site in created if site.method_name == "get_execution_environment"):
        return True
    for site in _flink.method_calls(source, *CONFIGURING):
        chain = _flink.receiver_chain(source, site)
        if any(step.call is created_site.call for step in chain.steps for created_site in created):
            return True
    return False


def _stateful(source) -> bool:
    for site in _flink.method_calls(source, *STATEFUL_METHODS):  # not `", ".join(...)`, `os.path.join`
        if not isinstance(site.receiver, ast.Constant) and not _flink.foreign_receiver(source, site):
            return True
    return any(_sql.is_stateful(sql.text) for sql in source.sql_texts())


def _external_source(source) -> bool:
    if any(True for _ in _flink.method_calls(source, *SOURCES)):
        return True
    for sql in source.sql_texts():
        if any(name.lower() not in NOT_SOURCES for name in _CONNECTOR.findall(sql.text)):
            return True
    for site in _flink.method_calls(source, "for_connector"):
        name = _flink.first_arg(site.call)
        if isinstance(name, ast.Constant) and str(name.value).lower() not in NOT_SOURCES:
            return True
    return False
