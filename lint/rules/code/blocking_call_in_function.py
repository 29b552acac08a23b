"""Blocking call in function: network, database or sleep calls made once per record.

**What it does**
Reports calls that block the calling thread, made where Flink runs code once per record: the
methods of Flink function classes (`MapFunction.map`, `KeyedProcessFunction.process_element`,
`ProcessWindowFunction.process`, `ScalarFunction.eval`, ... but not `open`/`close`), lambdas and
functions passed to operators (`map`, `flat_map`, `filter`, `process`, `key_by`, ...), and
functions wrapped as UDFs (`@udf`, `udf(f)`), and everything they call in the same file, to any
depth: helper methods (`process_element` -> `self._save(row)` -> `cursor.execute(...)`) and
module functions. A helper called only from `open` or `__init__` is not per record.

Blocking calls: `requests`, `httpx` (sync), `urllib.request`, `urllib3`, `http.client`, `socket`,
`time.sleep`, and the usual database and store clients (DB-API drivers `psycopg2`, `psycopg`,
`pymysql`, `MySQLdb`, `mysql.connector`, `sqlite3`, `pyodbc`, `oracledb`, `cx_Oracle`;
`clickhouse_connect`, `clickhouse_driver`, `pymongo`, `redis`, `cassandra`, `elasticsearch`,
`boto3`, `smtplib`, Kafka clients). Clients are known by their constructors, not their variable
names: a client created in `open()`, `__init__` or at module level and kept in an attribute or a
global (`self.db = psycopg.connect(...)`, `global http; http = requests.Session()`), and what it
returns (cursors, pipelines, sessions, `with conn.cursor() as cur`, a MongoDB collection taken
with `client["app"]["users"]`, what a helper method returns: `self.connection().cursor()`), are
followed to each call; data already received (`.json()`, `fetchall()`, a document from
`es.get(...)`, a value from `r.get(key)`) is not a client. A client made once, under a test of
where it is kept (`if self.conn is None: self.conn = psycopg2.connect(...)`), is not made per
record.
Constructing a client that connects lazily (`requests.Session()`, `redis.Redis(...)`,
`Elasticsearch(...)`), buffering into a pipeline and sending without waiting (a Kafka producer's
`send`, Cassandra's `execute_async`; waiting on its `.result()` blocks) are not blocking calls. One
finding per call site, naming the per-record method it is reached from.

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
    "clickhouse_connect",
    "clickhouse_driver",
    "kafka",
    "confluent_kafka",
)
_BLOCKING_BY_ROOT: dict[str, list[str]] = {}  # "urllib" -> ["urllib.request"]: the few to compare a name with
for _module in BLOCKING:
    _BLOCKING_BY_ROOT.setdefault(_module.split(".", 1)[0], []).append(_module)
# Reading a result already received, or making a local object (a cursor, a pipeline): no I/O.
RESULT_METHODS = {
    "fetchone",
    "fetchall",
    "fetchmany",
    "json",
    "raise_for_status",
    "cursor",
    "getcode",
    "geturl",
    "pipeline",
    "get_database",
    "get_collection",
}
NOT_BLOCKING = (
    "httpx.AsyncClient",
    "redis.asyncio",
    "elasticsearch.AsyncElasticsearch",
    "socket.gethostname",
    "requests.exceptions",
    "socket.timeout",
    "redis.exceptions",
    "pymongo.errors",
    "elasticsearch.exceptions",
)
# Constructors that only prepare a client (the connection is made on first use).
LAZY_CONSTRUCTORS = {
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "urllib3.PoolManager",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "redis.Redis",
    "redis.StrictRedis",
    "redis.ConnectionPool",
    "redis.from_url",
    "redis.Redis.from_url",
    "pymongo.MongoClient",
    "elasticsearch.Elasticsearch",
    "boto3.client",
    "boto3.resource",
    "boto3.Session",
    "boto3.session.Session",
    "cassandra.cluster.Cluster",
    "clickhouse_driver.Client",
    "confluent_kafka.Producer",
}
# Calls whose result is a client, a connection, a response or a future that does I/O in turn. The
# result of any other call (`r.get(k)`, `requests.get(u).json()`, `cursor.fetchall()`) is data: a
# method called on it (`value.decode()`, `rows.index(x)`) is no I/O. Constructors (`Redis(...)`) too.
CLIENT_FACTORIES = {
    "connect",
    "cursor",
    "pipeline",
    "client",
    "resource",
    "session",
    "get_client",
    "get_database",
    "get_collection",
    "get_default_database",
    "from_url",
    "urlopen",
    "getresponse",
    "create_connection",
    "send",
    "execute_async",
}
# Kafka producers queue the record and return; Cassandra's execute_async returns a future.
ASYNC_SENDS = {"produce", "send", "send_messages", "execute_async"}


def blocking_name(name: str):
    """The blocking library a qualified call name belongs to, or None."""
    plain = name.replace("()", "")
    if plain in ("time.sleep",):
        return "time.sleep"
    if plain.startswith(NOT_BLOCKING) or plain in LAZY_CONSTRUCTORS:
        return None
    last = plain.rsplit(".", 1)[-1]
    if ".pipeline()." in name and last != "execute":
        return None  # buffered in a pipeline: only execute() goes to the server
    if last in ASYNC_SENDS:
        return None
    for module in _BLOCKING_BY_ROOT.get(plain.split(".", 1)[0], ()):
        if plain == module or plain.startswith(module + "."):
            return module
    return None


def check(source, context: RuleContext) -> Iterator[Problem]:
    reach = _flink.per_record_reach(source)
    if not reach:
        return
    lazy: dict[int, set[int]] = {}
    for site in source.calls:
        where = reach.get(id(site.method)) if site.method is not None else None
        if where is None:
            where = reach.get(id(site.scope))
        if where is None:
            continue
        library = _reported(source, site.call, site)
        if library is None or _lazy_init(site, lazy):
            continue
        name = source.qualname(site.call.func, site)
        shown = name.replace("()", "").split(".")
        shown = ".".join(shown[-2:]) if len(shown) > 1 else shown[0]
        label, root = where
        place = f"`{label}`" if label == root else f"`{label}`, reached from `{root}`"
        if label.startswith("a lambda"):
            place = label
        yield Problem(
            f"blocking call `{shown}` ({library}) in {place}, once per record: "
            "the operator waits, and backpressures its input",
            _location(source, site),
            hint="use an AsyncFunction with bounded capacity (AsyncDataStream.unordered_wait), or batch the calls",
        )


def _reported(source, call, site, depth: int = 0):
    """The library of a blocking call this rule reports at `call`, or None. A call on the result of
    a reported call (`requests.get(url).json()`) is not reported again."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in RESULT_METHODS:
        return None
    name = source.qualname(func, site)
    if not name:
        return None
    library = blocking_name(name)
    if library is None or _on_data(name):
        return None
    if isinstance(func, ast.Attribute) and depth < 8:
        inner = func.value
        while isinstance(inner, ast.Attribute):
            inner = inner.value
        if isinstance(inner, ast.Call) and _reported(source, inner, site, depth + 1) is not None:
            return None
    return library


