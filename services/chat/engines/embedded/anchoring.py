"""What the question is about, and which mentions only say where another one lies: the anchor
tables (named outright, else those of the values and columns it names), and qualifiers merged into
the mention next to them ("member tier" is the tier of members, "economy class" is a value)."""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import Target
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.row_labels import name_columns


def anchor_tables(r: Reading) -> None:
    """The tables the question is about: those it names outright, else those of its values and columns."""
    anchors: list[str] = []
    for it in r.items:
        if it.kind != "mention":
            continue
        tables = it.of_kind("table")
        if tables and not it.of_kind("value"):
            best = max(tables, key=lambda t: t.weight)
            if best.weight >= 1.5 and best.table not in anchors:
                anchors.append(best.table)
    if not anchors:
        for it in r.items:
            for t in it.targets:
                if t.kind in ("value", "column") and t.table not in anchors:
                    anchors.append(t.table)
                    break
    r.anchors = anchors


def merge_qualifiers(r: Reading) -> None:
    """'member tier' → members.tier; 'seat class economy' → the value; 'Poetry shelf' → the value."""
    items = r.items
    for i, it in enumerate(items):
        if it.kind != "mention":
            continue
        j = i + 1
        if j >= len(items) or items[j].kind != "mention":
            # allow one article/preposition between a value and its qualifier: "the Nordic region"
            continue
        nxt = items[j]
        tables_here = {t.table for t in it.of_kind("table")}
        # a singular table name followed by one of its columns: "member tier", "booking fees"
        if tables_here and not it.of_kind("value") and not r.plural(it):
            cols = [t for t in nxt.targets if t.kind in ("column", "value") and t.table in tables_here]
            if cols:
                nxt.targets = cols + [t for t in nxt.targets if t.kind == "table" and t.table in tables_here]
                it.role = "qualifier"
                continue
        # column followed by a value of that column (or value followed by its column/table)
        values_next = nxt.of_kind("value")
        cols_here = {(t.table, t.column) for t in it.of_kind("column")}
        if values_next and cols_here:
            keep = [v for v in values_next if (v.table, v.column) in cols_here]
            if keep:
                nxt.targets = keep
                it.role = "qualifier"
                continue
        values_here = it.of_kind("value")
        if values_here:
            # "economy class", "Poetry shelf": the column or table only says where the value is;
            # but in "overdue loans" the table is what the question is about
            col_keys = {(t.table, t.column) for t in nxt.of_kind("column")}
            tbls = {t.table for t in nxt.of_kind("table")}
            by_col = [v for v in values_here if (v.table, v.column) in col_keys]
            by_label = [v for v in values_here if v.table in tbls and _is_label(r, v)]
            keep = by_col or by_label
            if keep:
                it.targets = keep
                nxt.role = "qualifier"


def _is_label(r: Reading, v: Target) -> bool:
    return v.column in name_columns(r.schema.table(v.table))
