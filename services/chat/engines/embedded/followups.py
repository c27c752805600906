"""A follow-on question read as an edit of the previous answer's interpretation (followup_signal.py says
when a question is one).

Its words change the previous Spec through the same steps a whole question goes through — chart
requests, dates, time buckets, linked values, columns and tables, groups, comparisons — and every word
must be read by one of them, or the follow-on is declined naming the words (never an answer to another
question). A follow-on with a measure of its own ("what is their average …") keeps the previous
filters, dates and groups.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from services.chat.engines.embedded import anchoring, filters, grouping, measures
from services.chat.engines.embedded.chart_request import find_chart
from services.chat.engines.embedded.followup_signal import (
    COMPARATOR_WORDS,
    COUNT_WORDS,
    FOLLOWUP_WORDS,
    MEANINGFUL,
    POINTING_WORDS,
)
from services.chat.engines.embedded.function_words import FUNCTION_WORDS
from services.chat.engines.embedded.interpretation import date_column_of
from services.chat.engines.embedded.lexicon import Token, normalise, tokenize
from services.chat.engines.embedded.linking import Item, Parsed, link, mark_concepts, schema_phrases
from services.chat.engines.embedded.nl_dates import NUMBER_WORDS, DateRange, combine, find_bucket, find_dates
from services.chat.engines.embedded.nl_parser import PRE_LINK_WORDS, Parser, empty_range
from services.chat.engines.embedded.periods import find_comparison
from services.chat.engines.embedded.query_spec import Filter, Group, Measure, Spec, Unmapped
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.row_labels import label_columns
from services.chat.engines.embedded.synonyms import Synonym, apply_synonyms
from services.chat.engines.embedded.vocabulary import AGG_WORDS, FILLER, NEGATIONS
from services.chat.engines.schema import Schema

_AMOUNT_AGGS = ("sum", "avg", "min", "max")
_SKIPPABLE = (FILLER | FUNCTION_WORDS | FOLLOWUP_WORDS) - MEANINGFUL
_TABLE_WORDS = {"table", "list"}


@dataclass
class _Words:
    """A follow-on's tokens, those the grammar took, and what they asked for."""

    text: str
    tokens: list[Token]
    taken: set[int]
    names: set[int]
    chart_type: str | None
    chart_asked: bool
    table_only: bool
    date_range: DateRange | None
    compare: DateRange | None
    bucket: str | None
    top: tuple[int, bool] | None  # (N, descending) of "top 3", "bottom 5"
    instead: bool


def _top(tokens: list[Token], taken: set[int]) -> tuple[int, bool] | None:
    """'top 3', 'the bottom five', '3 highest': how many rows and which end; the words join `taken`."""
    for i, tok in enumerate(tokens):
        if i in taken or tok.text not in ("top", "bottom", "highest", "lowest", "first"):
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(tokens) and j not in taken:
                n = tokens[j].number if tokens[j].is_number else NUMBER_WORDS.get(tokens[j].text)
                if n is not None and n == int(n) and 0 < n <= 1000:
                    taken.update({i, j})
                    return int(n), tok.text in ("top", "highest", "first")
    return None


def _table_request(tokens: list[Token], taken: set[int]) -> bool:
    """'as a table', 'in a list', 'without the chart', 'no chart': the rows only."""
    words = [t.text for t in tokens]
    for i, w in enumerate(words):
        if i in taken:
            continue
        if w in _TABLE_WORDS and i >= 1 and words[i - 1] in ("a", "the") and i >= 2 and words[i - 2] in ("as", "in"):
            taken.update({i - 2, i - 1, i})
            return True
        if w in ("chart", "graph") and i >= 1 and (words[i - 1] == "no" or words[i - 2 : i] == ["without", "the"]):
            taken.update(range(i - 2 if words[i - 1] == "the" else i - 1, i + 1))
            return True
    return False


def _read_words(parser: Parser, question: str, today: date, synonyms: list[Synonym]) -> _Words | Unmapped:
    text, _ = apply_synonyms(parser.lexicon.split_negations(normalise(question)), synonyms)
    tokens = tokenize(text)
    names = schema_phrases(tokens, parser.lexicon, PRE_LINK_WORDS, question)
    taken: set[int] = set(names)
    table_only = _table_request(tokens, taken)
    chart_type, chart_asked = find_chart(tokens, taken)
    comparison = find_comparison(tokens, today, taken)
    dates = find_dates(tokens, today, taken) if comparison is None else []
    date_range = comparison.current if comparison else combine(dates)
    if date_range is not None and date_range.start and date_range.end and date_range.start >= date_range.end:
        return empty_range(dates)
    bucket, used = find_bucket(tokens, taken)
    taken |= used
    top = _top(tokens, taken)
    instead = any(t.text == "instead" for t in tokens)
    return _Words(
        text,
        tokens,
        taken,
        names,
        chart_type,
        chart_asked,
        table_only,
        date_range,
        comparison.previous if comparison else None,
        bucket,
        top,
        instead,
    )


