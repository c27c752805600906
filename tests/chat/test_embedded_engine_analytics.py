"""What analysts ask beyond counts and sums (issue 10), each on at least two schemas and checked
against independent SQL, with the definition the answer states: durations between two time columns,
period-over-period comparisons and growth series, shares with a condition, "per X" averages,
conditions on how many related rows a row has (HAVING), and synonyms from rules and memories."""

from __future__ import annotations

import pytest

from tests.chat.engine_helpers import ask, one, path_of, query

LAST_MONTH = "date('2026-06-15', 'start of month', '-1 month')"  # the tests' today is 2026-06-15
THIS_MONTH = "date('2026-06-15', 'start of month')"


def _db(request: pytest.FixtureRequest, which: str):
    return request.getfixturevalue(which)


# --- durations ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "gold", "definition"),
    [
        (
            "retail",
            "What is the average number of days it takes to close a support ticket?",
            "SELECT AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets",
            "from opened at to closed at in days",
        ),
        (
            "hospital",
            "What is the average length of stay in days?",
            "SELECT AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions",
            "from admitted on to discharged on in days",
        ),
        (
            "saas",
            "What is the average time to resolve an incident, in hours?",
            "SELECT AVG((julianday(resolved_at) - julianday(reported_at)) * 24) FROM incidents",
            "from reported at to resolved at in hours",
        ),
        (
            "saas",
            "How many days on average between an invoice being issued and paid?",
            "SELECT AVG(julianday(paid_on) - julianday(issued_on)) FROM invoices",
            "from issued on to paid on in days",
        ),
    ],
)
async def test_durations_between_two_time_columns(request, which, question, gold, definition) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    assert answer.value == pytest.approx(one(path_of(db), gold)), answer.sql
    assert definition in answer.text


async def test_a_duration_by_group_on_two_schemas(retail, hospital) -> None:
    answer = await ask(retail, "average days to close a ticket by priority")
    gold = "SELECT priority, AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets GROUP BY 1"
    assert dict(map(tuple, answer.notes["result"]["rows"])) == pytest.approx(dict(query(path_of(retail), gold)))
    answer = await ask(hospital, "Average length of stay by ward")
    gold = "SELECT ward, AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions GROUP BY 1"
    assert dict(map(tuple, answer.notes["result"]["rows"])) == pytest.approx(dict(query(path_of(hospital), gold)))


# --- period over period ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "table", "column", "value", "named"),
    [
        ("retail", "Compare revenue last month with the month before", "orders", "order_date", "SUM(total_amount)", ""),
        (
            "hospital",
            "How many appointments were there last month compared with the month before?",
            "appointments",
            "scheduled_at",
            "COUNT(*)",
            "",
        ),
        (
            "saas",
            "compare api calls last month vs the previous month",
            "usage_records",
            "usage_month",
            "SUM(api_calls)",
            "",
        ),
    ],
)
async def test_a_month_against_the_month_before(request, which, question, table, column, value, named) -> None:
    db = _db(request, which)
    answer = await ask(db, question)

    def month(start: str, end: str) -> float:
        sql = f"SELECT COALESCE({value}, 0) FROM {table} WHERE {column} >= {start} AND {column} < {end}"
        return float(one(path_of(db), sql))

    current = month(LAST_MONTH, THIS_MONTH)
    previous = month("date('2026-06-15', 'start of month', '-2 months')", LAST_MONTH)
    row = answer.notes["result"]["rows"][0]
    assert row == pytest.approx([current, previous, current - previous, 100 * (current - previous) / previous])
    assert "in May 2026 (last month)" in answer.text and "in April 2026 (the month before)" in answer.text
    assert f"{100 * (current - previous) / previous:+.1f}%" in answer.text


async def test_explicit_periods_and_like_for_like_to_date(retail, retail_path) -> None:
    answer = await ask(retail, "How did the number of orders in Q1 2026 compare with Q1 2025?")
    gold = "SELECT COUNT(*) FROM orders WHERE order_date >= ? AND order_date < ?"
    assert answer.notes["result"]["rows"][0][:2] == [
        one(retail_path, gold, "2026-01-01", "2026-04-01"),
        one(retail_path, gold, "2025-01-01", "2025-04-01"),
    ]
    # this year runs to today (2026-06-15): compared with the same days of last year, not all of it
    answer = await ask(retail, "compare revenue this year vs last year")
    gold = "SELECT SUM(total_amount) FROM orders WHERE order_date >= ? AND order_date < ?"
    assert answer.notes["result"]["rows"][0][:2] == pytest.approx(
        [one(retail_path, gold, "2026-01-01", "2026-06-16"), one(retail_path, gold, "2025-01-01", "2025-06-16")]
    )
    assert "from 2025-01-01 to 2025-06-15 (the same days of 2025)" in answer.text


