"""Synonyms from the schema's own comments: read during introspection on SQLite (the `-- …`
comments kept in the CREATE TABLE text), PostgreSQL and DuckDB (COMMENT ON) and MySQL/MariaDB
(COMMENT clauses), and used by the embedded engine, which says so in its answer. A comment never makes the
engine answer another question: a phrase two comments claim is declined, schema names and the
organization's rules win over comments."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.chat.engines.base import Database
from services.chat.engines.ddl_comments import ddl_comments
from services.chat.engines.embedded.comment_phrases import comment_phrases
from services.chat.engines.schema import introspect, invalidate_schema
from services.chat.sql import runner as sql_runner
from services.chat.sql.runner import run_query
from tests.chat.engine_helpers import Answer, ask
from tests.chat.test_sql_runner_mysql import MYSQL_URL
from tests.conftest import _drop_pg_database, _fresh_pg_database, _unavailable

# Opaque names on purpose: only the comments say what `emp`, `amt` and `val` are.
TABLES = {
    "emp": "CREATE TABLE emp (id INTEGER PRIMARY KEY, name VARCHAR(40), region VARCHAR(20))",
    "orders": (
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, emp_id INTEGER REFERENCES emp(id), amt NUMERIC(10, 2), "
        "status VARCHAR(10))"
    ),
    "refunds": (
        "CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), val NUMERIC(10, 2))"
    ),
}
COMMENTS = {
    ("emp", None): "sales reps",
    ("orders", "amt"): "order total in euros; also called revenue or takings",
    # "takings" again: ambiguous; "region" names emp.region, so the schema's name wins
    ("refunds", "val"): "money returned, aka takings or region",
}
# SQLite keeps comments only inside the CREATE TABLE text
SQLITE_DDL = [
    "CREATE TABLE emp ( -- sales reps\n  id INTEGER PRIMARY KEY,\n  name TEXT,\n  region TEXT\n)",
    "CREATE TABLE orders (\n  id INTEGER PRIMARY KEY,\n  emp_id INTEGER REFERENCES emp(id),\n"
    "  amt REAL, -- order total in euros; also called revenue or takings\n  status TEXT\n)",
    "CREATE TABLE refunds (\n  id INTEGER PRIMARY KEY,\n  order_id INTEGER REFERENCES orders(id),\n"
    "  val REAL -- money returned, aka takings or region\n)",
]
EMP = [(1, "Ada", "North"), (2, "Bo", "South"), (3, "Cy", "North")]
ORDERS = [(i, 1 + i % 3, round(10 + 7.25 * i, 2), "paid" if i % 4 else "open") for i in range(1, 21)]
REFUNDS = [(1, 2, 5.5), (2, 7, 12.0), (3, 11, 3.25)]
GOLD = (
    "SELECT e.name, SUM(o.amt) FROM orders o JOIN emp e ON e.id = o.emp_id GROUP BY e.name ORDER BY e.name",
    "SELECT e.region, SUM(o.amt) FROM orders o JOIN emp e ON e.id = o.emp_id GROUP BY e.region ORDER BY e.region",
)


@dataclass
class CommentedDb:
    db: Database
    forget_comments: Callable[[], None]  # drops every comment, as if they had never been written


def _insert(execute: Callable[..., object], marks: str) -> None:
    for table, rows in (("emp", EMP), ("orders", ORDERS), ("refunds", REFUNDS)):
        for row in rows:
            execute(f"INSERT INTO {table} VALUES ({', '.join([marks] * len(row))})", row)


def _sqlite(tmp: Path) -> CommentedDb:
    path = tmp / "commented.db"
    conn = sqlite3.connect(path)
    for ddl in SQLITE_DDL:
        conn.execute(ddl)
    _insert(conn.execute, "?")
    conn.commit()
    conn.close()
    db = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Shop")

    def forget() -> None:
        # the same tables and rows, written without comments
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA writable_schema = ON")
        for table, ddl in TABLES.items():
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (ddl, table))
        conn.commit()
        conn.close()

    return CommentedDb(db, forget)


def _duckdb(tmp: Path) -> CommentedDb:
    duckdb = pytest.importorskip("duckdb")
    path = tmp / "commented.duckdb"
    conn = duckdb.connect(str(path))
    for ddl in TABLES.values():
        conn.execute(ddl)
    for (table, column), text in COMMENTS.items():
        conn.execute(f"COMMENT ON {f'COLUMN {table}.{column}' if column else f'TABLE {table}'} IS '{text}'")
    _insert(conn.execute, "?")
    conn.close()

    def forget() -> None:
        sql_runner.dispose_engines()
        conn = duckdb.connect(str(path))
        for table, column in COMMENTS:
            conn.execute(f"COMMENT ON {f'COLUMN {table}.{column}' if column else f'TABLE {table}'} IS NULL")
        conn.close()

    return CommentedDb(Database(url=f"duckdb:///{path}", dialect="duckdb", display_name="Shop"), forget)


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql", "duckdb"])
def commented(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommentedDb]:
    """The same three tables, rows and comments on each dialect, in a database of their own."""
    if request.param in ("sqlite", "duckdb"):
        make = _sqlite if request.param == "sqlite" else _duckdb
        yield make(tmp_path_factory.mktemp("comments"))
        sql_runner.dispose_engines()
        return
    if request.param == "postgresql":
        import psycopg

        admin = request.getfixturevalue("postgres_server")
        name, url = _fresh_pg_database(admin)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                for ddl in TABLES.values():
                    conn.execute(ddl)
                for (table, column), text in COMMENTS.items():
                    what = f"COLUMN {table}.{column}" if column else f"TABLE {table}"
                    conn.execute(f"COMMENT ON {what} IS '{text}'")
                with conn.cursor() as cur:
                    _insert(cur.execute, "%s")

            def forget_pg() -> None:
                with psycopg.connect(url, autocommit=True) as conn:
                    for table, column in COMMENTS:
                        what = f"COLUMN {table}.{column}" if column else f"TABLE {table}"
                        conn.execute(f"COMMENT ON {what} IS NULL")

            yield CommentedDb(Database(url=url, dialect="postgresql", display_name="Shop"), forget_pg)
        finally:
            sql_runner.dispose_engines()
            _drop_pg_database(admin, name)
        return
    import pymysql
    from sqlalchemy.engine import make_url

    server = make_url(MYSQL_URL)
    try:
        conn = pymysql.connect(
            host=server.host, port=server.port or 3306, user=server.username, password=server.password or "",
            autocommit=True, connect_timeout=3,
        )  # fmt: skip
    except pymysql.MySQLError as exc:
        _unavailable(f"MySQL/MariaDB at {server.host}:{server.port or 3306}", exc)
    name = f"trellis_comments_{uuid.uuid4().hex[:8]}"
    cur = conn.cursor()
    cur.execute(f"CREATE DATABASE {name}")
    try:
        cur.execute(f"USE {name}")
        cur.execute(TABLES["emp"] + " COMMENT = 'sales reps'")
        cur.execute(
            TABLES["orders"].replace("amt NUMERIC(10, 2)", f"amt NUMERIC(10, 2) COMMENT '{COMMENTS['orders', 'amt']}'")
        )
        cur.execute(
            TABLES["refunds"].replace(
                "val NUMERIC(10, 2)", f"val NUMERIC(10, 2) COMMENT '{COMMENTS['refunds', 'val']}'"
            )
        )
        _insert(cur.execute, "%s")

        def forget_mysql() -> None:
            cur.execute("ALTER TABLE emp COMMENT = ''")
            cur.execute("ALTER TABLE orders MODIFY amt NUMERIC(10, 2) COMMENT ''")
            cur.execute("ALTER TABLE refunds MODIFY val NUMERIC(10, 2) COMMENT ''")

        url = server.set(database=name).render_as_string(hide_password=False)
        yield CommentedDb(Database(url=url, dialect="mysql", display_name="Shop"), forget_mysql)
    finally:
        sql_runner.dispose_engines()
        cur.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()


async def _rows(db: Database, sql: str) -> list[list[object]]:
    result = await run_query(db.url, sql)
    return [[round(float(c), 2) if not isinstance(c, str) else c for c in row] for row in result.rows]


def _answer_rows(answer: Answer) -> list[list[object]]:
    rows = answer.notes["result"]["rows"]
    return sorted([[round(float(c), 2) if not isinstance(c, str) else c for c in row] for row in rows])


async def test_introspection_reads_table_and_column_comments(commented: CommentedDb) -> None:
    async def query(sql: str) -> sql_runner.QueryResult:
        return await run_query(commented.db.url, sql, catalog=True)

    schema = await introspect(commented.db.dialect, query)
    assert schema.tables["emp"].comment == "sales reps"
    assert schema.tables["orders"].column("amt").comment == COMMENTS["orders", "amt"]  # type: ignore[union-attr]
    assert schema.tables["refunds"].column("val").comment == COMMENTS["refunds", "val"]  # type: ignore[union-attr]
    assert schema.tables["orders"].comment == "" and schema.tables["emp"].column("name").comment == ""  # type: ignore[union-attr]
    # the join the answers below take (DuckDB's catalog once named the referencing column here)
    fk = schema.tables["orders"].fk_for("emp_id")
    assert fk is not None and (fk.ref_table, fk.ref_column) == ("emp", "id")


async def test_comments_let_a_question_bind_and_only_thanks_to_them(commented: CommentedDb) -> None:
    db = commented.db
    invalidate_schema(db.url)
    answer = await ask(db, "total revenue by sales rep")
    assert not answer.declined
    assert _answer_rows(answer) == await _rows(db, GOLD[0])
    assert "“revenue” read as orders.amt, from the schema's comments" in answer.text
    assert "“sales rep” read as the emp table, from the schema's comments" in answer.text

    # "takings" is what two comments call two different columns: declined, nothing run
    ambiguous = await ask(db, "total takings by sales rep")
    assert ambiguous.declined and ambiguous.sql is None and not ambiguous.tables
    assert ambiguous.notes["unmapped_terms"] == ["takings"]
    assert "orders.amt and refunds.val" in ambiguous.text

    # a comment calling refunds.val "region" cannot take the schema's own name
    by_region = await ask(db, "revenue by region")
    assert _answer_rows(by_region) == await _rows(db, GOLD[1])
    assert "“region”" not in by_region.text

    # the same schema without its comments: the question cannot be placed
    commented.forget_comments()
    invalidate_schema(db.url)
    try:
        bare = await ask(db, "total revenue by sales rep")
        assert bare.declined and bare.sql is None
    finally:
        invalidate_schema(db.url)


async def test_the_organization_rules_win_over_a_comment(tmp_path: Path) -> None:
    db = _sqlite(tmp_path).db
    answer = await ask(db, "how many takings are there", rules=["Takings are the refunds table."])
    assert answer.value == len(REFUNDS)
    assert "“takings” read as the refunds table, as your organization's rules or memories say" in answer.text
    answer = await ask(db, "how many takings are there", rules=["Revenue is the val column."])
    # a rule about another word leaves "takings" to the comments, which disagree
    assert answer.declined and answer.sql is None and "orders.amt and refunds.val" in answer.text


def test_sqlite_comments_belong_to_what_they_are_written_beside() -> None:
    found = ddl_comments(
        "CREATE TABLE t ( -- the header\n"
        "  -- more about the table\n"
        "  id INTEGER PRIMARY KEY, -- key\n"
        "  \"odd, name\" TEXT DEFAULT 'x -- not a comment', -- quoted name\n"
        "  -- about the column below\n"
        "  /* block */ b REAL CHECK (b > 0),\n"
        "  c TEXT -- last, no comma\n"
        "  -- after the columns\n"
        ")"
    )
    assert found.table == "the header; more about the table; after the columns"
    assert found.columns == {
        "id": "key",
        "odd, name": "quoted name",
        "b": "about the column below; block",
        "c": "last, no comma",
    }
    assert ddl_comments("CREATE TABLE u (a INT, PRIMARY KEY (a) -- constraint\n)").columns == {}
    assert ddl_comments("CREATE TABLE v AS SELECT count(*) AS n FROM t -- x").columns == {}


@pytest.mark.parametrize(
    ("comment", "phrases"),
    [
        ("sales reps", [("sales", "reps")]),
        ("The net revenue", [("net", "revenue")]),
        ("order total in euros; also called revenue or turnover", [("revenue",), ("turnover",)]),
        ("Sales reps, a.k.a. agents", [("sales", "reps"), ("agents",)]),
        ("Amount paid, i.e. takings/receipts", [("amount", "paid"), ("takings",), ("receipts",)]),
        ("aka revenue in reports", [("revenue",)]),
        ("Date the order was placed", []),  # a sentence, not a name
        ("Number of times the customer called support", []),
        ("Monthly fee", []),  # "monthly" asks for a time grain: never swallowed by a comment
        ("total", []),
    ],
)
def test_which_words_of_a_comment_are_names(comment: str, phrases: list[tuple[str, ...]]) -> None:
    assert comment_phrases(comment) == phrases
