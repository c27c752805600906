"""Rankings: "top 5 X", "the most expensive X", "which X has the most Y", "the oldest X" — the
superlative and its direction, how many rows (N), what is ranked (a table's rows or a dimension)
and by what (a column of the rows themselves, a measure, or how many rows refer to each)."""

from __future__ import annotations

from dataclasses import dataclass

from services.chat.engines.embedded.column_roles import order_column
from services.chat.engines.embedded.concept_measures import money_measure
from services.chat.engines.embedded.lexicon import Target
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.measures import measure_after_superlative, measure_from
from services.chat.engines.embedded.nl_dates import NUMBER_WORDS
from services.chat.engines.embedded.query_spec import ColRef, Group, Measure, Unmapped
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import AGG_WORDS, FILLER, MAXMIN, SUPERLATIVES
from services.chat.engines.schema import Column


@dataclass
class Rank:
    at: int
    descending: bool
    n: int | None
    meaning: str  # "measure", "price", "recency", "age", "duration", "popular"
    row_level: bool = False
    order_column: ColRef | None = None


def find_ranking(r: Reading) -> Rank | None:
    """The question's superlative, if it ranks: its direction, meaning and N."""
    items = r.items
    for i, it in enumerate(items):
        if it.kind == "word" and it.text in SUPERLATIVES:
            if it.text in MAXMIN and not r.superlative_ranks(i):
                continue
            if it.text in ("most", "least") and r.word(i + 1) == "expensive":
                descending = it.text == "most"
                meaning = "price"
            elif it.text in ("most", "least") and r.word(i + 1) in ("recent", "recently"):
                descending = it.text == "most"
                meaning = "recency"
            else:
                descending, meaning = SUPERLATIVES[it.text]
            if it.text == "least" and r.word(i - 1) == "at":
                continue
            if it.text == "most" and r.word(i - 1) == "at":
                continue
            n = _rank_count(r, i)
            rank = Rank(i, descending, n, meaning)
            if meaning == "measure" and it.text in ("most", "least"):
                nxt = items[i + 1] if i + 1 < len(items) else None
                if nxt is not None and nxt.kind == "word" and nxt.text not in FILLER and nxt.text not in AGG_WORDS:
                    rank.meaning = "popular"  # "most prescribed", "most popular", "least ordered"
            return rank
    return None


def _rank_count(r: Reading, i: int) -> int | None:
    """N of a top-N: after top/bottom/which/the, or right before the superlative or the ranked noun."""
    items = r.items

    def number(it: Item) -> int | None:
        if it.kind == "num" and it.number is not None and it.number == int(it.number) and 0 < it.number <= 1000:
            return int(it.number)
        if it.kind == "word" and it.text in NUMBER_WORDS:
            return NUMBER_WORDS[it.text]
        return None

    for j, it in enumerate(items):
        n = number(it)
        if n is None or it.role:
            continue
        prev = r.word(j - 1)
        nxt = items[j + 1] if j + 1 < len(items) else None
        if (
            prev in ("top", "bottom", "which", "the", "first", "what")
            or j + 1 == i
            or j - 1 == i
            or (nxt is not None and nxt.kind == "mention" and nxt.of_kind("table") and j < i)
        ):
            it.role = "rankn"
            return n
    return None


