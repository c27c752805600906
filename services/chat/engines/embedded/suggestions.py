"""Questions the embedded engine can answer about a given schema, for when it cannot map one."""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import words_of
from services.chat.engines.embedded.row_labels import entity_name, label_columns
from services.chat.engines.schema import Schema, Table

_MONEY = {"amount", "total", "revenue", "sales", "price", "charge", "value", "paid", "fare"}


def _name(table: Table) -> str:
    return table.name.replace("_", " ")


def suggestions(schema: Schema, limit: int = 4) -> list[str]:
    tables = sorted(schema.tables.values(), key=lambda t: (-t.row_count, t.name))
    if not tables:
        return ["which tables are there?"]
    # the busiest table with dates: what most questions are about
    fact = next((t for t in tables if any(c.temporal for c in t.columns)), tables[0])
    out = [f"how many {_name(fact)} are there"]
    dim = next((c for c in fact.columns if c.values and 2 <= len(c.values) <= 12 and not fact.fk_for(c.name)), None)
    if dim is not None and dim.values:
        out.append(f"{_name(fact)} by {dim.name.replace('_', ' ')}")
        out.append(f"how many {_name(fact)} are {dim.values[0]}")
    money = next(
        (
            c
            for t in tables
            for c in t.columns
            if c.numeric and not c.primary_key and set(words_of(c.name)) & _MONEY and any(x.temporal for x in t.columns)
        ),
        None,
    )
    if money is not None:
        name = money.name.replace("_", " ")
        out.append(f"{name if name.startswith('total') else 'total ' + name} per month")
    parent = next(
        (schema.tables[fk.ref_table] for fk in fact.foreign_keys if fk.ref_table in schema.tables),
        None,
    )
    if parent is not None and label_columns(parent):
        out.append(f"top 5 {_name(parent)} by number of {_name(fact)}")
    out = out[:limit]
    out.append("which tables are there?")
    if len(out) < 3:
        out.insert(0, f"show {entity_name(tables[0].name)} rows")
    return out
