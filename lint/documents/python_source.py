"""PyFlink job code, read with `ast` only: the file is never imported and never executed.

`read_python(path, data) -> (PythonSource | None, findings)` parses a file; code rules
(lint/rules/code/) ask the `PythonSource` what the code does rather than what it says:

- `qualname(node, where)`: the dotted name an expression really is, through `import x as y`,
  `from m import X as Y`, module aliases, local aliases (`W = gateway.jvm.org...`), parameter
  defaults (`sleep=time.sleep`) and `self.attr` assignments of the enclosing class;
- `chain(node, where)`: the pipeline behind a stream, table or builder expression, through
  variables: `ds = env.from_source(...)`, `keyed = ds.key_by(...)`, `keyed.window(...).process(...)`
  gives steps [from_source, key_by, window, process] (the nearest assignment before the use wins);
- `sql_texts()`: the SQL passed to `execute_sql`, `sql_query` and `add_insert_sql` (literals,
  `+` concatenations, f-strings and `.format` templates with constant parts, names bound to them),
  each offset mapped back to a line and column of the Python file.

Syntax errors, deep nesting and oversized files become one located `python-syntax` finding.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union

from flink_lint.documents.read_problems import python_syntax
from flink_lint.model import Location, ReadProblem
from flink_lint.suppressions import DIRECTIVE, Directive

MAX_BYTES = 2 * 1024 * 1024  # a job module is a few KB; anything larger is generated, not a job
MAX_STEPS = 200  # bound on any resolution walk (chains, aliases): a cycle or a generated monster stops here
PLACEHOLDER = "_expr_"  # stands for a non-constant part of a SQL string (f-string field, variable)
_OURS = re.compile(r"flink", re.IGNORECASE)
Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Anchor = tuple[int, int, bool]  # (line, column, exact) of a string's first character in the file
Assignment = tuple[tuple[int, int], ast.expr, ast.AST]  # (end position, value, scope)
LIFECYCLE = {"__init__", "open", "close", "setup", "__getstate__", "__setstate__", "__repr__", "__str__"}


@dataclass
class Step:
    """One method call of a chain: `method` called with `call` (its ast.Call)."""

    method: str
    call: ast.Call

    @property
    def receiver(self) -> ast.expr:
        """`x` of this step's `x.method(...)`."""
        func = self.call.func
        return func.value if isinstance(func, ast.Attribute) else func


@dataclass
class Chain:
    origin: ast.AST  # what the first step is called on (a Name, a parameter, a Constant ...)
    steps: list[Step]  # first call first

    def methods(self) -> list[str]:
        return [step.method for step in self.steps]

    def has(self, *methods: str) -> bool:
        return any(step.method in methods for step in self.steps)

    def last(self, *methods: str) -> Optional[Step]:
        for step in reversed(self.steps):
            if step.method in methods:
                return step
        return None


@dataclass
class ClassInfo:
    node: ast.ClassDef
    bases: list[str]  # qualified names of the bases as written
    methods: dict[str, Function] = field(default_factory=dict)  # name -> its def
    attributes: dict[str, list[tuple[ast.expr, Optional[ast.AST]]]] = field(
        default_factory=dict
    )  # attr -> (value, method or None)


@dataclass
class CallSite:
    call: ast.Call
    scope: ast.AST  # innermost function or lambda (or the module)
    cls: Optional[ClassInfo]  # the class whose method this call is in
    method: Optional[Any]  # that method (a FunctionDef), when in a class

    @property
    def receiver(self) -> ast.expr:
        """`x` of a method call `x.m(...)` (the function itself for a plain call `f(...)`)."""
        func = self.call.func
        return func.value if isinstance(func, ast.Attribute) else func

    @property
    def method_name(self) -> str:
        """`m` of a method call `x.m(...)`, `f` of `f(...)`, else ""."""
        func = self.call.func
        return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


