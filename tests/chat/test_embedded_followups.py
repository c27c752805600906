"""Follow-up questions on the embedded engine: each turn is answered with only what the stored history
holds (the metadata every earlier answer kept, through a JSON round trip as the store does), its figures
are checked against independent SQL, and a follow-up that cannot be read one way is declined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from services.chat.engines.base import Database, HistoryTurn
from services.chat.engines.embedded.engine import EmbeddedEngine, _compile
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Having, Measure, Spec
from services.chat.engines.embedded.spec_codec import from_json, storable, to_json
from tests.chat.engine_helpers import TODAY, Answer, ask, path_of, query

QUARTER = "strftime('%Y', {col}) || '-Q' || ((CAST(strftime('%m', {col}) AS INTEGER) + 2) / 3)"


@dataclass
class Chat:
    """One chat with the engine: every turn sees the history as the store would give it back."""

    db: Database
    history: list[HistoryTurn] = field(default_factory=list)

    async def ask(self, question: str) -> Answer:
        answer = await ask(self.db, question, history=self.history)  # a fresh engine each turn: no state kept
        stored = json.loads(json.dumps(answer.notes))  # what the message store keeps and gives back
        self.history += [HistoryTurn("user", question, {}), HistoryTurn("assistant", answer.text, stored)]
        return answer


def rows(answer: Answer) -> set[tuple]:
    return {tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in answer.notes["result"]["rows"]}


def gold(path: Path, sql: str) -> set[tuple]:
    return {tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in query(path, sql)}


def followed(answer: Answer) -> None:
    assert not answer.declined, answer.text
    assert answer.notes.get("followup_of"), answer.notes
    assert "following your previous question" in answer.text.split("\n\n")[0]
    assert "interpretation" in answer.notes  # the edited reading is the context of the next turn


def declined(answer: Answer, *words: str) -> None:
    assert answer.declined, answer.text
    assert answer.sql is None and not answer.charts and not answer.tables
    assert "interpretation" not in answer.notes
    for w in words:
        assert w in answer.notes["unmapped_terms"] or w in answer.text, (w, answer.text)


# --- the demo sequence of the issue, on the demo retail database ------------------------------------

SALES = (
    "SELECT {groups}, SUM(o.total_amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
    "JOIN regions r ON r.id = c.region_id WHERE o.order_date >= '{y}-01-01' AND o.order_date < '{y1}-01-01' "
    "{extra} GROUP BY {groups}"
)


def sales(path: Path, groups: str, year: int, extra: str = "") -> set[tuple]:
    return gold(path, SALES.format(groups=groups, y=year, y1=year + 1, extra=extra))


async def test_the_demo_sequence_is_answered_right_turn_by_turn(retail) -> None:
    path = path_of(retail)
    chat = Chat(retail)
    quarter = QUARTER.format(col="o.order_date")

    first = await chat.ask("Total sales by region in 2025")
    assert rows(first) == sales(path, "r.name", 2025) and "followup_of" not in first.notes

    by_quarter = await chat.ask("and by quarter?")
    followed(by_quarter)
    got = {(q, region, v) for q, region, v in rows(by_quarter)}
    assert got == sales(path, f"{quarter}, r.name", 2025) and len(got) > 4

    europe = await chat.ask("only Europe")
    followed(europe)
    assert rows(europe) == sales(path, quarter, 2025, "AND r.name = 'Europe'")  # one row per quarter: no region
    assert "Europe" in europe.text.split("\n\n")[0] and "2025" in europe.text.split("\n\n")[0]

    pie = await chat.ask("show that as a pie chart")
    followed(pie)
    assert rows(pie) == rows(europe)
    (chart,) = pie.charts
    assert chart["chart_type"] == "pie" and len(chart["data"]["values"]) == len(rows(europe))

    earlier = await chat.ask("what about 2024?")
    followed(earlier)
    assert rows(earlier) == sales(path, quarter, 2024, "AND r.name = 'Europe'")
    assert earlier.charts and earlier.charts[0]["chart_type"] == "pie"  # the presentation carries on


async def test_a_question_that_stands_alone_ignores_the_previous_one(retail) -> None:
    chat = Chat(retail)
    await chat.ask("How many customers are there by region?")
    europe = await chat.ask("only Europe")
    followed(europe)
    assert (
        europe.value
        == query(
            path_of(retail),
            "SELECT COUNT(*) FROM customers c JOIN regions r ON r.id = c.region_id WHERE r.name='Europe'",
        )[0][0]
    )
    alone = await chat.ask("How many customers are there?")
    assert alone.value == query(path_of(retail), "SELECT COUNT(*) FROM customers")[0][0]  # no carried filter
    assert "followup_of" not in alone.notes
    await chat.ask("only Europe")
    whole = await chat.ask("For each region, what are the total sales?")  # opens with "for", reads whole
    assert "followup_of" not in whole.notes
    assert rows(whole) == gold(
        path_of(retail),
        "SELECT r.name, SUM(o.total_amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "JOIN regions r ON r.id = c.region_id GROUP BY r.name",
    )


async def test_their_new_measure_keeps_the_filters_and_regrouping_replaces_a_filter(retail) -> None:
    path = path_of(retail)
    chat = Chat(retail)
    await chat.ask("How many customers are there by region?")
    await chat.ask("only Europe")
    spend = await chat.ask("what is their total order value?")
    followed(spend)
    europe_orders = (
        "FROM orders o JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.id = c.region_id "
        "WHERE r.name = 'Europe'"
    )
    assert spend.value == pytest.approx(query(path, f"SELECT SUM(o.total_amount) {europe_orders}")[0][0])
    count = await chat.ask("and how many orders?")
    followed(count)
    assert count.value == query(path, f"SELECT COUNT(*) {europe_orders}")[0][0]
    by_region = await Chat(retail, list(chat.history[:6])).ask("by region instead")
    followed(by_region)  # grouping by the filtered column asks for every region again
    assert len(rows(by_region)) == query(path, "SELECT COUNT(*) FROM regions")[0][0]


async def test_a_follow_up_answers_what_the_whole_question_answers(retail, hospital) -> None:
    """ "by region" then "and by quarter?" is "by region and quarter" (either order) asked at once."""
    chat = Chat(retail)
    await chat.ask("Total sales by region in 2025")
    follow = await chat.ask("and by quarter?")
    for whole in ("Total sales by region and quarter in 2025", "Total sales by quarter and region in 2025"):
        alone = await Chat(retail).ask(whole)
        assert rows(alone) == rows(follow), whole
    visits = Chat(hospital)
    await visits.ask("How many appointments were there in 2025 by status?")
    monthly = await visits.ask("and by month?")
    followed(monthly)
    assert rows(monthly) == rows(await Chat(hospital).ask("How many appointments by status and month in 2025?"))


async def test_for_a_named_value_of_a_table_is_a_filter_on_the_previous_answer(retail, saas) -> None:
    """ "for the Growth plan" names a row to keep, not plans to count: it follows on."""
    plans = Chat(saas)
    await plans.ask("Number of subscriptions by status")
    growth = await plans.ask("for the Growth plan")
    followed(growth)
    alone = await Chat(saas).ask("Number of subscriptions by status on the Growth plan")
    assert (
        rows(growth)
        == rows(alone)
        == gold(
            path_of(saas),
            "SELECT s.status, COUNT(*) FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
            "WHERE p.name = 'Growth' GROUP BY s.status",
        )
    )
    orders = Chat(retail)
    await orders.ask("How many orders by status?")
    europe = await orders.ask("for the Europe region")
    followed(europe)
    assert rows(europe) == rows(await Chat(retail).ask("How many orders by status in the Europe region?"))


async def test_the_total_number_of_an_integer_column_is_its_sum(saas, hospital) -> None:
    seats = await Chat(saas).ask("What is the total number of seats of active subscriptions?")
    assert rows(seats) == gold(path_of(saas), "SELECT SUM(seats) FROM subscriptions WHERE status = 'active'")
    refills = await Chat(hospital).ask("What is the total number of refills?")
    assert rows(refills) == gold(path_of(hospital), "SELECT SUM(refills) FROM prescriptions")
    # a follow-up with "their" sums it over the previous answer's rows
    chat = Chat(saas)
    await chat.ask("How many active subscriptions are on the Scale plan?")
    theirs = await chat.ask("what is their total number of seats?")
    followed(theirs)
    assert rows(theirs) == gold(
        path_of(saas),
        "SELECT SUM(s.seats) FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
        "WHERE s.status = 'active' AND p.name = 'Scale'",
    )


# --- the hospital database ------------------------------------------------------------------------


async def test_a_chain_of_filters_dates_groups_charts_and_measures_on_the_hospital_database(hospital) -> None:
    path = path_of(hospital)
    chat = Chat(hospital)
    a = "FROM appointments WHERE scheduled_at >= '{y}-01-01' AND scheduled_at < '{y1}-01-01' {extra}"

    def appts(select: str, year: int, extra: str = "", group: str = "") -> set[tuple]:
        sql = f"SELECT {select} " + a.format(y=year, y1=year + 1, extra=extra) + (f" GROUP BY {group}" if group else "")
        return gold(path, sql)

    first = await chat.ask("How many appointments were there in 2025 by status?")
    assert rows(first) == appts("status, COUNT(*)", 2025, group="status")

    done = await chat.ask("just the completed ones")
    followed(done)
    assert rows(done) == appts("COUNT(*)", 2025, "AND status = 'completed'")

    earlier = await chat.ask("what about 2024?")
    followed(earlier)
    assert rows(earlier) == appts("COUNT(*)", 2024, "AND status = 'completed'")

    month = "strftime('%Y-%m', scheduled_at)"
    monthly = await chat.ask("by month")
    followed(monthly)
    assert rows(monthly) == appts(f"{month}, COUNT(*)", 2024, "AND status = 'completed'", month)

    line = await chat.ask("show it as a line chart")
    followed(line)
    assert line.charts[0]["chart_type"] == "line" and rows(line) == rows(monthly)

    fees = await chat.ask("what is their total fee?")
    followed(fees)
    assert rows(fees) == appts(f"{month}, SUM(fee)", 2024, "AND status = 'completed'", month)

    average = await chat.ask("and the average?")
    followed(average)
    assert rows(average) == appts(f"{month}, AVG(fee)", 2024, "AND status = 'completed'", month)

    by_type = await chat.ask("by visit type instead")
    followed(by_type)
    assert rows(by_type) == appts("visit_type, AVG(fee)", 2024, "AND status = 'completed'", "visit_type")

    top = await chat.ask("top 2 only")
    followed(top)
    best = sorted(rows(by_type), key=lambda r: -r[1])[:2]
    got = [(label, round(value, 6)) for label, value in top.notes["result"]["rows"]]
    assert got == best  # the two highest, in order
    table = await chat.ask("as a table")
    followed(table)
    assert not table.charts and table.tables


# --- the SaaS database ----------------------------------------------------------------------------


async def test_a_chain_with_pronouns_and_what_about_on_the_saas_database(saas) -> None:
    path = path_of(saas)
    chat = Chat(saas)
    first = await chat.ask("How many companies are there by industry?")
    assert rows(first) == gold(path, "SELECT industry, COUNT(*) FROM companies GROUP BY industry")

    germany = await chat.ask("only those in Germany")
    followed(germany)
    assert rows(germany) == gold(
        path, "SELECT industry, COUNT(*) FROM companies WHERE country = 'Germany' GROUP BY industry"
    )

    budget = await chat.ask("what is their total yearly budget?")
    followed(budget)
    assert rows(budget) == gold(
        path, "SELECT industry, SUM(yearly_budget) FROM companies WHERE country = 'Germany' GROUP BY industry"
    )

    average = await chat.ask("and the average?")
    followed(average)
    assert rows(average) == gold(
        path, "SELECT industry, AVG(yearly_budget) FROM companies WHERE country = 'Germany' GROUP BY industry"
    )

    fintech = await chat.ask("what about fintech?")
    followed(fintech)
    assert rows(fintech) == gold(
        path, "SELECT AVG(yearly_budget) FROM companies WHERE country = 'Germany' AND industry = 'fintech'"
    )

    incidents = Chat(saas)
    await incidents.ask("how many incidents were reported in 2025 by severity")
    narrowed = await incidents.ask("only sev1 in the mobile app")
    followed(narrowed)
    where = "reported_at >= '2025-01-01' AND reported_at < '2026-01-01' AND severity = 'sev1'"
    assert (
        narrowed.value
        == query(path, f"SELECT COUNT(*) FROM incidents WHERE {where} AND component = 'mobile app'")[0][0]
    )
    other = await incidents.ask("what about the billing component")
    followed(other)
    assert other.value == query(path, f"SELECT COUNT(*) FROM incidents WHERE {where} AND component = 'billing'")[0][0]


async def test_their_total_of_a_referenced_tables_amount_counts_it_once_per_row(saas) -> None:
    path = path_of(saas)
    chat = Chat(saas)
    joined = "FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.status = 'active'"
    first = await chat.ask("How many active subscriptions are on the Enterprise plan?")
    assert first.value == query(path, f"SELECT COUNT(*) {joined} AND p.name = 'Enterprise'")[0][0]
    fees = await chat.ask("what is their total monthly fee?")  # the plan's fee, once per subscription
    followed(fees)
    assert fees.value == query(path, f"SELECT SUM(p.monthly_fee) {joined} AND p.name = 'Enterprise'")[0][0]
    growth = await chat.ask("what about the Growth plan?")
    followed(growth)
    assert growth.value == query(path, f"SELECT SUM(p.monthly_fee) {joined} AND p.name = 'Growth'")[0][0]
    seats = await chat.ask("and the total seats?")
    followed(seats)
    assert seats.value == query(path, f"SELECT SUM(s.seats) {joined} AND p.name = 'Growth'")[0][0]


async def test_they_and_a_bare_column_follow_on_with_the_previous_aggregate(retail, saas) -> None:
    chat = Chat(retail)
    await chat.ask("How many small business customers are there?")
    orders = await chat.ask("how many orders did they place?")
    followed(orders)
    assert (
        orders.value
        == query(
            path_of(retail),
            "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.segment = 'small business'",
        )[0][0]
    )
    usage = Chat(saas)
    await usage.ask("Average api calls per month in 2026")
    storage = await usage.ask("what about storage?")
    followed(storage)
    assert rows(storage) == gold(
        path_of(saas),
        "SELECT strftime('%Y-%m', usage_month), AVG(storage_gb) FROM usage_records "
        "WHERE usage_month >= '2026-01-01' AND usage_month < '2027-01-01' GROUP BY 1",
    )


# --- declines -------------------------------------------------------------------------------------


async def test_a_follow_up_with_a_word_that_maps_to_nothing_is_declined(retail, saas) -> None:
    chat = Chat(retail)
    await chat.ask("How many customers are there by region?")
    declined(await chat.ask("only the purple ones"), "purple")
    declined(await chat.ask("what is the average age?"), "age")
    other = Chat(saas)
    await other.ask("How many companies are there by industry?")
    declined(await other.ask("only the haunted ones"), "haunted")


async def test_a_follow_up_that_reads_two_ways_is_declined(retail) -> None:
    chat = Chat(retail)
    await chat.ask("How many customers are there by region?")
    answer = await chat.ask("just the pending ones")  # orders and support tickets both have that status
    declined(answer, "pending")
    assert "orders.status" in answer.text and "support_tickets.status" in answer.text
    # a value of a column of the previous answer's own table is no ambiguity: that column
    orders = Chat(retail)
    await orders.ask("How many orders were placed in 2025?")
    pending = await orders.ask("just the pending ones")
    followed(pending)
    assert (
        pending.value
        == query(
            path_of(retail),
            "SELECT COUNT(*) FROM orders WHERE status = 'pending' AND order_date >= '2025-01-01' "
            "AND order_date < '2026-01-01'",
        )[0][0]
    )


async def test_a_value_of_two_tables_the_previous_answer_does_not_name_is_declined(saas) -> None:
    chat = Chat(saas)
    await chat.ask("How many invoices were issued in 2026?")
    declined(await chat.ask("only Singapore"), "singapore")  # a country of companies, an office of managers
    by_status = await chat.ask("by status")  # the declined turn changed nothing
    followed(by_status)
    assert rows(by_status) == gold(
        path_of(saas),
        "SELECT status, COUNT(*) FROM invoices WHERE issued_on >= '2026-01-01' AND issued_on < '2027-01-01' "
        "GROUP BY status",
    )


async def test_a_follow_up_with_no_previous_answer_is_declined(retail, hospital) -> None:
    for db, question in [(retail, "and by quarter?"), (retail, "only Europe"), (hospital, "show that as a pie chart")]:
        declined(await Chat(db).ask(question))
    chat = Chat(retail)
    declined(await chat.ask("what is the weather in Lisbon?"))
    declined(await chat.ask("what about 2024?"))  # the previous turn was declined: nothing to follow


async def test_a_declined_follow_up_leaves_the_context_to_the_next_one(retail) -> None:
    path = path_of(retail)
    chat = Chat(retail)
    await chat.ask("Total sales by region in 2025")
    declined(await chat.ask("only Europa"), "europa")
    europe = await chat.ask("only Europe")
    followed(europe)
    assert europe.value == pytest.approx(next(iter(sales(path, "r.name", 2025, "AND r.name = 'Europe'")))[1])


async def test_an_interpretation_that_no_longer_fits_the_schema_is_no_context(retail) -> None:
    chat = Chat(retail)
    await chat.ask("Total sales by region in 2025")
    stored = chat.history[-1].metadata["interpretation"]
    stale = json.loads(json.dumps(stored).replace('"regions"', '"territories"'))
    history = [chat.history[0], HistoryTurn("assistant", "…", {**chat.history[-1].metadata, "interpretation": stale})]
    declined(await Chat(retail, history).ask("and by quarter?"))


# --- the stored interpretation --------------------------------------------------------------------

ROUND_TRIP = {
    "retail": [
        "Total sales by region in 2025",
        "compare revenue this month with the same month last year",
        "revenue growth by quarter",
        "customers who ordered more than twice in 2025",
        "average number of orders per customer",
        "How many customers haven't placed any orders?",
        "what percentage of tickets are urgent",
        "What's the average ticket resolution time?",
        "top 5 products by revenue as a pie chart",
        "the 3 most expensive products",
        "Count the orders over $1,000 since March 2025",
        "orders by status and channel",
    ],
    "hospital": ["average fee by visit type", "how many admissions were not discharged yet", "patients by city"],
    "saas": ["total amount of invoices per month in 2025", "how many subscriptions are active or trialing"],
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
async def test_the_stored_interpretation_round_trips_every_field(name, request) -> None:
    db: Database = request.getfixturevalue(name)
    engine = EmbeddedEngine()
    schema = await engine.schema(db)
    parser = _compile(db.url, schema).parser
    for question in ROUND_TRIP[name]:
        spec = parser.parse(question, TODAY)
        assert isinstance(spec, Spec), (question, spec)
        stored = json.loads(json.dumps(to_json(spec)))
        assert from_json(stored, schema) == spec, question


async def test_a_malformed_or_foreign_interpretation_decodes_to_nothing(retail) -> None:
    schema = await EmbeddedEngine().schema(retail)
    spec = _compile(retail.url, schema).parser.parse("Total sales by region in 2025", TODAY)
    assert isinstance(spec, Spec)
    good = to_json(spec)
    assert from_json(good, schema) == spec
    for bad in [
        None,
        "text",
        {**good, "version": 999},
        {**good, "entity": "nowhere"},
        {**good, "filters": [{"column": ["orders", "no_such_column"], "op": "=", "value": 1, "value2": None}]},
        {**good, "date_range": {"start": "not a date", "end": None, "label": ""}},
        {**good, "limit": "ten"},
    ]:
        assert from_json(bad, schema) is None, bad


async def test_every_field_survives_the_round_trip(retail) -> None:
    """A Spec with every field set away from its default, dates in filter values included."""
    orders, date_col = "orders", ColRef("orders", "order_date")
    year = DateRange(date(2025, 1, 1), date(2026, 1, 1), "in 2025")
    spec = Spec(
        kind="aggregate",
        entity=orders,
        measures=[
            Measure(
                "percent",
                column=ColRef(orders, "total_amount"),
                entity=orders,
                expr="duration",
                expr_columns=(date_col, ColRef(orders, "order_date")),
                condition=[Filter(ColRef(orders, "status"), "in", ["shipped", "delivered"])],
                label="share",
                unit="hour",
            )
        ],
        groups=[Group("time", column=date_col, unit="quarter"), Group("entity", table="customers")],
        filters=[
            Filter(date_col, "between", date(2025, 1, 1), date(2025, 3, 1)),
            Filter(ColRef(orders, "total_amount"), ">", 10.5),
            Filter(ColRef(orders, "channel"), "null"),
        ],
        date_column=date_col,
        date_range=year,
        order_by="column",
        order_column=ColRef(orders, "total_amount"),
        descending=False,
        limit=7,
        chart_type="pie",
        chart_wanted=True,
        ranking=True,
        exists=[("order_items", True)],
        per_entity="customers",
        rows_of="order_items",
        compare=DateRange(date(2024, 1, 1), None, "from 2024-01-01 on"),
        growth=True,
        having=[
            Having("order_items", ">", 2, "orders", [Filter(ColRef("order_items", "quantity"), ">=", 3)], None, year)
        ],
        readings=["“reps” read as the employees table"],
    )
    schema = await EmbeddedEngine().schema(retail)
    assert from_json(json.loads(json.dumps(to_json(spec))), schema) == spec


def test_a_value_with_no_json_form_stores_no_context() -> None:
    spec = Spec(kind="aggregate", entity="t", filters=[Filter(ColRef("t", "c"), "=", object())])
    assert storable(spec) is None
    spec.filters[0].value = date(2025, 1, 31)
    assert json.loads(json.dumps(storable(spec)))["filters"][0]["value"] == {"date": "2025-01-31"}
