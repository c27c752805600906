"""Short answer sentences that state the numbers a query produced, and exactly what was filtered."""

from __future__ import annotations

import dataclasses

from services.chat.engines.embedded.built import Built
from services.chat.engines.embedded.lexicon import plural
from services.chat.engines.embedded.query_spec import Filter, Measure, Spec
from services.chat.engines.embedded.row_labels import describe_group, entity_name, label_columns, name_columns
from services.chat.engines.schema import Schema
from services.chat.sql.runner import QueryResult

MAX_LISTED = 8
_COUNT_OPS = {
    ">": "more than",
    ">=": "at least",
    "<": "fewer than",
    "<=": "at most",
    "=": "exactly",
    "!=": "other than",
}


def fmt(value: object) -> str:
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 1:
            return f"{value:,.2f}"
        return f"{value:.3g}"
    return str(value)


def words(name: str) -> str:
    return name.replace("_", " ")


def _quoted(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else fmt(value)


def filter_text(f: Filter, entity: str, schema: Schema | None = None) -> str:
    """A filter as words: "genre 'poetry'", "author nationality 'Chilean'", "publisher 'Penguin'", "pages > 300"."""
    column = words(f.column.column)
    if f.column.table != entity:
        owner = entity_name(f.column.table)
        table = schema.tables.get(f.column.table) if schema is not None else None
        is_name = table is not None and f.column.column in name_columns(table)
        column = owner if is_name else f"{owner} {column}"
    if f.op == "=":
        return f"{column} {_quoted(f.value)}" if isinstance(f.value, str) else f"{column} = {fmt(f.value)}"
    if f.op == "!=":
        return f"{column} other than {_quoted(f.value)}"
    if f.op == "in":
        return f"{column} " + " or ".join(_quoted(v) for v in f.value)
    if f.op == "not in":
        return f"{column} other than " + " or ".join(_quoted(v) for v in f.value)
    if f.op == "between":
        return f"{column} between {fmt(f.value)} and {fmt(f.value2)}"
    if f.op == "null":
        return f"no {column}"
    if f.op == "not null":
        return f"a {column}"
    return f"{column} {f.op} {fmt(f.value)}"


def conditions(spec: Spec, schema: Schema | None = None) -> str:
    """Every filter of the query, phrased to follow "with": "genre 'poetry' and no loans"."""
    parts = [filter_text(f, spec.entity, schema) for f in spec.filters]
    if spec.date_range is not None and spec.date_column is not None:
        parts.append(f"{words(spec.date_column.column)} {spec.date_range.label}")
    for table, negated in spec.exists:
        parts.append(f"{'no' if negated else 'some'} {words(table)}")
    for h in spec.having:
        dated = f" ({words(h.date_column.column)} {h.date_range.label})" if h.date_column and h.date_range else ""
        which = " and ".join(filter_text(f, h.table, schema) for f in h.filters)
        which = f" with {which}" if which else ""
        parts.append(f"{_COUNT_OPS.get(h.op, h.op)} {fmt(h.value)} {words(h.table)}{which}{dated}")
    return " and ".join(parts)


def measure_text(m: Measure) -> str:
    if m.agg == "count":
        return f"number of {words(m.entity or 'rows')}"
    if m.agg == "percent":
        return f"share of {words(m.entity or 'rows')}"
    agg = {"sum": "total", "avg": "average", "min": "minimum", "max": "maximum", "count_distinct": "number of distinct"}
    if m.expr == "line_value":
        cols = " × ".join(words(c.column) for c in m.expr_columns[:2])
        extra = f" × (1 − {words(m.expr_columns[2].column)})" if len(m.expr_columns) > 2 else ""
        return f"{agg[m.agg]} {m.label or 'sales'} ({cols}{extra} of {words(m.expr_columns[0].table)})"
    if m.expr == "duration":
        a, b = m.expr_columns
        return f"{agg[m.agg]} time from {words(a.column)} to {words(b.column)} in {m.unit}s"
    assert m.column is not None
    name = words(m.column.column)
    if m.label and m.label not in (m.column.column, name) and " " not in m.label:
        return f"{agg[m.agg]} {m.label} ({name})"
    if m.agg == "sum" and name.startswith("total"):
        return name
    return f"{agg[m.agg]} {name}"


def scalar_answer(spec: Spec, result: QueryResult, schema: Schema | None = None) -> str:
    m = spec.measures[0]
    value = result.rows[0][0] if result.rows and result.rows[0] else None
    where = conditions(spec, schema)
    entity = words(spec.entity)
    if spec.per_entity:
        per = entity_name(spec.per_entity)
        scope = f" ({entity} with {where})" if where else ""
        inner = measure_text(m).removeprefix("average ").removeprefix("number of ")
        what = f"number of {inner}" if m.agg == "count" else inner
        rows = result.rows[0][1] if result.rows and len(result.rows[0]) > 1 else None
        over = words(spec.per_entity)
        counted = f"{fmt(rows)} {over}" if rows is not None else f"the {over}"
        return (
            f"The average {what} per {per}{scope} is **{fmt(value)}**: the {inner} totalled per {per} and "
            f"averaged over all {counted}, those with none counting as 0."
        )
    if m.agg == "count":
        counted = words(m.entity or spec.entity)
        if not where:
            return f"The **{m.entity or spec.entity}** table has {fmt(value)} rows."
        return f"There are **{fmt(value)}** {counted} with {where}."
    if m.agg == "count_distinct":
        assert m.column is not None
        scope = f" with {where}" if where else ""
        return (
            f"There are **{fmt(value)}** distinct values of {words(m.column.column)} in {words(m.column.table)}{scope}."
        )
    if m.agg == "percent":
        cond = " and ".join(filter_text(f, spec.entity, schema) for f in m.condition)
        scope = f" (of those with {where})" if where else ""
        shown = f"{value:.1f}%" if isinstance(value, int | float) else fmt(value)
        if m.column is not None or m.expr is not None:
            total = measure_text(dataclasses.replace(m, agg="sum"))
            return (
                f"**{shown}** of the {total} of {entity}{scope} comes from {entity} with {cond}: their {total} "
                f"divided by the {total} of all of them."
            )
        return f"**{shown}** of {entity}{scope} have {cond}: those {entity} counted against all of them."
    scope = f" of {entity} with {where}" if where else f" over all {entity}"
    if value is None:
        return f"There are no {entity}{' with ' + where if where else ''}, so there is no {measure_text(m)}."
    return f"The {measure_text(m)}{scope} is **{fmt(value)}**."


def label_of(row: list[object], idx: list[int]) -> str:
    return " ".join("" if row[i] is None else str(row[i]) for i in idx).strip() or "(none)"


def grouped_answer(spec: Spec, built: Built, result: QueryResult, schema: Schema | None = None) -> str:
    m = spec.measures[0]
    what = measure_text(m)
    cols = result.columns
    li = [cols.index(c) for c in built.label_columns if c in cols]
    vi = cols.index(built.value_columns[0]) if built.value_columns and built.value_columns[0] in cols else len(cols) - 1
    where = conditions(spec, schema)
    scope = f" ({words(spec.entity)} with {where})" if where else ""
    rows = result.rows
    names = [describe_group(g) for g in spec.groups]
    if not rows:
        return (
            f"There are no {words(spec.entity)}{' with ' + where if where else ''}, so there is nothing to break down."
        )
    if spec.ranking:
        best = "highest" if spec.descending else "lowest"
        if len(rows) == 1 or spec.limit == 1:
            row = rows[0]
            return f"**{label_of(row, li)}** has the {best} {what}{scope}: {fmt(row[vi])}."
        listed = ", ".join(f"{label_of(r, li)} ({fmt(r[vi])})" for r in rows[:MAX_LISTED])
        more = f", and {len(rows) - MAX_LISTED} more in the table" if len(rows) > MAX_LISTED else ""
        head, _, last = names[0].rpartition(" ")
        things = f"{head} {plural(last)}".strip()
        return f"The {len(rows)} {things} with the {best} {what}{scope}: {listed}{more}."
    by = " and ".join(names)
    time_series = bool(spec.groups) and spec.groups[0].kind == "time" and len(spec.groups) == 1
    if time_series:
        unit = names[0]
        numeric = [r for r in rows if isinstance(r[vi], int | float)]
        hi = max(numeric, key=lambda r: r[vi]) if numeric else rows[0]
        lo = min(numeric, key=lambda r: r[vi]) if numeric else rows[0]
        first_row, last_row = rows[0], rows[-1]
        units = plural(unit) if len(rows) != 1 else unit
        span = f"{len(rows)} {units} from {label_of(first_row, li)} to {label_of(last_row, li)}"
        return (
            f"{what.capitalize()} per {unit}{scope}, {span}: highest in {label_of(hi, li)} ({fmt(hi[vi])}), "
            f"lowest in {label_of(lo, li)} ({fmt(lo[vi])}), latest {label_of(last_row, li)} ({fmt(last_row[vi])})."
        )
    if len(spec.groups) >= 2:
        numeric = [r for r in rows if isinstance(r[vi], int | float)]
        top = max(numeric, key=lambda r: r[vi]) if numeric else rows[0]
        return (
            f"{what.capitalize()} by {by}{scope}: {len(rows)} combinations; the largest is "
            f"{' / '.join(str(top[i]) for i in li)} ({fmt(top[vi])})."
        )
    listed = ", ".join(f"{label_of(r, li)} {fmt(r[vi])}" for r in rows[:MAX_LISTED])
    more = f", and {len(rows) - MAX_LISTED} more in the table" if len(rows) > MAX_LISTED else ""
    return f"{what.capitalize()} by {by}{scope}, {len(rows)} groups: {listed}{more}."


def rows_answer(spec: Spec, schema: Schema, result: QueryResult) -> str:
    entity = spec.entity
    where = conditions(spec, schema)
    scope = f" with {where}" if where else ""
    n = len(result.rows)
    if n == 0:
        return f"There are no {words(entity)}{scope}."
    if spec.order_column is not None:
        table = schema.table(entity)
        names = [c for c in label_columns(table) if c in result.columns]
        li = [result.columns.index(c) for c in names]
        oi = result.columns.index(spec.order_column.column) if spec.order_column.column in result.columns else None
        order_col = table.column(spec.order_column.column)
        temporal = order_col is not None and order_col.temporal
        best = (
            ("latest" if spec.descending else "earliest") if temporal else ("highest" if spec.descending else "lowest")
        )
        order = words(spec.order_column.column)
        if n == 1:
            row = result.rows[0]
            shown = f" ({fmt(row[oi])})" if oi is not None else ""
            return f"The {entity_name(entity)} with the {best} {order}{scope} is **{label_of(row, li)}**{shown}."
        listed = ", ".join(
            f"{label_of(r, li)}" + (f" ({fmt(r[oi])})" if oi is not None else "") for r in result.rows[:MAX_LISTED]
        )
        more = f", and {n - MAX_LISTED} more in the table" if n > MAX_LISTED else ""
        if spec.limit is None:  # a sorted listing, not a top N
            return f"All {n:,} {words(entity)}{scope}, sorted by {order} ({best} first): {listed}{more}."
        return f"The {n} {words(entity)} with the {best} {order}{scope}: {listed}{more}."
    if result.truncated:
        return f"{result.total_rows:,} {words(entity)} match{scope}; the table shows the first {n:,}."
    if n == 1:
        return f"There is one {entity_name(entity)}{scope}."
    return f"Here are all {n:,} {words(entity)}{scope}."


def definition_notes(spec: Spec, schema: Schema) -> str:
    """What the figures leave out by definition: the rows a duration cannot be measured on."""
    notes = []
    for m in spec.measures:
        if m.expr == "duration":
            end = m.expr_columns[1]
            column = schema.table(end.table).column(end.column)
            if column is not None and column.nullable:
                notes.append(f"{words(end.table).capitalize()} with no {words(end.column)} are left out.")
    return (" " + " ".join(notes)) if notes else ""
