"""Attacks on the SQL gate, run on real SQLite, PostgreSQL, MariaDB and DuckDB databases.

Functions are allow-listed per dialect: the probes of issue #11 (other schemas read through functions
that take a table or a query as a string, server-changing functions inside the read-only transaction)
are refused, while the SQL the engines write (every benchmark question, on every dialect) and the
schema introspection queries (catalog=True) still pass.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from devstack.demo_db import create_demo_database
from services.chat.engines.embedded.lexicon import Lexicon
from services.chat.engines.embedded.nl_parser import Parser
from services.chat.engines.embedded.query_spec import Spec
from services.chat.engines.embedded.sql_builder import CannotBuildError, SqlBuilder
from services.chat.engines.openai import tools
from services.chat.engines.schema import Schema, get_schema, invalidate_schema
from services.chat.sql import runner as sql_runner
from services.chat.sql.runner import run_query
from services.chat.sql.safety import check_read_only
from services.common.errors import ApiError
from tests.chat.test_sql_runner_mysql import MYSQL_URL, connect_mysql
from tests.conftest import _drop_pg_database, _fresh_pg_database

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 15)
SECRET = "hunter2-do-not-leak"


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    yield
    sql_runner.dispose_engines()


def _refused(sql: str, dialect: str, *, catalog: bool = False) -> ApiError:
    with pytest.raises(ApiError) as info:
        check_read_only(sql, dialect, max_rows=10, catalog=catalog)
    assert info.value.code == "UNSAFE_SQL", info.value.detail
    return info.value


# --- the gate alone ------------------------------------------------------------------------------

STRING_TO_TABLE = [
    ("postgresql", "SELECT table_to_xml('secret.creds', true, false, '')"),
    ("postgresql", "SELECT table_to_xmlschema('secret.creds', true, false, '')"),
    ("postgresql", "SELECT schema_to_xml('secret', true, false, '')"),
    ("postgresql", "SELECT database_to_xml(true, false, '')"),
    ("postgresql", "SELECT query_to_xml('SELECT * FROM secret.creds', true, false, '')"),
    ("postgresql", "SELECT cursor_to_xml('c', 1, true, false, '')"),
    ("postgresql", "SELECT * FROM ts_stat('SELECT to_tsvector(password) FROM secret.creds')"),
    ("postgresql", "SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM secret.aliases')"),
    ("postgresql", "SELECT (pg_stat_get_activity(NULL)).query"),
    ("postgresql", "SELECT * FROM pg_stat_get_activity(NULL)"),
    ("postgresql", "SELECT current_setting('data_directory')"),
    ("postgresql", "SELECT version()"),
    ("postgresql", "SELECT * FROM dblink('host=127.0.0.1', 'SELECT 1') AS t(x int)"),
    ("postgresql", "SELECT pg_catalog.pg_read_file('/etc/passwd')"),
    ("postgresql", "SELECT public.lower('x')"),
    ("duckdb", "SELECT json_execute_serialized_sql(json_serialize_sql('SELECT * FROM secret.creds'))"),
    ("duckdb", "SELECT * FROM query('SELECT * FROM secret.creds')"),
    ("duckdb", "SELECT * FROM query_table('secret.creds')"),
    ("duckdb", "SELECT * FROM read_csv('/etc/passwd')"),
    ("duckdb", "SELECT getenv('HOME')"),
    ("duckdb", "SELECT current_setting('threads')"),
    ("duckdb", "SELECT * FROM duckdb_settings()"),
    ("duckdb", "SELECT * FROM glob('/etc/*')"),
    ("mysql", "SELECT @@datadir"),
    ("mysql", "SELECT @x := 1"),
    ("mysql", "SELECT load_file('/etc/passwd')"),
    ("mysql", "SELECT sys_eval('id')"),
    ("mysql", "SELECT benchmark(100000000, md5('x'))"),
    ("sqlite", "SELECT load_extension('/tmp/evil')"),
    ("sqlite", "SELECT readfile('/etc/passwd')"),
    ("sqlite", "SELECT fts3_tokenizer('simple')"),
    ("sqlite", "SELECT my_udf(1)"),
]

SERVER_CHANGING = [
    "SELECT pg_create_physical_replication_slot('trellis_probe', true)",
    "SELECT pg_create_logical_replication_slot('trellis_probe', 'pgoutput')",
    "SELECT pg_drop_replication_slot('trellis_probe')",
    "SELECT pg_stat_reset()",
    "SELECT pg_stat_reset_shared('bgwriter')",
    "SELECT pg_log_backend_memory_contexts(pg_backend_pid())",
    "SELECT pg_reload_conf()",
    "SELECT pg_switch_wal()",
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    "SELECT nextval('orders_id_seq')",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_notify('c', 'x')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT txid_current()",
]


@pytest.mark.parametrize(("dialect", "sql"), STRING_TO_TABLE)
def test_functions_that_reach_beyond_the_query_are_refused(dialect: str, sql: str) -> None:
    _refused(sql, dialect)
    _refused(sql, dialect, catalog=True)  # introspection's opt-in adds catalog tables, not these


@pytest.mark.parametrize("sql", SERVER_CHANGING)
def test_server_changing_functions_are_refused(sql: str) -> None:
    _refused(sql, "postgresql", catalog=True)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql", "duckdb"])
def test_a_function_nobody_listed_is_refused_by_name(dialect: str) -> None:
    err = _refused("SELECT totally_new_function(1) FROM t", dialect)
    assert "totally_new_function()" in err.detail


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("sqlite", "SELECT julianday(a) - julianday(b), strftime('%Y-%m', a), date(a, '-3 days', 'weekday 4') FROM t"),
        ("sqlite", "SELECT printf('%02d', n), hex(zeroblob(4)), iif(n > 1, 'a', 'b'), ifnull(a, 0), total(n) FROM t"),
        ("sqlite", "SELECT CAST(strftime('%j', a) AS INTEGER), substr(a, 1, 4), instr(a, '-'), group_concat(a) FROM t"),
        ("postgresql", "SELECT to_char(a, 'YYYY-MM'), date_trunc('month', a), EXTRACT(EPOCH FROM (b - a)) FROM t"),
        ("postgresql", "SELECT string_agg(a, ', '), ROUND(AVG(n)::numeric, 2), COALESCE(SUM(n), 0) FROM t"),
        (
            "postgresql",
            "SELECT repeat('x', 3), left(a, 2), split_part(a, '-', 1), percentile_cont(0.5) "
            "WITHIN GROUP (ORDER BY n) FROM t",
        ),
        (
            "mysql",
            "SELECT DATE_FORMAT(a, '%x-W%v'), CONCAT(YEAR(a), '-Q', QUARTER(a)), "
            "TIMESTAMPDIFF(SECOND, a, b) / 86400.0 FROM t",
        ),
        ("mysql", "SELECT IFNULL(a, 0), GROUP_CONCAT(a SEPARATOR ','), ROUND(AVG(n), 2), DATEDIFF(a, b) FROM t"),
        (
            "duckdb",
            "SELECT strftime(a, '%G-W%V'), date_diff('second', a, b) / 86400.0, quarter(a), "
            "CAST(quarter(a) AS VARCHAR) FROM t",
        ),
        ("duckdb", "SELECT median(n), arg_max(a, n), list(a), string_agg(a, ','), date_trunc('month', a) FROM t"),
    ],
)
def test_ordinary_functions_pass(dialect: str, sql: str) -> None:
    check_read_only(sql, dialect, max_rows=10)


# --- the engines' own SQL ------------------------------------------------------------------------


def _bench_questions() -> list[str]:
    spec = importlib.util.spec_from_file_location("questions_retail", ROOT / "bench" / "nl2sql" / "questions_retail.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("questions_retail", module)
    spec.loader.exec_module(module)
    sets = [getattr(module, name, []) for name in ("QUESTIONS", "HELD_OUT", "FRESH")]
    return [q["question"] for questions in sets for q in questions]


@pytest.fixture(scope="module")
def retail_schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    import asyncio

    path = tmp_path_factory.mktemp("attacks") / "retail.db"
    create_demo_database(path, today=TODAY)
    url = f"sqlite:///{path}"

    async def load() -> Schema:
        return await get_schema(url, "sqlite", lambda sql: run_query(url, sql, catalog=True))

    try:
        return asyncio.run(load())
    finally:
        invalidate_schema(url)
        sql_runner.dispose_engines()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql", "duckdb"])
def test_every_benchmark_question_builds_sql_the_gate_lets_through(retail_schema: Schema, dialect: str) -> None:
    schema = Schema(dialect=dialect, tables=retail_schema.tables, loaded_at=retail_schema.loaded_at)
    parser = Parser(schema, Lexicon(schema))
    builder = SqlBuilder(schema, parser.graph)
    built = 0
    for question in _bench_questions():
        parsed = parser.parse(question, TODAY)
        if not isinstance(parsed, Spec):
            continue
        try:
            sql = builder.build(parsed).sql
        except CannotBuildError:
            continue
        try:
            check_read_only(sql, dialect, max_rows=1000, catalog=True)
            check_read_only(sql, dialect, max_rows=1000)  # no catalog needed for answers
        except ApiError as err:
            pytest.fail(f"{dialect}: {question!r} built SQL the gate refuses ({err.detail}):\n{sql}")
        built += 1
    assert built > 100


# --- real databases ------------------------------------------------------------------------------


async def _all_refused(url: str, statements: list[str], *, catalog: bool = False) -> None:
    for sql in statements:
        with pytest.raises(ApiError) as info:
            await run_query(url, sql, catalog=catalog)
        assert info.value.code == "UNSAFE_SQL", (sql, info.value.detail)


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A fresh database with a `secret` schema next to the connected one, and cleanup of probes."""
    import psycopg

    name, url = _fresh_pg_database(postgres_server)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA secret")
        conn.execute("CREATE TABLE secret.creds (username text, password text)")
        conn.execute("INSERT INTO secret.creds VALUES ('admin', %s)", (SECRET,))
        conn.execute("CREATE TABLE public.items (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO public.items VALUES (1, 'one'), (2, 'two')")
    try:
        yield url
    finally:
        sql_runner.dispose_engines()
        with psycopg.connect(postgres_server, autocommit=True) as conn:  # an old gate could have made one
            conn.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'trellis_probe'"
            )
        _drop_pg_database(postgres_server, name)


