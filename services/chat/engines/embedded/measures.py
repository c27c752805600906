"""What a question counts or measures: "how many X" (rows, distinct values or a quantity),
"percentage of X that …", an aggregate word and what follows it ("average order value"), a
numeric column named bare ("yearly fares"), and the measure a ranking is by ("by total spend",
"which X earns the most")."""

from __future__ import annotations

from services.chat.engines.embedded.concept_measures import agg_name, concept_measure, money_measure
from services.chat.engines.embedded.lexicon import Target, words_of
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.query_spec import ColRef, Filter, Measure
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import AGG_WORDS, AVERAGED_NAMES, FILLER, KEYWORDS, MAXMIN, NEGATIONS


def count_phrase(r: Reading) -> int | None:
    """Index of the item after 'how many' / 'number of' / 'count (of)'; None without one."""
    items = r.items
    for i, it in enumerate(items):
        if it.is_word("how") and r.word(i + 1) == "many":
            return i + 2
        if it.is_word("number") and r.word(i + 1) == "of":
            return i + 2
        if it.is_word("count", "counts") and (i == 0 or r.word(i - 1) in ("the", "a", "total", "me", "and")):
            j = i + 1
            if r.word(j) == "of":
                j += 1
            return j
        if it.is_word("count", "counts") and i > 0 and items[i - 1].kind == "mention":
            return i - 1
    return None


def word_after(r: Reading, i: int) -> str:
    """The first content word at or after item i (what "how many" was followed by)."""
    j = r.next_content(i - 1)
    return r.items[j].text if j < len(r.items) else ""


def counted(r: Reading, start: int, agg: str | None = None) -> tuple[Measure | None, str | None]:
    """What follows 'how many': a table (count rows), a column (distinct values) or a quantity (a sum)."""
    items = r.items
    j = start
    skip = {
        "the",
        "a",
        "an",
        "of",
        "all",
        "our",
        "my",
        "your",
        "different",
        "distinct",
        "unique",
        "total",
        "new",
        "individual",
        "separate",
        "rows",
        "records",
        "entries",
        "in",
        "are",
        "were",
        "there",
        "is",
    }
    distinct = False
    total = r.word(start - 3) == "total"  # "the total number of pages"
    adjective: Item | None = None
    while j < len(items):
        it = items[j]
        if it.kind == "word" and (it.text in skip or it.text in FILLER):
            distinct = distinct or it.text in ("different", "distinct", "unique", "separate")
            total = total or it.text == "total"
            j += 1
            continue
        if it.kind == "mention" and it.role != "qualifier" and it.of_kind("value") and not it.of_kind("table"):
            adjective = adjective or it
            j += 1  # adjectives: "how many overdue loans"
            continue
        if it.kind == "mention" and it.role == "qualifier":
            j += 1
            continue
        if it.kind == "mention" and r.word(j - 1) in NEGATIONS and _temporal(r, it):
            j += 1  # "how many not closed tickets" ("unclosed"): a condition on the rows counted
            continue
        break
    if j >= len(items) or (items[j].kind not in ("mention", "concept") and adjective is not None):
        if adjective is not None:
            # the value is the noun: "how many pilots" counts crew rows whose role is 'Pilot'
            v = r.pick(adjective, ("value",))
            if v is not None:
                return Measure("count", entity=v.table, label=f"number of {v.table}"), v.table
        return None, None
    it = items[j]
    if it.kind == "concept" and it.concept == "quantity":
        m = concept_measure(r, it, "sum", None)
        return m, (m.column.table if m and m.column else None)
    if it.kind != "mention":
        return None, None
    table = r.pick(it, ("table",))
    column = r.pick(it, ("column",))
    if table is not None and (column is None or table.weight >= column.weight or distinct is False):
        nxt = r.word(j + 1)
        if nxt.endswith("s") and not nxt.endswith("ss") and nxt not in FILLER | KEYWORDS | NEGATIONS:
            # "how many order lines": the counted thing is a compound whose head we do not know
            return None, nxt
        it.role, it.chosen = "subject", table
        return Measure("count", entity=table.table, label=f"number of {table.table}"), table.table
    if column is not None:
        it.role, it.chosen = "measure", column
        ref = ColRef(column.table, column.column)
        col = r.schema.table(column.table).column(column.column)
        if agg is not None and col is not None and col.numeric:
            return Measure(agg, column=ref, label=f"{agg_name(agg)} {column.column}"), column.table
        # "the total number of pages": a sum, whatever the column's type; "number of ratings" of an
        # integer column stays its distinct values
        if col is not None and col.numeric and (col.kind != "int" or total) and not distinct:
            return Measure("sum", column=ref, label=f"total {column.column}"), column.table
        return Measure("count_distinct", column=ref, label=f"number of distinct {column.column}"), column.table
    value = r.pick(it, ("value",))
    if value is not None:
        return Measure("count", entity=value.table, label=f"number of {value.table}"), value.table
    return None, None


