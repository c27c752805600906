"""Schema introspection for the embedded engine, cached per integration URL.

Everything is read through `sql_runner.run_query` (read-only connection, safety check, timeout):
SQLite through `sqlite_master` and the `pragma_*` table-valued functions, PostgreSQL, MySQL and
DuckDB through `information_schema`. Besides tables, columns, primary and foreign keys it records
each table's row count and the distinct values of few-valued text columns (what lets
"overdue loans" become `state = 'overdue'`), and infers `<name>_id` foreign keys a database did not
declare.

It also reads the comments the schema's authors wrote on tables and columns (PostgreSQL's
`COMMENT ON` through pg_description, MySQL/MariaDB's and DuckDB's COLUMN_COMMENT / TABLE_COMMENT,
and for SQLite, which has no comment syntax, the `-- …` comments kept in the CREATE TABLE text:
see ddl_comments.py); the embedded engine takes synonyms from them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from services.chat.engines.ddl_comments import ddl_comments
from services.chat.sql.runner import QueryResult
from services.common.errors import ApiError

Query = Callable[[str], Awaitable[QueryResult]]

CACHE_TTL_SECONDS = 600.0
MAX_VALUES = 200  # a text column with at most this many distinct values is "categorical"
MAX_VALUE_CHARS = 80
SAMPLE_ROWS = 50_000  # distinct values are read from at most this many rows per column
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


@dataclass
class Column:
    name: str
    declared_type: str
    kind: str  # "int", "float", "text", "date", "datetime", "bool", "other"
    nullable: bool = True
    primary_key: bool = False
    # Distinct values (most frequent first) when the column is few-valued text.
    values: list[str] | None = None
    distinct: int | None = None
    has_nulls: bool = False
    comment: str = ""  # what the schema's own comment says it is

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")

    @property
    def temporal(self) -> bool:
        return self.kind in ("date", "datetime")


@dataclass(frozen=True)
class ForeignKey:
    column: str
    ref_table: str
    ref_column: str
    declared: bool = True


@dataclass
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    row_count: int = 0
    comment: str = ""

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def primary_key(self) -> str | None:
        keys = [c.name for c in self.columns if c.primary_key]
        if len(keys) == 1:
            return keys[0]
        if not keys and (col := self.column("id")) is not None:
            return col.name
        return None

    def fk_for(self, column: str) -> ForeignKey | None:
        for fk in self.foreign_keys:
            if fk.column == column:
                return fk
        return None


@dataclass
class Schema:
    dialect: str
    tables: dict[str, Table]
    loaded_at: float = 0.0

    def table(self, name: str) -> Table:
        return self.tables[name]

    @property
    def table_names(self) -> list[str]:
        return sorted(self.tables)


# --- cache ----------------------------------------------------------------------------------

MAX_CACHED = 64
_cache: OrderedDict[str, Schema] = OrderedDict()
_locks: dict[tuple[str, int], asyncio.Lock] = {}


async def get_schema(url: str, dialect: str, query: Query, *, refresh: bool = False) -> Schema:
    """The schema of the database at `url`, introspected once and cached for CACHE_TTL_SECONDS."""
    # one lock per URL and event loop (an asyncio.Lock must not be shared between loops)
    key = (url, id(asyncio.get_running_loop()))
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        cached = _cache.get(url)
        if cached is not None and not refresh and time.monotonic() - cached.loaded_at < CACHE_TTL_SECONDS:
            _cache.move_to_end(url)
            return cached
        schema = await introspect(dialect, query)
        _cache[url] = schema
        _cache.move_to_end(url)
        while len(_cache) > MAX_CACHED:
            evicted, _ = _cache.popitem(last=False)
            for k in [k for k in _locks if k[0] == evicted]:
                _locks.pop(k, None)
        return schema


def invalidate_schema(url: str | None = None) -> None:
    """Forget the cached schema of one integration URL (or of all): the next question reloads it."""
    if url is None:
        _cache.clear()
    else:
        _cache.pop(url, None)


async def refresh_schema(url: str, dialect: str, query: Query) -> Schema:
    """Introspect again now (after a migration, or when an integration's URL changed)."""
    return await get_schema(url, dialect, query, refresh=True)


# --- introspection --------------------------------------------------------------------------


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str, dialect: str) -> str:
    q = "`" if dialect == "mysql" else '"'
    return q + name.replace(q, q + q) + q


def column_kind(declared: str) -> str:
    t = declared.lower()
    if "bool" in t:
        return "bool"
    if "timestamp" in t or "datetime" in t:
        return "datetime"
    if t == "date" or t.startswith("date"):
        return "date"
    if "int" in t or t in ("serial", "bigserial", "smallserial"):
        return "int"
    if any(k in t for k in ("real", "floa", "doub", "numeric", "decimal", "money", "number")):
        return "float"
    if any(k in t for k in ("char", "text", "clob", "string", "uuid", "enum", "citext", "name")):
        return "text"
    if t == "":
        return "other"
    return "other"