# --- the edit -----------------------------------------------------------------------------------


def _tables_of(spec: Spec) -> list[str]:
    """The previous answer's tables, the measured one first: what a follow-on's words are read against."""
    out: list[str] = []
    for m in spec.measures:
        if m.own_table and m.own_table not in out:
            out.append(m.own_table)
    for t in [spec.entity, *sorted(spec.all_tables())]:
        if t not in out:
            out.append(t)
    return out


def _place_value(r: Reading, it: Item, tables: set[str]) -> bool:
    """Narrow a value found in several columns to the one on a table of the previous answer; False when
    nothing chooses between them (two columns, neither of them there, or both)."""
    reachable = [t for t in it.of_kind("value") if min(r.graph.distance(t.table, a) for a in r.anchors) < 99]
    if not reachable:
        return True
    top = max(t.weight for t in reachable)
    best = [t for t in reachable if t.weight == top]
    columns = {(t.table, t.column) for t in best}
    if len(columns) == 1:
        return True
    own = {(t.table, t.column) for t in best if t.table in tables}
    if len(own) != 1:
        return False
    it.targets = [t for t in it.targets if t.kind != "value" or (t.table, t.column) in own]
    return True


def _pins(group: Group, f: Filter, schema: Schema) -> bool:
    """Whether a filter leaves one row of a group (a group by the filtered column, or by the table it names)."""
    if f.op != "=":
        return False
    if group.kind == "column" and group.column == f.column:
        return True
    if group.kind == "entity" and group.table == f.column.table:
        return f.column.column in label_columns(schema.table(f.column.table))
    return False


def _with_filter(spec: Spec, f: Filter, r: Reading) -> None:
    """Add a filter, replacing one on the same column (the condition of a share when it is there)."""
    m = spec.measures[0] if spec.measures else None
    if m is not None and m.agg == "percent" and any(c.column == f.column for c in m.condition):
        m.condition = [c for c in m.condition if c.column != f.column] + [f]
        return
    spec.filters = [x for x in spec.filters if x.column != f.column] + [f]
    spec.groups = [g for g in spec.groups if not _pins(g, f, r.schema)]


def _date_column(r: Reading, spec: Spec) -> Unmapped | None:
    if spec.date_column is None:
        spec.date_column = date_column_of(r, spec)
        if spec.date_column is None:
            return Unmapped("no date column")
    return None


def _set_groups(spec: Spec, new: list[Group], instead: bool, schema: Schema) -> None:
    """Add the follow-on's groups, or with "instead" put them in place of those of the same kind (of all,
    when there are none of that kind). A filter to one value of a new group's column goes: "by shelf"
    after "only Poetry" asks for every shelf."""
    spec.filters = [f for f in spec.filters if not any(_pins(g, f, schema) for g in new)]
    groups = list(spec.groups)
    for g in new:
        same = [x for x in groups if (x.kind == "time") == (g.kind == "time")]
        if g.kind == "time" and same:
            groups = [g if x.kind == "time" else x for x in groups]  # one time grain at a time
            continue
        if instead:
            groups = [x for x in groups if x not in same] if same else []
        if not any(x.kind == g.kind and x.column == g.column and x.table == g.table for x in groups):
            groups.append(g)
    spec.groups = sorted(groups, key=lambda g: g.kind != "time")  # a time grain leads, as in a whole question


def _words_unread(r: _FollowUpReading, read_kinds: set[str]) -> list[str]:
    """Plain words nothing in the edit read: unknown words, and words that mean something no step took."""
    out: list[str] = []
    for i, it in enumerate(r.items):
        if it.kind != "word" or i in r.used:
            continue
        w = it.text
        if w in MEANINGFUL:
            kind = (
                "agg"
                if w in AGG_WORDS
                else "count"
                if w in COUNT_WORDS
                else "negation"
                if w in NEGATIONS
                else "comparison"
                if w in COMPARATOR_WORDS
                else ""
            )
            if kind and kind in read_kinds:
                continue
            out.append(w)
        elif not (
            w in FILLER
            or w in FUNCTION_WORDS
            or w in FOLLOWUP_WORDS
            or w in grouping.GROUP_MARKERS
            or w in ("show", "plot", "display", "chart")
            or not any(c.isalpha() for c in w)
            or r.lexicon_names(w)
        ):
            out.append(w)
    return out