PERCENT_WORDS = {"percentage", "percent", "proportion", "share", "fraction", "%"}


def percent(r: Reading) -> tuple[Measure, str] | None:
    """ "percentage of X that are V": the share of a table's rows meeting a condition; "share of revenue
    from V": the share of a total that comes from the rows meeting it. The condition is the values named
    (other than an adjective of X itself: "premium members"), else the question's other filters."""
    at = next((i for i, it in enumerate(r.items) if it.kind == "word" and it.text in PERCENT_WORDS), None)
    if at is None:
        return None
    j = r.next_content(at, {"the", "a", "an", "of", "our", "all", "total"})
    base = _share_base(r, j) if j < len(r.items) else None
    if base is not None:
        condition = _condition_values(r, None)
        m = Measure(
            "percent",
            column=base.column,
            expr=base.expr,
            expr_columns=base.expr_columns,
            condition=condition,
            label=f"share of {base.label or 'the total'}",
        )
        return m, base.own_table or ""
    tables = [
        (k, t) for k, it in enumerate(r.items) if it.kind == "mention" for t in it.of_kind("table") if t.weight >= 1.5
    ]
    if not tables:
        return None
    at_entity, entity_target = tables[0]
    entity = entity_target.table
    condition = _condition_values(r, at_entity, entity)
    for it in r.items:
        if it.kind == "mention" and it.of_kind("table") and it.role == "":
            it.role = "subject"
    return Measure("percent", entity=entity, condition=condition, label=f"share of {entity}"), entity


def _share_base(r: Reading, j: int) -> Measure | None:
    """The total a share is taken of: "revenue", "sales", "the total amount"."""
    it = r.items[j]
    if it.kind == "concept" and it.concept in ("money", "quantity"):
        it.role = "measure"
        return concept_measure(r, it, "sum", None)
    if it.kind == "mention" and not it.of_kind("table") and not it.of_kind("value"):
        col = r.pick_numeric(it, None)
        if col is not None:
            it.role, it.chosen = "measure", col
            return Measure("sum", column=ColRef(col.table, col.column), label=col.column)
    return None


def _condition_values(r: Reading, entity_at: int | None, entity: str | None = None) -> list[Filter]:
    """The values named as the share's condition (adjectives right before the entity stay filters)."""
    condition = []
    for k, it in enumerate(r.items):
        if it.kind != "mention" or not it.of_kind("value") or it.role:
            continue
        if entity_at is not None and k == entity_at - 1:
            continue  # "premium members": which members, not the condition
        v = r.pick(it, ("value",), prefer=[entity] if entity else None)
        if v is None:
            continue
        it.role, it.chosen = "measure", v
        condition.append(Filter(ColRef(v.table, v.column), "=", v.value))
    return condition


def agg_words(r: Reading) -> list[tuple[int, str]]:
    """(position, aggregate) of each aggregate word: "total", "average", "highest" when it does not rank."""
    out = []
    for i, it in enumerate(r.items):
        if it.kind == "word" and it.text in AGG_WORDS:
            if it.text == "total" and r.word(i + 1) in ("number", "count"):
                continue
            out.append((i, AGG_WORDS[it.text]))
        elif it.kind == "word" and it.text in MAXMIN and not r.superlative_ranks(i):
            out.append((i, MAXMIN[it.text]))
    return out


def aggregated(r: Reading, aggs: list[tuple[int, str]]) -> tuple[Measure | None, str | None]:
    """The measure an aggregate word applies to: the column or concept that follows it."""
    for i, agg in aggs:
        j = r.next_content(i, {"the", "a", "an", "of", "all", "our", "my", "single", "individual", "any"})
        # table qualifiers before the measure: "average order value", "total admission charges"
        qualifier: str | None = None
        while j < len(r.items):
            it = r.items[j]
            if it.kind == "mention" and it.of_kind("table") and not it.of_kind("column"):
                nxt = r.items[j + 1] if j + 1 < len(r.items) else None
                if nxt is not None and (nxt.kind == "concept" or (nxt.kind == "mention" and nxt.of_kind("column"))):
                    qualifier = qualifier or max(it.of_kind("table"), key=lambda t: t.weight).table
                    it.role = "qualifier"
                    j += 1
                    continue
                if nxt is not None and nxt.is_word("total"):
                    qualifier = max(it.of_kind("table"), key=lambda t: t.weight).table
                    it.role = "qualifier"
                    m = money_measure(r, agg, [qualifier], "total")
                    if m is not None:
                        nxt.kind = "concept"
                        return m, m.own_table
            break
        if j >= len(r.items):
            continue
        it = r.items[j]
        if it.kind == "mention" and it.of_kind("column"):
            prefer = [qualifier] if qualifier else None
            col = r.pick_numeric(it, prefer)
            if col is not None:
                it.role, it.chosen = "measure", col
                ref = ColRef(col.table, col.column)
                return Measure(agg, column=ref, label=f"{agg_name(agg)} {col.column}"), col.table
        if it.kind == "concept":
            it.role = "measure"
            m = concept_measure(r, it, agg, qualifier)
            if m is not None:
                return m, m.own_table
        if it.kind == "mention" and it.of_kind("table") and agg == "sum":
            continue  # "total loans" is a count: handled by the caller's defaults
        if it.is_word("number", "count"):
            continue
        if it.is_word("total") and qualifier:
            m = money_measure(r, agg, [qualifier], "total")
            if m is not None:
                return m, m.own_table
    return None, None