async def introspect(dialect: str, query: Query) -> Schema:
    if dialect == "sqlite":
        tables = await _sqlite_tables(query)
    elif dialect in ("postgresql", "mysql", "duckdb"):
        tables = await _information_schema_tables(dialect, query)
    else:
        raise ApiError("QUERY_FAILED", f"Schema introspection does not support '{dialect}'")
    await _read_comments(tables, dialect, query)
    _infer_foreign_keys(tables)
    for table in tables.values():
        # the first referencing column wins ties between join paths: declaration order, not catalog order
        position = {c.name: i for i, c in enumerate(table.columns)}
        table.foreign_keys.sort(key=lambda fk: position.get(fk.column, len(position)))
        await _profile(table, dialect, query)
    return Schema(dialect=dialect, tables=tables, loaded_at=time.monotonic())


async def _sqlite_tables(query: Query) -> dict[str, Table]:
    names = [
        str(r[0])
        for r in (
            await query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ).rows
    ]
    tables: dict[str, Table] = {}
    for name in names:
        info = await query(f'SELECT name, type, "notnull", pk FROM pragma_table_info({_lit(name)})')  # noqa: S608
        columns = [
            Column(
                name=str(r[0]),
                declared_type=str(r[1] or ""),
                kind=column_kind(str(r[1] or "")),
                nullable=not bool(r[2]),
                primary_key=bool(r[3]),
            )
            for r in info.rows
        ]
        fks = await query(f'SELECT "from", "table", "to" FROM pragma_foreign_key_list({_lit(name)})')  # noqa: S608
        foreign_keys = [ForeignKey(str(r[0]), str(r[1]), str(r[2] or "")) for r in fks.rows]
        tables[name] = Table(name=name, columns=columns, foreign_keys=foreign_keys)
    for table in tables.values():  # `REFERENCES t` without a column means t's primary key
        table.foreign_keys = [
            fk
            if fk.ref_column or fk.ref_table not in tables
            else ForeignKey(fk.column, fk.ref_table, tables[fk.ref_table].primary_key or "id")
            for fk in table.foreign_keys
            if fk.ref_table in tables
        ]
    return tables


_SCOPE = {
    "postgresql": "current_schema()",
    "mysql": "database()",
    "duckdb": "current_schema()",
}


async def _information_schema_tables(dialect: str, query: Query) -> dict[str, Table]:
    scope = _SCOPE[dialect]
    cols = await query(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable "  # noqa: S608 - constant text
        "FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
        f"WHERE c.table_schema = {scope} AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position"
    )
    tables: dict[str, Table] = {}
    for table_name, column_name, data_type, nullable in cols.rows:
        table = tables.setdefault(str(table_name), Table(name=str(table_name), columns=[]))
        table.columns.append(
            Column(
                name=str(column_name),
                declared_type=str(data_type or ""),
                kind=column_kind(str(data_type or "")),
                nullable=str(nullable).upper() != "NO",
            )
        )
    try:
        keys = await query(
            "SELECT kcu.table_name, kcu.column_name FROM information_schema.table_constraints tc "  # noqa: S608
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name "
            f"WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = {scope}"
        )
        for table_name, column_name in keys.rows:
            keyed = tables.get(str(table_name))
            col = keyed.column(str(column_name)) if keyed else None
            if col is not None:
                col.primary_key = True
    except ApiError:
        pass  # no key information: primary keys fall back to an `id` column
    try:
        if dialect == "mysql":
            fk_sql = (
                "SELECT table_name, column_name, referenced_table_name, referenced_column_name "
                "FROM information_schema.key_column_usage "
                "WHERE table_schema = database() AND referenced_table_name IS NOT NULL"
            )
        elif dialect == "duckdb":
            # DuckDB's constraint_column_usage names the referencing column, not the referenced one
            fk_sql = (
                "SELECT kcu.table_name, kcu.column_name, ref.table_name, ref.column_name "
                "FROM information_schema.referential_constraints rc "
                "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name "
                "AND kcu.constraint_schema = rc.constraint_schema "
                "JOIN information_schema.key_column_usage ref ON ref.constraint_name = rc.unique_constraint_name "
                "AND ref.constraint_schema = rc.unique_constraint_schema "
                "AND ref.ordinal_position = kcu.position_in_unique_constraint "
                "WHERE kcu.table_schema = current_schema()"
            )
        else:
            fk_sql = (
                "SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name "  # noqa: S608
                "FROM information_schema.table_constraints tc "
                "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
                "AND kcu.table_schema = tc.table_schema "
                "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
                "AND ccu.constraint_schema = tc.constraint_schema "
                f"WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = {scope}"
            )
        for table_name, column_name, ref_table, ref_column in (await query(fk_sql)).rows:
            owner = tables.get(str(table_name))
            if owner is not None and str(ref_table) in tables and owner.fk_for(str(column_name)) is None:
                owner.foreign_keys.append(ForeignKey(str(column_name), str(ref_table), str(ref_column)))
    except ApiError:
        pass  # foreign keys are then inferred from column names only
    return tables


