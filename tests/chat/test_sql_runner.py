"""Running checked queries on real SQLite and PostgreSQL databases: rows, read-only, timeouts, failures."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, LargeBinary, MetaData, Numeric, String, Table, create_engine
from sqlalchemy import text as sql_text

from services.chat.sql import runner as sql_runner
from services.chat.sql import safety as sql_safety
from services.chat.sql.runner import run_query
from services.common.database import normalise_url
from services.common.errors import ApiError

ROWS = 30


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    sql_runner.dispose_engines()  # PostgreSQL test databases are dropped after each test


@pytest.fixture
def items_url(database_url) -> str:
    """A database of each kind (SQLite file, fresh PostgreSQL database) holding an `items` table."""
    metadata = MetaData()
    items = Table(
        "items",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50)),
        Column("price", Numeric(10, 2)),
        Column("sold_on", Date),
        Column("sold_at", DateTime),
        Column("data", LargeBinary),
    )
    engine = create_engine(normalise_url(database_url))
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                items.insert(),
                [
                    {
                        "id": i,
                        "name": f"item {i}",
                        "price": Decimal("1.25") * i,
                        "sold_on": date(2024, 1, 2),
                        "sold_at": datetime(2024, 1, 2, 3, 4, 5),
                        "data": b"abc",
                    }
                    for i in range(1, ROWS + 1)
                ],
            )
    finally:
        engine.dispose()
    return database_url


def _count(url: str) -> int:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(sql_text("SELECT COUNT(*) FROM items")).scalar_one()
    finally:
        engine.dispose()


async def _fails(code: str, url: str, sql: str, params: dict | None = None, **kw) -> ApiError:
    with pytest.raises(ApiError) as info:
        await run_query(url, sql, params, **kw)
    assert info.value.code == code, info.value.detail
    return info.value


async def test_rows_come_back_json_friendly(items_url) -> None:
    result = await run_query(
        items_url, "SELECT id, name, price, sold_on, data FROM items WHERE id <= :top ORDER BY id", {"top": 2}
    )
    assert result.columns == ["id", "name", "price", "sold_on", "data"]
    assert [row[:2] for row in result.rows] == [[1, "item 1"], [2, "item 2"]]
    first = result.rows[0]
    assert first[2] == pytest.approx(1.25) and isinstance(first[2], float | int)
    assert first[3] == "2024-01-02" and first[4] == "<binary 3 bytes>"
    assert result.total_rows == 2 and result.truncated is False
    assert result.sql.endswith("LIMIT 1001")


async def test_datetimes_are_iso_strings(items_url) -> None:
    result = await run_query(items_url, "SELECT sold_at FROM items WHERE id = 1")
    assert datetime.fromisoformat(result.rows[0][0].replace(" ", "T")) == datetime(2024, 1, 2, 3, 4, 5)


async def test_more_rows_than_max_rows_are_truncated_and_counted(items_url) -> None:
    result = await run_query(items_url, "SELECT id FROM items ORDER BY id", max_rows=10)
    assert [r[0] for r in result.rows] == list(range(1, 11))
    assert result.truncated is True and result.total_rows == ROWS
    exact = await run_query(items_url, "SELECT id FROM items", max_rows=ROWS)
    assert exact.truncated is False and exact.total_rows == ROWS


async def test_colons_in_literals_are_text_not_parameters(items_url) -> None:
    sql = "SELECT 'at :noon' AS s, '100%' AS p, name FROM items WHERE id = :id"
    result = await run_query(items_url, sql, {"id": 3})
    assert result.rows == [["at :noon", "100%", "item 3"]]


async def test_a_missing_parameter_is_refused_before_running(items_url) -> None:
    await _fails("MISSING_PARAMETER", items_url, "SELECT * FROM items WHERE id = :id", {})


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM items",
        "SELECT 1; DELETE FROM items",
        "SELECT * FROM items WHERE name = ''; DROP TABLE items; --'",
        "WITH gone AS (DELETE FROM items RETURNING *) SELECT COUNT(*) FROM gone",
        "UPDATE items SET price = 0",
    ],
)
async def test_crafted_writes_are_refused_and_leave_the_data(items_url, sql) -> None:
    await _fails("UNSAFE_SQL", items_url, sql)  # by the SQL gate, before the database sees them
    assert _count(items_url) == ROWS


@pytest.mark.parametrize(
    "sql", ["DELETE FROM items", "UPDATE items SET price = 0", "INSERT INTO items (id) VALUES (999)"]
)
async def test_the_connection_itself_is_read_only(items_url, sql, monkeypatch) -> None:
    # Defence in depth: with the SQL gate switched off the database still refuses to write.
    monkeypatch.setattr(sql_safety, "_check_tree", lambda tree, read, catalog=False: None)
    monkeypatch.setattr(sql_runner, "with_limit", lambda tree, cap: tree)
    with pytest.raises(ApiError) as info:
        await run_query(items_url, sql)
    assert info.value.code == "QUERY_FAILED"
    detail = info.value.detail.lower()
    if items_url.startswith("postgresql"):
        # Rows come through a server-side cursor, which only holds a query: DML cannot even start.
        assert "syntax error" in detail
    else:
        assert "read" in detail  # "attempt to write a readonly database"
    assert _count(items_url) == ROWS


async def test_a_writing_function_meets_the_read_only_transaction(postgres_server, monkeypatch) -> None:
    import psycopg

    from tests.conftest import _drop_pg_database, _fresh_pg_database

    monkeypatch.setattr(sql_safety, "_check_tree", lambda tree, read, catalog=False: None)
    name, url = _fresh_pg_database(postgres_server)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SEQUENCE probe_seq")
        with pytest.raises(ApiError) as info:
            await run_query(url, "SELECT nextval('probe_seq')")
        assert info.value.code == "QUERY_FAILED" and "read-only transaction" in info.value.detail
    finally:
        sql_runner.dispose_engines()
        _drop_pg_database(postgres_server, name)


async def test_a_query_the_database_rejects_is_query_failed(items_url) -> None:
    err = await _fails("QUERY_FAILED", items_url, "SELECT no_such_column FROM items")
    assert "no_such_column" in err.detail


async def _stopped_by_the_database(url: str, sql: str) -> None:
    """The query times out because the database stopped it, not because the runner gave up waiting."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql_runner, "_BACKSTOP_GRACE_SECONDS", 3600)  # the runner's last resort, out of reach
        try:
            await asyncio.wait_for(_fails("QUERY_TIMEOUT", url, sql, timeout=0.5), 60)
        except TimeoutError:
            pytest.fail(f"the database did not stop the query: {sql}")