@dataclass
class SqlText:
    """SQL passed to Flink. `text` has PLACEHOLDER where the Python code computes a part."""

    text: str
    call: ast.Call
    method: str  # execute_sql | sql_query | add_insert_sql
    site: CallSite
    pieces: list[tuple[int, Anchor]]  # (start offset in text, anchor)

    def location(self, source: "PythonSource", offset: int) -> Location:
        """The Python file position of `text[offset]` (the literal's start when it cannot be exact)."""
        index = max(0, bisect.bisect_right([start for start, _ in self.pieces], offset) - 1)
        start, (line, column, exact) = self.pieces[index] if self.pieces else (0, (self.call.lineno, 1, False))
        if not exact:
            return Location(source.path, line, column)
        inner = self.text[start:offset]
        newlines = inner.count("\n")
        if newlines:
            return Location(source.path, line + newlines, len(inner) - inner.rfind("\n"))
        return Location(source.path, line, column + len(inner))


Positioned = Union[ast.expr, ast.stmt, ast.arg, ast.keyword]  # nodes with a line and column


class PythonSource:
    """One parsed Python file and what it binds. Build with `read_python`."""

    kind = "python"
    _batch: Optional[bool]  # caches of the code rules (lint/rules/code/_flink.py, _kafka.py)
    _sql_tables: list[Any]
    _calls_by_function: dict[int, list[CallSite]]
    _per_record_reach: dict[int, tuple[str, str]]

    def __init__(self, path: str, text: str, tree: ast.Module):
        self.path, self.text, self.tree = path, text, tree
        self.lines = text.splitlines()
        self.imports: dict[str, str] = {}  # local name -> qualified name
        self.star_modules: list[str] = []
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, Function] = {}  # any level; the last one wins
        self.calls: list[CallSite] = []  # in source order
        self.lambdas: list[tuple[ast.Lambda, ast.AST]] = []  # (lambda, scope)
        self.constants: list[str] = []  # str constants (for cheap "is this key mentioned" checks)
        self._assignments: dict[tuple[int, str], list[Assignment]] = {}  # (id(scope), name) -> sorted by position
        self._params: dict[int, dict[str, Optional[ast.expr]]] = {}  # id(function) -> {name: default or None}
        self._site_of: dict[int, CallSite] = {}  # id(call) -> its site
        self.calls_by_name: dict[str, list[CallSite]] = {}  # called function or method name -> its sites
        self.compile_errors: list[tuple[Positioned, str]] = []  # (node, message): what compile() would reject
        self._globals: dict[int, set[str]] = {}  # id(function) -> names it declares `global`
        self.import_froms: list[ast.ImportFrom] = []  # every `from m import ...` (any depth), in walk order
        self.literals: list[ast.expr] = []  # every dict display, str constant and f-string (for the credential rule)
        self.bare_strings: set[int] = set()  # id() of strings that are statements of their own: docstrings
        self._index()

    # ------------------------------------------------------------------ positions
    def location(self, node: Positioned, end: bool = False) -> Location:
        line = node.lineno
        column = self._column(line, node.col_offset)
        end_line = node.end_lineno
        end_column = self._column(end_line, node.end_col_offset or 0) if end_line is not None else None
        return Location(self.path, line, column, end_line, end_column)

    def method_location(self, call: ast.Call) -> Location:
        """Where the method name of `x.method(...)` is: the line a reader looks at in a long chain."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.end_lineno is not None:
            end = self._column(func.end_lineno, func.end_col_offset or 0)
            return Location(self.path, func.end_lineno, end - len(func.attr), func.end_lineno, end)
        return self.location(call)

    def segment(self, node: Positioned) -> str:
        """The source text of `node` (as ast.get_source_segment, without splitting the file again)."""
        end_line = getattr(node, "end_lineno", None)
        if end_line is None or not 0 < node.lineno <= end_line <= len(self.lines):
            return ""
        first, last = self.lines[node.lineno - 1], self.lines[end_line - 1]
        if not (first.isascii() and last.isascii()):
            first_bytes, last_bytes = first.encode("utf-8"), last.encode("utf-8")
            if node.lineno == end_line:
                return first_bytes[node.col_offset : node.end_col_offset].decode("utf-8", "replace")
            head = first_bytes[node.col_offset :].decode("utf-8", "replace")
            tail = last_bytes[: node.end_col_offset].decode("utf-8", "replace")
        elif node.lineno == end_line:
            return first[node.col_offset : node.end_col_offset]
        else:
            head, tail = first[node.col_offset :], last[: node.end_col_offset]
        return "\n".join([head, *self.lines[node.lineno : end_line - 1], tail])

    def _column(self, line: int, byte_offset: int) -> int:
        """ast offsets count UTF-8 bytes; findings count characters (1-based)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    # ------------------------------------------------------------------ indexing (one walk, no recursion)
    def _index(self) -> None:
        # node, scope, class, method; nodes as Any: the walk tells them apart with `type(node) is`, fast
        stack: list[tuple[Any, ast.AST, Optional[ClassInfo], Optional[ast.AST]]] = [(self.tree, self.tree, None, None)]
        while stack:
            node, scope, cls, method = stack.pop()
            kind = type(node)
            if kind is ast.Name:
                continue
            if kind is ast.Attribute:
                stack.append((node.value, scope, cls, method))
                continue
            if kind is ast.Call:
                site = CallSite(node, scope, cls, method)
                self.calls.append(site)
                self._site_of[id(node)] = site
                func = node.func
                name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
                if name is not None:
                    self.calls_by_name.setdefault(name, []).append(site)
            elif kind is ast.Constant:
                if isinstance(node.value, str):
                    self.constants.append(node.value)
                    self.literals.append(node)
                continue
            elif kind is ast.Dict or kind is ast.JoinedStr:
                self.literals.append(node)
            elif kind is ast.Expr and type(node.value) is ast.Constant and isinstance(node.value.value, str):
                self.bare_strings.add(id(node.value))
            elif kind is ast.Assign or kind is ast.AnnAssign:
                value = node.value
                if value is not None:
                    targets = node.targets if kind is ast.Assign else [node.target]
                    for target in targets:
                        self._bind(target, value, node, scope, cls, method)
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in node.items:  # `with conn.cursor() as cur`: cur is what the expression gave
                    if isinstance(item.optional_vars, ast.Name):
                        self._bind(item.optional_vars, item.context_expr, item.optional_vars, scope, cls, method)
            elif kind is ast.Global:
                self._globals.setdefault(id(scope), set()).update(node.names)
                continue
            elif kind is ast.Import:
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        self.imports.setdefault(alias.name.split(".", 1)[0], alias.name.split(".", 1)[0])
                continue
            elif kind is ast.ImportFrom:
                self.import_froms.append(node)
                module = ("." * node.level) + (node.module or "")
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.append(module)
                    else:
                        self.imports[alias.asname or alias.name] = f"{module}.{alias.name}"
                continue
            elif kind is ast.ClassDef:
                info = ClassInfo(node, [self.qualname(base) or "" for base in node.bases])
                self.classes[node.name] = info
                for child in reversed(node.body):
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        info.methods[child.name] = child
                        stack.append((child, child, info, child))
                    else:
                        stack.append((child, scope, info, None))
                for child in node.bases + node.decorator_list:
                    stack.append((child, scope, cls, method))
                continue
            elif kind is ast.Return or kind is ast.Yield or kind is ast.YieldFrom or kind is ast.Await:
                if scope is self.tree:  # what compile() would refuse (the module is never compiled)
                    word = {ast.Return: "'return'", ast.Await: "'await'"}.get(kind, "'yield'")
                    self.compile_errors.append((node, f"{word} outside function"))
            elif kind is ast.Nonlocal and scope is self.tree:
                self.compile_errors.append((node, "nonlocal declaration not allowed at module level"))
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                if cls is None or method is not node:
                    self.functions[node.name] = node
                self._params[id(node)] = _parameters(node.args)
                for child in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                    stack.append((child, scope, cls, method))
                for child in node.decorator_list:
                    stack.append((child, scope, cls, method))
                inner_method = node if method is node else method
                for child in reversed(node.body):
                    stack.append((child, node, cls, inner_method))
                continue
            elif kind is ast.Lambda:
                self.lambdas.append((node, scope))
                self._params[id(node)] = _parameters(node.args)
                stack.append((node.body, node, cls, method))
                continue
            children: list[Any] = []  # as ast.iter_child_nodes, without its two generators per node
            for name in _child_fields(kind):
                value = getattr(node, name, None)
                if type(value) is list:
                    children.extend(value)
                elif isinstance(value, ast.AST):
                    children.append(value)
            for child in reversed(children):
                if isinstance(child, ast.AST):  # lists also hold None (`{**d}` keys) and names (`nonlocal x`)
                    stack.append((child, scope, cls, method))
        order = lambda site: (site.call.lineno, site.call.col_offset)  # noqa: E731
        self.calls.sort(key=order)
        for sites in self.calls_by_name.values():
            sites.sort(key=order)

    def _bind(self, target, value, statement, scope, cls, method) -> None:
        if isinstance(target, ast.Name):
            if target.id in self._globals.get(id(scope), ()):
                scope = self.tree  # `global http` then `http = requests.Session()`: a module binding
            key = (id(scope), target.id)
            position = (statement.end_lineno, statement.end_col_offset)
            entries = self._assignments.setdefault(key, [])
            entries.append((position, value, scope))
            if len(entries) > 1 and entries[-2][0] > position:
                entries.sort(key=lambda entry: entry[0])
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            if cls is not None:
                cls.attributes.setdefault(target.attr, []).append((value, method))
        elif (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(value, (ast.Tuple, ast.List))
            and len(target.elts) == len(value.elts)
        ):
            for sub_target, sub_value in zip(target.elts, value.elts):
                self._bind(sub_target, sub_value, statement, scope, cls, method)

    # ------------------------------------------------------------------ names
    def site(self, call: ast.Call) -> Optional[CallSite]:
        return self._site_of.get(id(call))

    def assigned(self, name: str, scope: ast.AST, position: tuple[int, int]) -> Optional[tuple[ast.expr, ast.AST]]:
        """(value, scope) of the nearest assignment to `name` before `position`, looking in the
        enclosing function first, then at module level; None for parameters and unbound names."""
        entries = self._assignments.get((id(scope), name))
        if entries:
            found = None
            for entry in entries:
                if entry[0] <= position:
                    found = entry
            if found is not None:
                return found[1], found[2]
        if scope is not self.tree:
            params = self._params.get(id(scope), {})
            if name in params:
                return None
            entries = self._assignments.get((id(self.tree), name))
            if entries:
                for entry in reversed(entries):  # `client = None` at module level, set in open()
                    if not _is_none(entry[1]):
                        return entry[1], self.tree
                return entries[-1][1], self.tree
        return None

    def parameter_default(self, name: str, scope: ast.AST) -> Optional[ast.AST]:
        return self._params.get(id(scope), {}).get(name)

    def qualname(self, node: ast.AST, site: Optional[CallSite] = None, _depth: int = 0) -> Optional[str]:
        """The dotted name `node` stands for: `requests.Session().get`, `pyflink.datastream.window.
        EventTimeSessionWindows.with_gap`; None when it is not a name, attribute chain or call."""
        parts = []
        current = node
        scope = site.scope if site else self.tree
        for _ in range(MAX_STEPS):
            if isinstance(current, ast.Attribute):
                parts.append(current.attr)
                value = current.value
                if isinstance(value, ast.Name) and value.id == "self" and site is not None and site.cls is not None:
                    resolved = self._self_attribute(site.cls, current.attr, site, _depth)
                    if resolved is not None:
                        parts.pop()
                        parts.append(resolved)
                        return ".".join(reversed(parts))
                current = value
            elif isinstance(current, ast.Call):
                returned = self._returned_by_method(current, site, _depth)
                if returned is not None:  # `self._conn().cursor()`: what `_conn` returns
                    return ".".join([returned, *reversed(parts)]).replace(".()", "()")
                parts.append("()")
                current = current.func
            elif isinstance(current, ast.Subscript) and (key := _string_key(current.slice)) is not None:
                # `client["app"]["users"]` reads as `client.app.users`; `es.get(...)["_source"]` is data
                inner = self.qualname(current.value, site, _depth + 1)
                if inner is None or _returns_data(inner):
                    return None
                parts.append(key)
                return ".".join([inner, *reversed(parts)]).replace(".()", "()")
            elif isinstance(current, ast.Name):
                parts.append(self._name(current, site, scope, _depth))
                break
            else:
                return None
        else:
            return None
        return ".".join(reversed(parts)).replace(".()", "()")

    def _name(self, node: ast.Name, site: Optional[CallSite], scope: ast.AST, depth: int) -> str:
        name = node.id
        bound = self.assigned(name, scope, (node.lineno, node.col_offset)) if depth < 8 else None
        if bound is not None:
            if isinstance(bound[0], (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                inner = self.qualname(bound[0], _site_in(site, bound[1]), depth + 1)
                if inner is not None:
                    return inner
            return name
        if name in self.imports:
            return self.imports[name]
        default = self.parameter_default(name, scope) if depth < 8 else None
        if isinstance(default, (ast.Name, ast.Attribute)):
            inner = self.qualname(default, _site_in(site, self.tree), depth + 1)
            if inner is not None:
                return inner
        if self.star_modules and name[:1].isupper() and bound_nowhere(self, name):
            return f"{self.star_modules[0]}.{name}"
        return name

    def _returned_by_method(self, call: ast.Call, site: Optional[CallSite], depth: int) -> Optional[str]:
        """The qualified name of what `self.method(...)` returns, when every `return` of that method
        of this class names the same thing (`return self.conn`, `return psycopg2.connect(...)`)."""
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
            and site is not None
            and site.cls is not None
            and depth < 8
        ):
            return None
        method = site.cls.methods.get(func.attr)
        if method is None:
            return None
        inner_site = CallSite(site.call, method, site.cls, method)
        names = {
            self.qualname(node.value, inner_site, depth + 1)
            for node in ast.walk(method)
            if isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value)
        }
        return names.pop() if len(names) == 1 else None

    def _self_attribute(self, cls: ClassInfo, attr: str, site: CallSite, depth: int) -> Optional[str]:
        """The qualified name of what `self.attr` was assigned (e.g. `requests.Session()`)."""
        if depth >= 8:
            return None
        for value, method in cls.attributes.get(attr, []):
            if isinstance(value, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                inner_site = CallSite(site.call, method or site.scope, cls, method)
                name = self.qualname(value, inner_site, depth + 1)
                if name is not None and name != f"self.{attr}":
                    return name
        return None

    def resolve(self, node: ast.AST, site: Optional[CallSite]) -> tuple[ast.AST, Optional[CallSite]]:
        """(value, site) after following names and `self.attr` to what was assigned (bounded)."""
        for _ in range(16):
            if isinstance(node, ast.Name) and site is not None:
                bound = self.assigned(node.id, site.scope, (node.lineno, node.col_offset))
                if bound is None:
                    return node, site
                node, site = bound[0], _site_in(site, bound[1])
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and site is not None
                and site.cls is not None
            ):
                values = attribute_values(site.cls, node.attr)
                if len(values) != 1 or values[0][0] is node:
                    return node, site
                value, method = values[0]
                node, site = value, CallSite(site.call, method or site.scope, site.cls, method)
            else:
                return node, site
        return node, site

    def chain(self, node: ast.AST, site: Optional[CallSite]) -> Chain:
        """The method calls that produce `node`, through variables, first call first."""
        steps = []
        current = node
        for _ in range(MAX_STEPS):
            if isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
                steps.append(Step(current.func.attr, current))
                current = current.func.value
                continue
            if isinstance(current, ast.Name) and site is not None:
                bound = self.assigned(current.id, site.scope, (current.lineno, current.col_offset))
                if bound is not None and bound[0] is not current:
                    current, site = bound[0], _site_in(site, bound[1])
                    continue
            if (
                isinstance(current, ast.Attribute)
                and isinstance(current.value, ast.Name)
                and current.value.id == "self"
                and site is not None
                and site.cls is not None
            ):
                values = attribute_values(site.cls, current.attr)
                if len(values) == 1 and values[0][0] is not current:
                    value, method = values[0]
                    current, site = value, CallSite(site.call, method or site.scope, site.cls, method)
                    continue
            break
        steps.reverse()
        return Chain(current, steps)

    # ------------------------------------------------------------------ classes and functions
    def class_of(self, node: ast.AST, site: Optional[CallSite]) -> Optional[ClassInfo]:
        """The class defined in this file that `node` instantiates (`MyFunction(...)`), if any."""
        node, _ = self.resolve(node, site)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.classes.get(node.func.id)
        return None

    def base_names(self, info: ClassInfo) -> set[str]:
        """Last segments of every base class, through classes defined in this file."""
        names: set[str] = set()
        pending, seen = [info], set()
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for base in current.bases:
                short = base.rsplit(".", 1)[-1]
                names.add(short)
                local = self.classes.get(base)
                if local is not None:
                    pending.append(local)
        return names

    def is_flink(self, name: Optional[str]) -> bool:
        """A name that comes from pyflink or from the JVM through the py4j gateway."""
        return name is not None and (name.startswith("pyflink.") or ".jvm." in name or name.startswith("jvm."))

    def sql_texts(self) -> list[SqlText]:
        if not hasattr(self, "_sql"):
            self._sql = list(_extract_sql(self))
        return self._sql