@pytest.mark.parametrize(
    ("which", "question", "table", "column", "value"),
    [
        ("retail", "revenue growth by quarter", "orders", "order_date", "SUM(total_amount)"),
        ("hospital", "Admission growth by quarter", "admissions", "admitted_on", "COUNT(*)"),
    ],
)
async def test_growth_series(request, which, question, table, column, value) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    quarter = f"strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)"
    gold = query(path_of(db), f"SELECT {quarter} AS k, {value} FROM {table} GROUP BY k ORDER BY k")
    rows = answer.notes["result"]["rows"]
    assert [r[0] for r in rows] == [g[0] for g in gold]
    assert [r[1] for r in rows] == pytest.approx([g[1] for g in gold])
    assert rows[0][2] is None
    for i in range(1, len(gold)):
        assert rows[i][2] == pytest.approx(100 * (gold[i][1] - gold[i - 1][1]) / gold[i - 1][1])
    assert "% change on the quarter before" in answer.text


# --- shares -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "gold", "stated"),
    [
        (
            "retail",
            "What share of revenue comes from corporate customers?",
            "SELECT 100.0 * SUM(CASE WHEN c.segment = 'corporate' THEN o.total_amount ELSE 0 END) "
            "/ SUM(o.total_amount) FROM orders o JOIN customers c ON c.id = o.customer_id",
            "divided by the total amount of all of them",
        ),
        (
            "retail",
            "what percentage of orders are over 500?",
            "SELECT 100.0 * SUM(total_amount > 500) / COUNT(*) FROM orders",
            "total amount > 500",
        ),
        (
            "hospital",
            "What percentage of appointments were no-shows?",
            "SELECT 100.0 * SUM(status = 'no-show') / COUNT(*) FROM appointments",
            "counted against all of them",
        ),
        (
            "saas",
            "What share of subscriptions are on the Enterprise plan?",
            "SELECT 100.0 * SUM(p.name = 'Enterprise') / COUNT(*) "
            "FROM subscriptions s JOIN plans p ON p.id = s.plan_id",
            "'Enterprise'",
        ),
    ],
)
async def test_shares_with_a_condition(request, which, question, gold, stated) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    assert answer.value == pytest.approx(one(path_of(db), gold)), answer.sql
    assert stated in answer.text and "%" in answer.text


# --- "per X" averages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "counted", "per"),
    [
        ("retail", "What is the average number of orders per customer?", "orders", "customers"),
        ("hospital", "Average number of appointments per patient", "appointments", "patients"),
        ("saas", "Average number of incidents per company", "incidents", "companies"),
    ],
)
async def test_per_x_averages_of_counts(request, which, question, counted, per) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    rows = one(path_of(db), f"SELECT COUNT(*) FROM {per}")
    assert answer.value == pytest.approx(one(path_of(db), f"SELECT COUNT(*) FROM {counted}") / rows)
    assert f"averaged over all {rows:,} {per}, those with none counting as 0" in answer.text


# --- HAVING -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "gold"),
    [
        (
            "retail",
            "How many customers ordered more than 10 times?",
            "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) > 10)",
        ),
        (
            "hospital",
            "How many patients were admitted more than twice?",
            "SELECT COUNT(*) FROM (SELECT patient_id FROM admissions GROUP BY patient_id HAVING COUNT(*) > 2)",
        ),
        (
            "saas",
            "How many companies have at least 4 incidents?",
            "SELECT COUNT(*) FROM (SELECT company_id FROM incidents GROUP BY company_id HAVING COUNT(*) >= 4)",
        ),
    ],
)
async def test_counts_of_rows_with_more_than_n_related_rows(request, which, question, gold) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    assert answer.value == one(path_of(db), gold), answer.sql


