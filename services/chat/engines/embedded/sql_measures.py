"""A measure as a SQL aggregate expression, and the name of its result column.

With `when`, the aggregate only takes the rows that meet that condition (a period of a
period-over-period comparison): COUNT(CASE WHEN … THEN 1 END), SUM(CASE WHEN … THEN x END), …
"""

from __future__ import annotations

import re
from typing import Protocol

from services.chat.engines.embedded.durations import UNIT_DAYS
from services.chat.engines.embedded.lexicon import words_of
from services.chat.engines.embedded.query_spec import ColRef, Filter, Measure
from services.chat.engines.schema import Schema

_FUNCTIONS = {"sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX"}


class Builder(Protocol):
    schema: Schema

    def col(self, ref: ColRef, qualify: bool, aliases: dict[str, str] | None = None) -> str: ...

    def literal(self, value: object) -> str: ...

    def cond(self, f: Filter, qualify: bool, aliases: dict[str, str] | None = None) -> str: ...

    def days_between(self, start: ColRef, end: ColRef, qualify: bool) -> str: ...


def row_value(b: Builder, m: Measure, qualify: bool) -> str:
    """The per-row value a measure aggregates (a column, quantity × price × (1 − discount), a duration)."""
    if m.expr == "line_value":
        qty, price, *rest = m.expr_columns
        inner = f"{b.col(qty, qualify)} * {b.col(price, qualify)}"
        if rest:
            disc = rest[0]
            factor = "100.0" if set(words_of(disc.column)) & {"pct", "percent", "percentage"} else ""
            d = b.col(disc, qualify)
            inner += f" * (1 - {d} / {factor})" if factor else f" * (1 - {d})"
        return inner
    if m.expr == "duration":
        days = b.days_between(m.expr_columns[0], m.expr_columns[1], qualify)
        per_unit = UNIT_DAYS.get(m.unit, 1)
        if per_unit < 1:
            return f"({days}) * {b.literal(round(1 / per_unit))}"
        if per_unit > 1:
            return f"({days}) / {b.literal(per_unit)}"
        return days
    assert m.column is not None
    return b.col(m.column, qualify)


def _only(when: str | None, value: str, otherwise: str = "") -> str:
    if when is None:
        return value
    tail = f" ELSE {otherwise}" if otherwise else ""
    return f"CASE WHEN {when} THEN {value}{tail} END"


def measure_sql(b: Builder, m: Measure, qualify: bool, root: str, when: str | None = None) -> str:
    if m.agg == "count":
        entity = m.entity or root
        pk = b.schema.table(entity).primary_key if entity != root else None
        if pk is None:
            return "COUNT(*)" if when is None else f"COUNT({_only(when, '1')})"
        return f"COUNT(DISTINCT {_only(when, b.col(ColRef(entity, pk), qualify))})"
    if m.agg == "percent":
        cond = " AND ".join(b.cond(f, qualify) for f in m.condition) or "1 = 1"
        if m.column is not None or m.expr is not None:  # the share of a total that comes from some rows
            x = row_value(b, m, qualify)
            part = f"CASE WHEN {cond if when is None else f'{when} AND {cond}'} THEN {x} ELSE 0 END"
            return f"100.0 * SUM({part}) / NULLIF(SUM({_only(when, x, '0')}), 0)"
        if when is None:
            return f"100.0 * SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) / COUNT(*)"
        return (
            f"100.0 * SUM(CASE WHEN {when} AND {cond} THEN 1 ELSE 0 END) / "
            f"NULLIF(SUM(CASE WHEN {when} THEN 1 ELSE 0 END), 0)"
        )
    x = _only(when, row_value(b, m, qualify))
    if m.agg == "count_distinct":
        return f"COUNT(DISTINCT {x})"
    if m.agg == "sum" and when is not None:
        return f"COALESCE(SUM({x}), 0)"  # nothing in a period is a total of 0
    return f"{_FUNCTIONS[m.agg]}({x})"


def measure_alias(m: Measure) -> str:
    if m.agg == "count":
        return "number_of_" + (m.entity or "rows")
    if m.agg == "percent":
        return "percentage" if m.column is None and m.expr is None else "share_pct"
    if m.expr == "line_value":
        base = _slug(m.label) or "sales"
        return base if m.agg == "sum" else f"{m.agg}_{base}"
    if m.expr == "duration":
        prefix = {"avg": "average", "sum": "total", "min": "min", "max": "max"}.get(m.agg, m.agg)
        return f"{prefix}_{m.unit}s"
    assert m.column is not None
    prefix = {"sum": "total", "avg": "average", "min": "min", "max": "max", "count_distinct": "distinct"}[m.agg]
    column = m.column.column
    if prefix == "total" and column.lower().startswith("total"):
        return column
    return f"{prefix}_{column}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
