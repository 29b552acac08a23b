"""Plaintext credential: a password or token written into the job code.

**What it does**
Reports credentials given as string literals in a PyFlink job file:
- keyword arguments of any call (`redis.Redis(password="...")`, `psycopg2.connect(password=...)`,
  `boto3.client(aws_secret_access_key=...)`, `dict(password=...)`) and `with_password("...")`;
- keys of dict literals (`{"user": "root", "password": "123456"}`, Kafka properties);
- options set in code: `Configuration.set_string("s3.secret-key", "...")`, `.set(...)`,
  `TableDescriptor...option("password", "...")`, `.set_property(...)`;
- SQL `WITH` options (`'password' = 'root'`) in any string of the file, f-strings and helper
  templates included (docstrings excepted), and `password="..."` inside a `sasl.jaas.config`;
- passwords inside connection strings: a URL (`"mongodb://admin:...@mongo:27017"`), a libpq/ODBC
  string (`"dbname=app user=app password=..."`) and the second item of an auth pair
  (`Elasticsearch(..., basic_auth=("elastic", "..."))`, `auth=`, `http_auth=`). Example values
  (`redis://user:pass@localhost`) are not reported.
Key names are the ones `plaintext-secret` (FL601) knows (`password`, `secret`, `token`,
`access-key`, `secret-key`, `api-key`, ...). Empty strings, values computed by the code (f-string
fields, `os.environ[...]`) and `${VAR}` placeholders are fine. The message never repeats the value.

**Why is this bad**
Job code is committed, reviewed, packaged into images and shipped to every TaskManager; SQL
options also show up in the job graph and in logs. Whoever can read any of those has the
credential, and rotating it means a code change.

**Example**
```python
pool = redis.ConnectionPool(host="cache", port=6379, password="147258")
t_env.execute_sql("CREATE TABLE users (...) WITH ('connector' = 'jdbc', 'password' = 'root', ...)")
```

**Use instead**
```python
pool = redis.ConnectionPool(host="cache", port=6379, password=os.environ["REDIS_PASSWORD"])
t_env.execute_sql(f"CREATE TABLE users (...) WITH ('connector' = 'jdbc', 'password' = '{db_password}', ...)")
```

**Fix**
None: move the credential to the environment, a secret store or a Kubernetes Secret.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from flink_lint.model import Location, Problem, RuleContext
from flink_lint.rules.config.plaintext_secret import _SECRET_KEY

CODE = "FL761"
NAME = "plaintext-credential"
SEVERITY = "warning"
FIXABLE = False
DOCUMENT = "python"

KEY_VALUE_CALLS = {"set_string", "set", "option", "set_property", "property"}
PASSWORD_SETTERS = {"with_password", "set_password"}
_SQL_OPTION = re.compile(r"'([\w.\-]+)'\s*=\s*'([^']*)'")
_JAAS_PASSWORD = re.compile(r"""\bpassword\s*=\s*(?:\\?["'])([^"'\\]+)""")
# `mongodb://admin:secret@host`, `postgresql://app:secret@db/app`: a password in a connection URL.
_URL_PASSWORD = re.compile(r"\b[a-zA-Z][\w+.\-]*://[^\s:/@'\"]+:([^\s/@'\"]+)@")
# `"dbname=app user=app password=secret"`: a libpq / ODBC connection string (not `password="..."`).
_DSN_PASSWORD = re.compile(r"(?:^|[\s;])(?:password|pwd)=([^\s;'\"`]+)", re.IGNORECASE)
# Example values, not credentials: `redis://user:pass@localhost` as a settings default.
PLACEHOLDER_PASSWORDS = {"pass", "password", "passwd", "pwd", "secret", "changeit", "xxx", "***"}
AUTH_KEYWORDS = {"auth", "basic_auth", "http_auth"}  # `Elasticsearch(basic_auth=("elastic", "changeme"))`
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}|^<[^>]*>$")
HINT = "read it from the environment or a secret store (os.environ[...], a Kubernetes Secret)"


def secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key)) or key.lower().endswith(("_password", "password"))


def check(source, context: RuleContext) -> Iterator[Problem]:
    seen = set()
    for finding in _findings(source):
        key = (finding.location.line, finding.location.column)
        if key not in seen:
            seen.add(key)
            yield finding


