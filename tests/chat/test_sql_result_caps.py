"""Byte caps on query results, on real SQLite, PostgreSQL, MariaDB and DuckDB: a few huge values are
cut while they are fetched, the result stops at its budget and says so, and memory stays bounded."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.measure import PeakRss
from services.chat.engines.charts import table_visualization
from services.chat.sql import runner as sql_runner
from services.chat.sql.result_caps import Collector, ResultLimits
from services.chat.sql.runner import QueryResult, run_query
from tests.chat.test_sql_attacks import mysql_table  # noqa: F401 - a fixture
from tests.chat.test_sql_runner_mysql import MYSQL_URL
from tests.conftest import _drop_pg_database, _fresh_pg_database

MB = 1024 * 1024
HUGE = 20 * MB  # the size of each value the probes build
ROWS = 20  # 20 rows of two 20 MB values: 800 MB if the result were read whole
# What the process may grow by while one such query runs: about one row as the database builds it
# and the driver hands it over (SQLite: 140 MB for one 40 MB row; 200 MB whatever the row count),
# never the whole result (900 MB to 1.7 GB when the 20 rows were fetched at once).
MEMORY_BOUND = 320 * MB


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    yield
    sql_runner.dispose_engines()


def _check_capped(result: QueryResult, limits: ResultLimits) -> None:
    assert len(result.rows) == ROWS and result.truncated is False
    assert result.cells_cut == 2 * ROWS
    for row in result.rows:
        for cell in row:
            assert len(cell.encode()) <= limits.max_cell_bytes
            assert cell.startswith("x" * 1000) or cell.startswith("0" * 1000)
            assert cell.endswith(f"…[truncated: {HUGE:,} characters in all]")
    assert "40 values were longer than 64 KiB and cut" in result.notice


async def _bounded(url: str, sql: str) -> QueryResult:
    await run_query(url, "SELECT 1")  # the engine, driver and pool exist before measuring
    gc.collect()
    with PeakRss({"self": os.getpid()}) as peak:
        start = peak.peak["self"]
        result = await run_query(url, sql, limits=ResultLimits(), timeout=60)
    grown = peak.peak["self"] - start
    assert grown < MEMORY_BOUND, f"memory grew by {grown / MB:.0f} MB while fetching"
    return result


async def test_sqlite_huge_values_are_cut_while_fetched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'probe.db'}"
    import sqlite3

    sqlite3.connect(tmp_path / "probe.db").execute("CREATE TABLE t (x INTEGER)").connection.close()
    half = HUGE // 2
    series = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) "
    sql = f"{series}SELECT hex(zeroblob({half})) AS a, hex(zeroblob({half})) AS b FROM n"
    _check_capped(await _bounded(url, sql), ResultLimits())


async def test_postgresql_huge_values_are_cut_while_fetched(postgres_server: str) -> None:
    name, url = _fresh_pg_database(postgres_server)
    try:
        sql = f"SELECT repeat('x', {HUGE}) AS a, repeat('x', {HUGE}) AS b FROM generate_series(1, {ROWS})"
        _check_capped(await _bounded(url, sql), ResultLimits())
    finally:
        sql_runner.dispose_engines()
        _drop_pg_database(postgres_server, name)


async def test_duckdb_huge_values_are_cut_while_fetched(tmp_path: Path) -> None:
    # No memory bound here: DuckDB computes a vector of up to 2,048 rows before handing any over
    # (SECURITY.md). What is kept, streamed and stored is capped all the same.
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "probe.duckdb"
    duckdb.connect(str(path)).close()
    sql = f"SELECT repeat('x', {HUGE}) AS a, repeat('x', {HUGE}) AS b FROM range({ROWS})"
    _check_capped(await run_query(f"duckdb:///{path}", sql, limits=ResultLimits()), ResultLimits())


async def test_mariadb_huge_values_are_cut(mysql_table: str) -> None:  # noqa: F811
    # MariaDB's REPEAT gives NULL past max_allowed_packet (16 MB by default): 4 MB values here.
    sql = f"SELECT REPEAT('x', {4 * MB}) AS a FROM {mysql_table}"
    result = await run_query(MYSQL_URL, sql, limits=ResultLimits())
    assert len(result.rows) == 2 and result.cells_cut == 2
    assert all(len(row[0]) <= 64 * 1024 and row[0].endswith(f"{4 * MB:,} characters in all]") for row in result.rows)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_result_stops_at_its_byte_budget_and_says_so(backend: str, tmp_path: Path, request) -> None:
    if backend == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'b.db'}", None
        import sqlite3

        sqlite3.connect(tmp_path / "b.db").close()
        series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
        sql = f"{series}SELECT i, printf('%.*c', 1000, 'y') AS filler FROM n"
    else:
        admin = request.getfixturevalue("postgres_server")
        name, url = _fresh_pg_database(admin)
        cleanup = (admin, name)
        sql = "SELECT i, repeat('y', 1000) AS filler FROM generate_series(1, 500) AS s(i)"
    try:
        limits = ResultLimits(max_cell_bytes=64 * 1024, max_result_bytes=100 * 1024)
        result = await run_query(url, sql, limits=limits)
        assert 90 <= len(result.rows) <= 101 and result.rows[0][0] == 1
        assert result.truncated is True and result.byte_limited is True and result.total_rows == 500
        assert result.cells_cut == 0
        assert f"only its first {len(result.rows)} rows were read" in result.notice
        table = table_visualization(result, "t").table  # what the engines stream and store
        assert table.truncated is True and table.total_rows == 500 and len(table.rows) == len(result.rows)
    finally:
        sql_runner.dispose_engines()
        if cleanup:
            _drop_pg_database(*cleanup)


def test_values_are_cut_on_a_character_boundary_with_a_marker() -> None:
    rows = Collector(ResultLimits(max_cell_bytes=100, max_result_bytes=10_000), max_rows=10)
    rows.add(["é" * 500, "short", 12345, None, {"k": "v" * 300}, b"\x00" * 10**6])
    text, short, number, null, nested, blob = rows.rows[0]
    assert len(text.encode()) <= 100 and text.startswith("éé") and text.endswith("…[truncated: 500 characters in all]")
    assert (short, number, null, blob) == ("short", 12345, None, "<binary 1000000 bytes>")
    assert isinstance(nested, str) and nested.startswith('{"k": "vvv') and len(nested.encode()) <= 100
    assert rows.cells_cut == 2 and not rows.full


def test_a_single_row_over_the_budget_is_shared_out_not_dropped() -> None:
    rows = Collector(ResultLimits(max_cell_bytes=1000, max_result_bytes=1000), max_rows=10)
    rows.add(["a" * 900, "b" * 900])
    assert rows.full and len(rows.rows) == 1
    assert sum(len(c) for c in rows.rows[0]) <= 1000 and rows.rows[0][1].startswith("bbb")
    rows.add(["c"])
    assert len(rows.rows) == 1  # nothing after the budget is spent


def test_batches_shrink_to_what_the_budget_can_still_hold() -> None:
    rows = Collector(ResultLimits(max_cell_bytes=10_000, max_result_bytes=50_000), max_rows=1000)
    assert rows.batch_size() == 1  # nothing known yet: one row first
    rows.add(["x" * 9_000])
    assert rows.batch_size() == 4  # four more rows of that size fit
    big = Collector(ResultLimits(), max_rows=1000)
    big.add(["x" * 20 * 1024 * 1024])
    assert big.batch_size() == 1  # cut to 64 KiB, but 20 MB each as the driver hands them over
    small = Collector(ResultLimits(), max_rows=1000)
    small.add([1, "a"])
    assert small.batch_size() == 100


async def test_the_answers_say_that_values_were_cut(tmp_path: Path) -> None:
    import sqlite3

    from services.chat.engines.base import Database, Delta, Note
    from services.chat.engines.openai.tools import DatabaseTools
    from services.chat.storage.models import SavedQuery
    from services.chat.turns.saved_query import saved_query_events

    path = tmp_path / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES (?)", ("z" * 100_000,))
    db = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Big")

    model_sql = await DatabaseTools(db, query_timeout=5).run_sql("SELECT body FROM notes")
    assert "One value was longer than 64 KiB and cut" in model_sql.payload["note"]  # the model is told
    assert Note("truncated", "One value was longer than 64 KiB and cut (marked “…[truncated]”).") in model_sql.events

    saved = SavedQuery(id="q1", organization_id="o1", title="Notes", prompt="p", sql="SELECT body FROM notes")
    events = [e async for e in saved_query_events(saved, saved.sql, {}, db, query_timeout=5, stream_delay=0)]
    text = "".join(e.text for e in events if isinstance(e, Delta))
    assert "1 rows. One value was longer than 64 KiB and cut" in text
    assert any(isinstance(e, Note) and e.key == "truncated" for e in events)