async def test_postgresql_other_schemas_and_server_state_stay_out_of_reach(pg_url: str) -> None:
    import psycopg

    await _all_refused(pg_url, [sql for dialect, sql in STRING_TO_TABLE if dialect == "postgresql"])
    await _all_refused(pg_url, SERVER_CHANGING, catalog=True)
    with psycopg.connect(pg_url) as conn:
        slots = conn.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'trellis_probe'").fetchone()
    assert slots == (0,)
    # the connected schema's data is still there to read, with ordinary functions
    result = await run_query(pg_url, "SELECT upper(name), length(name) FROM items ORDER BY id")
    assert result.rows == [["ONE", 3], ["TWO", 3]]


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "probe.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA secret")
    conn.execute("CREATE TABLE secret.creds (username VARCHAR, password VARCHAR)")
    conn.execute("INSERT INTO secret.creds VALUES ('admin', ?)", [SECRET])
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, sold DATE)")
    conn.execute("INSERT INTO items VALUES (1, 'one', DATE '2025-01-03'), (2, 'two', DATE '2025-05-06')")
    conn.close()
    return f"duckdb:///{path}"


async def test_duckdb_other_schemas_stay_out_of_reach(duckdb_url: str) -> None:
    await _all_refused(duckdb_url, [sql for dialect, sql in STRING_TO_TABLE if dialect == "duckdb"])
    result = await run_query(duckdb_url, "SELECT strftime(sold, '%Y-%m'), quarter(sold) FROM items ORDER BY id")
    assert result.rows == [["2025-01", 1], ["2025-05", 2]]


