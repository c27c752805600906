"""Run one checked read-only query against an integration's database, with a row cap and a timeout.

Defence in depth: sql.safety refuses anything but a single SELECT; here the connection itself
is read-only (SQLite `mode=ro` + `query_only`, PostgreSQL/MySQL read-only transactions, DuckDB
`read_only`), and every dialect stops a query at the deadline on the database side.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlglot
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlglot import exp

from services.chat.sql.safety import STRINGISH_TOKENS, checked_tree, render, sqlglot_dialect, with_limit
from services.common.database import normalise_url
from services.common.errors import ApiError

log = logging.getLogger(__name__)

MAX_ENGINES = 32
CONNECT_TIMEOUT_SECONDS = 10
# Past the deadline the database has been told to stop; this is only the last-resort wait.
_BACKSTOP_GRACE_SECONDS = 5
_MAX_MESSAGE = 500
_PG_QUERY_CANCELED = "57014"
_MYSQL_TIMEOUT_ERRNOS = {1317, 1969, 3024}  # interrupted; MariaDB max_statement_time; MySQL max_execution_time
_TEXT_BINDABLE = re.compile(r"\\:\w*(?![:\w])|(?<![:\w\\]):\w+(?![:\w])")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    # Rows the query matched; when truncated, a COUNT(*) made within the remaining time, or
    # max_rows + 1 (a lower bound) if that count could not finish.
    total_rows: int
    truncated: bool
    sql: str


@dataclass(frozen=True)
class _Plan:
    backend: str
    sql: str  # what runs: the checked query with LIMIT max_rows + 1
    count_sql: str
    params: dict[str, Any]
    max_rows: int
    timeout: float
    deadline: float


# ASYNC109: the timeout is enforced by the database, since cancelling the caller could not stop a running query.
async def run_query(
    url: str,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 15,  # noqa: ASYNC109
    max_rows: int = 1000,
    catalog: bool = False,
) -> QueryResult:
    """Check `sql` (sql.safety) and run it read-only on the database at `url`; `:name` binds from params."""
    backend = _backend(url)
    tree, binds = checked_tree(sql, backend, catalog=catalog)
    params = dict(params or {})
    for name in binds.values():
        if name not in params:
            raise ApiError("MISSING_PARAMETER", f"Missing value for parameter '{name}'")
    limited = with_limit(tree, max_rows + 1)
    inner = exp.Subquery(this=tree.copy(), alias=exp.TableAlias(this=exp.to_identifier("_counted")))
    counted = exp.select(exp.Count(this=exp.Star())).from_(inner)
    style = "$" if backend == "duckdb" else ":"
    plan = _Plan(
        backend=backend,
        sql=render(limited, backend, binds, style=style),
        count_sql=render(counted, backend, binds, style=style),
        params={name: params[name] for name in set(binds.values())},
        max_rows=max_rows,
        timeout=timeout,
        deadline=time.monotonic() + timeout,
    )
    work: Callable[[], QueryResult] = (
        (lambda: _run_duckdb(url, plan)) if backend == "duckdb" else (lambda: _run_sqlalchemy(url, plan))
    )
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout + _BACKSTOP_GRACE_SECONDS)
    except TimeoutError:
        raise _timeout(timeout) from None


def _backend(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ApiError("DATABASE_UNAVAILABLE", "The integration URL is not a database URL") from None
    sqlglot_dialect(backend)  # unsupported engines fail here, before any connection
    return "mysql" if backend == "mariadb" else backend


def _timeout(seconds: float) -> ApiError:
    return ApiError("QUERY_TIMEOUT", f"The query did not finish within {seconds:g} seconds")


def _remaining(plan: _Plan) -> float:
    return plan.deadline - time.monotonic()


# --- engines ------------------------------------------------------------------------------

_engines: OrderedDict[str, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def _engine(url: str) -> Engine:
    with _engines_lock:
        engine = _engines.get(url)
        if engine is not None:
            _engines.move_to_end(url)
            return engine
    engine = _make_engine(url)
    with _engines_lock:
        if (existing := _engines.get(url)) is not None:  # another thread won the race
            engine.dispose()
            return existing
        _engines[url] = engine
        while len(_engines) > MAX_ENGINES:
            _, evicted = _engines.popitem(last=False)
            evicted.dispose()
    return engine


def dispose_engines() -> None:
    with _engines_lock:
        while _engines:
            _engines.popitem()[1].dispose()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ApiError("DATABASE_UNAVAILABLE", "The SQLite integration has no database file")
    return Path(database).resolve()


def _make_engine(url: str) -> Engine:
    try:
        if make_url(url).get_backend_name() == "sqlite":
            # mode=ro: the file is opened read-only by SQLite itself, and is never created if missing.
            uri = f"file:{quote(str(_sqlite_path(url)))}?mode=ro"

            def connect() -> sqlite3.Connection:
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5)
                conn.execute("PRAGMA query_only = ON")
                return conn

            return create_engine("sqlite+pysqlite://", creator=connect, poolclass=QueuePool, pool_size=5)
        return create_engine(
            normalise_url(url),
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
    except (ImportError, NoSuchModuleError) as exc:
        raise ApiError("DATABASE_UNAVAILABLE", f"The database driver is not installed: {exc}") from None


# --- SQLAlchemy dialects (SQLite, PostgreSQL, MySQL/MariaDB) ------------------------------


def _run_sqlalchemy(url: str, plan: _Plan) -> QueryResult:
    engine = _engine(url)
    try:
        conn = engine.connect()
    except (DBAPIError, OSError) as exc:
        log.warning("integration connection failed: %s", _first_line(exc))
        raise ApiError("DATABASE_UNAVAILABLE", "Could not connect to the database") from None
    # Closing returns the connection to the pool, which rolls the (read-only) transaction back.
    with conn:
        try:
            if plan.backend == "sqlite":
                return _run_sqlite(conn, plan)
            return _run_transactional(conn, plan)
        except DBAPIError as exc:
            raise _db_error(exc, plan) from None
        except SQLAlchemyError as exc:
            raise ApiError("QUERY_FAILED", _first_line(exc)) from None


def _run_sqlite(conn: Connection, plan: _Plan) -> QueryResult:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    # SQLite has no statement timeout: the progress handler aborts the running statement.
    raw.set_progress_handler(lambda: int(time.monotonic() > plan.deadline), 1000)
    try:
        return _fetch(conn, plan, lambda: None)
    finally:
        raw.set_progress_handler(None, 0)


def _run_transactional(conn: Connection, plan: _Plan) -> QueryResult:
    if plan.backend == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")

        def arm() -> None:
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {_ms(plan)}")

    else:
        conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        mariadb = bool(getattr(conn.dialect, "is_mariadb", False))

        def arm() -> None:
            if mariadb:
                conn.exec_driver_sql(f"SET SESSION max_statement_time = {_ms(plan) / 1000:.3f}")
            else:
                conn.exec_driver_sql(f"SET SESSION max_execution_time = {_ms(plan)}")

    return _fetch(conn, plan, arm)


def _ms(plan: _Plan) -> int:
    return max(1, int(_remaining(plan) * 1000))


def _fetch(conn: Connection, plan: _Plan, arm: Callable[[], None]) -> QueryResult:
    if _remaining(plan) <= 0:
        raise _timeout(plan.timeout)
    arm()
    result = conn.execute(text(_escape_literal_colons(plan.sql, plan.backend)), plan.params)
    columns = list(result.keys())
    rows = result.fetchmany(plan.max_rows + 1)
    result.close()
    truncated = len(rows) > plan.max_rows
    total = len(rows)
    if truncated and _remaining(plan) > 0.05:
        try:
            arm()
            count_sql = text(_escape_literal_colons(plan.count_sql, plan.backend))
            total = int(conn.execute(count_sql, plan.params).scalar_one())
        except SQLAlchemyError as exc:
            # The rows are there; only the total is unknown, so keep the lower bound.
            log.info("row count skipped: %s", _first_line(exc))
    return QueryResult(
        columns=columns,
        rows=[[_jsonable(v) for v in row] for row in rows[: plan.max_rows]],
        total_rows=total,
        truncated=truncated,
        sql=plan.sql,
    )


def _escape_literal_colons(sql: str, backend: str) -> str:
    """Escape `:word` inside string literals and quoted identifiers so text() does not take it for a bind."""
    tokens = sqlglot.Dialect.get_or_raise(sqlglot_dialect(backend)).tokenize(sql)
    out = sql
    for tok in reversed(tokens):
        if tok.token_type in STRINGISH_TOKENS and ":" in sql[tok.start : tok.end + 1]:
            span = _TEXT_BINDABLE.sub(lambda m: "\\" + m.group(0), sql[tok.start : tok.end + 1])
            out = out[: tok.start] + span + out[tok.end + 1 :]
    return out


def _db_error(exc: DBAPIError, plan: _Plan) -> ApiError:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_QUERY_CANCELED or time.monotonic() >= plan.deadline:
        return _timeout(plan.timeout)
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_TIMEOUT_ERRNOS:
        return _timeout(plan.timeout)
    if isinstance(orig, sqlite3.OperationalError) and "interrupted" in str(orig):
        return _timeout(plan.timeout)
    if exc.connection_invalidated:
        return ApiError("DATABASE_UNAVAILABLE", "The connection to the database was lost")
    if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
        return ApiError("DATABASE_UNAVAILABLE", "The integration's file is not a SQLite database")
    return ApiError("QUERY_FAILED", _first_line(orig if orig is not None else exc))


def _first_line(exc: BaseException) -> str:
    message = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
    return message[:_MAX_MESSAGE]


# --- DuckDB (optional: used only when the duckdb package is installed) --------------------


def _run_duckdb(url: str, plan: _Plan) -> QueryResult:
    try:
        import duckdb
    except ImportError:
        raise ApiError(
            "DATABASE_UNAVAILABLE", "DuckDB integrations need the 'duckdb' package, which is not installed"
        ) from None
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ApiError("DATABASE_UNAVAILABLE", "The DuckDB integration has no database file")
    path = Path(database).resolve()
    if not path.is_file():
        raise ApiError("DATABASE_UNAVAILABLE", "Could not connect to the database")
    try:
        # A DuckDB connection is cheap and not thread-safe, so one per query rather than a cache.
        conn = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})
    except duckdb.Error as exc:
        log.warning("duckdb open failed: %s", _first_line(exc))
        raise ApiError("DATABASE_UNAVAILABLE", "Could not connect to the database") from None
    timer = threading.Timer(max(0.0, _remaining(plan)), conn.interrupt)
    timer.start()
    try:
        cursor = conn.execute(plan.sql, plan.params)
        columns = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchmany(plan.max_rows + 1)
        truncated = len(rows) > plan.max_rows
        total = len(rows)
        if truncated:
            try:
                counted = conn.execute(plan.count_sql, plan.params).fetchone()
                total = int(counted[0]) if counted else total
            except duckdb.Error as exc:
                log.info("row count skipped: %s", _first_line(exc))
        return QueryResult(
            columns, [[_jsonable(v) for v in row] for row in rows[: plan.max_rows]], total, truncated, plan.sql
        )
    except duckdb.InterruptException:
        raise _timeout(plan.timeout) from None
    except duckdb.Error as exc:
        if time.monotonic() >= plan.deadline:
            raise _timeout(plan.timeout) from None
        raise ApiError("QUERY_FAILED", _first_line(exc)) from None
    finally:
        timer.cancel()
        conn.close()


# --- values -------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """A JSON-friendly cell: ISO strings for times, floats for decimals, a placeholder for binary."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<binary {len(value)} bytes>"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_jsonable(v) for v in value]
    return str(value)
