"""What a question groups by: the mentions after "by", "per", "for each", "across" — tables (one
group per row, shown by its name), columns, or time columns (by month) — and the "by" phrases that
name a ranking's measure instead ("top 5 X by total spend")."""

from __future__ import annotations

from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.query_spec import ColRef, Group
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import AGG_WORDS, GROUP_MARKERS, ORDER_VERBS


def group_segments(r: Reading) -> tuple[list[Item], list[Item]]:
    """Items after 'by' / 'per' / 'for each' / 'in each' / 'across' (dimensions), and after a ranking 'by'."""
    items = r.items
    groups: list[Item] = []
    rank_by: list[Item] = []
    has_rank = any(it.is_word("top", "bottom") for it in items) or any(
        it.is_word("most", "least", "fewest", "highest", "lowest") for it in items
    )
    i = 0
    while i < len(items):
        it = items[i]
        if it.kind == "word" and it.text in GROUP_MARKERS:
            if it.text == "by" and i > 0 and items[i - 1].text in ORDER_VERBS:  # "ordered" may name a column too
                items[i - 1].role = items[i - 1].role or "sort"
                seg = _segment(r, i + 1)
                rank_by.extend(seg)
                i += 1
                continue
            seg = _segment(r, i + 1)
            first = next((x for x in seg if x.kind == "mention"), None)
            if first is not None and first.of_kind("value") and first.role != "qualifier":
                rest = [x for x in seg if x.kind == "mention" and x.of_kind("table") and not x.of_kind("value")]
                if it.text == "by" or not rest:
                    i += 1
                    continue  # "by premium members" names who, it does not group
                seg = rest  # "per premium member": per member, of the premium ones
            if it.text == "by" and has_rank and _is_measure_segment(r, seg):
                rank_by.extend(seg)
                for s in seg:
                    s.role = "rankby"
            else:
                for s in seg:
                    if s.kind == "mention" and s.role != "qualifier":
                        s.role = "group"
                        s.marker = it.text
                        groups.append(s)
            i += 1
            continue
        i += 1
    return groups, rank_by


def _segment(r: Reading, start: int) -> list[Item]:
    """The items of one 'by …' phrase: mentions joined by 'and' / ',' / 'then'."""
    out: list[Item] = []
    j = start
    items = r.items
    while j < len(items):
        it = items[j]
        if it.kind == "word" and it.text in ("the", "a", "an", "their", "its", "and", "then", "each", "every"):
            j += 1
            continue
        if it.kind in ("mention", "concept"):
            out.append(it)
            j += 1
            continue
        if it.kind == "word" and it.text in {*AGG_WORDS, "number", "of", "count", "how", "many"}:
            out.append(it)
            j += 1
            continue
        break
    return out


def _is_measure_segment(r: Reading, seg: list[Item]) -> bool:
    for it in seg:
        if it.kind == "concept" or it.is_word("number", "count", "total", "average", "sum", "avg", "how"):
            return True
        if it.kind == "mention" and it.of_kind("column"):
            c = r.pick_numeric(it, None)
            if c is not None and not it.of_kind("table"):
                return True
    return False


def group_of(r: Reading, it: Item) -> Group | None:
    """The group a mention after "by" stands for: a table, a column, or a time column (by month)."""
    if it.kind != "mention":
        return None
    anchors = r.anchors
    col = r.pick(it, ("column",))
    table = r.pick(it, ("table",))
    value = it.of_kind("value")
    if col is not None and table is not None:
        # a column of a table the question is about beats another table of the same name
        if col.table in anchors[:1] or (
            table.weight < col.weight and r.graph.distance(col.table, anchors[0] if anchors else col.table) <= 1
        ):
            table = None
        elif r.graph.distance(table.table, anchors[0] if anchors else table.table) <= r.graph.distance(
            col.table, anchors[0] if anchors else col.table
        ):
            col = None
        else:
            table = None
    if table is not None and (col is None):
        it.chosen = table
        return Group("entity", table=table.table)
    if col is not None:
        c = r.col(col.table, col.column)
        it.chosen = col
        if c is not None and c.temporal:
            return Group("time", column=ColRef(col.table, col.column), unit="month")
        return Group("column", column=ColRef(col.table, col.column))
    if value:
        v = value[0]
        it.chosen = v
        return Group("column", column=ColRef(v.table, v.column))
    return None
