"""A measure's column named by a word that names a column of another table just as well ("amt" of
sales and of refunds), with neither table named in the question nor closer to what it is about:
which one is meant is a guess, so the question is declined naming the word and both columns."""

from __future__ import annotations

from services.chat.engines.embedded.query_spec import Spec, Unmapped
from services.chat.engines.embedded.reading import Reading


def ambiguous_measure(r: Reading, spec: Spec) -> Unmapped | None:
    named = {t.table for it in r.items if it.kind == "mention" for t in it.targets if t.kind == "table"}
    for m in spec.measures:
        if m.column is None or m.column.table in named:
            continue
        own = (m.column.table, m.column.column)
        item = next(
            (
                it
                for it in r.items
                if it.kind == "mention" and any((t.table, t.column) == own for t in it.of_kind("column"))
            ),
            None,
        )
        if item is None:
            continue
        chosen = next(t for t in item.of_kind("column") if (t.table, t.column) == own)
        rivals = [
            t
            for t in item.of_kind("column")
            if t.table != chosen.table
            and t.table not in named
            and t.weight >= chosen.weight
            and _distance(r, t.table, chosen.table) <= _distance(r, chosen.table, t.table)
        ]
        if rivals:
            columns = ", ".join(sorted({f"{t.table}.{t.column}" for t in [chosen, *rivals]}))
            return Unmapped(
                "ambiguous column",
                [item.text],
                explanation=f"“{item.text}” could be any of {columns}, and the question does not say which "
                "table it means.",
            )
    return None


def _distance(r: Reading, table: str, rival: str) -> int:
    """How far `table` is from what the question is about, the two candidates themselves left out (a
    candidate the reading already made its anchor proves nothing)."""
    return min((r.graph.distance(table, a) for a in r.anchors if a not in (table, rival)), default=0)
