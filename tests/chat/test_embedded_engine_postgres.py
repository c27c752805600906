"""The embedded engine on PostgreSQL: information_schema introspection, real DATE / TIMESTAMP /
NUMERIC columns, PostgreSQL date functions; every answer must equal the one on SQLite."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from devstack.demo_db import SCHEMA, TABLES, create_demo_database
from services.chat.engines.base import Database, Delta, Note, TurnContext, Viz
from services.chat.engines.embedded.engine import EmbeddedEngine
from services.chat.sql import runner as sql_runner
from services.common.turn_json import visualization_json
from tests.conftest import _drop_pg_database, _fresh_pg_database

TODAY = date(2026, 6, 15)


def _pg_schema() -> str:
    ddl = SCHEMA.replace(" REAL ", " NUMERIC(12, 2) ")
    ddl = re.sub(r"\b(\w+_date) TEXT", r"\1 DATE", ddl)
    ddl = re.sub(r"\b(\w+_at) TEXT", r"\1 TIMESTAMP", ddl)
    return ddl.replace("discount NUMERIC(12, 2)", "discount DOUBLE PRECISION")


@pytest.fixture(scope="module")
def databases(postgres_server, tmp_path_factory):
    import psycopg

    path: Path = tmp_path_factory.mktemp("pg_engine") / "retail.db"
    create_demo_database(path, today=TODAY)
    name, url = _fresh_pg_database(postgres_server)
    try:
        source = sqlite3.connect(path)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(_pg_schema())
            for table in TABLES:
                rows = source.execute(f"SELECT * FROM {table}").fetchall()
                marks = ", ".join(["%s"] * len(rows[0]))
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        source.close()
        yield (
            Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Demo"),
            Database(url=url, dialect="postgresql", display_name="Demo"),
        )
    finally:
        sql_runner.dispose_engines()
        _drop_pg_database(postgres_server, name)


async def _ask(db: Database, question: str) -> tuple[str, str | None, list[dict]]:
    events = [e async for e in EmbeddedEngine().answer(TurnContext(question=question, database=db, today=TODAY))]
    text = "".join(e.text for e in events if isinstance(e, Delta))
    sql = next((e.value for e in events if isinstance(e, Note) and e.key == "sql"), None)
    return text, sql, [visualization_json(e.visualization) for e in events if isinstance(e, Viz)]


def _cells(viz: list[dict]) -> list[list[object]]:
    tables = [v for v in viz if v["type"] == "table"]
    rows = tables[0]["rows"] if tables else []
    return [[round(c, 4) if isinstance(c, float) else c for c in row] for row in rows]


QUESTIONS = [
    "How many orders were cancelled?",
    "How many orders came from customers in Germany?",
    "What's the average order value?",
    "Revenue by region",
    "Total sales per product category",
    "Top 5 customers by total spend",
    "Show monthly revenue for 2025 as a line chart",
    "What is the revenue per quarter?",
    "How many orders were placed last month?",
    "How many tickets were opened in March 2025?",
    "average ticket resolution time by priority",
    "How many customers haven't placed any orders?",
    "List the pending orders from customers in Canada",
    "Which product category has the fewest products?",
]


@pytest.mark.parametrize("question", QUESTIONS)
async def test_postgres_answers_equal_sqlite_answers(databases, question) -> None:
    sqlite_db, pg_db = databases
    _, sqlite_sql, sqlite_viz = await _ask(sqlite_db, question)
    pg_text, pg_sql, pg_viz = await _ask(pg_db, question)
    assert sqlite_sql is not None and pg_sql is not None, pg_text
    assert _cells(pg_viz) == _cells(sqlite_viz), pg_sql
    assert [v.get("chart_type") for v in pg_viz] == [v.get("chart_type") for v in sqlite_viz]


async def test_postgres_schema_questions(databases) -> None:
    _, pg_db = databases
    text, _, viz = await _ask(pg_db, "which tables are there")
    assert "orders (4,000 rows)" in text and "tables:" in text
    text, _, viz = await _ask(pg_db, "describe the orders table")
    assert [row[1] for row in viz[0]["rows"]][:2] == ["id", "customer_id"]
    assert "customer_id (integer, → customers.id)" in text and "order_date (date)" in text
