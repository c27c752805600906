"""Queries over periods: a comparison of two periods gets the change and the % change next to the
two values; a series of periods ("growth by quarter") gets each period's % change on the one before
(LAG, so the first period has none)."""

from __future__ import annotations

from typing import Protocol

from services.chat.engines.embedded.built import Built
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import Spec

CURRENT = "current_period"
PREVIOUS = "previous_period"
CHANGE = "change"
CHANGE_PCT = "change_pct"


class Quoter(Protocol):
    def q(self, name: str) -> str: ...


def both_periods(spec: Spec) -> DateRange:
    """The dates a comparison reads: from the start of the earlier period to the end of the later."""
    assert spec.date_range is not None and spec.compare is not None
    starts = [d for d in (spec.date_range.start, spec.compare.start) if d is not None]
    ends = [d for d in (spec.date_range.end, spec.compare.end) if d is not None]
    return DateRange(min(starts) if starts else None, max(ends) if ends else None, "")


def _strip_order(sql: str) -> str:
    return sql.rsplit("\nORDER BY ", 1)[0]


def _indented(sql: str) -> str:
    return "\n".join("  " + line for line in sql.splitlines())


def with_change(b: Quoter, built: Built) -> Built:
    """The two periods' values, their difference and the % change from the earlier to the later."""
    q = b.q
    labels = [q(c) for c in built.label_columns]
    cur, prev = q(CURRENT), q(PREVIOUS)
    select = [
        *labels,
        cur,
        prev,
        f"{cur} - {prev} AS {q(CHANGE)}",
        f"CASE WHEN {prev} <> 0 THEN 100.0 * ({cur} - {prev}) / {prev} END AS {q(CHANGE_PCT)}",
    ]
    lines = ["SELECT " + ", ".join(select), f"FROM (\n{_indented(_strip_order(built.sql))}\n) compared"]
    if labels:
        lines.append(f"ORDER BY {cur} DESC, " + ", ".join(labels))
    return Built(
        "\n".join(lines),
        built.label_columns,
        [CURRENT, PREVIOUS, CHANGE, CHANGE_PCT],
        built.group_names,
        built.root,
        built.group_columns,
    )


def with_growth(b: Quoter, built: Built, spec: Spec) -> Built:
    """Each period's value and its % change on the period before (per series when there are two groups)."""
    q = b.q
    time_at = next(i for i, g in enumerate(spec.groups) if g.kind == "time")
    period = [q(c) for c in built.group_columns[time_at]]
    others = [q(c) for i, cols in enumerate(built.group_columns) if i != time_at for c in cols]
    window = ("PARTITION BY " + ", ".join(others) + " " if others else "") + "ORDER BY " + ", ".join(period)
    value = q(built.value_columns[0])
    before = f"LAG({value}) OVER ({window})"
    lines = [
        f"SELECT series.*, 100.0 * ({value} - {before}) / NULLIF({before}, 0) AS {q(CHANGE_PCT)}",
        f"FROM (\n{_indented(_strip_order(built.sql))}\n) series",
        "ORDER BY " + ", ".join(others + period),
    ]
    return Built(
        "\n".join(lines),
        built.label_columns,
        [*built.value_columns, CHANGE_PCT],
        built.group_names,
        built.root,
        built.group_columns,
    )