def bare_numeric_measure(r: Reading) -> Measure | None:
    """A numeric column named without an aggregate: summed, or averaged when its name says so (price, age, …)."""
    for k, it in enumerate(r.items):
        if it.kind != "mention" or it.role or it.of_kind("value"):
            continue
        if r.comparator_at(k + 1)[0] is not None or r.has_before(k) or r.ordinal_before(k):
            continue  # "with a fare over 500", "with a discount", "second terminal": filters, not measures
        col = r.pick_numeric(it, None)
        if col is None or (it.of_kind("table") and max(t.weight for t in it.of_kind("table")) >= col.weight):
            continue
        words = set(words_of(col.column))
        agg = "avg" if words & AVERAGED_NAMES else "sum"
        it.role, it.chosen = "measure", col
        return Measure(agg, column=ColRef(col.table, col.column), label=f"{agg_name(agg)} {col.column}")
    return None


def measure_from(r: Reading, items: list[Item], subject: str | None) -> tuple[Measure | None, str | None]:
    """The measure after a ranking 'by': 'by total spend', 'by number of loans', 'by revenue'."""
    agg = "sum"
    for k, it in enumerate(items):
        if it.kind == "word" and it.text in AGG_WORDS:
            agg = AGG_WORDS[it.text]
        if it.is_word("number", "count") or (it.is_word("how") and k + 1 < len(items)):
            rest = [x for x in items[k + 1 :] if x.kind == "mention" and x.of_kind("table")]
            if rest:
                t = max(rest[0].of_kind("table"), key=lambda t: t.weight)
                rest[0].role = "subject"
                return Measure("count", entity=t.table, label=f"number of {t.table}"), t.table
        if it.kind == "concept":
            m = concept_measure(r, it, agg, None)
            if m is not None:
                it.role = "measure"
                return m, m.own_table
        if it.kind == "mention" and it.of_kind("column"):
            col = r.pick_numeric(it, None)
            if col is not None:
                it.role = "measure"
                return Measure(agg, column=ColRef(col.table, col.column), label=col.column), col.table
        if it.kind == "mention" and it.of_kind("table"):
            t = max(it.of_kind("table"), key=lambda t: t.weight)
            it.role = "subject"
            return Measure("count", entity=t.table, label=f"number of {t.table}"), t.table
    return None, subject


def measure_after_superlative(r: Reading, after: list[Item], dim_item: Item) -> tuple[Measure | None, str | None]:
    """The measure named among `after` (the words around a superlative): "the most revenue", "earns the most"."""
    agg = None
    for k, it in enumerate(after):
        if it is dim_item:
            continue
        if it.kind == "word" and it.text in AGG_WORDS:
            agg = AGG_WORDS[it.text]
            continue
        if it.kind == "concept":
            m = concept_measure(
                r, it, agg or ("avg" if it.concept == "duration" else "sum"), _qualifier_before(r, after, k)
            )
            if m is not None:
                it.role = "measure"
                return m, m.own_table
        if it.kind == "mention" and it.role != "qualifier":
            col = r.pick_numeric(it, [q] if (q := _qualifier_before(r, after, k)) else None)
            if (
                col is not None
                and it.of_kind("column")
                and not (it.of_kind("table") and agg is None and not _col_is_measure(r, col))
            ):
                it.role = "measure"
                return Measure(agg or "sum", column=ColRef(col.table, col.column), label=col.column), col.table
            if it.of_kind("table"):
                t = max(it.of_kind("table"), key=lambda t: t.weight)
                nxt = after[k + 1] if k + 1 < len(after) else None
                if nxt is not None and (nxt.kind == "concept" or (nxt.kind == "mention" and nxt.of_kind("column"))):
                    continue  # a qualifier of the measure that follows
                it.role = "subject"
                return Measure("count", entity=t.table, label=f"number of {t.table}"), t.table
    return None, None


def _col_is_measure(r: Reading, t: Target) -> bool:
    c = r.col(t.table, t.column)
    return c is not None and c.numeric


def _qualifier_before(r: Reading, after: list[Item], k: int) -> str | None:
    if k > 0 and after[k - 1].kind == "mention" and after[k - 1].of_kind("table"):
        after[k - 1].role = "qualifier"
        return max(after[k - 1].of_kind("table"), key=lambda t: t.weight).table
    return None


def _temporal(r: Reading, it: Item) -> bool:
    return any((c := r.col(t.table, t.column)) is not None and c.temporal for t in it.of_kind("column"))