def _agg_change(spec: Spec, agg: str) -> Unmapped | None:
    """'and the average?': the same measure, aggregated another way."""
    m = spec.measures[0] if spec.measures else None
    if m is None or m.agg not in ("sum", "avg", "min", "max") or (m.column is None and m.expr is None):
        return Unmapped("followup", explanation=_NO_AMOUNT)
    m.agg = agg
    return None


def edit(
    parser: Parser,
    previous: Spec,
    question: str,
    parsed: Spec | Unmapped,
    today: date,
    synonyms: list[Synonym] | None = None,
) -> Spec | Unmapped:
    """The previous Spec changed as the follow-on asks, or Unmapped when a word of it cannot be read."""
    words = _read_words(parser, question, today, synonyms or [])
    if isinstance(words, Unmapped):
        return words
    if isinstance(parsed, Spec) and _own_measure(parsed, words):
        return _new_measure(parser, previous, parsed, words)
    return _edit_in_place(parser, previous, question, words)


def _own_measure(parsed: Spec, words: _Words) -> bool:
    """Whether the follow-on names a measure of its own ("what is their average …", "how many were …"),
    rather than one the parser supplied by default (a count of the table it named)."""
    if parsed.kind != "aggregate" or not parsed.measures:
        return False
    m = parsed.measures[0]
    if m.agg == "count":
        return any(t.text in COUNT_WORDS for t in words.tokens)
    return True


def _new_measure(parser: Parser, previous: Spec, parsed: Spec, words: _Words) -> Spec | Unmapped:
    """The follow-on's own measure (and its own filters, dates and groups) over the previous conditions."""
    if previous.limit is not None:
        return Unmapped("followup", explanation=_CANNOT_CARRY_RANKING)
    spec = copy.deepcopy(parsed)
    m, before = spec.measures[0], previous.measures[0] if previous.measures else None
    named_agg = any(t.text in AGG_WORDS or t.text in COUNT_WORDS for t in words.tokens)
    if not named_agg and before is not None and before.agg in _AMOUNT_AGGS and m.agg in _AMOUNT_AGGS:
        m.agg = before.agg  # "what about storage?" after an average: its average
    own = m.own_table
    pointed = any(t.text in POINTING_WORDS for t in words.tokens)
    if (
        pointed  # "their rent" is each of those rows' rent; without the pronoun, each flat's once
        and m.agg in ("sum", "avg")
        and own is not None
        and own != previous.entity
        and not parsed.groups
        and parser.graph.reaches_to_one(previous.entity, own)
    ):
        # "their total rent" after a question about rows that refer to the rent's table: once per such row
        spec.entity = spec.rows_of = previous.entity
    for f in previous.filters:
        if not any(x.column == f.column for x in spec.filters):
            spec.filters.append(copy.deepcopy(f))
    if spec.date_range is None and spec.compare is None and previous.date_range is not None:
        spec.date_column, spec.date_range = previous.date_column, previous.date_range
        spec.compare = previous.compare
    if (previous.exists or previous.having) and spec.entity != previous.entity:
        return Unmapped("followup", explanation=_CANNOT_CARRY_CONDITIONS)
    spec.groups = [g for g in spec.groups if not any(_pins(g, f, parser.schema) for f in spec.filters)]
    spec.exists = spec.exists or copy.deepcopy(previous.exists)
    spec.having = spec.having or copy.deepcopy(previous.having)
    if not spec.groups and not spec.per_entity:
        spec.groups = copy.deepcopy(previous.groups)
        time_groups = [g for g in spec.groups if g.kind == "time"]
        if time_groups:
            if spec.date_column is None:
                spec.date_column = previous.date_column
            for g in time_groups:
                g.column = spec.date_column
        spec.growth = spec.growth or (previous.growth and bool(time_groups))
    if not (words.chart_asked or words.table_only):
        spec.chart_type, spec.chart_wanted = previous.chart_type, previous.chart_wanted
    elif words.table_only:
        spec.chart_type, spec.chart_wanted = None, False
    return spec


