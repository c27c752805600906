"""The embedded NL→SQL engine run directly on the demo database: its numbers are checked against
independent SQL for each kind of question, its charts against the request, and its refusals."""

from __future__ import annotations

import io
import re
import sqlite3
import tokenize
from pathlib import Path

import pytest

from services.chat.engines.base import Database, Delta, Note, Status, TurnContext, Viz
from services.chat.engines.embedded.answer_text import fmt
from services.chat.engines.embedded.engine import EmbeddedEngine, _compile
from services.chat.engines.embedded.query_spec import Unmapped
from services.chat.engines.embedded.suggestions import suggestions
from services.chat.engines.schema import get_schema, invalidate_schema, refresh_schema
from services.chat.sql.runner import run_query
from tests.chat.engine_helpers import TODAY, ask, one, query

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(retail_path: Path) -> Path:
    return retail_path


@pytest.fixture(scope="module")
def db(demo) -> Database:
    return Database(url=f"sqlite:///{demo}", dialect="sqlite", display_name="Demo")


def close(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= max(1e-6, 1e-9 * abs(b))
    return a == b


# --- questions about the database itself ------------------------------------------------------


async def test_which_tables_lists_every_table_with_its_row_count(db, demo) -> None:
    answer = await ask(db, "which tables are there")
    names = [r[0] for r in query(demo, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name in names:
        count = one(demo, f"SELECT COUNT(*) FROM {name}")
        assert f"{name} ({count:,} rows)" in answer.text
    assert "tables:" in answer.text and len(answer.text.split()) >= 30
    assert answer.text.count(". ") >= 2  # several sentences
    assert not answer.charts and len(answer.tables) == 1 and len(answer.tables[0]["rows"]) == len(names)
    assert answer.sql is not None and answer.sql in answer.text


async def test_row_counts_per_table_with_a_chart_when_asked(db, demo) -> None:
    answer = await ask(db, "Show me a bar chart of the row counts per table")
    (chart,) = answer.charts
    assert chart["chart_type"] == "bar" and chart["data"]["x_axis_label"] and chart["data"]["y_axis_label"]
    values = {p["label"]: p["value"] for p in chart["data"]["values"]}
    assert values["orders"] == one(demo, "SELECT COUNT(*) FROM orders")
    assert values["support_tickets"] == one(demo, "SELECT COUNT(*) FROM support_tickets")
    donut = await ask(db, "Show a donut chart of the number of rows in each table")
    assert donut.charts[0]["chart_type"] == "donut" and "x_axis_label" not in donut.charts[0]["data"]
    assert all("text" in p for p in donut.charts[0]["data"]["values"])


@pytest.mark.parametrize("question", ["What columns does the orders table have?", "describe orders"])
async def test_a_tables_columns(db, demo, question) -> None:
    answer = await ask(db, question)
    columns = [r[1] for r in query(demo, "SELECT * FROM pragma_table_info('orders')")]
    (table,) = answer.tables
    assert [row[1] for row in table["rows"]] == columns
    assert "customer_id (INTEGER, → customers.id)" in answer.text and "4,000 rows" in answer.text


# --- counts, aggregates ----------------------------------------------------------------------

SCALARS = [
    ("How many orders were cancelled?", "SELECT COUNT(*) FROM orders WHERE status = 'cancelled'"),
    ("how many corporate customers are there", "SELECT COUNT(*) FROM customers WHERE segment = 'corporate'"),
    ("How many customers are from Japan?", "SELECT COUNT(*) FROM customers WHERE country = 'Japan'"),
    (
        "How many orders came from customers in Germany?",
        "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'Germany'",
    ),
    (
        "How many products are in the Electronics category?",
        "SELECT COUNT(*) FROM products p JOIN product_categories c ON c.id = p.category_id "
        "WHERE c.name = 'Electronics'",
    ),
    ("Count the orders over $1,000", "SELECT COUNT(*) FROM orders WHERE total_amount > 1000"),
    (
        "How many customers haven't placed any orders?",
        "SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
    ),
    ("how many different countries do our customers come from?", "SELECT COUNT(DISTINCT country) FROM customers"),
    ("What's the average order value?", "SELECT AVG(total_amount) FROM orders"),
    ("What is the highest unit price of any product?", "SELECT MAX(unit_price) FROM products"),
    ("What's the smallest order total?", "SELECT MIN(total_amount) FROM orders"),
    ("Total revenue from delivered orders", "SELECT SUM(total_amount) FROM orders WHERE status = 'delivered'"),
    ("How many units have been sold in total?", "SELECT SUM(quantity) FROM order_items"),
    (
        "What's the average ticket resolution time?",
        "SELECT AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets",
    ),
]


@pytest.mark.parametrize(("question", "gold"), SCALARS, ids=[q for q, _ in SCALARS])
async def test_counts_and_aggregates_match_independent_sql(db, demo, question, gold) -> None:
    answer = await ask(db, question)
    expected = one(demo, gold)
    assert answer.sql is not None
    assert close(one(demo, answer.sql), expected), answer.sql
    assert f"**{fmt(expected)}**" in answer.text
    assert answer.sql in answer.text  # the answer shows the SQL it ran
    assert len(answer.tables) == 1 and not answer.charts  # a table of the row, no chart unless asked


async def test_plain_row_count_keeps_its_wording(db) -> None:
    answer = await ask(db, "how many orders")
    assert answer.text.startswith("The **orders** table has 4,000 rows.")


# --- breakdowns, rankings, trends --------------------------------------------------------------


REVENUE_BY_REGION = (
    "SELECT r.name, SUM(o.total_amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
    "JOIN regions r ON r.id = c.region_id GROUP BY r.name"
)


async def test_breakdown_without_chart_unless_asked(db, demo) -> None:
    answer = await ask(db, "Revenue by region")
    expected = dict(query(demo, REVENUE_BY_REGION))
    (table,) = answer.tables
    got = {row[0]: row[1] for row in table["rows"]}
    assert got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in expected)
    assert not answer.charts
    best = max(expected, key=expected.get)
    assert f"{best} {fmt(expected[best])}" in answer.text


async def test_breakdown_as_pie_chart(db, demo) -> None:
    answer = await ask(db, "Show revenue by region as a pie chart")
    expected = dict(query(demo, REVENUE_BY_REGION))
    (chart,) = answer.charts
    assert chart["chart_type"] == "pie" and "x_axis_label" not in chart["data"]
    got = {p["text"]: p["value"] for p in chart["data"]["values"]}
    assert got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in expected)


async def test_show_a_breakdown_gets_a_bar_chart(db, demo) -> None:
    answer = await ask(db, "show the number of orders by status")
    (chart,) = answer.charts
    assert chart["chart_type"] == "bar"
    assert {p["label"]: p["value"] for p in chart["data"]["values"]} == dict(
        query(demo, "SELECT status, COUNT(*) FROM orders GROUP BY status")
    )


async def test_two_dimensions_as_stacked_bars(db, demo) -> None:
    answer = await ask(db, "Show orders by channel and status as a stacked bar chart")
    (chart,) = answer.charts
    assert chart["chart_type"] == "stacked_bar"
    got = {(p["label"], p["series"]): p["value"] for p in chart["data"]["values"]}
    expected = {(a, b): n for a, b, n in query(demo, "SELECT channel, status, COUNT(*) FROM orders GROUP BY 1, 2")}
    assert got == expected


async def test_top_n_by_a_measure_in_order(db, demo) -> None:
    answer = await ask(db, "Top 5 customers by total spend")
    expected = query(
        demo,
        "SELECT c.name, SUM(o.total_amount) AS s FROM orders o JOIN customers c ON c.id = o.customer_id "
        "GROUP BY c.id ORDER BY s DESC LIMIT 5",
    )
    rows = answer.tables[0]["rows"]
    assert [r[0] for r in rows] == [e[0] for e in expected]
    assert all(close(r[-1], e[1]) for r, e in zip(rows, expected, strict=True))
    assert expected[0][0] in answer.text


async def test_bottom_n_and_horizontal_bars(db, demo) -> None:
    answer = await ask(db, "Show the 3 cheapest products as a horizontal bar chart")
    expected = query(demo, "SELECT name, unit_price FROM products ORDER BY unit_price ASC, id ASC LIMIT 3")
    (chart,) = answer.charts
    assert chart["chart_type"] == "bar_horizontal"
    assert [(p["label"], p["value"]) for p in chart["data"]["values"]] == expected


async def test_monthly_trend_as_line_chart(db, demo) -> None:
    answer = await ask(db, "Show monthly revenue for 2025 as a line chart")
    expected = query(
        demo,
        "SELECT strftime('%Y-%m', order_date) AS m, SUM(total_amount) FROM orders "
        "WHERE order_date >= '2025-01-01' AND order_date < '2026-01-01' GROUP BY m ORDER BY m",
    )
    (chart,) = answer.charts
    assert chart["chart_type"] == "line" and chart["data"]["x_axis_label"] == "Month"
    points = chart["data"]["values"]
    assert [p["label"] for p in points] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert all(close(p["value"], e[1]) for p, e in zip(points, expected, strict=True))


async def test_a_trend_is_not_charted_unless_shown(db) -> None:
    answer = await ask(db, "How many orders per month?")
    assert not answer.charts and len(answer.tables[0]["rows"]) >= 24


# --- dates ------------------------------------------------------------------------------------


async def test_relative_dates_count_from_today(db, demo) -> None:
    answer = await ask(db, "How many orders were placed last month?")
    expected = one(demo, "SELECT COUNT(*) FROM orders WHERE order_date >= '2026-05-01' AND order_date < '2026-06-01'")
    assert f"**{fmt(expected)}**" in answer.text and "May 2026" in answer.text
    rolling = await ask(db, "Total revenue in the last 30 days")
    expected = one(demo, "SELECT SUM(total_amount) FROM orders WHERE order_date >= '2026-05-16'")
    assert f"**{fmt(expected)}**" in rolling.text and "since 2026-05-16" in rolling.text


async def test_explicit_year_and_range(db, demo) -> None:
    year = await ask(db, "What was the revenue in 2025?")
    expected = one(demo, "SELECT SUM(total_amount) FROM orders WHERE order_date LIKE '2025-%'")
    assert f"**{fmt(expected)}**" in year.text
    span = await ask(db, "How many orders were placed between 2025-03-01 and 2025-03-31?")
    expected = one(demo, "SELECT COUNT(*) FROM orders WHERE order_date BETWEEN '2025-03-01' AND '2025-03-31'")
    assert f"**{fmt(expected)}**" in span.text


# --- listing rows -----------------------------------------------------------------------------


async def test_listing_rows_with_filters(db, demo) -> None:
    answer = await ask(db, "Show customers from Brazil")
    (table,) = answer.tables
    names = sorted(r[table["headers"].index("name")] for r in table["rows"])
    assert names == sorted(r[0] for r in query(demo, "SELECT name FROM customers WHERE country = 'Brazil'"))
    assert f"all {len(names)} customers" in answer.text and not answer.charts


async def test_most_recent_rows(db, demo) -> None:
    answer = await ask(db, "Show me the 10 most recent orders")
    ids = [r[0] for r in answer.tables[0]["rows"]]
    assert ids == [r[0] for r in query(demo, "SELECT id FROM orders ORDER BY order_date DESC, id DESC LIMIT 10")]


async def test_show_regions_lists_the_table(db) -> None:
    answer = await ask(db, "show regions")
    (table,) = answer.tables
    assert table["headers"] == ["id", "name"] and len(table["rows"]) == 4


# --- refusing to guess ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("why is the sky blue", "sky"),
        ("how many unicorns are there", "unicorns"),
        ("What is the weather in Paris?", "weather"),
        ("How many customers are in Narnia?", "Narnia"),
        ("'; DROP TABLE customers; --", "drop"),
    ],
)
async def test_unmappable_questions_get_suggestions_instead_of_a_guess(db, demo, question, named) -> None:
    answer = await ask(db, question)
    assert "I can't map that question" in answer.text and "I can answer questions such as" in answer.text
    assert f"“{named}”" in answer.text
    assert answer.sql is None and not answer.tables and not answer.charts
    assert one(demo, "SELECT COUNT(*) FROM customers") == 500


