"""How rows and groups are named for people: a table's label columns (name, title, first + last
name, …), its singular name ("library_loans" → "library loan"), a group's name."""

from __future__ import annotations

import re

from services.chat.engines.embedded.lexicon import singular_forms, words_of
from services.chat.engines.embedded.query_spec import Group
from services.chat.engines.schema import Table

LABEL_NAMES = ["name", "title", "label", "display_name", "username", "email", "code"]
_FIRST = re.compile(r"^(first|given|fore)_?name$")
_LAST = re.compile(r"^(last|family|sur)_?name$")


def label_columns(table: Table) -> list[str]:
    """The columns that name a row of `table` for people (name, title, first + last name, …)."""
    names = {c.name.lower(): c.name for c in table.columns}
    for want in LABEL_NAMES:
        if want in names and want != "email":
            return [names[want]]
    first = next((c.name for c in table.columns if _FIRST.match(c.name.lower())), None)
    last = next((c.name for c in table.columns if _LAST.match(c.name.lower())), None)
    if first and last:
        return [first, last]
    fk_cols = {fk.column for fk in table.foreign_keys}
    for c in table.columns:
        if c.name.lower().endswith("name") and c.name not in fk_cols:
            return [c.name]
    if "email" in names:
        return [names["email"]]
    pk = table.primary_key
    return [pk] if pk else [table.columns[0].name]


def name_columns(table: Table) -> list[str]:
    """Label columns that really are names (not the key or an e-mail fallback)."""
    cols = label_columns(table)
    return [c for c in cols if c.lower() != "email" and c != table.primary_key]


def entity_name(table: str) -> str:
    """'library_loans' -> 'library loan' (for labels and aliases)."""
    words = words_of(table)
    if not words:
        return table
    last = words[-1]
    forms = singular_forms(last) - {last}
    if forms:
        last = min(forms, key=len) if not last.endswith("ies") else last[:-3] + "y"
    return " ".join([*words[:-1], last])


def describe_group(g: Group) -> str:
    if g.kind == "time":
        return g.unit or "period"
    if g.kind == "entity":
        return entity_name(g.table or "")
    return (g.column.column if g.column else "").replace("_", " ")