def ranked(
    r: Reading, rank: Rank, rank_by: list[Item], measure: Measure | None, subject: str | None, groups: list[Group]
) -> tuple[Measure | None, str | None, list[Group]] | Unmapped:
    """What the ranking ranks and by what: (measure, subject, groups), or (None, table, []) when it ranks a
    table's own rows by a column (the rank then says which)."""
    items = r.items
    # the ranked dimension: what the superlative qualifies ("the most expensive flights", "top 5
    # members") or what "which … has the most …" asks about
    candidates = [
        (j, it)
        for j, it in enumerate(items)
        if it.kind == "mention"
        and it.role not in ("qualifier", "measure", "rankby", "group")
        and (it.of_kind("table") or it.of_kind("column"))
    ]
    after = [(j, it) for j, it in candidates if j > rank.at]
    before = [(j, it) for j, it in candidates if j < rank.at]
    word = items[rank.at].text
    adjectival = rank.meaning in ("price", "recency", "age", "popular") or word in ("top", "bottom")
    which = next((j for j, it in enumerate(items) if it.is_word("which", "what", "who")), None)
    dim_item: Item | None = None
    if adjectival and after:
        dim_item = after[0][1]
    elif before and (which is None or before[-1][0] > which):
        # nearest noun before the superlative, but after "which" when there is one
        dim_item = next(it for j, it in before if which is None or j > which)
    elif after:
        dim_item = after[0][1]
    plural_dim = dim_item is not None and r.plural(dim_item)
    if rank.n is None:
        rank.n = 10 if plural_dim else 1
    if dim_item is None:
        if measure is not None and rank.meaning == "measure":
            # "the highest total": an aggregate after all
            return measure, subject, groups
        return Unmapped("what to rank")
    dim_table = r.pick(dim_item, ("table",))
    dim_col = r.pick(dim_item, ("column",))
    if dim_table is not None and dim_col is not None:
        if dim_table.weight >= dim_col.weight:
            dim_col = None
        else:
            dim_table = None
    if rank.meaning in ("price", "recency", "age") and dim_table is None and dim_col is not None:
        # "the most expensive product's price": the rows of the table that column belongs to
        dim_table = Target("table", dim_col.table, weight=dim_col.weight)
    dim_item.role = "rank"
    dim_at = items.index(dim_item)
    if rank.meaning in ("price", "recency", "age") and dim_table is not None:
        table = r.schema.table(dim_table.table)
        col = order_column(table, rank.meaning, _question_stems(r))
        if col is None:
            return Unmapped(f"no {rank.meaning} column")
        rank.row_level = True
        rank.order_column = ColRef(table.name, col.name)
        dim_item.chosen = dim_table
        return None, table.name, []
    if rank.meaning == "popular" and measure is None:
        measure, subject = _popularity(r, dim_table, dim_col, r.word(rank.at + 1))
        if measure is None:
            return Unmapped("popularity")
    # the measure: explicit (by …), after the superlative, or counted
    if measure is None and rank_by:
        measure, subject = measure_from(r, rank_by, subject)
    if measure is None:
        following = items[rank.at + 1 :]
        measure, subject2 = measure_after_superlative(r, following, dim_item)
        subject = subject2 or subject
    if measure is None and dim_at < rank.at:
        # "which doctor earns the most", "which product sold the most"
        between = items[dim_at + 1 : rank.at]
        measure, subject2 = measure_after_superlative(r, between, dim_item)
        subject = subject2 or subject
        if measure is None:
            verbs = [x.text for x in between if x.kind == "word" and x.text not in FILLER]
            if verbs:  # "which class is prescribed the most": rows of the child named by the verb
                measure, subject = _popularity(r, dim_table, dim_col, verbs[-1])
    if measure is None and dim_table is not None:
        # "top 5 members": by the money measure if one relates, else by row count of a child
        dim_item.chosen = dim_table
        m = money_measure(r, "sum", [], "revenue")
        if m is not None and m.own_table != dim_table.table:
            measure, subject = m, m.own_table
    if measure is None:
        return Unmapped("what to rank by")
    # a measure stored on the ranked table itself ranks its rows: "top 10 highest paid pilots"
    mt = measure.own_table
    if (
        dim_table is not None
        and measure.column is not None
        and mt == dim_table.table
        and measure.agg in ("sum", "max", "min")
        and not _explicit_agg(r)
    ):
        rank.row_level = True
        rank.order_column = measure.column
        return None, dim_table.table, []
    if dim_table is not None:
        dim_item.chosen = dim_table
        groups = [Group("entity", table=dim_table.table), *groups]
    elif dim_col is not None:
        dim_item.chosen = dim_col
        groups = [Group("column", column=ColRef(dim_col.table, dim_col.column)), *groups]
    return measure, subject, groups


def _popularity(
    r: Reading, dim_table: Target | None, dim_col: Target | None, verb: str
) -> tuple[Measure | None, str | None]:
    """'most borrowed books', 'most common genres': ranked by how many rows refer to them."""
    if dim_table is not None:
        child = r.graph.busiest_child(dim_table.table, verb)
        if child is None:
            return None, None
        return Measure("count", entity=child, label=f"number of {child}"), child
    if dim_col is not None:
        kids = r.graph.children(dim_col.table)
        child = r.graph.busiest_child(dim_col.table, verb) if kids and verb not in ("common", "frequent") else None
        entity = child or dim_col.table
        return Measure("count", entity=entity, label=f"number of {entity}"), entity
    return None, None


def _explicit_agg(r: Reading) -> bool:
    return any(it.kind == "word" and it.text in AGG_WORDS for it in r.items)


def _question_stems(r: Reading) -> set[str]:
    return {t.stem for t in r.q.tokens}


def sort_column(r: Reading, sort_by: list[Item]) -> Rank | None:
    """'sorted by price' (no aggregate asked for): the rows in the order of that column of theirs,
    ascending unless the question says otherwise."""
    if not sort_by or any(
        it.kind == "word" and (it.text in AGG_WORDS or it.text in ("number", "count")) for it in sort_by
    ):
        return None
    for it in sort_by:
        if it.kind not in ("mention", "concept"):
            continue
        options = it.of_kind("column") or []
        if it.kind == "concept" and it.concept == "price":
            options = [Target("column", t, c.name, weight=2) for t in r.anchors[:1] if (c := _price(r, t))]
        if not options:
            return None
        col = r.pick(Item(it.kind, it.text, it.first, it.last, targets=options), ("column",))
        if col is None:
            return None
        it.role, it.chosen = "rank", col
        descending = any(w in r.q.text.split() for w in ("descending", "desc", "highest", "largest", "biggest"))
        at = r.items.index(it)
        return Rank(at, descending, None, "sort", row_level=True, order_column=ColRef(col.table, col.column))
    return None


def _price(r: Reading, table: str) -> Column | None:
    return order_column(r.schema.table(table), "price", set())
