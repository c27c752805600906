"""Read-only SQL gate: only one SELECT-like statement runs, with a row limit on the outermost query.

The statement is parsed with sqlglot and re-rendered from the checked tree, so what executes is
exactly what was inspected (no comments, no trailing statements). Only the connected schema's
tables may be named, and only the functions of the dialect's allow-list (`sql.functions`) may be
called. This is the first layer; the runner adds a read-only connection or transaction, a timeout
and byte caps on the result on top of it.
"""

from __future__ import annotations

import itertools
import logging
import re
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from services.chat.sql import functions
from services.common.errors import ApiError

MAX_SQL_CHARS = 100_000
# sqlglot warns about every statement it cannot model; those are user input refused below, not our faults.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

# SQLAlchemy URL backend names (and common aliases) → sqlglot dialects.
DIALECTS = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "duckdb": "duckdb",
}

_STATEMENT_CLASSES = (
    "DDL",
    "DML",
    "Insert",
    "Update",
    "Delete",
    "Merge",
    "Create",
    "Drop",
    "Alter",
    "TruncateTable",
    "Command",
    "Pragma",
    "Attach",
    "Detach",
    "Set",
    "Copy",
    "Transaction",
    "Commit",
    "Rollback",
    "Use",
    "Grant",
    "Revoke",
    "LoadData",
    "Analyze",
    "Describe",
    "Kill",
    "Cache",
    "Uncache",
    "Refresh",
    "Export",
    "Install",
    "Show",
    "Summarize",
    "Execute",
    "Declare",
)
# getattr: the set of statement classes varies between sqlglot releases.
_FORBIDDEN_NODES: tuple[type, ...] = tuple(
    cls for name in _STATEMENT_CLASSES if isinstance(cls := getattr(exp, name, None), type)
)

STRINGISH_TOKENS = frozenset(
    getattr(TokenType, name)
    for name in (
        "STRING",
        "NATIONAL_STRING",
        "RAW_STRING",
        "HEREDOC_STRING",
        "BYTE_STRING",
        "BIT_STRING",
        "HEX_STRING",
        "UNICODE_STRING",
        "IDENTIFIER",
    )
    if hasattr(TokenType, name)
)
_BIND_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BIND_PREFIX = "__trellis_bind_"
_FILE_TABLE = re.compile(r"[/\\:]|\.(csv|tsv|txt|parquet|json|jsonl|ndjson|xlsx|gz|zst|db|duckdb|sqlite)$", re.I)


def sqlglot_dialect(dialect: str) -> str:
    try:
        return DIALECTS[dialect.lower()]
    except KeyError:
        raise ApiError("QUERY_FAILED", f"Unsupported SQL dialect '{dialect}'") from None


def check_read_only(sql: str, dialect: str, *, max_rows: int, catalog: bool = False) -> str:
    """The statement re-rendered for `dialect` with LIMIT max_rows + 1 on the outermost query.

    Raises UNSAFE_SQL for anything but one read-only query, QUERY_FAILED when it cannot be parsed.
    `:name` bind parameters are kept as they are.
    """
    tree, binds = prepare(sql, dialect, max_rows=max_rows, catalog=catalog)
    return render(tree, dialect, binds)


def prepare(sql: str, dialect: str, *, max_rows: int, catalog: bool = False) -> tuple[exp.Expression, dict[str, str]]:
    """The checked tree with LIMIT max_rows + 1, and the sentinel column names standing for `:name` parameters."""
    if max_rows < 0:
        raise ValueError("max_rows must be >= 0")
    tree, binds = checked_tree(sql, dialect, catalog=catalog)
    return with_limit(tree, max_rows + 1), binds


def checked_tree(sql: str, dialect: str, *, catalog: bool = False) -> tuple[exp.Expression, dict[str, str]]:
    """The parsed statement once it is known to be one read-only query (no LIMIT added).

    Without `catalog`, only the connected schema's own tables may be read: no schema- or
    database-qualified names and no system catalogs (introspection code passes catalog=True).
    """
    read = sqlglot_dialect(dialect)
    if len(sql) > MAX_SQL_CHARS:
        raise ApiError("QUERY_FAILED", f"SQL is longer than {MAX_SQL_CHARS} characters")
    tokens = _tokenize(sql, read)
    _refuse_file_output(tokens)
    text, binds = _hide_bind_parameters(sql, tokens)
    try:
        trees = sqlglot.parse(text, read=read)
    except (ParseError, TokenError) as exc:
        raise ApiError("QUERY_FAILED", f"Could not parse the SQL: {_parse_message(exc)}") from None
    except RecursionError:
        raise ApiError("QUERY_FAILED", "Could not parse the SQL: it is nested too deeply") from None
    statements = [t for t in trees if t is not None and not isinstance(t, exp.Semicolon)]
    if not statements:
        raise ApiError("QUERY_FAILED", "The SQL is empty")
    if len(statements) > 1:
        raise ApiError("UNSAFE_SQL", "Only a single statement is allowed")
    tree = cast(exp.Expression, statements[0])
    _check_tree(tree, read, catalog)
    return tree, binds


