"""The embedded engine's SQL on every dialect it writes for (SQLite, PostgreSQL, MySQL/MariaDB), run
on the real databases through the query runner, as the engine runs it: time buckets carry the same
labels everywhere (ISO 8601 weeks included, across New Year), and string literals holding quotes and
backslashes select exactly the rows that hold those strings; durations, period comparisons and growth
series compute the same figures everywhere."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from services.chat.engines.embedded.joins import JoinGraph
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Measure, Spec
from services.chat.engines.embedded.sql_builder import SqlBuilder
from services.chat.engines.embedded.sql_dialect import literal
from services.chat.engines.schema import Column, Schema, Table, column_kind
from services.chat.sql import runner as sql_runner
from services.common.database import normalise_url
from tests.chat.test_sql_runner_mysql import MYSQL_URL
from tests.conftest import _drop_pg_database, _fresh_pg_database, _unavailable

# Around New Year the ISO year differs from the calendar year: 2021-01-03 is in 2020-W53,
# 2024-12-30 in 2025-W01, 2018-12-31 in 2019-W01, 2016-01-03 in 2015-W53.
DATES = [
    date(2020, 12, 28),
    date(2020, 12, 31),
    date(2021, 1, 1),
    date(2021, 1, 3),
    date(2021, 1, 4),
    date(2021, 1, 10),
    date(2024, 12, 29),
    date(2024, 12, 30),
    date(2025, 1, 1),
    date(2025, 1, 5),
    date(2025, 1, 6),
    date(2018, 12, 31),
    date(2016, 1, 3),
    date(2026, 12, 31),
    date(2027, 1, 1),
]
STRINGS = [
    "plain",
    "it's",
    "it\\'s",
    "ends with a backslash\\",
    "\\",
    "\\\\",
    "two \\\\ backslashes and a quote '",
    "back\\nslash n, \\t tab, \\0 zero",
    "'",
    "''",
    "'; SELECT 1 --",
    "100\\% off_\\_",
    'double "quotes"',
    "naïve",
]
# Column types per dialect: a native date, a native timestamp, a date stored as text; a text column.
TYPES = {
    "sqlite": ("DATE", "TIMESTAMP", "TEXT", "TEXT"),
    "postgresql": ("DATE", "TIMESTAMP", "TEXT", "TEXT"),
    "mysql": ("DATE", "DATETIME", "VARCHAR(32)", "VARCHAR(100) CHARACTER SET utf8mb4"),
}
TIME_COLUMNS = ("on_day", "at_time", "as_text")


@dataclass
class Db:
    dialect: str
    url: str
    events: str  # table names (unique per run: MySQL tests share the `test` database)
    strings: str
    builder: SqlBuilder


def _create(url: str, dialect: str, events: str, strings: str) -> SqlBuilder:
    day, stamp, day_text, label = TYPES[dialect]
    evening = time(23, 30)
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            columns = f"id INTEGER PRIMARY KEY, on_day {day}, at_time {stamp}, as_text {day_text}"
            conn.execute(text(f"CREATE TABLE {events} ({columns})"))
            conn.execute(
                text(f"INSERT INTO {events} VALUES (:id, :on_day, :at_time, :as_text)"),
                [
                    # late in the evening, so a timestamp's time of day cannot move it to another day
                    {"id": i, "on_day": d, "at_time": datetime.combine(d, evening), "as_text": d.isoformat()}
                    for i, d in enumerate(DATES, 1)
                ],
            )
            conn.execute(text(f"CREATE TABLE {strings} (id INTEGER PRIMARY KEY, label {label})"))
            conn.execute(
                text(f"INSERT INTO {strings} VALUES (:id, :label)"),
                [{"id": i, "label": s} for i, s in enumerate(STRINGS, 1)],
            )
    finally:
        engine.dispose()
    declared = {
        events: {"id": "INTEGER", "on_day": day, "at_time": stamp, "as_text": day_text},
        strings: {"id": "INTEGER", "label": label},
    }
    tables = {
        name: Table(name, [Column(c, t, column_kind(t), primary_key=c == "id") for c, t in cols.items()])
        for name, cols in declared.items()
    }
    schema = Schema(dialect=dialect, tables=tables)
    return SqlBuilder(schema, JoinGraph(schema))


def _drop(url: str, *tables: str) -> None:
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    dialect: str = request.param
    suffix = uuid.uuid4().hex[:8]
    events, strings = f"events_{suffix}", f"strings_{suffix}"
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dialects') / 'dialects.db'}"
        yield Db(dialect, url, events, strings, _create(url, dialect, events, strings))
        sql_runner.dispose_engines()
    elif dialect == "postgresql":
        admin = request.getfixturevalue("postgres_server")
        name, url = _fresh_pg_database(admin)
        try:
            yield Db(dialect, url, events, strings, _create(url, dialect, events, strings))
        finally:
            sql_runner.dispose_engines()
            _drop_pg_database(admin, name)
    else:
        probe = create_engine(MYSQL_URL, connect_args={"connect_timeout": 3})
        try:
            probe.connect().close()
        except SQLAlchemyError as exc:
            _unavailable(f"MySQL/MariaDB at {MYSQL_URL}", exc)
        finally:
            probe.dispose()
        try:
            yield Db(dialect, MYSQL_URL, events, strings, _create(MYSQL_URL, dialect, events, strings))
        finally:
            sql_runner.dispose_engines()
            _drop(MYSQL_URL, events, strings)


def _expected_label(d: date, unit: str) -> str:
    if unit == "week":
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "quarter":
        return f"{d.year}-Q{(d.month + 2) // 3}"
    return {"day": d.isoformat(), "month": f"{d:%Y-%m}", "year": f"{d:%Y}"}[unit]


@pytest.mark.parametrize("column", TIME_COLUMNS)
@pytest.mark.parametrize("unit", ["week", "day", "month", "quarter", "year"])
async def test_time_buckets_have_the_same_labels_on_every_dialect(db: Db, unit: str, column: str) -> None:
    spec = Spec(
        kind="aggregate",
        entity=db.events,
        measures=[Measure("count", entity=db.events)],
        groups=[Group("time", column=ColRef(db.events, column), unit=unit)],
    )
    built = db.builder.build(spec)
    result = await sql_runner.run_query(db.url, built.sql)
    counts = {str(label): int(n) for label, n in result.rows}
    assert counts == dict(Counter(_expected_label(d, unit) for d in DATES)), built.sql
    assert [str(r[0]) for r in result.rows] == sorted(counts)  # a time series comes in time order


async def test_iso_weeks_around_new_year(db: Db) -> None:
    spec = Spec(
        kind="aggregate",
        entity=db.events,
        measures=[Measure("count", entity=db.events)],
        groups=[Group("time", column=ColRef(db.events, "on_day"), unit="week")],
    )
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    counts = {str(label): int(n) for label, n in result.rows}
    # Monday 2020-12-28 .. Sunday 2021-01-03 is one week of 2020; Monday 2024-12-30 starts 2025's first
    assert counts["2020-W53"] == 4 and counts["2021-W01"] == 2
    assert counts["2025-W01"] == 3 and counts["2024-W52"] == 1 and counts["2025-W02"] == 1
    assert counts["2019-W01"] == 1 and counts["2015-W53"] == 1 and counts["2026-W53"] == 2


@pytest.mark.parametrize("value", STRINGS)
async def test_a_string_literal_selects_exactly_its_row(db: Db, value: str) -> None:
    column = ColRef(db.strings, "label")
    spec = Spec(kind="rows", entity=db.strings, filters=[Filter(column, "=", value)])
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    assert [list(r) for r in result.rows] == [[STRINGS.index(value) + 1, value]]

    echoed = await sql_runner.run_query(db.url, f"SELECT {literal(value, db.dialect)} AS v")
    assert echoed.rows == [[value]]


async def test_string_lists_and_negations_keep_every_character(db: Db) -> None:
    column = ColRef(db.strings, "label")
    tricky = [s for s in STRINGS if "\\" in s or "'" in s]
    spec = Spec(kind="rows", entity=db.strings, filters=[Filter(column, "in", tricky)])
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    assert sorted(r[1] for r in result.rows) == sorted(tricky)

    spec = Spec(kind="rows", entity=db.strings, filters=[Filter(column, "not in", tricky)])
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    assert sorted(r[1] for r in result.rows) == sorted(set(STRINGS) - set(tricky))

    spec = Spec(kind="rows", entity=db.strings, filters=[Filter(column, "!=", "it\\'s")])
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    assert len(result.rows) == len(STRINGS) - 1


def test_the_sql_each_dialect_gets() -> None:
    assert literal("it\\'s", "mysql") == "'it\\\\''s'"
    assert literal("a\\", "mysql") == "'a\\\\'"
    for dialect in ("sqlite", "postgresql", "duckdb"):
        assert literal("it\\'s", dialect) == "'it\\''s'"
    assert literal(2.5, "mysql") == "2.5" and literal(3.0, "sqlite") == "3" and literal(True, "postgresql") == "TRUE"


# --- durations, period comparisons and growth series ---------------------------------------------


@pytest.mark.parametrize(("unit", "expected"), [("hour", 23.5), ("minute", 1410.0), ("day", 23.5 / 24)])
async def test_a_duration_in_the_unit_asked_on_every_dialect(db: Db, unit: str, expected: float) -> None:
    # every event's timestamp is 23:30 on its day: 23.5 hours after the day began
    days = Measure(
        "avg", expr="duration", expr_columns=(ColRef(db.events, "on_day"), ColRef(db.events, "at_time")), unit=unit
    )
    spec = Spec(kind="aggregate", entity=db.events, measures=[days])
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    assert float(result.rows[0][0]) == pytest.approx(expected)


async def test_two_periods_compared_on_every_dialect(db: Db) -> None:
    day = ColRef(db.events, "on_day")
    spec = Spec(
        kind="aggregate",
        entity=db.events,
        measures=[Measure("count", entity=db.events)],
        date_column=day,
        date_range=DateRange(date(2021, 1, 1), date(2022, 1, 1), "in 2021"),
        compare=DateRange(date(2020, 1, 1), date(2021, 1, 1), "in 2020"),
    )
    built = db.builder.build(spec)
    result = await sql_runner.run_query(db.url, built.sql)
    row = dict(zip(result.columns, result.rows[0], strict=True))
    assert (int(row["current_period"]), int(row["previous_period"]), int(row["change"])) == (4, 2, 2)
    assert float(row["change_pct"]) == pytest.approx(100.0)


async def test_a_growth_series_on_every_dialect(db: Db) -> None:
    spec = Spec(
        kind="aggregate",
        entity=db.events,
        measures=[Measure("count", entity=db.events)],
        groups=[Group("time", column=ColRef(db.events, "as_text"), unit="year")],
        growth=True,
    )
    result = await sql_runner.run_query(db.url, db.builder.build(spec).sql)
    counts = Counter(str(d.year) for d in DATES)
    years = sorted(counts)
    assert [str(r[0]) for r in result.rows] == years
    for i, row in enumerate(result.rows):
        before = counts[years[i - 1]] if i else None
        expected = None if before is None else 100.0 * (counts[years[i]] - before) / before
        assert (row[2] is None) if expected is None else float(row[2]) == pytest.approx(expected)