async def test_rows_with_more_than_n_related_rows(retail, hospital) -> None:
    answer = await ask(hospital, "Which doctors have more than 200 appointments?")
    gold = (
        "SELECT d.full_name FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "GROUP BY d.id HAVING COUNT(*) > 200"
    )
    names = answer.tables[0]["headers"].index("full_name")
    assert sorted(r[names] for r in answer.tables[0]["rows"]) == sorted(r[0] for r in query(path_of(hospital), gold))
    assert "more than 200 appointments" in answer.text
    answer = await ask(retail, "customers who ordered more than twice in 2025")
    gold = (
        "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE order_date >= '2025-01-01' "
        "AND order_date < '2026-01-01' GROUP BY customer_id HAVING COUNT(*) > 2)"
    )
    assert answer.value == one(path_of(retail), gold)
    assert "more than 2 orders (order date in 2025)" in answer.text


# --- synonyms from rules and memories -------------------------------------------------------------------


async def test_a_rule_names_a_table(retail, retail_path) -> None:
    assert (await ask(retail, "How many sales reps work in Europe?")).declined  # no hard-coded synonyms
    answer = await ask(retail, "How many sales reps work in Europe?", rules=["Sales reps are the employees table."])
    gold = "SELECT COUNT(*) FROM employees e JOIN regions r ON r.id = e.region_id WHERE r.name = 'Europe'"
    assert answer.value == one(retail_path, gold)
    assert "“sales reps” read as the employees table" in answer.text


async def test_a_memory_names_a_table_and_a_rule_names_a_value(hospital, saas) -> None:
    answer = await ask(hospital, "how many physicians are there", memories=["Physicians are the doctors table"])
    assert answer.value == one(path_of(hospital), "SELECT COUNT(*) FROM doctors")
    answer = await ask(saas, "how many lapsed subscriptions are there", rules=["Lapsed means churned."])
    assert answer.value == one(path_of(saas), "SELECT COUNT(*) FROM subscriptions WHERE status = 'churned'")
    assert "“lapsed” read as status 'churned'" in answer.text
    ignored = await ask(saas, "how many lapsed subscriptions are there", rules=["Lapsed means something vague."])
    assert ignored.declined and "lapsed" in ignored.notes["unmapped_terms"]


async def test_the_related_rows_counted_can_be_narrowed(saas, retail) -> None:
    answer = await ask(saas, "Which companies have more than 2 sev1 incidents?")
    gold = (
        "SELECT c.name FROM incidents i JOIN companies c ON c.id = i.company_id WHERE i.severity = 'sev1' "
        "GROUP BY c.id HAVING COUNT(*) > 2"
    )
    names = answer.tables[0]["headers"].index("name")
    assert sorted(r[names] for r in answer.tables[0]["rows"]) == sorted(r[0] for r in query(path_of(saas), gold))
    answer = await ask(retail, "how many customers have more than 1 urgent ticket")
    gold = (
        "SELECT COUNT(*) FROM (SELECT customer_id FROM support_tickets WHERE priority = 'urgent' "
        "GROUP BY customer_id HAVING COUNT(*) > 1)"
    )
    assert answer.value == one(path_of(retail), gold)


@pytest.mark.parametrize(
    ("which", "question", "gold"),
    [
        ("saas", "how many unresolved incidents are there", "SELECT COUNT(*) FROM incidents WHERE resolved_at IS NULL"),
        (
            "hospital",
            "how many undischarged admissions are there",
            "SELECT COUNT(*) FROM admissions WHERE discharged_on IS NULL",
        ),
        (
            "saas",
            "What percentage of incidents are still unresolved?",
            "SELECT 100.0 * SUM(resolved_at IS NULL) / COUNT(*) FROM incidents",
        ),
    ],
)
async def test_un_words_negate_the_column_they_name(request, which, question, gold) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    assert answer.value == pytest.approx(one(path_of(db), gold)), answer.sql


# --- sorted listings are listings, not sums -------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "question", "gold"),
    [
        (
            "retail",
            "List all products in the Electronics category sorted by price",
            "SELECT p.name FROM products p JOIN product_categories c ON c.id = p.category_id "
            "WHERE c.name = 'Electronics' ORDER BY p.unit_price, p.id",
        ),
        (
            "hospital",
            "list doctors sorted by salary descending",
            "SELECT full_name FROM doctors ORDER BY salary DESC, id DESC",
        ),
        ("saas", "show the plans ordered by daily limit", "SELECT name FROM plans ORDER BY daily_limit, id"),
    ],
)
async def test_a_sorted_listing(request, which, question, gold) -> None:
    db = _db(request, which)
    answer = await ask(db, question)
    table = answer.tables[0]
    label = table["headers"].index("full_name" if "full_name" in table["headers"] else "name")
    assert [r[label] for r in table["rows"]] == [r[0] for r in query(path_of(db), gold)], answer.sql
    assert "sorted by" in answer.text