@pytest.mark.parametrize("which", ["retail", "hospital"])
async def test_every_suggestion_can_be_answered(db, hospital, which) -> None:
    database = db if which == "retail" else hospital
    engine = EmbeddedEngine()
    schema = await engine.schema(database)
    compiled = _compile(database.url, schema)
    for question in suggestions(schema):
        parsed = compiled.parser.parse(question, TODAY)
        assert not isinstance(parsed, Unmapped), question
        answer = await ask(database, question)
        assert answer.tables, question


# --- the stream -------------------------------------------------------------------------------

REASONING = re.compile(r"\b(let me|i will|i'll|thinking|step \d|first,|reasoning|i think)\b", re.IGNORECASE)


@pytest.mark.parametrize(
    "question",
    ["which tables are there", "Revenue by region", "how many orders", "why is the sky blue", "show regions"],
)
async def test_deltas_are_the_answer_and_nothing_else(db, question) -> None:
    answer = await ask(db, question)
    kinds = [type(e).__name__ for e in answer.events]
    first_output = min(i for i, k in enumerate(kinds) if k in ("Delta", "Viz"))
    assert "Status" not in kinds[first_output:]  # progress only before the answer
    assert isinstance(answer.events[0], Status)
    assert "".join(answer.deltas) == answer.text and answer.text.strip()
    assert all(not REASONING.search(d) for d in answer.deltas)
    assert not REASONING.search(answer.text)


