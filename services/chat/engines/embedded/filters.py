"""What a question filters on: values it names ("overdue", negated by "not" / "other than"),
comparisons with numbers ("more than 500", "between 10 and 20"), presence ("with a discount"),
ordinals ("the second terminal"), empty end dates ("not yet closed") and related rows that must
not exist ("without any loans")."""

from __future__ import annotations

from services.chat.engines.embedded.column_roles import order_column
from services.chat.engines.embedded.concept_measures import concept_measure, money_measure
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.query_spec import ColRef, Filter, Unmapped
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import NEGATIONS


def value_filters(r: Reading) -> list[Filter]:
    """The values the question names, as = / IN filters (!= / NOT IN when negated), one per column."""
    by_column: dict[ColRef, list[tuple[str, bool]]] = {}
    for i, it in enumerate(r.items):
        if it.kind != "mention" or it.role in ("group", "measure", "rank", "rankby", "having"):
            continue
        if not it.of_kind("value"):
            continue
        if it.role == "qualifier":
            continue
        if it.of_kind("table") and max(t.weight for t in it.of_kind("table")) >= 3 and it.role == "subject":
            continue
        v = r.pick(it, ("value",))
        if v is None:
            continue
        # a value whose words also name the subject table is the table ("loans" vs a value "Loans")
        if it.role == "subject":
            continue
        # "tickets closed last month": a time column's verb right before a date, not the value 'closed'
        if it.last in r.q.date_starts and any(
            (c := r.col(t.table, t.column)) is not None and c.temporal for t in it.of_kind("column")
        ):
            continue
        negated = _negated(r, i)
        it.role, it.chosen = "filter", v
        by_column.setdefault(ColRef(v.table, v.column), []).append((v.value, negated))
    out = []
    for ref, vals in by_column.items():
        pos = [v for v, neg in vals if not neg]
        neg = [v for v, n in vals if n]
        if len(pos) == 1:
            out.append(Filter(ref, "=", pos[0]))
        elif pos:
            out.append(Filter(ref, "in", pos))
        if len(neg) == 1:
            out.append(Filter(ref, "!=", neg[0]))
        elif neg:
            out.append(Filter(ref, "not in", neg))
    return out


def _negated(r: Reading, i: int) -> bool:
    """Whether a negation comes shortly before item i ("no", "not", "never reported an")."""
    for k in (i - 1, i - 2, i - 3):
        w = r.word(k)
        if w in NEGATIONS or (w == "other" and r.word(k + 1) == "than"):
            return True
        if k >= 0 and r.items[k].kind != "word" and not _loose_verb(r.items[k]):
            break
    return False


def _loose_verb(it: Item) -> bool:
    """A verb that only loosely names a column ("borrowed" ~ borrowed_at) and may sit between a negation
    and what it negates."""
    return it.kind == "mention" and not it.role and all(t.kind == "column" and t.weight < 2 for t in it.targets)


def presence_and_ordinal_filters(r: Reading, subject: str) -> list[Filter]:
    """'with a discount' → discount > 0 ('without' → = 0); 'at the second terminal' → terminal = 2."""
    out: list[Filter] = []
    for k, it in enumerate(r.items):
        if it.kind != "mention" or it.role or it.of_kind("value"):
            continue
        col = r.pick_numeric(it, [subject])
        if col is None:
            continue
        ref = ColRef(col.table, col.column)
        ordinal = r.ordinal_before(k)
        if ordinal is not None:
            it.role = "filter"
            out.append(Filter(ref, "=", ordinal))
        elif r.has_before(k):
            it.role = "filter"
            out.append(Filter(ref, ">", 0))
        elif r.word(k - 1) in ("without", "no") or r.word(k - 2) == "without":
            it.role = "filter"
            out.append(Filter(ref, "=", 0))
    return out


def absent_tables(r: Reading, subject: str) -> list[tuple[str, bool]]:
    """'members without loans', 'who haven't borrowed any books': no related rows (NOT EXISTS)."""
    out: list[tuple[str, bool]] = []
    for i, it in enumerate(r.items):
        if it.kind != "mention" or it.role or not it.of_kind("table") or it.of_kind("value"):
            continue
        t = max(it.of_kind("table"), key=lambda t: t.weight)
        if t.table == subject or r.graph.reaches_to_one(subject, t.table):
            continue
        if _negated(r, i):
            it.role = "filter"
            out.append((t.table, True))
    return out