_CANNOT_CARRY_RANKING = (
    "That reads as a follow-on of a ranking, and I cannot keep the same ranked rows while measuring something "
    "else without guessing which rows you mean. Ask it as a whole question."
)
_CANNOT_CARRY_CONDITIONS = (
    "That reads as a follow-on, but the previous question's conditions (rows with or without related rows) "
    "apply to another table than this measure, so I cannot carry them over without guessing. Ask it as a "
    "whole question."
)
_NOTHING_TO_CHANGE = (
    "That reads as a follow-on of the previous answer, but I could not tell what to change in it "
    "(a filter, the dates, the grouping, the chart or the measure)."
)


def _edit_in_place(parser: Parser, previous: Spec, question: str, words: _Words) -> Spec | Unmapped:
    """Filters, dates, groups, chart, top-N or the aggregate of the previous Spec, changed."""
    spec = copy.deepcopy(previous)
    words.taken -= words.names
    items = link(words.tokens, words.taken, parser.lexicon)
    mark_concepts(items)
    show_verb = any(t.text in ("show", "plot", "chart", "graph", "draw", "display") for t in words.tokens)
    q = Parsed(
        question,
        words.text,
        words.tokens,
        items,
        words.chart_type,
        words.chart_asked,
        show_verb,
        words.date_range,
        words.bucket,
    )
    r = _FollowUpReading(parser, q)
    r.anchors = _tables_of(previous)
    changed = False
    read: set[str] = set()
    anchoring.merge_qualifiers(r)  # "the Poetry shelf": the column only says where the value is
    # --- values: ambiguous ones decline before any step picks one
    for it in items:
        if it.kind == "mention" and it.of_kind("value") and not it.of_kind("table"):
            if not _place_value(r, it, previous.all_tables()):
                return Unmapped("ambiguous", [it.text], explanation=_ambiguous_text(r, it))
    # --- groups ("by shelf", "per author")
    group_items, rank_by = grouping.group_segments(r)
    if rank_by:
        return Unmapped("unplaced words", [it.text for it in rank_by])
    new_groups: list[Group] = []
    for it in group_items:
        g = grouping.group_of(r, it)
        if g is None:
            return Unmapped("unplaced words", [it.text])
        new_groups.append(g)
    if words.bucket:
        new_groups.insert(0, Group("time", unit=words.bucket))
    # --- the previous tables named again ("what about overdue loans")
    for it in items:
        if it.kind == "mention" and not it.role and it.of_kind("table") and not it.of_kind("value"):
            t = max(it.of_kind("table"), key=lambda t: t.weight)
            if t.table in r.anchors:
                it.role, it.chosen = "subject", t
    # --- filters
    new_filters = [
        *filters.value_filters(r),
        *_ok(filters.comparisons(r, spec.entity)),
        *filters.null_filters(r, spec.entity),
        *filters.presence_and_ordinal_filters(r, spec.entity),
    ]
    filtered = {f.column.table for f in new_filters}
    for it in items:
        if it.kind == "mention" and not it.role and any(t.table in filtered for t in it.of_kind("table")):
            it.role = "qualifier"  # "only Nordic members": the table the value belongs to
    if any(f.op in (">", ">=", "<", "<=", "between") for f in new_filters):
        read.add("comparison")
    if any(f.op in ("!=", "not in", "null") for f in new_filters):
        read.add("negation")
    unknown = _words_unread(r, {"agg", "count", "negation", "comparison"})
    unknown = [w for w in unknown if w not in MEANINGFUL]
    if unknown:  # words no step knows decline before any step reads the rest
        return Unmapped("unplaced words", unknown)
    # --- the measure's aggregate ("and the average?", "and how many?")
    aggs = measures.agg_words(r)
    count_at = measures.count_phrase(r)
    if count_at is not None and all(it.kind == "word" and it.text in _SKIPPABLE for it in items[count_at:]):
        spec.kind, spec.measures = "aggregate", [Measure("count", entity=spec.entity, label=f"number of {spec.entity}")]
        read.add("count")
        changed = True
    elif aggs and not any(it.kind in ("mention", "concept") and not it.role for it in items):
        if spec.kind != "aggregate":
            return Unmapped("unplaced words", [r.items[aggs[0][0]].text])
        failed = _agg_change(spec, aggs[-1][1])
        if failed is not None:
            return failed
        read.add("agg")
        changed = True
    # --- anything left unread declines
    unread = [it.text for it in items if it.kind in ("mention", "concept") and not it.role]
    unread += [it.text for it in items if it.kind == "num" and not it.role]
    unread += _words_unread(r, read)
    if unread:
        return Unmapped("unplaced words", list(dict.fromkeys(unread)))
    # --- apply
    for f in new_filters:
        _with_filter(spec, f, r)
        changed = True
    if spec.exists != previous.exists:
        changed = True
    negated_tables = filters.absent_tables(r, spec.entity)
    if negated_tables:
        spec.exists = [*spec.exists, *negated_tables]
        changed = True
    if words.date_range is not None:
        if previous.compare is not None and words.compare is None:
            return Unmapped("followup", explanation=_DATES_OF_COMPARISON)
        if spec.having and spec.date_column is None and any(h.date_column for h in spec.having):
            for h in spec.having:
                h.date_range = words.date_range
        else:
            missing = _date_column(r, spec)
            if missing is not None:
                return missing
            spec.date_range, spec.compare = words.date_range, words.compare
        changed = True
    if new_groups:
        if spec.kind != "aggregate":
            return Unmapped("followup", explanation=_GROUPS_OF_ROWS)
        if any(g.kind == "time" for g in new_groups):
            missing = _date_column(r, spec)
            if missing is not None:
                return missing
            for g in new_groups:
                if g.kind == "time" and g.column is None:
                    g.column = spec.date_column
        _set_groups(spec, new_groups, words.instead, r.schema)
        if len(spec.groups) > 2:
            return Unmapped("followup", explanation=_TOO_MANY_GROUPS)
        changed = True
    spec.growth = spec.growth and any(g.kind == "time" for g in spec.groups)
    if words.top is not None:
        n, descending = words.top
        if (spec.kind == "aggregate" and not spec.groups) or (spec.kind == "rows" and spec.order_column is None):
            return Unmapped("followup", explanation=_NOTHING_TO_RANK)
        spec.limit, spec.descending = n, descending
        if spec.kind == "aggregate":
            spec.ranking, spec.order_by = True, "measure"
        changed = True
    if words.chart_asked:
        spec.chart_wanted = True
        spec.chart_type = words.chart_type or spec.chart_type
        changed = True
    elif words.table_only:
        spec.chart_wanted, spec.chart_type = False, None
        changed = True
    elif show_verb and spec.groups and not spec.chart_wanted and spec.kind == "aggregate":
        spec.chart_wanted = True  # "show it by month": a breakdown that is shown, as in a whole question
    if not changed:
        return Unmapped("followup", explanation=_NOTHING_TO_CHANGE)
    return spec


