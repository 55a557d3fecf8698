"""Raw SQL read with sqlglot: which tables a statement touches and how each is constrained.

The per-file phase calls `table_refs` for every SQL string it finds; the result
is small and serialisable (table name, constrained column names) so the project
phase can decide with the tenant keys and the model index. sqlglot is imported
lazily: files without SQL strings never pay for it.

A reference is constrained by a column when a comparison on that column holds
in every case of the WHERE clause or the JOIN condition of the SELECT/UPDATE/
DELETE it belongs to (`AND` adds, `OR` keeps only what both sides constrain,
`NOT` constrains nothing). Unqualified columns count for every table of their
statement. Each SELECT (CTE bodies and subqueries included) is its own scope.
DDL and statements that do not parse give nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# (table name, constrained columns); an INSERT lists its inserted columns.
TableRef = tuple[str, tuple[str, ...]]

MAX_SQL_CHARS = 20_000  # larger strings are data or generated scripts, not a query to read
_PYFORMAT = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)s|%s|%d")
_DOLLAR = re.compile(r"\$\d+")


def normalise(sql: str) -> str:
    """Bind parameters of every paramstyle as `?`, which every dialect parses."""
    return _DOLLAR.sub("?", _PYFORMAT.sub("?", sql))


def table_refs(sql: str) -> tuple[TableRef, ...] | None:
    """The table references of the statements in `sql`; None when it does not parse or is DDL."""
    if len(sql) > MAX_SQL_CHARS:
        return None
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:  # pragma: no cover - a runtime dependency
        return None
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # unsupported syntax warnings
    try:
        statements = sqlglot.parse(normalise(sql))
    except Exception:
        return None
    refs: list[TableRef] = []
    dml = False
    for statement in statements:
        if statement is None:
            continue
        if not isinstance(statement, (exp.Select, exp.Union, exp.Update, exp.Delete, exp.Insert, exp.With)):
            continue  # DDL, SET, transaction control...
        dml = True
        cte_names = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
        for node in statement.walk():
            if isinstance(node, (exp.Select, exp.Update, exp.Delete)):
                refs.extend(_scope_refs(exp, node, cte_names))
            elif isinstance(node, exp.Insert):
                refs.extend(_insert_refs(exp, node))
    return tuple(refs) if dml else None


def reads_only(sql: str) -> bool:
    """Every statement in `sql` only reads: a SELECT or set operation, also behind CTEs,
    with no INSERT, UPDATE or DELETE anywhere in it (`WITH moved AS (DELETE ...) SELECT`
    writes). False when it does not parse."""
    if len(sql) > MAX_SQL_CHARS:
        return False
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:  # pragma: no cover - a runtime dependency
        return False
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        statements = [s for s in sqlglot.parse(normalise(sql)) if s is not None]
    except Exception:
        return False
    writes = (exp.Insert, exp.Update, exp.Delete, exp.Merge)
    return bool(statements) and all(
        isinstance(s, (exp.Select, exp.Union)) and s.find(*writes) is None for s in statements
    )


def _table_name(exp: Any, table: Any) -> str:
    return str(table.name).lower()


def _scope_refs(exp: Any, node: Any, cte_names: set[str]) -> list[TableRef]:
    tables: list[Any] = []
    conditions: list[Any] = []
    if isinstance(node, (exp.Update, exp.Delete)) and isinstance(node.this, exp.Table):
        tables.append(node.this)
    source = node.args.get("from") or node.args.get("from_")
    if source is not None:
        for item in [source.this, *source.expressions]:
            if isinstance(item, exp.Table):
                tables.append(item)
    for table in node.args.get("using") or []:
        if isinstance(table, exp.Table):
            tables.append(table)
    for join in node.args.get("joins") or []:
        if isinstance(join.this, exp.Table):
            tables.append(join.this)
        if join.args.get("on") is not None:
            conditions.append(join.args["on"])
    where = node.args.get("where")
    if where is not None:
        conditions.append(where.this)
    constrained: dict[str, set[str]] = {}
    for condition in conditions:
        for qualifier, columns in _constrained(exp, condition).items():
            constrained.setdefault(qualifier, set()).update(columns)
    unqualified = constrained.get("", set())
    out: list[TableRef] = []
    for table in tables:
        name = _table_name(exp, table)
        if not name or (name in cte_names and not table.db):
            continue
        alias = str(table.alias_or_name).lower()
        columns = constrained.get(alias, set()) | constrained.get(name, set()) | unqualified
        out.append((name, tuple(sorted(columns))))
    return out


def _insert_refs(exp: Any, node: Any) -> list[TableRef]:
    target = node.this
    columns: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        columns = tuple(sorted(str(c.name).lower() for c in target.expressions))
        target = target.this
    if not isinstance(target, exp.Table):
        return []
    return [(_table_name(exp, target), columns)]


def _constrained(exp: Any, node: Any) -> dict[str, set[str]]:
    """Columns constrained in every case of a condition, by table qualifier ("" = none)."""
    if isinstance(node, exp.Paren):
        return _constrained(exp, node.this)
    if isinstance(node, exp.And):
        left = _constrained(exp, node.this)
        for key, columns in _constrained(exp, node.expression).items():
            left.setdefault(key, set()).update(columns)
        return left
    if isinstance(node, exp.Or):
        left = _constrained(exp, node.this)
        right = _constrained(exp, node.expression)
        common: dict[str, set[str]] = {}
        for key in left.keys() & right.keys():
            both = left[key] & right[key]
            if both:
                common[key] = both
        return common
    if isinstance(node, exp.Not):
        return {}
    if isinstance(node, (exp.EQ, exp.In, exp.Is, exp.NullSafeEQ, exp.Predicate)):
        out: dict[str, set[str]] = {}
        for side in (node.this, node.args.get("expression")):
            if isinstance(side, exp.Column):
                out.setdefault(str(side.table).lower(), set()).add(str(side.name).lower())
        return out
    return {}