def null_filters(r: Reading, subject: str) -> list[Filter]:
    """'not (yet) discharged', 'not closed': an empty end date; 'without a manager': an empty key."""
    out = []
    for i, it in enumerate(r.items):
        if it.kind != "mention" or it.role:
            continue
        cols = [t for t in it.of_kind("column") if (c := r.col(t.table, t.column)) is not None and c.temporal]
        if not cols or not _negated(r, i):
            continue
        col = r.pick(Item("mention", it.text, it.first, it.last, targets=cols), ("column",), prefer=[subject])
        if col is not None and (c := r.col(col.table, col.column)) is not None and c.nullable:
            it.role = "filter"
            out.append(Filter(ColRef(col.table, col.column), "null"))
    return out


def comparisons(r: Reading, subject: str) -> list[Filter] | Unmapped:
    """Comparisons with a number ("more than 500", "between 10 and 20") on the column they are about."""
    items = r.items
    out: list[Filter] = []
    i = 0
    while i < len(items):
        op, length, price = r.comparator_at(i)
        if op is None:
            i += 1
            continue
        j = i + length
        if j < len(items) and items[j].kind == "num" and not items[j].role:
            value = items[j].number
            value2 = None
            k = j + 1
            if op == "between" and r.word(k) == "and" and k + 1 < len(items) and items[k + 1].kind == "num":
                value2 = items[k + 1].number
            col = _comparison_column(r, i, subject, price, j + 1)
            if col is None:
                return Unmapped("comparison", [items[j].text])
            items[j].role = "filter"
            if op == "between":
                out.append(Filter(col, "between", value, value2))
            else:
                out.append(Filter(col, op, value))
            i = j + 1
            continue
        i += 1
    # "between 100 and 200" (numbers, not dates)
    for i, it in enumerate(items):
        if (
            it.is_word("between")
            and i + 3 < len(items)
            and items[i + 1].kind == "num"
            and r.word(i + 2) == "and"
            and items[i + 3].kind == "num"
        ):
            if items[i + 1].role == "filter":
                continue
            col = _comparison_column(r, i, subject, False)
            if col is not None:
                items[i + 1].role = items[i + 3].role = "filter"
                out.append(Filter(col, "between", items[i + 1].number, items[i + 3].number))
    return out


def _comparison_column(r: Reading, i: int, subject: str, price: bool, after: int | None = None) -> ColRef | None:
    items = r.items
    # a numeric column named right after the number: "more than 2 stops"
    if after is not None and after < len(items) and items[after].kind == "mention" and not items[after].role:
        col = r.pick_numeric(items[after], [subject])
        if col is not None and not items[after].of_kind("table"):
            items[after].role = "filter"
            return ColRef(col.table, col.column)
    # "flights that cost more than 500": the verb asks about the price
    if i > 0 and items[i - 1].text in ("cost", "costs") and items[i - 1].kind in ("mention", "concept"):
        table = r.schema.tables.get(subject)
        price_col = order_column(table, "price", set()) if table is not None else None
        if price_col is not None:
            items[i - 1].role = "filter"
            return ColRef(subject, price_col.name)
    # a numeric column named just before the comparator ("with a unit cost under 0.10", "quantity over 5")
    for k in range(i - 1, max(-1, i - 4), -1):
        it = items[k]
        if it.kind == "mention" and it.of_kind("column"):
            col = r.pick_numeric(it, [subject])
            if col is not None:
                it.role = "filter"
                return ColRef(col.table, col.column)
        if it.kind == "concept":
            # the subject's own column first: "pilots who earn more than …" compares their pay
            m = concept_measure(r, it, "sum", subject)
            m = m or concept_measure(r, it, "sum", None)
            if m is not None and m.column is not None:
                it.role = "filter"
                return m.column
        if it.kind == "mention" and it.of_kind("table"):
            break
    m = money_measure(r, "sum", [subject], "", price=price)
    if m is not None and m.column is not None:
        return m.column
    return None
