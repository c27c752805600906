"""MySQL/MariaDB integrations (127.0.0.1:3306, database `test`): read-only, checked, timed out."""

from __future__ import annotations

import os
import uuid

import pytest

from services.chat.sql.runner import run_query
from services.common.errors import ApiError
from tests.conftest import _unavailable

MYSQL_URL = os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def connect_mysql():
    """An autocommit connection to the test server (skipped, or failed in CI, when it is down)."""
    import pymysql
    from sqlalchemy.engine import make_url

    url = make_url(MYSQL_URL)
    try:
        return pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            database=url.database,
            autocommit=True,
            connect_timeout=3,
        )
    except pymysql.MySQLError as exc:
        _unavailable(f"MySQL/MariaDB at {url.host}:{url.port or 3306}", exc)


@pytest.fixture
def table():
    conn = connect_mysql()
    name = f"probe_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2))")
        cur.executemany(f"INSERT INTO {name} VALUES (%s, %s, %s)", [(i, f"n{i}", i * 1.5) for i in range(1, 11)])
    yield conn, name
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    conn.close()


async def test_reads_with_bound_parameters(table) -> None:
    _, name = table
    result = await run_query(MYSQL_URL, f"SELECT name, amount FROM {name} WHERE id > :m ORDER BY id", {"m": 7})
    assert result.columns == ["name", "amount"] and result.rows == [["n8", 12.0], ["n9", 13.5], ["n10", 15.0]]


async def test_writes_are_refused_and_data_survives(table) -> None:
    conn, name = table
    for sql in (f"DELETE FROM {name}", f"SELECT 1; DROP TABLE {name}", f"SELECT * FROM {name} INTO OUTFILE '/tmp/x'"):
        with pytest.raises(ApiError) as info:
            await run_query(MYSQL_URL, sql)
        assert info.value.code == "UNSAFE_SQL"
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {name}")
        assert cur.fetchone()[0] == 10


async def test_a_slow_query_times_out(table) -> None:
    _, name = table
    joins = ", ".join(f"{name} t{i}" for i in range(9))
    with pytest.raises(ApiError) as info:
        await run_query(MYSQL_URL, f"SELECT COUNT(*) FROM {joins}", timeout=0.5)
    assert info.value.code == "QUERY_TIMEOUT"