_DATES_OF_COMPARISON = (
    "The previous answer compared two periods, and a single date does not say which of them to change. "
    "Ask for the comparison you want, for example “compare 2025 with 2024”."
)
_GROUPS_OF_ROWS = "The previous answer listed rows rather than a figure, so there is nothing to break down by that."
_TOO_MANY_GROUPS = (
    "That would break the previous answer down three ways, and I answer with at most two groupings. "
    "Say which grouping to replace, for example “by month instead”."
)
_NO_AMOUNT = (
    "The previous answer counts rows (or a share of them) rather than adding up an amount, so I cannot tell "
    "what to total or average. Name the amount, for example “and the average <column>?”."
)
_NOTHING_TO_RANK = "The previous answer is a single figure, so there is no list to take the top or bottom of."


def _ok(found: list[Filter] | Unmapped) -> list[Filter]:
    if isinstance(found, Unmapped):
        raise _DeclinedError(found)
    return found


class _DeclinedError(Exception):
    def __init__(self, why: Unmapped) -> None:
        super().__init__(why.reason)
        self.why = why


def _ambiguous_text(r: Reading, it: Item) -> str:
    places = sorted({f"{t.table}.{t.column}" for t in it.of_kind("value")})
    listed = ", ".join(places[:-1]) + f" and {places[-1]}" if len(places) > 1 else places[0]
    column = places[0].split(".")[1].replace("_", " ")
    return (
        f"In a follow-on question “{it.text}” could be a value of {listed}, and nothing in the question or "
        f"the previous answer says which. Name the column, for example “only those with {column} {it.text}”."
    )


class _FollowUpReading(Reading):
    def __init__(self, parser: Parser, parsed: Parsed) -> None:
        super().__init__(parser.schema, parser.graph, parsed)
        self._lexicon = parser.lexicon

    def lexicon_names(self, word: str) -> bool:
        return self._lexicon.names_word(word)


def read(
    parser: Parser,
    previous: Spec,
    question: str,
    parsed: Spec | Unmapped,
    today: date,
    synonyms: list[Synonym] | None = None,
) -> Spec | Unmapped:
    """`edit`, with a step's refusal (a comparison on no column) turned into the decline it is."""
    try:
        return edit(parser, previous, question, parsed, today, synonyms)
    except _DeclinedError as exc:
        return exc.why
