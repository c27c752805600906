"""Run one checked read-only query against an integration's database, with a row cap and a timeout.

Defence in depth: sql.safety refuses anything but a single SELECT; here the connection itself
is read-only (SQLite `mode=ro` + `query_only`, PostgreSQL/MySQL read-only transactions, DuckDB
`read_only`), and every dialect stops a query at the deadline on the database side. Rows are
fetched a batch at a time (server-side cursors on PostgreSQL and MySQL) through a byte budget
(sql.result_caps): long values are cut with a marker and the result stops at the budget, so a
query returning huge values costs about one row of memory, never the whole result.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlglot
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlglot import exp

from services.chat.security.integration_urls import DRIVERS, safe_url
from services.chat.sql.result_caps import Collector, ResultLimits
from services.chat.sql.safety import STRINGISH_TOKENS, checked_tree, render, sqlglot_dialect, with_limit
from services.common.database import normalise_url
from services.common.errors import ApiError

log = logging.getLogger(__name__)

MAX_ENGINES = 32
CONNECT_TIMEOUT_SECONDS = 10
# Longest string or blob SQLite may build while running an integration's query (intermediate values
# included): bounds the memory of one value before the per-value cap can cut it.
SQLITE_MAX_VALUE_BYTES = 64 * 1024 * 1024
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
    # the rows read (a lower bound) if that count could not finish.
    total_rows: int
    # Rows were left out: more than max_rows matched, or the byte budget stopped the result.
    truncated: bool
    sql: str
    # Values longer than the per-value cap, cut and ending with "…[truncated: N characters in all]".
    cells_cut: int = 0
    # The byte budget stopped the result before max_rows (truncated is then True as well).
    byte_limited: bool = False
    limits: ResultLimits = field(default_factory=ResultLimits)

    @property
    def notice(self) -> str:
        """A sentence for the answer when values or rows were cut by the byte caps, else ""."""
        parts = []
        if self.byte_limited:
            parts.append(
                f"The result reached the {_size(self.limits.max_result_bytes)} limit, so only its first "
                f"{len(self.rows):,} rows were read."
            )
        if self.cells_cut:
            some = "One value was" if self.cells_cut == 1 else f"{self.cells_cut:,} values were"
            parts.append(f"{some} longer than {_size(self.limits.max_cell_bytes)} and cut (marked “…[truncated]”).")
        return " ".join(parts)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB" if n >= 1024 * 1024 else f"{n / 1024:g} KiB"


@functools.cache
def default_limits() -> ResultLimits:
    """QUERY_MAX_CELL_BYTES / QUERY_MAX_RESULT_BYTES, read once."""
    from services.chat.settings import ChatSettings

    settings = ChatSettings()
    return ResultLimits(settings.query_max_cell_bytes, settings.query_max_result_bytes)


@dataclass(frozen=True)
class _Plan:
    backend: str
    sql: str  # what runs: the checked query with LIMIT max_rows + 1
    count_sql: str
    params: dict[str, Any]
    max_rows: int
    timeout: float
    deadline: float
    limits: ResultLimits


# ASYNC109: the timeout is enforced by the database, since cancelling the caller could not stop a running query.
async def run_query(
    url: str,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 15,  # noqa: ASYNC109
    max_rows: int = 1000,
    catalog: bool = False,
    limits: ResultLimits | None = None,
) -> QueryResult:
    """Check `sql` (sql.safety) and run it read-only on the database at `url`; `:name` binds from params.

    The rows are capped by `limits` (default: QUERY_MAX_CELL_BYTES / QUERY_MAX_RESULT_BYTES)."""
    url, backend = _checked_url(url)
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
        limits=limits or default_limits(),
    )
    work: Callable[[], QueryResult] = (
        (lambda: _run_duckdb(url, plan)) if backend == "duckdb" else (lambda: _run_sqlalchemy(url, plan))
    )
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout + _BACKSTOP_GRACE_SECONDS)
    except TimeoutError:
        raise _timeout(timeout) from None


def _checked_url(url: str) -> tuple[str, str]:
    """The URL rebuilt from safe parts (security.integration_urls) and its backend, before any connection:
    an integration stored before a rule existed gets no further than a new one."""
    try:
        safe = safe_url(url)
    except ApiError as err:
        if "SQLAlchemy" in err.detail:
            raise ApiError("DATABASE_UNAVAILABLE", "The integration URL is not a database URL") from None
        raise ApiError("DATABASE_UNAVAILABLE", f"The integration URL is not accepted any more ({err.detail})") from None
    return safe.render_as_string(hide_password=False), DRIVERS[safe.drivername]


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


def dispose_engine(url: str) -> None:
    """Close the pooled connections to one database (e.g. a file about to be deleted)."""
    try:
        key = _checked_url(url)[0]
    except ApiError:
        return
    with _engines_lock:
        engine = _engines.pop(key, None)
    if engine is not None:
        engine.dispose()


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
                conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_VALUE_BYTES)
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

        # Each FETCH of the server-side cursor is a statement of its own: it gets what is left.
        return _fetch(conn, plan, arm, rearm=arm)

    conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
    mariadb = bool(getattr(conn.dialect, "is_mariadb", False))

    def arm_mysql() -> None:
        if mariadb:
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {_ms(plan) / 1000:.3f}")
        else:
            conn.exec_driver_sql(f"SET SESSION max_execution_time = {_ms(plan)}")

    return _fetch(conn, plan, arm_mysql)


def _ms(plan: _Plan) -> int:
    return max(1, int(_remaining(plan) * 1000))


def _fetch(
    conn: Connection, plan: _Plan, arm: Callable[[], None], rearm: Callable[[], None] | None = None
) -> QueryResult:
    if _remaining(plan) <= 0:
        raise _timeout(plan.timeout)
    arm()
    # stream_results: a server-side cursor (PostgreSQL) or an unbuffered one (MySQL), so only the
    # rows asked for cross the wire; SQLite steps through its rows anyway.
    statement = text(_escape_literal_colons(plan.sql, plan.backend))
    result = conn.execute(statement, plan.params, execution_options={"stream_results": True})
    columns = list(result.keys())
    rows = Collector(plan.limits, plan.max_rows)
    try:
        while not rows.done:
            if rows.rows and rearm is not None:
                if _remaining(plan) <= 0:
                    raise _timeout(plan.timeout)
                rearm()
            batch = result.fetchmany(rows.batch_size())
            if not batch:
                break
            rows.add_all(batch)
    finally:
        result.close()
    truncated = rows.full or len(rows.rows) > plan.max_rows
    total = len(rows.rows)
    if truncated and _remaining(plan) > 0.05:
        try:
            arm()
            count_sql = text(_escape_literal_colons(plan.count_sql, plan.backend))
            total = int(conn.execute(count_sql, plan.params).scalar_one())
        except SQLAlchemyError as exc:
            # The rows are there; only the total is unknown, so keep the lower bound.
            log.info("row count skipped: %s", _first_line(exc))
    return _result(columns, rows, total, plan)


def _result(columns: list[str], rows: Collector, total: int, plan: _Plan) -> QueryResult:
    return QueryResult(
        columns=columns,
        rows=rows.rows[: plan.max_rows],
        total_rows=total,
        truncated=rows.full or len(rows.rows) > plan.max_rows,
        sql=plan.sql,
        cells_cut=rows.cells_cut,
        byte_limited=rows.full,
        limits=plan.limits,
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
        rows = Collector(plan.limits, plan.max_rows)
        while not rows.done:
            batch = cursor.fetchmany(rows.batch_size())
            if not batch:
                break
            rows.add_all(batch)
        total = len(rows.rows)
        if rows.full or len(rows.rows) > plan.max_rows:
            try:
                counted = conn.execute(plan.count_sql, plan.params).fetchone()
                total = int(counted[0]) if counted else total
            except duckdb.Error as exc:
                log.info("row count skipped: %s", _first_line(exc))
        return _result(columns, rows, total, plan)
    except duckdb.InterruptException:
        raise _timeout(plan.timeout) from None
    except duckdb.Error as exc:
        if time.monotonic() >= plan.deadline:
            raise _timeout(plan.timeout) from None
        raise ApiError("QUERY_FAILED", _first_line(exc)) from None
    finally:
        timer.cancel()
        conn.close()