async def test_a_slow_sqlite_query_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    sqlite3.connect(tmp_path / "empty.db").execute("CREATE TABLE t (a INT)").connection.close()
    await _stopped_by_the_database(
        url,
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) SELECT COUNT(*) FROM n",
    )
    # The pooled connection is usable again afterwards (the interrupt handler was removed).
    assert (await run_query(url, "SELECT COUNT(*) AS n FROM t")).rows == [[0]]


async def test_a_slow_postgresql_query_is_stopped_at_the_timeout(postgres_server) -> None:
    await _stopped_by_the_database(
        postgres_server, "SELECT COUNT(*) FROM generate_series(1, 100000) AS a, generate_series(1, 100000) AS b"
    )
    assert (await run_query(postgres_server, "SELECT 1 AS one")).rows == [[1]]


async def test_pg_sleep_is_refused_by_the_gate(postgres_server) -> None:
    await _fails("UNSAFE_SQL", postgres_server, "SELECT pg_sleep(5)")


async def test_a_missing_sqlite_file_is_unavailable_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    await _fails("DATABASE_UNAVAILABLE", f"sqlite:///{path}", "SELECT 1")
    assert not path.exists()


async def test_an_unreachable_server_is_unavailable() -> None:
    err = await _fails("DATABASE_UNAVAILABLE", "postgresql://postgres:secret@127.0.0.1:1/nope", "SELECT 1")
    assert "secret" not in err.detail and "127.0.0.1" not in err.detail


async def test_duckdb_without_the_package_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if it were not installed: import fails
    err = await _fails("DATABASE_UNAVAILABLE", f"duckdb:///{tmp_path / 'x.duckdb'}", "SELECT 1")
    assert "duckdb" in err.detail


async def test_engines_are_cached_and_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sql_runner, "MAX_ENGINES", 2)
    urls = []
    for i in range(3):
        sqlite3.connect(tmp_path / f"{i}.db").close()
        urls.append(f"sqlite:///{tmp_path / f'{i}.db'}")
    first = sql_runner._engine(urls[0])
    assert sql_runner._engine(urls[0]) is first
    for url in urls[1:]:
        await run_query(url, "SELECT 1 AS one")
    assert list(sql_runner._engines) == urls[1:]