def _findings(source) -> Iterator[Problem]:
    lower = source.text.lower()
    if not any(word in lower for word in ("passw", "pwd", "secret", "token", "access", "api", "auth", "jaas")) and (
        "://" not in source.text or not _URL_PASSWORD.search(source.text)
    ):
        return  # no word a credential goes by, no password in a URL: most job files
    for site in source.calls:
        call = site.call
        for keyword in call.keywords:
            if keyword.arg and secret_key(keyword.arg) and _literal(keyword.value):
                yield _problem(f"`{keyword.arg}=`", source.location(keyword.value))
            elif (
                keyword.arg in AUTH_KEYWORDS
                and isinstance(keyword.value, (ast.Tuple, ast.List))
                and len(keyword.value.elts) == 2
                and _literal(keyword.value.elts[1])
            ):
                yield _problem(f"the password in `{keyword.arg}=`", source.location(keyword.value.elts[1]))
        method = call.func.attr if isinstance(call.func, ast.Attribute) else None
        if method in PASSWORD_SETTERS and call.args and _literal(call.args[0]):
            yield _problem(f"`{method}(...)`", source.location(call.args[0]))
        elif method in KEY_VALUE_CALLS and len(call.args) >= 2:
            key, value = call.args[0], call.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if secret_key(key.value) and _literal(value):
                    yield _problem(f"'{key.value}'", source.location(value))
                elif key.value.endswith("jaas.config"):
                    yield from _jaas(source, value)
    parts_of_fstrings: set[int] = set()  # ids of the string parts of f-strings
    for node in source.literals:
        if id(node) in parts_of_fstrings or id(node) in source.bare_strings:
            continue  # judged with its f-string (Python 3.11 gives the parts their f-string's position); docstrings
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    if secret_key(key.value) and _literal(value):
                        yield _problem(f"'{key.value}'", source.location(value))
                    elif key.value.endswith("jaas.config"):
                        yield from _jaas(source, value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "=" in node.value and "'" in node.value:  # `'password' = 'root'`
                yield from _sql_options(source, node, node.value, exact=True)
            yield from _connection_strings(source, node)
        elif isinstance(node, ast.JoinedStr):
            parts_of_fstrings.update(id(value) for value in node.values)
            text = "".join(
                value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else "\0"
                for value in node.values
            )
            if "=" in text and "'" in text:
                yield from _sql_options(source, node, text, exact=False)


def _literal(node) -> bool:
    """A credential written in the code: a non-empty string constant that is no placeholder."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return False
    value = node.value.strip()
    return bool(value) and not _PLACEHOLDER.search(value)


def _jaas(source, node) -> Iterator[Problem]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _JAAS_PASSWORD.search(node.value):
        yield _problem("the password of `sasl.jaas.config`", source.location(node))


def _connection_strings(source, node: ast.Constant) -> Iterator[Problem]:
    """A password in a connection URL or a libpq/ODBC connection string."""
    text = str(node.value)
    for pattern, needed, what in (
        (_URL_PASSWORD, "://", "the password in a connection URL"),
        (_DSN_PASSWORD, "=", "`password=` in a connection string"),
    ):
        match = pattern.search(text) if needed in text else None  # most strings: no regex to run
        value = match.group(1) if match else ""
        if (
            value
            and not _PLACEHOLDER.search(value)
            and not any(c in value for c in "%{}<>$")
            and (value.lower() not in PLACEHOLDER_PASSWORDS)
        ):
            yield _problem(what, source.location(node))
            return


def _sql_options(source, node, text: str, exact: bool) -> Iterator[Problem]:
    """`'password' = 'root'` in a string; the finding is on the option's own line."""
    for match in _SQL_OPTION.finditer(text):
        key, value = match.group(1), match.group(2)
        if not secret_key(key) or not value.strip() or "\0" in value or _PLACEHOLDER.search(value):
            continue
        yield _problem(f"SQL option '{key}'", _line_in(source, node, text, match.start(), exact))


def _line_in(source, node, text: str, offset: int, exact: bool) -> Location:
    line = node.lineno + text.count("\n", 0, offset)
    if line == node.lineno:
        return source.location(node)
    if not exact and node.end_lineno is not None:
        line = min(line, node.end_lineno)
    code = source.lines[line - 1] if 0 < line <= len(source.lines) else ""
    return Location(source.path, line, len(code) - len(code.lstrip()) + 1)


def _problem(what: str, location: Location) -> Problem:
    return Problem(
        f"{what} holds a plaintext credential: whoever reads the job code, its image or its logs has it",
        location,
        hint=HINT,
    )
