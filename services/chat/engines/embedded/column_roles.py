"""Which column of a table plays a role, judged by its name and type only: the money measures it
offers, its main date, the start and end of an interval, and the column to order by for "the most
expensive", "the latest" or "the oldest"."""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import stem, words_of
from services.chat.engines.embedded.query_spec import ColRef, Measure
from services.chat.engines.embedded.vocabulary import AGE_NAMES, DISCOUNT_NAMES, END_NAMES, MONEY_NAMES, QUANTITY_NAMES
from services.chat.engines.schema import Column, Table


def money_options(table: Table, *, price: bool) -> list[tuple[float, Measure]]:
    """The table's columns (or quantity x price expression) that may be "the money", scored by name."""
    out: list[tuple[float, Measure]] = []
    fk_cols = {fk.column for fk in table.foreign_keys}
    numeric = [c for c in table.columns if c.numeric and not c.primary_key and c.name not in fk_cols]
    qty = next((c for c in numeric if set(words_of(c.name)) & QUANTITY_NAMES), None)
    disc = next((c for c in numeric if set(words_of(c.name)) & DISCOUNT_NAMES), None)
    for col in numeric:
        words = set(words_of(col.name))
        for names, score in MONEY_NAMES:
            if words & names:
                if price:
                    score = 3.0 if words & {"price", "cost"} else score - 1.5
                out.append((score, Measure("sum", column=ColRef(table.name, col.name), label=col.name)))
                break
        else:
            # a decimal column with no telling name may still be the money ("premium", "fare", "toll" …)
            if col.kind == "float" and col is not qty and col is not disc:
                out.append((0.5, Measure("sum", column=ColRef(table.name, col.name), label=col.name)))
    price_col = next((c for c in numeric if set(words_of(c.name)) & {"price"}), None)
    if qty is not None and price_col is not None and not price:
        cols: tuple[ColRef, ...] = (ColRef(table.name, qty.name), ColRef(table.name, price_col.name))
        if disc is not None:
            cols = (*cols, ColRef(table.name, disc.name))
        out.append((2.5, Measure("sum", expr="line_value", expr_columns=cols, label="sales")))
    return out


def default_date(table: Table) -> Column | None:
    """The table's first time column that is not an end or a birth date (else its first time column)."""
    temporal = [c for c in table.columns if c.temporal]
    if not temporal:
        return None
    plain = [c for c in temporal if not (set(words_of(c.name)) & (END_NAMES | AGE_NAMES))]
    return (plain or temporal)[0]


def start_end(temporal: list[Column]) -> tuple[Column, Column]:
    """The start and end of the interval two or more time columns describe."""
    ends = [c for c in temporal if set(words_of(c.name)) & END_NAMES]
    starts = [c for c in temporal if c not in ends and not set(words_of(c.name)) & AGE_NAMES]
    start = starts[0] if starts else temporal[0]
    end = ends[0] if ends else next(c for c in temporal if c is not start)
    return start, end


def order_column(table: Table, meaning: str, question_stems: set[str]) -> Column | None:
    """The column that ranks rows by `meaning` ("price", "recency", "age"), preferring one the question names."""
    fk_cols = {fk.column for fk in table.foreign_keys}
    if meaning == "price":
        numeric = [c for c in table.columns if c.numeric and not c.primary_key and c.name not in fk_cols]
        for names in ({"price"}, {"cost"}, {"amount", "total", "value", "charge", "rate", "fare"}):
            for c in numeric:
                if set(words_of(c.name)) & names:
                    return c
        # else the money column the table offers (a "weekly_rent": its only decimal column)
        options = [m for _, m in sorted(money_options(table, price=True), key=lambda o: -o[0]) if m.column]
        return table.column(options[0].column.column) if options and options[0].column else None
    temporal = [c for c in table.columns if c.temporal]
    if meaning == "age":
        born = [c for c in temporal if set(words_of(c.name)) & AGE_NAMES]
        if born:
            return born[0]
    named = [c for c in temporal if {stem(w) for w in words_of(c.name)} & question_stems]
    if named:
        return named[0]
    return default_date(table)
