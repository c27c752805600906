"""Durations between two time columns of one table: "the average time to repair a bike",
"days between a bike being dropped off and picked up", "how long does it take to close a case", "length
of stay in days", "turnaround time in hours". The end is the time column the verb or noun names
(repair → repaired_at), the start the table's main date unless the question names it too; the
unit is the one asked for (days when none is). A question that asks for the time to an event no
time column records ("time to repair" without a repair time) is declined, naming the word."""

from __future__ import annotations

from services.chat.engines.embedded.column_roles import default_date, start_end
from services.chat.engines.embedded.concept_measures import agg_name, duration_columns
from services.chat.engines.embedded.lexicon import stem, words_of
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.nl_dates import UNITS as DATE_UNITS
from services.chat.engines.embedded.query_spec import ColRef, Measure, Unmapped
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import FILLER

UNITS = {
    **DATE_UNITS,
    **{w: "second" for w in ("second", "seconds")},
    **{w: "minute" for w in ("minute", "minutes")},
    **{w: "hour" for w in ("hour", "hours")},
}
# how many days one unit is (a month and a year on average)
UNIT_DAYS = {
    "second": 1 / 86400,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1,
    "week": 7,
    "month": 30.4375,
    "year": 365.25,
}
_TIME_WORDS = {"time", "long", "takes", "take", "took", "taking", "elapsed"}
_SKIP = {"the", "a", "an", "its", "their", "each", "every", "our", "be", "being", "get", "gets", "got"}


def duration_measure(r: Reading, aggs: list[tuple[int, str]]) -> Measure | Unmapped | None:
    """The duration the question asks for, None when it asks for none."""
    items = r.items
    concept = next((i for i, it in enumerate(items) if it.kind == "concept" and it.concept == "duration"), None)
    unit_at = next((i for i, it in enumerate(items) if it.kind == "word" and it.text in UNITS), None)
    timed = any(it.kind == "word" and it.text in _TIME_WORDS for it in items)
    span = _span_words(r)
    if concept is not None and unit_at is None and not timed and not span and not _measured(r, concept, aggs):
        concept = None  # "hotel stays" names the rows, not a time to measure
    if concept is None and not ((unit_at is not None or timed) and (span or _to_verb(r) is not None)):
        return None
    agg = next((a for _, a in aggs), "avg")
    unit = UNITS[items[unit_at].text] if unit_at is not None else "day"
    named = _time_columns(r)
    columns: tuple[ColRef, ColRef] | None = None
    to = _to_verb(r)
    if len({c.table for _, c in named}) == 1 and len({c for _, c in named}) >= 2:
        columns = _ordered(r, [c for _, c in named])
    elif to is not None:
        k, end = to
        if end is None:  # "time to resolve" where no time column records a resolution
            return Unmapped("unplaced words", [items[k].text])
        else:
            table = r.schema.table(end.table)
            start = default_date(table)
            if start is not None and start.name != end.column:
                columns = (ColRef(end.table, start.name), end)
    if columns is None and concept is not None:
        columns = duration_columns(r, [])
    if columns is None:
        return Unmapped("no duration", [items[concept].text] if concept is not None else [])
    for i, it in enumerate(items):
        if it.kind == "word" and (it.text in _TIME_WORDS or (i == unit_at)):
            r.used.add(i)
        if any(c in columns for c in _item_columns(r, it)):
            it.role = "measure"
            r.used.add(i)
    if to is not None:
        r.used.add(to[0])
    return Measure(
        agg,
        expr="duration",
        expr_columns=columns,
        unit=unit,
        label=f"{agg_name(agg)} time from {columns[0].column} to {columns[1].column}",
    )


def _measured(r: Reading, concept: int, aggs: list[tuple[int, str]]) -> bool:
    """Whether an aggregate word applies to the duration word ("average length of stay", "the average
    ticket resolution time"): only articles and table names between them."""
    for at, _ in aggs:
        between = r.items[at + 1 : concept]
        if at < concept and all(
            (x.kind == "word" and x.text in _SKIP | {"of"}) or (x.kind == "mention" and x.of_kind("table"))
            for x in between
        ):
            return True
    return False


def _span_words(r: Reading) -> bool:
    """'between … and …' or 'from … to …' around time columns."""
    words = [it.text for it in r.items if it.kind == "word"]
    return ("between" in words and "and" in words) or ("from" in words and "to" in words)


def _to_verb(r: Reading) -> tuple[int, ColRef | None] | None:
    """'(time|days|long) … to <verb>': the verb's position and the time column it names (None if none)."""
    items = r.items
    for i, it in enumerate(items):
        if not it.is_word("to") or i == 0:
            continue
        before = {x.text for x in items[:i] if x.kind == "word"}
        if not (before & (_TIME_WORDS | set(UNITS))) and not any(x.concept == "duration" for x in items[:i]):
            continue
        j = i + 1
        while j < len(items) and items[j].kind == "word" and items[j].text in _SKIP:
            j += 1
        if j >= len(items):
            return None
        cols = _item_columns(r, items[j])
        if cols:
            return j, cols[0]
        if items[j].kind == "word" and items[j].text not in FILLER:
            return j, None
        return None
    return None


def _item_columns(r: Reading, it: Item) -> list[ColRef]:
    """The time columns an item names, by name or by a form of one of its words ("repaired" ~ repaired_at)."""
    out: list[ColRef] = []
    anchors = r.anchors
    for t in it.of_kind("column"):
        c = r.col(t.table, t.column)
        if c is not None and c.temporal:
            out.append(ColRef(t.table, t.column))
    if not out and it.kind in ("word", "concept") and len(it.text) > 2:
        s = stem(it.text)
        for table in r.schema.tables.values():
            for c in table.columns:
                if c.temporal and s in {stem(w) for w in words_of(c.name)}:
                    out.append(ColRef(table.name, c.name))
    if anchors:
        out.sort(key=lambda c: min(r.graph.distance(c.table, a) for a in anchors))
    return out


def _time_columns(r: Reading) -> list[tuple[int, ColRef]]:
    """The time columns the question names, each once, in question order, on the question's main table."""
    found: list[tuple[int, ColRef]] = []
    for i, it in enumerate(r.items):
        cols = _item_columns(r, it)
        if cols and all(c != cols[0] for _, c in found):
            found.append((i, cols[0]))
    if found:
        table = found[0][1].table
        found = [(i, c) for i, c in found if c.table == table]
    return found


def _ordered(r: Reading, cols: list[ColRef]) -> tuple[ColRef, ColRef]:
    """Start and end among two or more time columns of one table: by their names, else in question order."""
    table = r.schema.table(cols[0].table)
    picked = [c for c in (table.column(ref.column) for ref in cols) if c is not None]
    start, end = start_end(picked)
    return ColRef(table.name, start.name), ColRef(table.name, end.name)
