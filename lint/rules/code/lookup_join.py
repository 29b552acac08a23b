"""Lookup join: a stream enriched from a table (`FOR SYSTEM_TIME AS OF`), one lookup per row.

**What it does**
Reports lookup and temporal joins (`JOIN dim FOR SYSTEM_TIME AS OF s.proc_time ON ...`) in the SQL
that the job passes to `execute_sql`, `sql_query` or `add_insert_sql`. These are the
stream-static joins of the operator-risk table: medium risk, reported separately from
`stream-stream-join` as **info** (high -> warning, medium -> info, low -> not reported).

**Why is this bad**
Each row waits for a lookup in an external system (a database, a key-value store): the external
system's latency and rate limit become the job's throughput, and a slow dimension store
backpressures the whole pipeline. A versioned (event-time temporal) join also keeps the versions
of the table in state.

**Example**
```python
t_env.execute_sql("INSERT INTO enriched SELECT o.*, c.tier FROM orders o "
                  "JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer = c.id")
```

**Use instead**
```python
# keep the join, with the lookup cache and async lookups of the connector configured:
# 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '10000',
# 'lookup.async' = 'true'; then suppress this finding with the reason
```

**Fix**
None: configure caching/async lookups on the dimension table; the finding is informational.
"""

from __future__ import annotations

from typing import Iterator

from flink_lint.model import Problem, RuleContext
from flink_lint.rules.code import _flink, _sql

CODE = "FL703"
NAME = "lookup-join"
SEVERITY = "info"
FIXABLE = False
DOCUMENT = "python"


def check(source, context: RuleContext) -> Iterator[Problem]:
    for sql in source.sql_texts():
        if _flink.table_env_is_batch(source, sql.call.func.value, sql.site):
            continue
        for join in _sql.joins(sql.text):
            if join.kind == "temporal":
                yield Problem(
                    f"lookup/temporal join (FOR SYSTEM_TIME AS OF) in {sql.method}: "
                    "every row waits for a lookup in the dimension table",
                    sql.location(source, join.offset),
                    hint="enable the connector's lookup cache and async lookups",
                )