def _returns_data(name: str) -> bool:
    """`name` is a method call whose result is data (`es.get(...)`, `resp.json()`), not a client or
    a constructor (`MongoClient(...)`, `client.get_database(...)`)."""
    if not name.endswith("()"):
        return False
    method = name[:-2].rsplit(".", 1)[-1]
    return method[:1].islower() and method not in ("get_database", "get_collection", "get_default_database")


def _string_key(node: ast.AST) -> Optional[str]:
    """The key of `x["name"]` when it reads like an attribute (pymongo's `client["app"]["users"]`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
        return node.value
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def attribute_values(cls: ClassInfo, attr: str) -> list[tuple[ast.expr, Optional[ast.AST]]]:
    """What `self.attr` is assigned in the class, without the `= None` placeholders of __init__."""
    values = cls.attributes.get(attr, [])
    real = [entry for entry in values if not _is_none(entry[0])]
    return real if real else values


def bound_nowhere(source: PythonSource, name: str) -> bool:
    return name not in source.classes and name not in source.functions


def _site_in(site: Optional[CallSite], scope: ast.AST) -> Optional[CallSite]:
    if site is None:  # a scope to resolve names in, at no call
        return CallSite(None, scope, None, None)  # type: ignore[arg-type]
    if scope is site.scope:
        return site
    return CallSite(site.call, scope, site.cls, site.method)


_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}  # node type -> its fields that may hold nodes
_OPERATOR_FIELDS = {"ctx", "op", "ops"}  # Load/Store and operator singletons: nothing to index below them


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(name for name in kind._fields if name not in _OPERATOR_FIELDS)
    return fields


def _parameters(args: ast.arguments) -> dict[str, Optional[ast.expr]]:
    params: dict[str, Optional[ast.expr]] = {}
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults):
        params[arg.arg] = default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        params[arg.arg] = default
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            params[extra.arg] = None
    return params


# ---------------------------------------------------------------------- SQL extraction
SQL_METHODS = ("execute_sql", "sql_query", "add_insert_sql")
_PREFIX = re.compile(r"^([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
_TEMPLATE_FIELD = re.compile(r"\$(?:\{\w+\}|\w+)")
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrif]")


def _extract_sql(source: PythonSource) -> Iterator[SqlText]:
    for site in source.calls:
        func = site.call.func
        if not isinstance(func, ast.Attribute) or func.attr not in SQL_METHODS or not site.call.args:
            continue
        receiver = source.qualname(func.value, site)
        if (
            receiver
            and "." in receiver
            and not source.is_flink(receiver)
            and not receiver.startswith(("self.", "cls."))
            and receiver.split(".", 1)[0] in {name.split(".", 1)[0] for name in source.imports.values()}
        ):
            continue  # a method of a non-Flink library object (a database client's `execute_sql`)
        pieces: list[tuple[int, Anchor]] = []
        parts: list[str] = []
        if not _sql_parts(source, site.call.args[0], site, parts, pieces, 0):
            continue
        text = "".join(parts)
        if text.replace(PLACEHOLDER, "").strip():
            yield SqlText(text, site.call, func.attr, site, pieces)


def _sql_parts(source, node, site, parts, pieces, depth) -> bool:
    """Append the text of `node` to parts (and position anchors to pieces); False if not a string."""
    if depth > 24:
        return False
    offset = sum(len(part) for part in parts)
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return False
        pieces.append((offset, _anchor(source, node)))
        parts.append(node.value)
        return True
    if isinstance(node, ast.JoinedStr):
        pieces.append((offset, _fstring_anchor(source, node)))
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (
                isinstance(value, ast.FormattedValue)
                and isinstance(value.value, ast.Call)
                and _sql_parts(source, value.value, site, [], [], depth + 1)
            ):  # `WITH {kafka_options(topic)}`: a helper's template, inlined
                inner_parts: list[str] = []
                inner_pieces: list[tuple[int, tuple[int, int, bool]]] = []
                _sql_parts(source, value.value, site, inner_parts, inner_pieces, depth + 1)
                here = sum(len(part) for part in parts)
                pieces.extend((here + start, anchor) for start, anchor in inner_pieces)
                parts.extend(inner_parts)
                pieces.append(
                    (
                        sum(len(part) for part in parts),
                        (node.lineno, source._column(node.lineno, node.col_offset), False),
                    )
                )
            else:
                parts.append(PLACEHOLDER)
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in source.functions:
        returned = _returned_text(source.functions[node.func.id])
        if returned is not None:  # `execute_sql(ddl(name))`: the text the helper returns
            return _sql_parts(source, returned, site, parts, pieces, depth + 1)
        return False
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("substitute", "safe_substitute")
    ):
        template, template_site = source.resolve(node.func.value, site)
        name = source.qualname(template.func, template_site) if isinstance(template, ast.Call) else None
        if name and name.endswith("Template") and template.args:
            inner_parts, inner_pieces = [], []
            if _sql_parts(source, template.args[0], template_site, inner_parts, inner_pieces, depth + 1):
                pieces.append((offset, (node.lineno, source._column(node.lineno, node.col_offset), False)))
                parts.append(_TEMPLATE_FIELD.sub(PLACEHOLDER, "".join(inner_parts)))
                return True
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _sql_parts(source, node.left, site, parts, pieces, depth + 1) and _sql_parts(
            source, node.right, site, parts, pieces, depth + 1
        )
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        pieces.append((offset, (node.lineno, source._column(node.lineno, node.col_offset), False)))
        parts.append(_PERCENT_FIELD.sub(PLACEHOLDER, node.left.value))
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        format_parts: list[str] = []
        format_pieces: list[tuple[int, tuple[int, int, bool]]] = []
        if _sql_parts(source, node.func.value, site, format_parts, format_pieces, depth + 1):
            pieces.append((offset, (node.lineno, source._column(node.lineno, node.col_offset), False)))
            parts.append(_FORMAT_FIELD.sub(PLACEHOLDER, "".join(format_parts)))
            return True
        return False
    if isinstance(node, (ast.Name, ast.Attribute)):
        value, value_site = source.resolve(node, site)
        if value is not node and isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
            return _sql_parts(source, value, value_site, parts, pieces, depth + 1)
        if depth > 0:  # a variable part inside a concatenation
            pieces.append((offset, (node.lineno, source._column(node.lineno, node.col_offset), False)))
            parts.append(PLACEHOLDER)
            return True
        return False
    if depth > 0:
        pieces.append((offset, (node.lineno, source._column(node.lineno, node.col_offset), False)))
        parts.append(PLACEHOLDER)
        return True
    return False


def _returned_text(function: ast.FunctionDef | ast.AsyncFunctionDef):
    """The string a small helper returns: its only `return` of a literal, f-string or template."""
    returns = [node for node in function.body if isinstance(node, ast.Return)]
    if len(returns) == 1 and isinstance(returns[0].value, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
        value = returns[0].value
        if not isinstance(value, ast.Constant) or isinstance(value.value, str):
            return value
    return None


def _fstring_anchor(source: PythonSource, node: ast.JoinedStr) -> Anchor:
    """(line, column, exact) of an f-string's first character: lines are exact as long as the
    fields hold no newline (columns after a field are approximate)."""
    line, column = node.lineno, source._column(node.lineno, node.col_offset)
    segment = source.segment(node)
    match = _PREFIX.match(segment)
    if not match or "f" not in match.group(1).lower() or segment.count(match.group(2)) != 2:
        return line, column, False  # implicit concatenation: the start is the best we can say
    if len(match.group(2)) == 1 and node.end_lineno != node.lineno:
        return line, column, False
    return line, column + match.end(), True


def _anchor(source: PythonSource, node: ast.Constant) -> Anchor:
    """(line, column, exact) of the first character of the string's value."""
    line, column = node.lineno, source._column(node.lineno, node.col_offset)
    if node.end_lineno is None:
        return line, column, False
    segment = source.segment(node)
    match = _PREFIX.match(segment or "")
    if not match or segment is None or "\\" in segment:
        return line, column, False
    quote = match.group(2)
    content = segment[match.end() : len(segment) - len(quote)]
    if content != node.value:  # implicit concatenation or escapes: the literal's start is the best we can say
        return line, column, False
    return line, column + match.end(), True