def render(tree: exp.Expression, dialect: str, binds: dict[str, str], *, style: str = ":") -> str:
    """SQL for `dialect` with each bind parameter written as `<style>name` (":" for SQLAlchemy, "$" for DuckDB)."""

    def restore(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in binds:
            return exp.var(style + binds[node.name])
        return node

    return tree.transform(restore).sql(dialect=sqlglot_dialect(dialect), comments=False)


def _tokenize(sql: str, read: str) -> list[Token]:
    try:
        return sqlglot.Dialect.get_or_raise(read).tokenize(sql)
    except TokenError as exc:
        raise ApiError("QUERY_FAILED", f"Could not parse the SQL: {exc}") from None


def _refuse_file_output(tokens: list[Token]) -> None:
    # sqlglot cannot parse MySQL's SELECT ... INTO OUTFILE; it must be refused as unsafe, not as a typo.
    for first, second in itertools.pairwise(tokens):
        if first.token_type == TokenType.INTO and second.text.upper() in ("OUTFILE", "DUMPFILE"):
            raise ApiError("UNSAFE_SQL", f"INTO {second.text.upper()} writes to the server's disk")


def _hide_bind_parameters(sql: str, tokens: list[Token]) -> tuple[str, dict[str, str]]:
    """Replace each `:name` with a plain column name sqlglot always parses (`:select` or a leading `:x`
    in DuckDB otherwise fail); `render` turns them back. Same rule as SQLAlchemy's text(): the colon
    is not preceded by a word character, a colon or a backslash, and the name is not followed by a colon.
    """
    binds: dict[str, str] = {}
    pieces: list[str] = []
    cursor = 0
    for colon, word in itertools.pairwise(tokens):
        if colon.token_type != TokenType.COLON or word.token_type in STRINGISH_TOKENS:
            continue
        start, end = colon.start, word.end + 1
        name = sql[colon.end + 1 : end]
        if word.start != colon.end + 1 or not _BIND_NAME.fullmatch(name):
            continue
        if start > 0 and (sql[start - 1].isalnum() or sql[start - 1] in "_:\\"):
            continue
        if sql[end : end + 1] == ":":
            continue
        sentinel = _BIND_PREFIX + name
        binds[sentinel] = name
        pieces.append(sql[cursor:start])
        pieces.append(sentinel)
        cursor = end
    pieces.append(sql[cursor:])
    return "".join(pieces), binds


def _parse_message(exc: ParseError | TokenError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        first = errors[0]
        return f"{first.get('description')} (line {first.get('line')}, column {first.get('col')})"
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


def _is_query(node: exp.Expression) -> bool:
    if isinstance(node, exp.Subquery):
        return _is_query(node.this)
    return isinstance(node, exp.Select | exp.SetOperation)


def _check_tree(tree: exp.Expression, read: str, catalog: bool = False) -> None:
    if not _is_query(tree):
        # sqlglot keeps statements it does not model (CALL, EXPLAIN, ...) as a Command named by its keyword.
        kind = str(tree.this).upper() if isinstance(tree, exp.Command) else tree.key.upper()
        raise ApiError("UNSAFE_SQL", f"Only SELECT queries are allowed, not {kind}")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise ApiError("UNSAFE_SQL", f"{type(node).__name__.upper()} is not allowed in a read-only query")
        if isinstance(node, exp.Into):
            raise ApiError("UNSAFE_SQL", "SELECT ... INTO writes data and is not allowed")
        if isinstance(node, exp.Lock):
            raise ApiError("UNSAFE_SQL", "Row locking (FOR UPDATE / FOR SHARE) is not allowed")
        if isinstance(node, exp.Func) and not functions.allowed(node, read, catalog=catalog):
            raise ApiError(
                "UNSAFE_SQL",
                f"The function {functions.function_name(node)}() is not allowed: queries may call only "
                "built-in functions that read values (see SECURITY.md)",
            )
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            raise ApiError("UNSAFE_SQL", "Schema-qualified function calls are not allowed")
        if isinstance(node, exp.SessionParameter | exp.Parameter):
            raise ApiError("UNSAFE_SQL", "Server and session variables are not allowed (use :name parameters)")
        if isinstance(node, exp.Table) and not catalog:
            _check_table(node)
        if read == "duckdb" and isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            # DuckDB reads files named as tables ("FROM 'data.csv'").
            if node.this.quoted and _FILE_TABLE.search(node.name):
                raise ApiError("UNSAFE_SQL", f"Reading the file '{node.name}' is not allowed")


# System catalogs a user's query has no business reading (credentials, other schemas, server state).
_CATALOG_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"})
_CATALOG_PREFIXES = ("sqlite_", "pg_", "pragma_", "duckdb_")


def _check_table(node: exp.Table) -> None:
    qualifier = ".".join(p for p in (node.catalog, node.db) if p)
    if qualifier:
        where = "a system catalog" if node.db.lower() in _CATALOG_SCHEMAS else "another schema or database"
        raise ApiError("UNSAFE_SQL", f"'{qualifier}.{node.name}' is in {where}: only the connected schema's tables")
    name = node.name.lower()
    if not name and isinstance(node.this, exp.Func):  # a table-valued function such as pragma_table_info(...)
        name = (node.this.name or node.this.sql_name()).lower()
    if name.startswith(_CATALOG_PREFIXES):
        raise ApiError("UNSAFE_SQL", f"'{name}' is a system catalog, not a table of the connected data")


def _int_literal(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.is_int:
        return int(node.this)
    return None


def with_limit(tree: exp.Expression, cap: int) -> exp.Expression:
    """A copy of the query with LIMIT cap on its outermost level, keeping a smaller literal limit it has."""
    tree = tree.copy()
    current = tree.args.get("limit")
    if current is None:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return tree
    if isinstance(current, exp.Limit) and (value := _int_literal(current.expression)) is not None:
        current.set("expression", exp.Literal.number(min(value, cap)))
        return tree
    if isinstance(current, exp.Fetch) and (value := _int_literal(current.args.get("count"))) is not None:
        current.set("count", exp.Literal.number(min(value, cap)))
        return tree
    # LIMIT ALL, LIMIT :n, LIMIT (subquery), FETCH without a count: bound it from outside.
    return exp.select("*").from_(cast(exp.Query, tree).subquery("_limited")).limit(cap)