async def test_no_database_connected() -> None:
    events = [e async for e in EmbeddedEngine().answer(TurnContext(question="how many orders"))]
    text = "".join(e.text for e in events if isinstance(e, Delta))
    assert "no database connected" in text and not any(isinstance(e, Viz | Note) for e in events)


# --- schema cache -----------------------------------------------------------------------------


async def test_schema_is_cached_per_url_and_refreshed_on_demand(db, demo) -> None:
    async def q(sql: str):
        return await run_query(db.url, sql, catalog=True)  # introspection reads the catalog

    first = await get_schema(db.url, "sqlite", q)
    assert await get_schema(db.url, "sqlite", q) is first
    fresh = await refresh_schema(db.url, "sqlite", q)
    assert fresh is not first and fresh.table_names == first.table_names
    invalidate_schema(db.url)
    assert await get_schema(db.url, "sqlite", q) is not fresh
    orders = fresh.table("orders")
    assert {fk.ref_table for fk in orders.foreign_keys} == {"customers", "employees"}
    assert sorted(orders.column("status").values) == sorted(
        r[0] for r in query(demo, "SELECT DISTINCT status FROM orders")
    )
    assert orders.column("order_date").kind == "date" and orders.row_count == 4000


async def test_undeclared_foreign_keys_are_inferred(tmp_path) -> None:
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER, pages INTEGER);"
        "INSERT INTO authors VALUES (1, 'Ada'), (2, 'Bo');"
        "INSERT INTO books VALUES (1, 'A', 1, 100), (2, 'B', 1, 300), (3, 'C', 2, 50);"
    )
    conn.commit()
    conn.close()
    database = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Books")
    answer = await ask(database, "number of books per author")
    assert sorted(tuple(r) for r in answer.tables[0]["rows"]) == [("Ada", 2), ("Bo", 1)]
    answer = await ask(database, "which author has the most pages?")
    assert answer.text.startswith("**Ada**")


