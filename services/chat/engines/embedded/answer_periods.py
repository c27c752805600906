"""Answers over periods: two periods compared (both values, the change and the % change, with the
exact dates of each), and a growth series (each period with its % change on the one before)."""

from __future__ import annotations

import dataclasses

from services.chat.engines.embedded.answer_text import MAX_LISTED, conditions, fmt, label_of, measure_text, words
from services.chat.engines.embedded.built import Built
from services.chat.engines.embedded.lexicon import plural
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.periods import describe
from services.chat.engines.embedded.query_spec import Spec
from services.chat.engines.embedded.row_labels import describe_group
from services.chat.engines.embedded.sql_periods import CHANGE, CHANGE_PCT, CURRENT, PREVIOUS
from services.chat.engines.schema import Schema
from services.chat.sql.runner import QueryResult


def _pct(value: object) -> str:
    if not isinstance(value, int | float):
        return "no % change: nothing to compare with"
    return f"{value:+,.1f}%"


def _change(value: object, pct: object) -> str:
    if not isinstance(value, int | float):
        return "no change to compute"
    if value == 0:
        return "unchanged"
    direction = "up" if value > 0 else "down"
    return f"{direction} {fmt(abs(value))} ({_pct(pct)} on the earlier period)"


def _period(r: DateRange) -> str:
    """'in October 2026 (last month)', 'from 2026-11-01 to 2026-11-23 (this month)': the exact dates,
    with how the question named them."""
    if r.start is None or r.end is None:
        return r.label
    named = r.label[r.label.find("(") :] if "(" in r.label else ""
    return f"{describe(r.start, r.end)}{' ' + named if named else ''}"


def comparison_answer(spec: Spec, built: Built, result: QueryResult, schema: Schema) -> str:
    assert spec.date_range is not None and spec.compare is not None and spec.date_column is not None
    m = spec.measures[0]
    what = measure_text(m)
    current, previous = _period(spec.date_range), _period(spec.compare)
    where = conditions(dataclasses.replace(spec, date_range=None), schema)
    scope = f" of {words(spec.entity)} with {where}" if where else ""
    dated = f"by {words(spec.date_column.column)}"
    cols = result.columns
    ci, pi, di, xi = (cols.index(c) for c in (CURRENT, PREVIOUS, CHANGE, CHANGE_PCT))
    if not spec.groups:
        row = result.rows[0]
        return (
            f"{what.capitalize()}{scope}, {dated}: **{fmt(row[ci])}** {current} against **{fmt(row[pi])}** "
            f"{previous}, {_change(row[di], row[xi])}."
        )
    li = [cols.index(c) for c in built.label_columns if c in cols]
    listed = ", ".join(
        f"{label_of(r, li)} {fmt(r[ci])} against {fmt(r[pi])} ({_pct(r[xi])})" for r in result.rows[:MAX_LISTED]
    )
    more = f", and {len(result.rows) - MAX_LISTED} more in the table" if len(result.rows) > MAX_LISTED else ""
    by = " and ".join(describe_group(g) for g in spec.groups)
    return (
        f"{what.capitalize()}{scope} by {by}, {current} against {previous} ({dated}; the % change is measured "
        f"on the earlier period): {listed}{more}."
    )


def growth_answer(spec: Spec, built: Built, result: QueryResult, schema: Schema) -> str:
    m = spec.measures[0]
    unit = next((g.unit for g in spec.groups if g.kind == "time"), "period") or "period"
    where = conditions(spec, schema)
    scope = f" ({words(spec.entity)} with {where})" if where else ""
    cols = result.columns
    li = [cols.index(c) for c in built.label_columns if c in cols]
    vi, xi = cols.index(built.value_columns[0]), cols.index(CHANGE_PCT)
    rows = result.rows
    if not rows:
        return f"There are no {words(spec.entity)}{' with ' + where if where else ''}, so there is no growth to show."
    shown = rows[-2 * MAX_LISTED :]
    listed = ", ".join(
        f"{label_of(r, li)} {fmt(r[vi])}" + (f" ({_pct(r[xi])})" if isinstance(r[xi], int | float) else "")
        for r in shown
    )
    hidden = len(rows) - len(shown)
    earlier = f" ({hidden} earlier {plural(unit) if hidden > 1 else unit} in the table)" if hidden else ""
    return (
        f"{measure_text(m).capitalize()} per {unit}{scope}, each with its % change on the {unit} before (the first "
        f"{unit} has none): {listed}{earlier}. The first and the last {plural(unit)} may hold only part of a {unit} "
        "of data."
    )
