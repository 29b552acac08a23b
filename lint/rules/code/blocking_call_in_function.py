"""Blocking call in function: network, database or sleep calls made once per record.

**What it does**
Reports calls that block the calling thread, made where Flink runs code once per record: the
methods of Flink function classes (`MapFunction.map`, `KeyedProcessFunction.process_element`,
`ProcessWindowFunction.process`, `ScalarFunction.eval`, ... but not `open`/`close`), lambdas and
functions passed to operators (`map`, `flat_map`, `filter`, `process`, `key_by`, ...), and
functions wrapped as UDFs (`@udf`, `udf(f)`). Blocking calls: `requests`, `httpx` (sync),
`urllib.request`, `urllib3`, `http.client`, `socket`, `time.sleep`, and the usual database and
store clients (`psycopg2`, `psycopg`, `pymysql`, `MySQLdb`, `mysql.connector`, `sqlite3`,
`pymongo`, `redis`, `cassandra`, `elasticsearch`, `boto3`, `pyodbc`, `oracledb`, `cx_Oracle`,
`smtplib`). Names are resolved: `import requests as r`, `from time import sleep`, clients kept in
`self.session = requests.Session()` or injected as `sleep=time.sleep`.

**Why is this bad**
A PyFlink operator processes one record at a time: a 20 ms call caps the subtask at 50 records/s,
the operator becomes the bottleneck and backpressures the source, and a slow or hung endpoint
stalls checkpoints (barriers wait behind the blocked record).

**Example**
```python
class Enrich(MapFunction):
    def map(self, event):
        profile = requests.get(f"{API}/users/{event.user}", timeout=2).json()
        return event.with_profile(profile)
```

**Use instead**
```python
class Enrich(AsyncFunction):
    async def async_invoke(self, event):
        async with self.session.get(f"{API}/users/{event.user}") as response:
            return [event.with_profile(await response.json())]

AsyncDataStream.unordered_wait(events, Enrich(), Time.seconds(5), capacity=100, output_type=...)
```

**Fix**
None: use an `AsyncFunction` with bounded capacity, batch the calls, or use a lookup join.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flink_lint.documents.python_source import CallSite
from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink

CODE = "FL706"
NAME = "blocking-call-in-function"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

BLOCKING = (
    "requests",
    "httpx",
    "urllib.request",
    "urllib3",
    "http.client",
    "socket",
    "psycopg2",
    "psycopg",
    "pymysql",
    "MySQLdb",
    "mysql.connector",
    "sqlite3",
    "pymongo",
    "redis",
    "cassandra",
    "elasticsearch",
    "boto3",
    "pyodbc",
    "oracledb",
    "cx_Oracle",
    "smtplib",
    "ftplib",
)
RESULT_METHODS = {"fetchone", "fetchall", "fetchmany", "json", "raise_for_status", "cursor", "getcode", "geturl"}
NOT_BLOCKING = (
    "httpx.AsyncClient",
    "redis.asyncio",
    "elasticsearch.AsyncElasticsearch",
    "socket.gethostname",
    "requests.exceptions",
    "socket.timeout",
)


def blocking_name(name: str):
    """The blocking library a qualified call name belongs to, or None."""
    plain = name.replace("()", "")
    if plain in ("time.sleep",):
        return "time.sleep"
    if plain.startswith(NOT_BLOCKING):
        return None
    for module in BLOCKING:
        if plain == module or plain.startswith(module + "."):
            return module
    return None


def check(source, context: RuleContext) -> Iterator[Problem]:
    scopes = {}  # id(function node) -> description
    for info in _flink.flink_function_classes(source):
        for method in _flink.per_record_methods(info):
            scopes[id(method)] = f"`{info.node.name}.{method.name}`"
    for function in _flink.operator_functions(source):
        label = "a lambda passed to an operator" if isinstance(function, ast.Lambda) else f"`{function.name}`"
        scopes[id(function)] = label
    if not scopes:
        return
    for site in source.calls:
        where = scopes.get(id(site.method)) if site.method is not None else None
        if where is None:
            where = scopes.get(id(site.scope))
        if where is None:
            continue
        func = site.call.func
        if isinstance(func, ast.Attribute) and (
            func.attr in RESULT_METHODS or _blocking_call(source, func.value, site)
        ):
            continue  # reading a result (`.json()`, `.fetchone()`) or a call on a call already reported
        name = source.qualname(func, site)
        if not name:
            continue
        library = blocking_name(name)
        if library is None:
            continue
        shown = name.replace("()", "").split(".")
        shown = ".".join(shown[-2:]) if len(shown) > 1 else shown[0]
        yield Problem(
            f"blocking call `{shown}` ({library}) in {where}, once per record: "
            "the operator waits, and backpressures its input",
            _location(source, site),
            hint="use an AsyncFunction with bounded capacity (AsyncDataStream.unordered_wait), or batch the calls",
        )


def _blocking_call(source, node, site) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = source.qualname(node.func, site)
    return bool(name) and blocking_name(name) is not None


def _location(source, site: CallSite):
    return (
        source.method_location(site.call) if isinstance(site.call.func, ast.Attribute) else source.location(site.call)
    )
