"""Conditions on how many related rows each row has: "members who borrowed more than twice", "authors
with more than 20 books", "branches that logged at least 3 faults". The related table
is the one named after the number, or the one a verb before the comparison names ("borrowed" → the
loans, "logged" → the fault log); it must refer to the table the question is about."""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import shared_prefix, words_of
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.query_spec import ColRef, Filter, Having
from services.chat.engines.embedded.reading import Reading

TIMES = {"once": 1, "twice": 2, "thrice": 3}
_SKIP = {"the", "a", "an", "of", "their", "its", "distinct", "different", "separate"}


def having_conditions(r: Reading) -> list[Having]:
    """The 'more than N <related rows>' conditions of the question, their items marked as used."""
    items = r.items
    out: list[Having] = []
    i = 0
    while i < len(items):
        op, length, _ = r.comparator_at(i)
        if op is None or op == "between":
            i += 1
            continue
        j = i + length
        found = _count_and_table(r, i, j)
        if found is None:
            i += 1
            continue
        n, child, used, which = found
        parent = _parent(r, i, child)
        if parent is None:
            i += 1
            continue
        for k in used:
            if items[k].kind == "word":
                r.used.add(k)
            else:
                items[k].role = "having"
        out.append(Having(child, op, n, parent, which))
        i = max(used) + 1
    return out


def _count_and_table(r: Reading, i: int, j: int) -> tuple[float, str, list[int], list[Filter]] | None:
    """N, the related table after a comparator at i (whose words end before j), the items used and the
    values that say which related rows count ("more than 2 overdue loans")."""
    items = r.items
    if j >= len(items):
        return None
    it = items[j]
    if it.kind == "word" and it.text in TIMES:
        verb = _verb_table(r, i)
        return (TIMES[it.text], verb[0], [j, verb[1]], []) if verb else None
    if it.kind != "num" or it.number is None or it.role:
        return None
    k = j + 1
    while k < len(items) and items[k].kind == "word" and items[k].text in _SKIP:
        k += 1
    if k < len(items) and items[k].is_word("times"):
        verb = _verb_table(r, i)
        return (it.number, verb[0], [j, k, verb[1]], []) if verb else None
    qualifiers = []
    while k + 1 < len(items) and items[k].kind == "mention" and items[k].of_kind("value") and not items[k].role:
        qualifiers.append(k)  # values before the related table's name: "2 overdue loans"
        k += 1
    if k < len(items) and items[k].kind == "mention" and not items[k].role:
        tables = items[k].of_kind("table")
        if tables and not items[k].of_kind("value"):
            child = max(tables, key=lambda t: t.weight).table
            filters = []
            for at in qualifiers:
                v = r.pick(items[at], ("value",), prefer=[child])
                if v is None or v.table != child:
                    return None
                filters.append(Filter(ColRef(v.table, v.column), "=", v.value))
            return it.number, child, [j, *qualifiers, k], filters
    return None


def _verb_table(r: Reading, i: int) -> tuple[str, int] | None:
    """The table the verb before position i names: a time column's table ("borrowed" ~ borrowed_at
    of loans), else a table whose name the verb begins."""
    for k in range(i - 1, max(-1, i - 4), -1):
        it = r.items[k]
        if it.kind == "mention" and not it.of_kind("value"):
            columns = [t for t in it.of_kind("column") if (c := r.col(t.table, t.column)) is not None and c.temporal]
            if columns:
                return columns[0].table, k
            tables = it.of_kind("table")
            if tables:
                return max(tables, key=lambda t: t.weight).table, k
        if it.kind == "word" and len(it.text) >= 4:
            named = _table_named_by(r, it)
            if named:
                return named, k
    return None


def _table_named_by(r: Reading, it: Item) -> str | None:
    for name in r.schema.tables:
        if any(shared_prefix(w, it.text) >= 5 for w in words_of(name)):
            return name
    return None


def _parent(r: Reading, i: int, child: str) -> str | None:
    """The table the question is about, named before the comparison, that `child` rows refer to."""
    for it in reversed(r.items[:i]):
        if it.kind != "mention" or it.of_kind("value"):
            continue
        for t in sorted(it.of_kind("table"), key=lambda t: -t.weight):
            if t.table != child and r.graph.reaches_to_one(child, t.table):
                return t.table
    return None