def _on_data(name: str) -> bool:
    """`redis.Redis().get().decode`: a method on what a call that is no client factory returned."""
    for segment in name.split(".")[:-1]:
        if segment.endswith("()"):
            called = segment[:-2]
            if called[:1].islower() and called not in CLIENT_FACTORIES:
                return True
    return False


def _lazy_init(site: CallSite, cache: dict[int, set[int]]) -> bool:
    """The call makes a client once, under a test of the variable it is stored in:
    `if self.conn is None: self.conn = psycopg2.connect(...)` (or a global) runs on the first record."""
    function = site.scope if site.scope is not None else site.method
    calls = cache.get(id(function))
    if calls is None:
        calls = cache[id(function)] = set()
        for node in ast.walk(function):
            if not isinstance(node, ast.If):
                continue
            tested = {_target_name(inner) for inner in ast.walk(node.test)} - {None}
            for statement in node.body if tested else ():
                if isinstance(statement, ast.Assign) and any(_target_name(t) in tested for t in statement.targets):
                    calls.update(id(inner) for inner in ast.walk(statement.value) if isinstance(inner, ast.Call))
    return id(site.call) in calls


def _target_name(node: ast.AST):
    """`self.conn` -> "self.conn", `conn` -> "conn"; else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    if isinstance(node, ast.Name) and node.id != "self":
        return node.id
    return None


def _location(source, site: CallSite):
    return (
        source.method_location(site.call) if isinstance(site.call.func, ast.Attribute) else source.location(site.call)
    )