# --- nothing in the engine names either benchmark database --------------------------------------

# Every module of the embedded engine and the schema/chart code it shares with the other engines (the
# OpenAI-compatible engine's prompts are prose for a model, not rules of its own).
ENGINE_FILES = sorted(p for p in (ROOT / "services" / "chat" / "engines").rglob("*.py") if "openai" not in p.parts)
# Generic conventions and vocabulary that happen to be column names or values there too: the key and
# label columns every schema has, the quantity × price × (1 − discount) of an order line, and the
# words that mark the end of an interval (to tell an end date from a start date).
GENERIC = {"id", "name", "email", "quantity", "discount", "cost", "closed", "completed", "cancelled", "delivered"}
GENERIC |= {"shipped"}
# Generic words of the engine's own vocabulary the third database happens to use as names: the money
# word "amount" (a column there) and "growth" (a plan's name there; the word that asks for a growth series).
GENERIC |= {"amount", "growth"}


def _identifiers(path: Path) -> set[str]:
    out: set[str] = set()
    conn = sqlite3.connect(path)
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            out.add(table.lower())
            for row in conn.execute(f"SELECT * FROM pragma_table_info('{table}')"):
                out.add(row[1].lower())
                values = conn.execute(f'SELECT DISTINCT "{row[1]}" FROM "{table}" LIMIT 301').fetchall()
                if len(values) <= 300:
                    out |= {v.lower() for (v,) in values if isinstance(v, str) and len(v) >= 3 and not v[0].isdigit()}
    finally:
        conn.close()
    return out


def test_the_engine_names_no_table_column_or_value_of_the_benchmark_databases(demo, hospital, saas) -> None:
    names = _identifiers(demo) | _identifiers(Path(hospital.url.removeprefix("sqlite:///")))
    names = (names | _identifiers(Path(saas.url.removeprefix("sqlite:///")))) - GENERIC
    # one pattern for every name (longest first), each delimited like an identifier
    pattern = re.compile(
        r"(?<![a-z0-9_])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![a-z0-9_])"
    )
    found = []
    assert any(path.name == "nl_parser.py" for path in ENGINE_FILES)
    for path in ENGINE_FILES:
        module = path.relative_to(ROOT).with_suffix("")
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if tok.type not in (tokenize.STRING, tokenize.COMMENT):
                continue
            found += [f"{module}:{tok.start[0]}: {m.group(0)!r}" for m in pattern.finditer(tok.string.lower())]
    assert not found, found