@pytest.fixture
def mysql_table() -> Iterator[str]:
    conn = connect_mysql()
    name = f"probe_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, name VARCHAR(20), sold DATE)")
        cur.execute(f"INSERT INTO {name} VALUES (1, 'one', '2025-01-03'), (2, 'two', '2025-05-06')")
    yield name
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    conn.close()


async def test_mariadb_server_state_stays_out_of_reach(mysql_table: str) -> None:
    await _all_refused(MYSQL_URL, [sql for dialect, sql in STRING_TO_TABLE if dialect == "mysql"])
    sql = f"SELECT DATE_FORMAT(sold, '%Y-%m'), CONCAT(YEAR(sold), '-Q', QUARTER(sold)) FROM {mysql_table} ORDER BY id"
    assert (await run_query(MYSQL_URL, sql)).rows == [["2025-01", "2025-Q1"], ["2025-05", "2025-Q2"]]


async def _introspect(url: str, dialect: str) -> Schema:
    invalidate_schema(url)
    try:
        return await get_schema(url, dialect, lambda sql: run_query(url, sql, catalog=True))
    finally:
        invalidate_schema(url)


async def test_introspection_still_works_on_every_dialect(pg_url: str, duckdb_url: str, mysql_table: str) -> None:
    """The catalog queries of both engines (catalog=True) pass the allow-list on real databases."""
    pg = await _introspect(pg_url, "postgresql")
    assert set(pg.tables) == {"items"}  # the other schema is not listed either
    duck = await _introspect(duckdb_url, "duckdb")
    assert set(duck.tables) == {"items"}
    maria = await _introspect(MYSQL_URL, "mysql")
    assert mysql_table in maria.tables
    for url, dialect, table in (
        (pg_url, "postgresql", "items"),
        (duckdb_url, "duckdb", "items"),
        (MYSQL_URL, "mysql", mysql_table),
    ):
        listed = await run_query(url, tools._TABLE_COLUMNS_SQL[dialect], catalog=True, max_rows=20_000)
        assert [table, "id"] in listed.rows
        columns = await run_query(url, tools._COLUMNS_SQL[dialect], {"t": table}, catalog=True)
        expected = ["id", "name"] if dialect == "postgresql" else ["id", "name", "sold"]
        assert [r[0] for r in columns.rows] == expected
        if dialect in tools._FOREIGN_KEYS_SQL:
            await run_query(url, tools._FOREIGN_KEYS_SQL[dialect], {"t": table}, catalog=True)