_PG_COMMENTS = (
    # objsubid 0 is the table's own comment (no attribute has number 0)
    "SELECT c.relname, a.attname, d.description FROM pg_catalog.pg_description d "
    "JOIN pg_catalog.pg_class k ON k.oid = d.classoid AND k.relname = 'pg_class' "
    "JOIN pg_catalog.pg_class c ON c.oid = d.objoid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0 "
    "WHERE n.nspname = current_schema()"
)


async def _read_comments(tables: dict[str, Table], dialect: str, query: Query) -> None:
    """Each table's and column's comment; a database that will not show them just has none."""
    found: list[tuple[object, object, object]] = []
    try:
        if dialect == "sqlite":
            for name, sql in (await query("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).rows:
                if str(name) in tables:
                    notes = ddl_comments(str(sql or ""))
                    found.append((name, None, notes.table))
                    found.extend((name, column, text) for column, text in notes.columns.items())
        elif dialect == "postgresql":
            found.extend((r[0], r[1], r[2]) for r in (await query(_PG_COMMENTS)).rows)
        else:
            scope = _SCOPE[dialect]
            found.extend(
                (r[0], None, r[1])
                for r in (
                    await query(
                        "SELECT table_name, table_comment FROM information_schema.tables "  # noqa: S608
                        f"WHERE table_schema = {scope} AND table_comment IS NOT NULL AND table_comment <> ''"
                    )
                ).rows
            )
            found.extend(
                (r[0], r[1], r[2])
                for r in (
                    await query(
                        "SELECT table_name, column_name, column_comment FROM information_schema.columns "  # noqa: S608
                        f"WHERE table_schema = {scope} AND column_comment IS NOT NULL AND column_comment <> ''"
                    )
                ).rows
            )
    except ApiError:
        return
    for table_name, column_name, text in found:
        table = tables.get(str(table_name))
        comment = " ".join(str(text or "").split())
        if table is None or not comment:
            continue
        if column_name is None:
            table.comment = comment
        elif (col := table.column(str(column_name))) is not None:
            col.comment = comment


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    return word


def _infer_foreign_keys(tables: dict[str, Table]) -> None:
    """`<thing>_id` columns pointing at a table named like <thing> (singular or plural) with a key."""
    by_singular: dict[str, str] = {}
    for name in tables:
        low = name.lower()
        by_singular.setdefault(_singular(low), name)
        by_singular.setdefault(low, name)
    for table in tables.values():
        for col in table.columns:
            low = col.name.lower()
            if not low.endswith("_id") or table.fk_for(col.name) or col.primary_key:
                continue
            stem = low[:-3]
            target = by_singular.get(stem) or by_singular.get(_singular(stem))
            if target is None:  # customer_account_id -> accounts, etc.: try the last word
                last = stem.rsplit("_", 1)[-1]
                target = by_singular.get(last) or by_singular.get(_singular(last))
            if target is None or target == table.name:
                continue
            key = tables[target].primary_key
            if key is not None:
                table.foreign_keys.append(ForeignKey(col.name, target, key, declared=False))


async def _profile(table: Table, dialect: str, query: Query) -> None:
    """Row count, date-looking text columns, and the values of few-valued text columns."""
    t = quote_ident(table.name, dialect)
    table.row_count = int((await query(f"SELECT COUNT(*) FROM {t}")).rows[0][0])  # noqa: S608
    fk_columns = {fk.column for fk in table.foreign_keys}
    for col in table.columns:
        if col.kind not in ("text", "other") or col.primary_key or col.name in fk_columns:
            continue
        c = quote_ident(col.name, dialect)
        sample = await query(f"SELECT {c} FROM {t} WHERE {c} IS NOT NULL LIMIT 20")  # noqa: S608
        texts = [v for (v,) in sample.rows]
        if col.kind == "other":
            if texts and all(isinstance(v, int) for v in texts):
                col.kind = "int"
                continue
            if texts and all(isinstance(v, int | float) for v in texts):
                col.kind = "float"
                continue
        strings = [str(v) for v in texts]
        if strings and all(_ISO_DATE.match(s) for s in strings):
            col.kind = "date"
            continue
        if strings and all(_ISO_DATETIME.match(s) or _ISO_DATE.match(s) for s in strings):
            col.kind = "datetime"
            continue
        col.kind = "text"
        grouped = await query(
            f"SELECT v, COUNT(*) AS n FROM (SELECT {c} AS v FROM {t} LIMIT {SAMPLE_ROWS}) s "  # noqa: S608
            f"GROUP BY v ORDER BY n DESC LIMIT {MAX_VALUES + 1}"
        )
        values = [r[0] for r in grouped.rows]
        col.has_nulls = any(v is None for v in values)
        values = [str(v) for v in values if v is not None]
        col.distinct = len(values)
        if len(values) <= MAX_VALUES and all(len(v) <= MAX_VALUE_CHARS for v in values):
            col.values = values
    for col in table.columns:
        if col.temporal or col.kind in ("int", "float"):
            if col.nullable and not col.primary_key:
                c = quote_ident(col.name, dialect)
                nulls = await query(f"SELECT COUNT(*) FROM {t} WHERE {c} IS NULL")  # noqa: S608
                col.has_nulls = int(nulls.rows[0][0]) > 0