# ---------------------------------------------------------------------- reading and suppressions
def read_python(path: str, data: Union[str, bytes]) -> tuple[Optional[PythonSource], list[ReadProblem]]:
    """(PythonSource or None, findings). A `.py` file that Python cannot read or compile is reported
    whatever it is about; code rules only see files that mention Flink (others give None)."""
    here = Location(path, 1, 1)
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            if not _OURS.search(data[:65536].decode("utf-8", "replace")):
                return None, []
            return None, [
                python_syntax.finding(
                    f"file is {len(data) / 1048576:.1f} MiB, larger than the {MAX_BYTES // 1048576} MiB a job module "
                    "can reasonably be: not read",
                    here,
                )
            ]
        nul = data.find(b"\0")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            return None, [
                python_syntax.finding(
                    "binary file (NUL byte): Python cannot read it as source code",
                    Location(path, line, nul - (data.rfind(b"\n", 0, nul) + 1) + 1),
                )
            ]
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return None, [
                python_syntax.finding(
                    f"cannot decode the file as {error.encoding}: byte 0x{data[error.start]:02x} (add a coding "
                    "declaration or save it as UTF-8)",
                    Location(path, line, 1),
                )
            ]
        except (SyntaxError, LookupError) as error:
            return None, [python_syntax.finding(f"cannot decode the file: {error}", here)]
        text = text.removeprefix("\ufeff")
    else:
        text = data
        if len(text) > MAX_BYTES:
            return None, [python_syntax.finding("file too large to be a job module: not read", here)]
    try:
        with warnings.catch_warnings():  # SyntaxWarning `0if x`, `"\d"`: not printed, never an error (-W error)
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
            ours = bool(_OURS.search(text))
            if not ours:  # compiles only, never runs: `return` outside a function, ... (Flink files: the index)
                try:
                    compile(tree, path, "exec", dont_inherit=True)
                except RecursionError:  # converting a deep tree back recurses in Python; the text compiles in C
                    compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        line = min(max(error.lineno or 1, 1), max(text.count("\n") + 1, 1))
        message = error.msg or "invalid syntax"
        return None, [
            python_syntax.finding(f"Python syntax error: {message}", Location(path, line, max(error.offset or 1, 1)))
        ]
    except (RecursionError, MemoryError) as error:
        return None, [
            python_syntax.finding(
                f"expressions nested too deeply to analyze ({type(error).__name__}): not checked", here
            )
        ]
    except ValueError as error:
        return None, [python_syntax.finding(f"cannot parse the file: {error}", here)]
    if not ours:
        return None, []
    try:
        source = PythonSource(path, text, tree)
        if source.compile_errors:
            node, message = source.compile_errors[0]
            return None, [python_syntax.finding(f"Python syntax error: {message}", source.location(node))]
        return source, []
    except (RecursionError, MemoryError) as error:
        return None, [
            python_syntax.finding(
                f"expressions nested too deeply to analyze ({type(error).__name__}): not checked", here
            )
        ]


def directives(path: str, text: str) -> list[Directive]:
    """Suppression directives from Python comments (tokenize: a `#` inside a string is no comment)."""

    if "flink-lint" not in text:
        return []
    lines = text.splitlines()
    comments = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and "flink-lint" in token.string:
                comments.append(token)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    code_lines = _code_lines(text)
    found = []
    for token in comments:
        match = DIRECTIVE.match(token.string)
        if match is None:
            continue
        number, start = token.start
        codes = tuple(code.strip() for code in (match.group("codes") or "").split(",") if code.strip())
        location = Location(path, number, start + 1, number, len(lines[number - 1].rstrip()) + 1)
        if match.group("verb") == "disable-file":
            target = None
        elif lines[number - 1][:start].strip():
            target = number
        else:
            later = [line for line in code_lines if line > number]
            target = later[0] if later else number + 1
        found.append(Directive(location, codes, target, match.group("reason") or ""))
    return found


def _code_lines(text: str) -> list[int]:
    """Lines that hold code (not blank, not only a comment), in order."""
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            result.append(number)
    return result
