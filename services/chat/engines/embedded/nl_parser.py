"""Question → what it asks (a Spec), mapped onto the connected schema; or a schema question; or
Unmapped when the question cannot be tied to the schema without guessing.

The question's words are first stripped of what the grammar explains (chart requests, dates,
time buckets), then linked to the schema (values, columns, tables: longest match first), and the
remaining keywords give each link its role: what is counted or measured, what it is grouped or
ranked by, what filters it. Only generic English is known here; every table, column and value
comes from the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from services.chat.engines.embedded import joins
from services.chat.engines.embedded.lexicon import GRAMMAR, Lexicon, Target, Token, normalise, stem, tokenize, words_of
from services.chat.engines.embedded.nl_dates import NUMBER_WORDS, combine, find_bucket, find_dates
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Measure, MetaRequest, Spec, Unmapped
from services.chat.engines.embedded.sql_builder import name_columns
from services.chat.engines.schema import Column, Schema, Table

# --- generic vocabulary ---------------------------------------------------------------------

CHART_WORDS = {"chart", "graph", "plot", "diagram", "visualization", "visualisation", "histogram", "viz"}
LIST_VERBS = {"show", "list", "display", "give", "find", "get", "fetch", "return", "see", "view", "print", "which"}
MONEY_WORDS = {
    "revenue",
    "revenues",
    "sales",
    "sale",
    "income",
    "turnover",
    "spend",
    "spending",
    "spent",
    "earnings",
    "earn",
    "earns",
    "earned",
    "money",
    "paid",
    "pay",
    "pays",
    "value",
    "worth",
    "billed",
    "bring",
    "brought",
    "generate",
    "generated",
    "generates",
    "gross",
    "dollars",
    "amount",
    "amounts",
}
# money words that name a measure well enough to label it ("total revenue (net_total)")
MONEY_LABELS = {"revenue", "sales", "income", "turnover", "spend", "spending", "earnings", "value", "worth", "amount"}
QUANTITY_WORDS = {"units", "unit", "quantity", "quantities", "qty", "pieces", "sold", "sell", "selling"}
PRICE_WORDS = {"price", "prices", "priced", "cost", "costs", "costing"}
DURATION_WORDS = {"duration", "durations", "stay", "stays", "length", "turnaround", "resolution", "lead"}
AGG_WORDS = {
    "total": "sum",
    "sum": "sum",
    "average": "avg",
    "avg": "avg",
    "mean": "avg",
    "typical": "avg",
    "minimum": "min",
    "min": "min",
    "maximum": "max",
    "max": "max",
}
# superlatives: (direction, meaning); meaning "measure" ranks by the measure that follows
SUPERLATIVES = {
    "most": (True, "measure"),
    "least": (False, "measure"),
    "fewest": (False, "measure"),
    "highest": (True, "measure"),
    "lowest": (False, "measure"),
    "largest": (True, "measure"),
    "biggest": (True, "measure"),
    "greatest": (True, "measure"),
    "smallest": (False, "measure"),
    "best": (True, "measure"),
    "worst": (False, "measure"),
    "top": (True, "measure"),
    "bottom": (False, "measure"),
    "cheapest": (False, "price"),
    "priciest": (True, "price"),
    "costliest": (True, "price"),
    "latest": (True, "recency"),
    "newest": (True, "recency"),
    "recent": (True, "recency"),
    "earliest": (False, "recency"),
    "oldest": (False, "age"),
    "youngest": (True, "age"),
    "longest": (True, "duration"),
    "shortest": (False, "duration"),
}
MAXMIN = {"highest": "max", "largest": "max", "biggest": "max", "greatest": "max", "lowest": "min", "smallest": "min"}
NEGATIONS = {
    "not",
    "non",
    "excluding",
    "except",
    "without",
    "exclude",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "never",
    "haven't",
    "hasn't",
    "hadn't",
    "didn't",
    "don't",
    "doesn't",
    "no",
    "none",
}
COMPARATORS: list[tuple[tuple[str, ...], str]] = [
    (("more", "than", "or", "equal", "to"), ">="),
    (("greater", "than", "or", "equal", "to"), ">="),
    (("less", "than", "or", "equal", "to"), "<="),
    (("at", "least"), ">="),
    (("no", "less", "than"), ">="),
    (("at", "most"), "<="),
    (("no", "more", "than"), "<="),
    (("up", "to"), "<="),
    (("more", "than"), ">"),
    (("greater", "than"), ">"),
    (("higher", "than"), ">"),
    (("larger", "than"), ">"),
    (("bigger", "than"), ">"),
    (("over",), ">"),
    (("above",), ">"),
    (("exceeding",), ">"),
    (("exceeds",), ">"),
    (("exceed",), ">"),
    (("less", "than"), "<"),
    (("lower", "than"), "<"),
    (("smaller", "than"), "<"),
    (("fewer", "than"), "<"),
    (("cheaper", "than"), "<"),
    (("under",), "<"),
    (("below",), "<"),
    (("equal", "to"), "="),
    (("equals",), "="),
    (("exactly",), "="),
    ((">=",), ">="),
    (("<=",), "<="),
    ((">",), ">"),
    (("<",), "<"),
    (("=",), "="),
]
PRICE_COMPARATORS = {("more", "expensive", "than"): ">", ("pricier", "than"): ">", ("cheaper", "than"): "<"}
GROUP_MARKERS = {"by", "per", "each", "every", "across"}
ORDER_VERBS = {"sorted", "sort", "ordered", "order", "ranked", "rank"}
# name words that make a column the natural money measure, best first
MONEY_NAMES = [
    ({"revenue", "sales", "amount", "total", "subtotal", "gross", "net"}, 3.0),
    (
        {"charge", "charges", "paid", "payment", "billed", "spend", "income", "value", "wage", "earnings", "fare"},
        2.0,
    ),
    ({"price", "cost", "rate"}, 1.0),
]
QUANTITY_NAMES = {"quantity", "qty", "units", "count", "volume", "pieces"}
DISCOUNT_NAMES = {"discount"}
END_NAMES = {
    "closed",
    "ended",
    "end",
    "finished",
    "resolved",
    "completed",
    "updated",
    "modified",
    "deleted",
    "discharged",
    "shipped",
    "delivered",
    "expires",
    "expiry",
    "expired",
    "due",
    "cancelled",
    "canceled",
    "until",
    "to",
}
# "average X per Y" averages per-Y totals when Y has more rows than this (else it is a breakdown by Y)
PER_ENTITY_MIN_ROWS = 50
# numeric columns that are averaged rather than summed when no aggregate is named
AVERAGED_NAMES = {
    "price",
    "cost",
    "rate",
    "wage",
    "age",
    "score",
    "rating",
    "percent",
    "pct",
    "ratio",
    "discount",
    "temperature",
    "weight",
    "height",
    "duration",
    "size",
    "level",
    "grade",
    "margin",
}
AGE_NAMES = {"birth", "born", "dob", "birthday", "birthdate"}
FILLER = GRAMMAR | {
    "did",
    "does",
    "do",
    "has",
    "have",
    "had",
    "got",
    "get",
    "make",
    "made",
    "happen",
    "happened",
    "take",
    "took",
    "place",
    "placed",
    "come",
    "came",
    "go",
    "went",
    "work",
    "works",
    "live",
    "lives",
    "belong",
    "belongs",
    "handle",
    "handled",
    "opened",
    "still",
    "yet",
    "currently",
    "so",
    "far",
    "ever",
    "overall",
    "altogether",
    "combined",
    "whole",
    "entire",
    "different",
    "distinct",
    "unique",
    "individual",
    "single",
    "new",
    "existing",
    "current",
    "registered",
    "recorded",
    "stored",
    "held",
    "hold",
    "contain",
    "contains",
    "break",
    "down",
    "breakdown",
    "split",
    "grouped",
    "group",
    "broken",
    "across",
    "compare",
    "comparison",
    "changed",
    "change",
    "evolved",
    "like",
    "look",
    "looks",
    "tell",
    "know",
    "about",
    "give",
    "dollars",
    "please",
    "kindly",
    "just",
    "also",
    "then",
    "them",
    "they",
    "he",
    "she",
    "him",
    "her",
    "any",
    "way",
    "time",
    "times",
    "ones",
    "one",
    "item",
    "there",
    "here",
    "out",
    "into",
    "now",
}
_DIGITS = re.compile(r"^\d+$")


# words that carry the question's logic (never "unknown")
KEYWORDS = (
    set(AGG_WORDS)
    | set(SUPERLATIVES)
    | set(MAXMIN)
    | {w for phrase, _ in COMPARATORS for w in phrase}
    | {"number", "count", "counts", "percentage", "percent", "proportion", "share", "fraction", "ratio"}
    | {"how", "many", "much", "describe", "expensive", "cheap", "common", "popular", "frequent", "volume"}
    | set(NUMBER_WORDS)
)
HAVE_WORDS = {"with", "has", "have", "had", "having"}
# fmt: off
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
    "9th": 9, "10th": 10,
}
# fmt: on
# leading words skipped when looking for the question's head noun
HEAD_SKIP = {
    "what",
    "which",
    "who",
    "how",
    "is",
    "are",
    "was",
    "were",
    "the",
    "a",
    "an",
    "show",
    "me",
    "list",
    "give",
    "tell",
    "find",
    "display",
    "get",
    "all",
    "our",
    "my",
    "of",
    "do",
    "does",
    "did",
    "there",
    "i",
    "can",
    "you",
    "please",
    "could",
    "would",
    "want",
    "to",
    "see",
    "let",
    "us",
    "need",
    "know",
    "whats",
    "what's",
}


# --- items: the question after linking ------------------------------------------------------


@dataclass
class Item:
    kind: str  # "word", "num", "mention", "concept"
    text: str
    first: int
    last: int
    targets: list[Target] = field(default_factory=list)
    concept: str = ""  # money, quantity, price, duration
    number: float | None = None
    role: str = ""  # set while interpreting: "group", "rank", "qualifier", "filter", "measure", "subject"
    chosen: Target | None = None
    marker: str = ""  # for groups: the word that introduced them ("by", "per", "each")

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text in words

    @property
    def tables(self) -> list[str]:
        return [t.table for t in self.targets if t.kind == "table"]

    def of_kind(self, kind: str) -> list[Target]:
        return [t for t in self.targets if t.kind == kind]


@dataclass
class Parsed:
    question: str
    text: str
    tokens: list[Token]
    items: list[Item]
    chart_type: str | None
    chart_asked: bool
    show_verb: bool
    date_range: object
    bucket: str | None
    date_starts: set[int] = field(default_factory=set)  # first token of each date expression


def _chart(tokens: list[Token], taken: set[int]) -> tuple[str | None, bool]:
    kind: str | None = None
    asked = False
    n = len(tokens)

    def take_article(i: int) -> None:
        j = i - 1
        while j >= 0 and tokens[j].text in ("a", "an", "the"):
            taken.add(j)
            j -= 1
        if j >= 0 and tokens[j].text in ("as", "in", "on", "with", "using", "into"):
            taken.add(j)

    for i, tok in enumerate(tokens):
        t = tok.text
        nxt = tokens[i + 1].text if i + 1 < n else ""
        if t in ("pie", "donut"):
            kind, asked = t, True
            taken.add(i)
            take_article(i)
        elif t == "stacked":
            kind, asked = "stacked_bar", True
            taken.add(i)
            take_article(i)
        elif t == "horizontal":
            kind, asked = "bar_horizontal", True
            taken.add(i)
            take_article(i)
        elif t in ("line", "area", "bar", "column", "bars") and (
            nxt in CHART_WORDS or nxt in ("chart", "graph") or (i > 0 and tokens[i - 1].text in ("a", "an"))
        ):
            if t in ("line", "area"):
                kind = kind or t
            elif kind is None:
                kind = "bar"
            asked = True
            taken.add(i)
            take_article(i)
        elif t in CHART_WORDS or t in ("charts", "graphs", "plots", "draw", "chart"):
            asked = True
            taken.add(i)
            if kind is None and t == "histogram":
                kind = "bar"
            take_article(i)
            if i + 1 < n and tokens[i + 1].text in ("of", "showing", "for", "with"):
                taken.add(i + 1)
    return kind, asked


def _link(tokens: list[Token], taken: set[int], lexicon: Lexicon) -> list[Item]:
    items: list[Item] = []
    i = 0
    n = len(tokens)
    while i < n:
        if i in taken:
            i += 1
            continue
        found: tuple[int, list[Target]] | None = None
        for length in range(min(lexicon.max_len, n - i), 0, -1):
            span = range(i, i + length)
            if any(k in taken for k in span):
                continue
            words = [tokens[k].text for k in span]
            targets = lexicon.match(words)
            if not targets:
                for form in sorted(tokens[i + length - 1].forms):
                    targets = lexicon.match([*words[:-1], form])
                    if targets:
                        break
            if targets and length == 1 and words[0] in GRAMMAR and not any(t.kind == "value" for t in targets):
                targets = []
            if targets:
                found = (length, targets)
                break
        tok = tokens[i]
        if found is not None:
            length, targets = found
            text = " ".join(tokens[k].text for k in range(i, i + length))
            items.append(Item("mention", text, i, i + length, targets=list(targets)))
            i += length
            continue
        if tok.is_number:
            items.append(Item("num", tok.text, i, i + 1, number=tok.number))
        elif tok.text not in FILLER and (loose := _loose_columns(tok, lexicon)):
            items.append(Item("mention", tok.text, i, i + 1, targets=loose))
        else:
            items.append(Item("word", tok.text, i, i + 1))
        i += 1
    return items


def _loose_columns(tok: Token, lexicon: Lexicon) -> list[Target]:
    """Columns one of whose words shares the token's stem ("enrolled" ~ enrolled_at)."""
    s = tok.stem
    if len(s) < 4:
        return []
    out = []
    for (table, column), stems in lexicon.column_stems.items():
        if s in stems:
            out.append(Target("column", table, column, weight=1.0))
    return out


def _concept_of(word: str) -> str:
    if word in MONEY_WORDS:
        return "money"
    if word in QUANTITY_WORDS:
        return "quantity"
    if word in PRICE_WORDS:
        return "price"
    return ""


# --- the parser -----------------------------------------------------------------------------


class Parser:
    def __init__(self, schema: Schema, lexicon: Lexicon) -> None:
        self.schema = schema
        self.lexicon = lexicon
        self.graph = joins.JoinGraph(schema)

    # -- entry point --

    def parse(self, question: str, today: date) -> Spec | MetaRequest | Unmapped:
        text = normalise(question)
        tokens = tokenize(text)
        if not tokens:
            return Unmapped("empty")
        taken: set[int] = set()
        chart_type, chart_asked = _chart(tokens, taken)
        meta = self._meta(text, tokens, taken, chart_type, chart_asked)
        if meta is not None:
            return meta
        dates = find_dates(tokens, today, taken)
        date_range = combine(dates)
        bucket, used = find_bucket(tokens, taken)
        taken |= used
        items = _link(tokens, taken, self.lexicon)
        for k, item in enumerate(items):
            if item.is_word("long") and k > 0 and items[k - 1].is_word("how"):
                item.kind, item.concept = "concept", "duration"  # "how long does it take"
            elif item.kind == "word" and (concept := _concept_of(item.text)):
                item.kind, item.concept = "concept", concept
            elif item.kind == "word" and item.text in DURATION_WORDS:
                item.kind, item.concept = "concept", "duration"
            elif (
                item.kind == "mention"
                and item.last - item.first == 1
                and (concept := _concept_of(item.text))
                and all(t.kind == "column" and t.weight < 2 for t in item.targets)
            ):
                # "units" is the quantity sold, not a loose match on unit_weight
                item.kind, item.concept, item.targets = "concept", concept, []
        show_verb = any(t.text in ("show", "plot", "chart", "graph", "draw", "display") for t in tokens)
        parsed = Parsed(question, text, tokens, items, chart_type, chart_asked, show_verb, date_range, bucket)
        parsed.date_starts = {m.first for m in dates}
        return Interpretation(self, parsed).build()

    # -- questions about the database itself --

    def _meta(
        self, text: str, tokens: list[Token], taken: set[int], chart_type: str | None, chart_asked: bool
    ) -> MetaRequest | None:
        words = [t.text for i, t in enumerate(tokens) if i not in taken]
        wordset = set(words)
        named = self._named_tables(tokens, taken)
        tables_word = bool(wordset & {"tables", "table"})
        all_tables = bool(
            re.search(r"\b(each|every|per|all|all the|by|the|your|of the|different)\s+tables?\b", text)
            or re.search(r"\btables\b", text)
        )
        size_words = bool(
            wordset & {"rows", "row", "records", "record", "entries", "size", "sizes", "big", "large"}
            or re.search(r"\bhow many\b|\bnumber of\b|\bcounts?\b", text)
        )
        if tables_word and all_tables and size_words and not named:
            return MetaRequest("row_counts", chart_type=chart_type, chart_wanted=chart_asked)
        column_words = wordset & {"columns", "column", "fields", "field", "attributes", "schema", "structure"}
        describe = bool(re.search(r"\b(describe|definition of|what is in|what's in|whats in|look like)\b", text))
        if named and (column_words or describe) and not re.search(r"\bhow many\b", text):
            return MetaRequest("columns", tables=named)
        if column_words and not named and re.search(r"\b(what|which|list|show)\b", text) and not size_words:
            if "tables" in wordset or re.search(r"\b(database|schema)\b", text):
                return MetaRequest("columns", tables=sorted(self.schema.tables))
        if ("tables" in wordset or re.search(r"\bwhat (data|information)\b", text)) and not named:
            if re.search(r"\b(what|which|list|show|name|tell|are there|have|available|exist)\b", text):
                return MetaRequest("tables", chart_type=chart_type, chart_wanted=chart_asked)
        if re.search(
            r"\b(describe|schema of)\s+(the\s+)?(database|schema)\b|\bwhat(?:'s| is)? in (the|this|your|my) database\b",
            text,
        ):
            return MetaRequest("tables")
        return None

    def _named_tables(self, tokens: list[Token], taken: set[int]) -> list[str]:
        out: list[str] = []
        items = _link(tokens, set(taken), self.lexicon)
        for item in items:
            tables = [t for t in item.targets if t.kind == "table"]
            if tables and not item.of_kind("value"):
                best = max(tables, key=lambda t: t.weight)
                if best.table not in out:
                    out.append(best.table)
        return out


# --- interpretation -------------------------------------------------------------------------


class Interpretation:
    """Assign roles to the linked items of one question and build its Spec."""

    def __init__(self, parser: Parser, parsed: Parsed) -> None:
        self.p = parser
        self.schema = parser.schema
        self.graph = parser.graph
        self.q = parsed
        self.items = parsed.items
        self.anchors: list[str] = []

    # helpers over the item list

    def _word(self, i: int) -> str:
        return self.items[i].text if 0 <= i < len(self.items) and self.items[i].kind == "word" else ""

    def _next_content(self, i: int, skip: set[str] | None = None) -> int:
        """Index of the first item after i that is not a skippable filler word."""
        skip = skip if skip is not None else {"the", "a", "an", "of", "all", "our", "my", "your", "their", "any"}
        j = i + 1
        while j < len(self.items) and self.items[j].kind == "word" and self.items[j].text in skip:
            j += 1
        return j

    def _tables_of(self, item: Item) -> set[str]:
        return {t.table for t in item.targets}

    def _pick(self, item: Item, kinds: tuple[str, ...], prefer: list[str] | None = None) -> Target | None:
        """The item's best target among `kinds`, preferring tables close to the question's anchors."""
        options = [t for t in item.targets if t.kind in kinds]
        if not options:
            return None
        anchors = prefer if prefer is not None else self.anchors

        def score(t: Target) -> float:
            s = t.weight
            if anchors:
                d = min(self.graph.distance(t.table, a) for a in anchors)
                s -= 0.9 * min(d, 4)
                if t.table == anchors[0]:
                    s += 0.3
            return s

        return max(options, key=score)

    # -- build --

    def build(self) -> Spec | Unmapped:
        items = self.items
        mentions = [it for it in items if it.kind in ("mention", "concept")]
        if not mentions:
            return Unmapped(
                "nothing in the question names a table, column or value of this database", self._unknown_words()
            )
        self._anchor_tables()
        self._merge_qualifiers()
        unknown = self._unknown_values()
        if unknown:
            return Unmapped("unknown values", unknown)
        head = self._unknown_head()
        if head is not None:
            return Unmapped("unknown subject", [head])

        count_at = self._count_phrase()
        group_items, rank_by_items = self._group_segments()
        rank = self._ranking()
        aggs = self._agg_words()

        spec = Spec(kind="aggregate", entity="")
        spec.chart_type = self.q.chart_type
        # --- what is counted or measured
        measure: Measure | None = None
        subject: str | None = None
        averaged_count = False
        if count_at is not None:
            # "the average number of pages": a numeric column counted per row is averaged
            agg_before = next((a for i, a in aggs if i in (count_at - 3, count_at - 4)), None)
            measure, subject = self._counted(count_at, agg_before)
            averaged_count = agg_before == "avg" and measure is not None and measure.agg == "count"
            if measure is None:
                return Unmapped("the thing to count", [subject or self._word_after(count_at)])
        percent = self._percent()
        if percent is not None:
            measure, subject = percent
        if measure is None and aggs:
            measure, subject = self._aggregated(aggs)
        # --- groups
        groups = []
        per_entity: str | None = None
        for it in group_items:
            g = self._group_of(it)
            if g is None:
                continue
            groups.append(g)
            if g.kind == "entity" and it.marker in ("per", "each", "every"):
                per_entity = g.table
        if self.q.bucket:
            groups.insert(0, Group("time", unit=self.q.bucket))
        # --- ranking
        if rank is not None:
            result = self._ranked(rank, rank_by_items, measure, subject, groups)
            if isinstance(result, Unmapped):
                return result
            measure, subject, groups = result
            spec.ranking = True
            spec.limit = rank.n
            spec.descending = rank.descending
        if measure is None and rank_by_items:
            measure, subject = self._measure_from(rank_by_items, subject)
        if measure is None and (groups or rank is not None or not self._list_question()):
            # "yearly ticket fares", "wage by team", "total fares of charter flights": a numeric column
            # named without an aggregate is the measure
            measure = self._bare_numeric_measure()
            if measure is not None:
                subject = subject or self._measure_table(measure)
        if measure is None:
            money = [it for it in items if it.kind == "concept" and it.concept in ("money", "quantity", "duration")]
            if money and (groups or not self._list_question()):
                measure = self._concept_measure(money[0], "sum" if money[0].concept != "duration" else "avg", subject)
                if measure is None:
                    return Unmapped("no measure", [money[0].text])
                subject = subject or self._measure_table(measure)
        # "average pages per book": per row of the measure's own table is no grouping
        if measure is not None and measure.agg != "count":
            own = self._measure_table(measure)
            groups = [g for g in groups if not (g.kind == "entity" and g.table == own)]
        # "average spend per passenger", "average number of loans per member": totals per member,
        # averaged (rather than one average per customer)
        if (
            measure is not None
            and (measure.agg == "avg" or averaged_count)
            and rank is None
            and per_entity is not None
            and len(groups) == 1
            and groups[0].kind == "entity"
            and groups[0].table == per_entity
            and per_entity != self._measure_table(measure)
            and self.graph.reaches_to_one(self._measure_table(measure) or per_entity, per_entity)
            # "average fare per airline" (a few airlines) is a breakdown; "per passenger" (thousands)
            # asks for one number
            and self.schema.table(per_entity).row_count > PER_ENTITY_MIN_ROWS
        ):
            spec.per_entity = per_entity
            groups = []
        # --- subject
        if subject is None:
            subject = self._subject(groups)
        if subject is None:
            return Unmapped("no table")
        spec.entity = subject
        # --- filters
        filters = self._value_filters()
        comparisons = self._comparisons(subject, measure)
        if isinstance(comparisons, Unmapped):
            return comparisons
        filters += comparisons
        filters += self._null_filters(subject)
        filters += self._presence_and_ordinal_filters(subject)
        spec.filters = filters
        spec.exists = self._absent_tables(subject)
        # --- kind of answer
        if rank is not None and rank.row_level:
            spec.kind = "rows"
            spec.order_by = "column"
            spec.order_column = rank.order_column
            spec.measures = []
            spec.groups = []
        elif measure is None and not groups and (self._list_question() or rank is not None):
            spec.kind = "rows"
        else:
            spec.kind = "aggregate"
            if measure is None:
                measure = Measure("count", entity=subject, label=f"number of {subject}")
            spec.measures = [measure]
            spec.groups = groups[:2]
            if spec.ranking:
                spec.order_by = "measure"
        # --- dates
        if self.q.date_range is not None or any(g.kind == "time" for g in spec.groups):
            date_col = self._date_column(spec)
            if date_col is None:
                return Unmapped("no date column", [])
            spec.date_column = date_col
            spec.date_range = self.q.date_range  # type: ignore[assignment]
            for g in spec.groups:
                if g.kind == "time":
                    g.column = date_col
        unused = self._unused_columns()
        if unused:
            return Unmapped("unused", unused)
        # --- charts
        breakdown = spec.kind == "aggregate" and bool(spec.groups)
        spec.chart_wanted = self.q.chart_asked or (breakdown and self.q.show_verb)
        return spec

    # -- anchors and qualifiers --

    def _anchor_tables(self) -> None:
        anchors: list[str] = []
        for it in self.items:
            if it.kind != "mention":
                continue
            tables = it.of_kind("table")
            if tables and not it.of_kind("value"):
                best = max(tables, key=lambda t: t.weight)
                if best.weight >= 1.5 and best.table not in anchors:
                    anchors.append(best.table)
        if not anchors:
            for it in self.items:
                for t in it.targets:
                    if t.kind in ("value", "column") and t.table not in anchors:
                        anchors.append(t.table)
                        break
        self.anchors = anchors

    def _merge_qualifiers(self) -> None:
        """'member tier' → members.tier; 'seat class economy' → the value; 'Poetry shelf' → the value."""
        items = self.items
        for i, it in enumerate(items):
            if it.kind != "mention":
                continue
            j = i + 1
            if j >= len(items) or items[j].kind != "mention":
                # allow one article/preposition between a value and its qualifier: "the Nordic region"
                continue
            nxt = items[j]
            tables_here = {t.table for t in it.of_kind("table")}
            # a singular table name followed by one of its columns: "member tier", "booking fees"
            if tables_here and not it.of_kind("value") and not self._plural(it):
                cols = [t for t in nxt.targets if t.kind in ("column", "value") and t.table in tables_here]
                if cols:
                    nxt.targets = cols + [t for t in nxt.targets if t.kind == "table" and t.table in tables_here]
                    it.role = "qualifier"
                    continue
            # column followed by a value of that column (or value followed by its column/table)
            values_next = nxt.of_kind("value")
            cols_here = {(t.table, t.column) for t in it.of_kind("column")}
            if values_next and cols_here:
                keep = [v for v in values_next if (v.table, v.column) in cols_here]
                if keep:
                    nxt.targets = keep
                    it.role = "qualifier"
                    continue
            values_here = it.of_kind("value")
            if values_here:
                # "economy class", "Poetry shelf": the column or table only says where the value is;
                # but in "overdue loans" the table is what the question is about
                col_keys = {(t.table, t.column) for t in nxt.of_kind("column")}
                tbls = {t.table for t in nxt.of_kind("table")}
                by_col = [v for v in values_here if (v.table, v.column) in col_keys]
                by_label = [v for v in values_here if v.table in tbls and self._is_label(v)]
                keep = by_col or by_label
                if keep:
                    it.targets = keep
                    nxt.role = "qualifier"

    def _unknown_words(self) -> list[str]:
        return [it.text for it in self.items if it.kind == "word" and it.text not in FILLER | KEYWORDS | NEGATIONS]

    def _unknown_head(self) -> str | None:
        """The question's first content word, when nothing explains it: "what is the weather in Lisbon"."""
        for it in self.items:
            if it.kind == "word" and it.text in HEAD_SKIP:
                continue
            if it.kind == "word" and it.text not in FILLER | KEYWORDS | NEGATIONS and it.text.isalpha():
                return it.text
            return None
        return None

    def _has_before(self, k: int) -> bool:
        """'with a discount', 'had any layovers': the column is a condition on the rows."""
        j = k - 1
        while j >= 0 and self._word(j) in ("a", "an", "any", "some"):
            j -= 1
        return self._word(j) in HAVE_WORDS

    def _ordinal_before(self, k: int) -> int | None:
        return ORDINALS.get(self._word(k - 1)) or (
            ORDINALS.get(self._word(k - 2)) if self._word(k - 1) == "the" else None
        )

    def _plural(self, it: Item) -> bool:
        tok = self.q.tokens[it.last - 1]
        return tok.text.endswith("s") and any(f != tok.text for f in tok.forms)

    def _is_label(self, v: Target) -> bool:
        return v.column in name_columns(self.schema.table(v.table))

    def _unknown_values(self) -> list[str]:
        """Capitalised words the user wrote that match nothing: a value we cannot find, not something to ignore."""
        out = []
        original = self.q.question
        for it in self.items:
            if it.kind != "word" or it.text in FILLER or it.text in NEGATIONS:
                continue
            tok = self.q.tokens[it.first]
            raw = _original_word(original, tok.text)
            if raw and raw[0].isupper() and it.first > 0 and self._after_preposition(it):
                out.append(raw)
        return out

    def _after_preposition(self, it: Item) -> bool:
        k = self.items.index(it)
        prev = self._word(k - 1)
        return prev in ("in", "from", "at", "named", "called", "for", "with", "by", "of", "to")

    # -- count phrases --

    def _count_phrase(self) -> int | None:
        """Index of the item after 'how many' / 'number of' / 'count (of)'; None without one."""
        items = self.items
        for i, it in enumerate(items):
            if it.is_word("how") and self._word(i + 1) == "many":
                return i + 2
            if it.is_word("number") and self._word(i + 1) == "of":
                return i + 2
            if it.is_word("count", "counts") and (i == 0 or self._word(i - 1) in ("the", "a", "total", "me", "and")):
                j = i + 1
                if self._word(j) == "of":
                    j += 1
                return j
            if it.is_word("count", "counts") and i > 0 and items[i - 1].kind == "mention":
                return i - 1
        return None

    def _word_after(self, i: int) -> str:
        j = self._next_content(i - 1)
        return self.items[j].text if j < len(self.items) else ""

    def _counted(self, start: int, agg: str | None = None) -> tuple[Measure | None, str | None]:
        """What follows 'how many': a table (count rows), a column (distinct values) or a quantity (a sum)."""
        items = self.items
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
        adjective: Item | None = None
        while j < len(items):
            it = items[j]
            if it.kind == "word" and (it.text in skip or it.text in FILLER):
                distinct = distinct or it.text in ("different", "distinct", "unique", "separate")
                j += 1
                continue
            if it.kind == "mention" and it.role != "qualifier" and it.of_kind("value") and not it.of_kind("table"):
                adjective = adjective or it
                j += 1  # adjectives: "how many overdue loans"
                continue
            if it.kind == "mention" and it.role == "qualifier":
                j += 1
                continue
            break
        if j >= len(items) or (items[j].kind not in ("mention", "concept") and adjective is not None):
            if adjective is not None:
                # the value is the noun: "how many pilots" counts crew rows whose role is 'Pilot'
                v = self._pick(adjective, ("value",))
                if v is not None:
                    return Measure("count", entity=v.table, label=f"number of {v.table}"), v.table
            return None, None
        it = items[j]
        if it.kind == "concept" and it.concept == "quantity":
            m = self._concept_measure(it, "sum", None)
            return m, (m.column.table if m and m.column else None)
        if it.kind != "mention":
            return None, None
        table = self._pick(it, ("table",))
        column = self._pick(it, ("column",))
        if table is not None and (column is None or table.weight >= column.weight or distinct is False):
            nxt = self._word(j + 1)
            if nxt.endswith("s") and not nxt.endswith("ss") and nxt not in FILLER | KEYWORDS | NEGATIONS:
                # "how many order lines": the counted thing is a compound whose head we do not know
                return None, nxt
            it.role, it.chosen = "subject", table
            return Measure("count", entity=table.table, label=f"number of {table.table}"), table.table
        if column is not None:
            it.role, it.chosen = "measure", column
            ref = ColRef(column.table, column.column)
            col = self.schema.table(column.table).column(column.column)
            if agg is not None and col is not None and col.numeric:
                return Measure(agg, column=ref, label=f"{_agg_name(agg)} {column.column}"), column.table
            if col is not None and col.numeric and col.kind != "int" and not distinct:
                return Measure("sum", column=ref, label=f"total {column.column}"), column.table
            return Measure("count_distinct", column=ref, label=f"number of distinct {column.column}"), column.table
        value = self._pick(it, ("value",))
        if value is not None:
            return Measure("count", entity=value.table, label=f"number of {value.table}"), value.table
        return None, None

    # -- percentages --

    def _percent(self) -> tuple[Measure, str] | None:
        words = [it.text for it in self.items if it.kind == "word"]
        if not ({"percentage", "percent", "proportion", "share", "fraction", "%"} & set(words)):
            return None
        tables = [t for it in self.items if it.kind == "mention" for t in it.of_kind("table") if t.weight >= 1.5]
        values = [it for it in self.items if it.kind == "mention" and it.of_kind("value")]
        if not tables or not values:
            return None
        entity = tables[0].table
        condition = []
        for it in values:
            v = self._pick(it, ("value",), prefer=[entity])
            if v is None:
                continue
            it.role = "measure"
            condition.append(Filter(ColRef(v.table, v.column), "=", v.value))
        for it in self.items:
            if it.kind == "mention" and it.of_kind("table") and it.role == "":
                it.role = "subject"
        return Measure("percent", entity=entity, condition=condition, label=f"share of {entity}"), entity

    # -- aggregation words --

    def _agg_words(self) -> list[tuple[int, str]]:
        out = []
        for i, it in enumerate(self.items):
            if it.kind == "word" and it.text in AGG_WORDS:
                if it.text == "total" and self._word(i + 1) in ("number", "count"):
                    continue
                out.append((i, AGG_WORDS[it.text]))
            elif it.kind == "word" and it.text in MAXMIN and not self._ranking_context(i):
                out.append((i, MAXMIN[it.text]))
        return out

    def _ranking_context(self, i: int) -> bool:
        """'highest' ranks (which X has the highest Y) rather than aggregates (the highest Y)."""
        before = [it for it in self.items[:i]]
        if any(it.is_word("which", "who", "top", "bottom") for it in before):
            return True
        if any(it.kind == "num" for it in before[-2:]):
            return True
        # "the highest paid pilots": the superlative qualifies a noun rather than a measure
        j = self._next_content(i)
        if j < len(self.items) and self.items[j].kind == "concept" and self.items[j].concept == "money":
            k = self._next_content(j)
            if k < len(self.items) and self.items[k].kind == "mention" and self.items[k].of_kind("table"):
                return True
        return False

    def _aggregated(self, aggs: list[tuple[int, str]]) -> tuple[Measure | None, str | None]:
        for i, agg in aggs:
            j = self._next_content(i, {"the", "a", "an", "of", "all", "our", "my", "single", "individual", "any"})
            # table qualifiers before the measure: "average order value", "total admission charges"
            qualifier: str | None = None
            while j < len(self.items):
                it = self.items[j]
                if it.kind == "mention" and it.of_kind("table") and not it.of_kind("column"):
                    nxt = self.items[j + 1] if j + 1 < len(self.items) else None
                    if nxt is not None and (nxt.kind == "concept" or (nxt.kind == "mention" and nxt.of_kind("column"))):
                        qualifier = qualifier or max(it.of_kind("table"), key=lambda t: t.weight).table
                        it.role = "qualifier"
                        j += 1
                        continue
                    if nxt is not None and nxt.is_word("total"):
                        qualifier = max(it.of_kind("table"), key=lambda t: t.weight).table
                        it.role = "qualifier"
                        m = self._money_measure(agg, [qualifier], "total")
                        if m is not None:
                            nxt.kind = "concept"
                            return m, self._measure_table(m)
                break
            if j >= len(self.items):
                continue
            it = self.items[j]
            if it.kind == "mention" and it.of_kind("column"):
                prefer = [qualifier] if qualifier else None
                col = self._pick_numeric(it, prefer)
                if col is not None:
                    it.role, it.chosen = "measure", col
                    ref = ColRef(col.table, col.column)
                    return Measure(agg, column=ref, label=f"{_agg_name(agg)} {col.column}"), col.table
            if it.kind == "concept":
                it.role = "measure"
                m = self._concept_measure(it, agg, qualifier)
                if m is not None:
                    return m, self._measure_table(m)
            if it.kind == "mention" and it.of_kind("table") and agg == "sum":
                continue  # "total loans" is a count: handled by the caller's defaults
            if it.is_word("number", "count"):
                continue
            if it.is_word("total") and qualifier:
                m = self._money_measure(agg, [qualifier], "total")
                if m is not None:
                    return m, self._measure_table(m)
        return None, None

    def _bare_numeric_measure(self) -> Measure | None:
        for k, it in enumerate(self.items):
            if it.kind != "mention" or it.role or it.of_kind("value"):
                continue
            if self._comparator_at(k + 1)[0] is not None or self._has_before(k) or self._ordinal_before(k):
                continue  # "with a fare over 500", "with a discount", "second terminal": filters, not measures
            col = self._pick_numeric(it, None)
            if col is None or (it.of_kind("table") and max(t.weight for t in it.of_kind("table")) >= col.weight):
                continue
            words = set(words_of(col.column))
            agg = "avg" if words & AVERAGED_NAMES else "sum"
            it.role, it.chosen = "measure", col
            return Measure(agg, column=ColRef(col.table, col.column), label=f"{_agg_name(agg)} {col.column}")
        return None

    def _pick_numeric(self, it: Item, prefer: list[str] | None) -> Target | None:
        numeric = [
            t
            for t in it.of_kind("column")
            if (c := self._col(t.table, t.column)) is not None and (c.numeric or c.kind == "other")
        ]
        if not numeric:
            return None
        sub = Item(it.kind, it.text, it.first, it.last, targets=numeric)
        return self._pick(sub, ("column",), prefer=prefer if prefer else None)

    def _col(self, table: str, column: str) -> Column | None:
        t = self.schema.tables.get(table)
        return t.column(column) if t else None

    # -- measures from concepts --

    def _measure_table(self, m: Measure) -> str | None:
        if m.column is not None:
            return m.column.table
        if m.expr_columns:
            return m.expr_columns[0].table
        return m.entity

    def _context_tables(self, extra: str | None = None) -> list[str]:
        out = [extra] if extra else []
        for it in self.items:
            if it.role in ("qualifier",) and it.of_kind("table"):
                continue
            for t in it.targets:
                if t.kind in ("table", "value") and t.table not in out:
                    out.append(t.table)
        return out

    def _required_tables(self) -> list[str]:
        """Tables the measure must reach: those of groups, values and ranked entities."""
        out: list[str] = []
        for it in self.items:
            if it.kind != "mention" or it.role == "qualifier":
                continue
            if it.role in ("group", "rank") or it.of_kind("value"):
                for t in it.targets[:1] if it.chosen is None else [it.chosen]:
                    if t.table not in out:
                        out.append(t.table)
        return out

    def _concept_measure(self, it: Item, agg: str, qualifier: str | None) -> Measure | None:
        if it.concept == "money" or (it.concept == "price" and agg != "count"):
            return self._money_measure(agg, [qualifier] if qualifier else [], it.text, price=it.concept == "price")
        if it.concept == "quantity":
            return self._quantity_measure(agg, [qualifier] if qualifier else [])
        if it.concept == "duration":
            return self._duration_measure(agg, [qualifier] if qualifier else [])
        return None

    def _money_measure(self, agg: str, prefer: list[str], word: str, *, price: bool = False) -> Measure | None:
        candidates: list[tuple[float, Measure]] = []
        required = self._required_tables()
        context = prefer or self._context_tables()
        for table in self.schema.tables.values():
            if prefer and table.name not in prefer:
                continue
            options = _money_options(table, price=price)
            for score, m in options:
                reach = [r for r in required if r != table.name]
                if any(not self.graph.reaches_to_one(table.name, r) for r in reach):
                    score -= 10
                if context:
                    d = min(self.graph.distance(table.name, c) for c in context)
                    score -= 0.5 * min(d, 4)
                    if table.name in context:
                        score += 0.5
                m.label = word if word in MONEY_LABELS and not price else m.label
                candidates.append((score, m))
        if not candidates:
            if prefer:
                return self._money_measure(agg, [], word, price=price)
            return None
        score, best = max(candidates, key=lambda c: c[0])
        if score < -5:
            return None
        best.agg = agg
        return best

    def _quantity_measure(self, agg: str, prefer: list[str]) -> Measure | None:
        required = self._required_tables()
        best: tuple[float, Measure] | None = None
        for table in self.schema.tables.values():
            if prefer and table.name not in prefer:
                continue
            for col in table.columns:
                words = set(words_of(col.name))
                if not (words & QUANTITY_NAMES) or not col.numeric:
                    continue
                score = 2.0
                if any(not self.graph.reaches_to_one(table.name, r) for r in required if r != table.name):
                    score -= 10
                m = Measure(agg, column=ColRef(table.name, col.name), label=f"{_agg_name(agg)} {col.name}")
                if best is None or score > best[0]:
                    best = (score, m)
        return best[1] if best and best[0] > -5 else None

    def _duration_measure(self, agg: str, prefer: list[str]) -> Measure | None:
        context = prefer or self._context_tables()
        for name in context or list(self.schema.tables):
            table = self.schema.tables[name]
            temporal = [c for c in table.columns if c.temporal]
            if len(temporal) >= 2:
                start, end = _start_end(temporal)
                return Measure(
                    agg,
                    expr="duration",
                    expr_columns=(ColRef(name, start.name), ColRef(name, end.name)),
                    label=f"{_agg_name(agg)} days from {start.name} to {end.name}",
                )
        return None

    def _measure_from(self, items: list[Item], subject: str | None) -> tuple[Measure | None, str | None]:
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
                m = self._concept_measure(it, agg, None)
                if m is not None:
                    it.role = "measure"
                    return m, self._measure_table(m)
            if it.kind == "mention" and it.of_kind("column"):
                col = self._pick_numeric(it, None)
                if col is not None:
                    it.role = "measure"
                    return Measure(agg, column=ColRef(col.table, col.column), label=col.column), col.table
            if it.kind == "mention" and it.of_kind("table"):
                t = max(it.of_kind("table"), key=lambda t: t.weight)
                it.role = "subject"
                return Measure("count", entity=t.table, label=f"number of {t.table}"), t.table
        return None, subject

    # -- groups --

    def _group_segments(self) -> tuple[list[Item], list[Item]]:
        """Items after 'by' / 'per' / 'for each' / 'in each' / 'across' (dimensions), and after a ranking 'by'."""
        items = self.items
        groups: list[Item] = []
        rank_by: list[Item] = []
        has_rank = any(it.is_word("top", "bottom") for it in items) or any(
            it.is_word("most", "least", "fewest", "highest", "lowest") for it in items
        )
        i = 0
        while i < len(items):
            it = items[i]
            if it.kind == "word" and it.text in GROUP_MARKERS:
                if it.text == "by" and self._word(i - 1) in ORDER_VERBS:
                    seg = self._segment(i + 1)
                    rank_by.extend(seg)
                    i += 1
                    continue
                seg = self._segment(i + 1)
                first = next((x for x in seg if x.kind == "mention"), None)
                if first is not None and first.of_kind("value") and first.role != "qualifier":
                    i += 1
                    continue  # "by premium members" names who, it does not group
                if it.text == "by" and has_rank and self._is_measure_segment(seg):
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

    def _segment(self, start: int) -> list[Item]:
        """The items of one 'by …' phrase: mentions joined by 'and' / ',' / 'then'."""
        out: list[Item] = []
        j = start
        items = self.items
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

    def _is_measure_segment(self, seg: list[Item]) -> bool:
        for it in seg:
            if it.kind == "concept" or it.is_word("number", "count", "total", "average", "sum", "avg", "how"):
                return True
            if it.kind == "mention" and it.of_kind("column"):
                c = self._pick_numeric(it, None)
                if c is not None and not it.of_kind("table"):
                    return True
        return False

    def _group_of(self, it: Item) -> Group | None:
        if it.kind != "mention":
            return None
        anchors = self.anchors
        col = self._pick(it, ("column",))
        table = self._pick(it, ("table",))
        value = it.of_kind("value")
        if col is not None and table is not None:
            # a column of a table the question is about beats another table of the same name
            if col.table in anchors[:1] or (
                table.weight < col.weight and self.graph.distance(col.table, anchors[0] if anchors else col.table) <= 1
            ):
                table = None
            elif self.graph.distance(table.table, anchors[0] if anchors else table.table) <= self.graph.distance(
                col.table, anchors[0] if anchors else col.table
            ):
                col = None
            else:
                table = None
        if table is not None and (col is None):
            it.chosen = table
            return Group("entity", table=table.table)
        if col is not None:
            c = self._col(col.table, col.column)
            it.chosen = col
            if c is not None and c.temporal:
                return Group("time", column=ColRef(col.table, col.column), unit="month")
            return Group("column", column=ColRef(col.table, col.column))
        if value:
            v = value[0]
            it.chosen = v
            return Group("column", column=ColRef(v.table, v.column))
        return None

    # -- ranking --

    @dataclass
    class Rank:
        at: int
        descending: bool
        n: int | None
        meaning: str  # "measure", "price", "recency", "age", "duration", "popular"
        row_level: bool = False
        order_column: ColRef | None = None
        target_index: int | None = None  # the ranked dimension's item

    def _ranking(self) -> Rank | None:
        items = self.items
        for i, it in enumerate(items):
            if it.kind == "word" and it.text in SUPERLATIVES:
                if it.text in MAXMIN and not self._ranking_context(i):
                    continue
                if it.text in ("most", "least") and self._word(i + 1) == "expensive":
                    descending = it.text == "most"
                    meaning = "price"
                elif it.text in ("most", "least") and self._word(i + 1) in ("recent", "recently"):
                    descending = it.text == "most"
                    meaning = "recency"
                else:
                    descending, meaning = SUPERLATIVES[it.text]
                if it.text == "least" and self._word(i - 1) == "at":
                    continue
                if it.text == "most" and self._word(i - 1) == "at":
                    continue
                n = self._rank_count(i)
                rank = Interpretation.Rank(i, descending, n, meaning)
                if meaning == "measure" and it.text in ("most", "least"):
                    nxt = items[i + 1] if i + 1 < len(items) else None
                    if nxt is not None and nxt.kind == "word" and nxt.text not in FILLER and nxt.text not in AGG_WORDS:
                        rank.meaning = "popular"  # "most prescribed", "most popular", "least ordered"
                return rank
        return None

    def _rank_count(self, i: int) -> int | None:
        """N of a top-N: after top/bottom/which/the, or right before the superlative or the ranked noun."""
        items = self.items

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
            prev = self._word(j - 1)
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

    def _ranked(
        self, rank: Rank, rank_by: list[Item], measure: Measure | None, subject: str | None, groups: list[Group]
    ) -> tuple[Measure | None, str | None, list[Group]] | Unmapped:
        items = self.items
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
        plural_dim = False
        if dim_item is not None:
            tok = self.q.tokens[dim_item.last - 1]
            plural_dim = tok.text.endswith("s") and any(f != tok.text for f in tok.forms)
        if rank.n is None:
            rank.n = 10 if plural_dim else 1
        if dim_item is None:
            if measure is not None and rank.meaning == "measure":
                # "the highest total": an aggregate after all
                return measure, subject, groups
            return Unmapped("what to rank")
        dim_table = self._pick(dim_item, ("table",))
        dim_col = self._pick(dim_item, ("column",))
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
            table = self.schema.table(dim_table.table)
            col = _order_column(table, rank.meaning, self._question_stems())
            if col is None:
                return Unmapped(f"no {rank.meaning} column")
            rank.row_level = True
            rank.order_column = ColRef(table.name, col.name)
            dim_item.chosen = dim_table
            return None, table.name, []
        if rank.meaning == "popular" and measure is None:
            measure, subject = self._popularity(dim_table, dim_col, self._word(rank.at + 1))
            if measure is None:
                return Unmapped("popularity")
        # the measure: explicit (by …), after the superlative, or counted
        if measure is None and rank_by:
            measure, subject = self._measure_from(rank_by, subject)
        if measure is None:
            after = items[rank.at + 1 :]
            measure, subject2 = self._measure_after_superlative(after, dim_item)
            subject = subject2 or subject
        if measure is None and dim_at < rank.at:
            # "which doctor earns the most", "which product sold the most"
            between = items[dim_at + 1 : rank.at]
            measure, subject2 = self._measure_after_superlative(between, dim_item)
            subject = subject2 or subject
            if measure is None:
                verbs = [x.text for x in between if x.kind == "word" and x.text not in FILLER]
                if verbs:  # "which class is prescribed the most": rows of the child named by the verb
                    measure, subject = self._popularity(dim_table, dim_col, verbs[-1])
        if measure is None and dim_table is not None:
            # "top 5 members": by the money measure if one relates, else by row count of a child
            dim_item.chosen = dim_table
            m = self._money_measure("sum", [], "revenue")
            if m is not None and self._measure_table(m) != dim_table.table:
                measure, subject = m, self._measure_table(m)
        if measure is None:
            return Unmapped("what to rank by")
        # a measure stored on the ranked table itself ranks its rows: "top 10 highest paid pilots"
        mt = self._measure_table(measure)
        if (
            dim_table is not None
            and measure.column is not None
            and mt == dim_table.table
            and measure.agg in ("sum", "max", "min")
            and not self._explicit_agg()
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
        self, dim_table: Target | None, dim_col: Target | None, verb: str
    ) -> tuple[Measure | None, str | None]:
        """'most borrowed books', 'most common genres': ranked by how many rows refer to them."""
        if dim_table is not None:
            child = self.graph.busiest_child(dim_table.table, verb)
            if child is None:
                return None, None
            return Measure("count", entity=child, label=f"number of {child}"), child
        if dim_col is not None:
            kids = self.graph.children(dim_col.table)
            child = (
                self.graph.busiest_child(dim_col.table, verb) if kids and verb not in ("common", "frequent") else None
            )
            entity = child or dim_col.table
            return Measure("count", entity=entity, label=f"number of {entity}"), entity
        return None, None

    def _explicit_agg(self) -> bool:
        return any(it.kind == "word" and it.text in AGG_WORDS for it in self.items)

    def _question_stems(self) -> set[str]:
        return {t.stem for t in self.q.tokens}

    def _measure_after_superlative(self, after: list[Item], dim_item: Item) -> tuple[Measure | None, str | None]:
        agg = None
        for k, it in enumerate(after):
            if it is dim_item:
                continue
            if it.kind == "word" and it.text in AGG_WORDS:
                agg = AGG_WORDS[it.text]
                continue
            if it.kind == "concept":
                m = self._concept_measure(
                    it, agg or ("avg" if it.concept == "duration" else "sum"), self._qualifier_before(after, k)
                )
                if m is not None:
                    it.role = "measure"
                    return m, self._measure_table(m)
            if it.kind == "mention" and it.role != "qualifier":
                col = self._pick_numeric(it, [q] if (q := self._qualifier_before(after, k)) else None)
                if (
                    col is not None
                    and it.of_kind("column")
                    and not (it.of_kind("table") and agg is None and not self._col_is_measure(col))
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

    def _col_is_measure(self, t: Target) -> bool:
        c = self._col(t.table, t.column)
        return c is not None and c.numeric

    def _qualifier_before(self, after: list[Item], k: int) -> str | None:
        if k > 0 and after[k - 1].kind == "mention" and after[k - 1].of_kind("table"):
            after[k - 1].role = "qualifier"
            return max(after[k - 1].of_kind("table"), key=lambda t: t.weight).table
        return None

    # -- subject --

    def _subject(self, groups: list[Group]) -> str | None:
        for it in self.items:
            if it.kind == "mention" and it.role not in ("group", "qualifier", "rankby", "measure"):
                t = self._pick(it, ("table",))
                if t is not None and (not it.of_kind("value") or t.weight >= 3):
                    if not it.of_kind("column") or t.weight >= max(c.weight for c in it.of_kind("column")):
                        it.role, it.chosen = "subject", t
                        return t.table
        for it in self.items:
            if it.kind == "mention" and it.role not in ("group", "rankby") and it.of_kind("value"):
                v = self._pick(it, ("value",))
                if v is not None:
                    return v.table
        for g in groups:
            if g.kind == "column" and g.column:
                return g.column.table
            if g.kind == "entity" and g.table:
                return g.table
        for it in self.items:
            if it.kind == "mention" and it.role not in ("group", "rankby"):
                t = self._pick(it, ("column", "table"))
                if t is not None:
                    return t.table
        return None

    def _list_question(self) -> bool:
        first = [it.text for it in self.items[:3] if it.kind == "word"]
        text = self.q.text
        if re.match(r"^(show|list|display|give|find|get|fetch|print|which|who|what are|what were|view)\b", text):
            return True
        return bool(set(first) & LIST_VERBS) or bool(re.search(r"\b(show|list|display)\b", text))

    # -- filters --

    def _value_filters(self) -> list[Filter]:
        by_column: dict[ColRef, list[tuple[str, bool]]] = {}
        for i, it in enumerate(self.items):
            if it.kind != "mention" or it.role in ("group", "measure", "rank", "rankby"):
                continue
            if not it.of_kind("value"):
                continue
            if it.role == "qualifier":
                continue
            if it.of_kind("table") and max(t.weight for t in it.of_kind("table")) >= 3 and it.role == "subject":
                continue
            v = self._pick(it, ("value",))
            if v is None:
                continue
            # a value whose words also name the subject table is the table ("loans" vs a value "Loans")
            if it.role == "subject":
                continue
            # "tickets closed last month": a time column's verb right before a date, not the value 'closed'
            if it.last in self.q.date_starts and any(
                (c := self._col(t.table, t.column)) is not None and c.temporal for t in it.of_kind("column")
            ):
                continue
            negated = self._negated(i)
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

    def _negated(self, i: int) -> bool:
        for k in (i - 1, i - 2, i - 3):
            w = self._word(k)
            if w in NEGATIONS or (w == "other" and self._word(k + 1) == "than"):
                return True
            if k >= 0 and self.items[k].kind != "word":
                break
        return False

    def _presence_and_ordinal_filters(self, subject: str) -> list[Filter]:
        """'with a discount' → discount > 0 ('without' → = 0); 'at the second terminal' → terminal = 2."""
        out: list[Filter] = []
        for k, it in enumerate(self.items):
            if it.kind != "mention" or it.role or it.of_kind("value"):
                continue
            col = self._pick_numeric(it, [subject])
            if col is None:
                continue
            ref = ColRef(col.table, col.column)
            ordinal = self._ordinal_before(k)
            if ordinal is not None:
                it.role = "filter"
                out.append(Filter(ref, "=", ordinal))
            elif self._has_before(k):
                it.role = "filter"
                out.append(Filter(ref, ">", 0))
            elif self._word(k - 1) in ("without", "no") or self._word(k - 2) == "without":
                it.role = "filter"
                out.append(Filter(ref, "=", 0))
        return out

    def _unused_columns(self) -> list[str]:
        """Columns the question names clearly that the interpretation left unused: answering without
        them would answer another question."""
        out = []
        for it in self.items:
            if it.kind != "mention" or it.role or it.of_kind("value") or it.of_kind("table"):
                continue
            strong = [t for t in it.of_kind("column") if t.weight >= 2.0]
            if strong and not any((c := self._col(t.table, t.column)) is not None and c.temporal for t in strong):
                out.append(it.text)
        return out

    def _absent_tables(self, subject: str) -> list[tuple[str, bool]]:
        """'members without loans', 'who haven't borrowed any books': no related rows (NOT EXISTS)."""
        out: list[tuple[str, bool]] = []
        for i, it in enumerate(self.items):
            if it.kind != "mention" or it.role or not it.of_kind("table") or it.of_kind("value"):
                continue
            t = max(it.of_kind("table"), key=lambda t: t.weight)
            if t.table == subject or self.graph.reaches_to_one(subject, t.table):
                continue
            if self._negated(i):
                it.role = "filter"
                out.append((t.table, True))
        return out

    def _null_filters(self, subject: str) -> list[Filter]:
        """'not (yet) discharged', 'not closed': an empty end date; 'without a manager': an empty key."""
        out = []
        for i, it in enumerate(self.items):
            if it.kind != "mention" or it.role:
                continue
            cols = [t for t in it.of_kind("column") if (c := self._col(t.table, t.column)) is not None and c.temporal]
            if not cols or not self._negated(i):
                continue
            col = self._pick(Item("mention", it.text, it.first, it.last, targets=cols), ("column",), prefer=[subject])
            if col is not None and (c := self._col(col.table, col.column)) is not None and c.nullable:
                it.role = "filter"
                out.append(Filter(ColRef(col.table, col.column), "null"))
        return out

    def _comparisons(self, subject: str, measure: Measure | None) -> list[Filter] | Unmapped:
        items = self.items
        out: list[Filter] = []
        i = 0
        while i < len(items):
            op, length, price = self._comparator_at(i)
            if op is None:
                i += 1
                continue
            j = i + length
            if j < len(items) and items[j].kind == "num" and items[j].role != "rankn":
                value = items[j].number
                value2 = None
                k = j + 1
                if op == "between" and self._word(k) == "and" and k + 1 < len(items) and items[k + 1].kind == "num":
                    value2 = items[k + 1].number
                col = self._comparison_column(i, subject, price, j + 1)
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
                and self._word(i + 2) == "and"
                and items[i + 3].kind == "num"
            ):
                if items[i + 1].role == "filter":
                    continue
                col = self._comparison_column(i, subject, False)
                if col is not None:
                    items[i + 1].role = items[i + 3].role = "filter"
                    out.append(Filter(col, "between", items[i + 1].number, items[i + 3].number))
        return out

    def _comparator_at(self, i: int) -> tuple[str | None, int, bool]:
        words = [self._word(k) for k in range(i, i + 5)]
        for phrase, op in PRICE_COMPARATORS.items():
            if tuple(words[: len(phrase)]) == phrase:
                return op, len(phrase), True
        for phrase, op in COMPARATORS:
            if tuple(words[: len(phrase)]) == phrase:
                return op, len(phrase), False
        return None, 0, False

    def _comparison_column(self, i: int, subject: str, price: bool, after: int | None = None) -> ColRef | None:
        items = self.items
        # a numeric column named right after the number: "more than 2 stops"
        if after is not None and after < len(items) and items[after].kind == "mention" and not items[after].role:
            col = self._pick_numeric(items[after], [subject])
            if col is not None and not items[after].of_kind("table"):
                items[after].role = "filter"
                return ColRef(col.table, col.column)
        # "flights that cost more than 500": the verb asks about the price
        if i > 0 and items[i - 1].text in ("cost", "costs") and items[i - 1].kind in ("mention", "concept"):
            table = self.schema.tables.get(subject)
            col = _order_column(table, "price", set()) if table is not None else None
            if col is not None:
                items[i - 1].role = "filter"
                return ColRef(subject, col.name)
        # a numeric column named just before the comparator ("with a unit cost under 0.10", "quantity over 5")
        for k in range(i - 1, max(-1, i - 4), -1):
            it = items[k]
            if it.kind == "mention" and it.of_kind("column"):
                col = self._pick_numeric(it, [subject])
                if col is not None:
                    it.role = "filter"
                    return ColRef(col.table, col.column)
            if it.kind == "concept":
                # the subject's own column first: "pilots who earn more than …" compares their pay
                m = self._concept_measure(it, "sum", subject)
                m = m or self._concept_measure(it, "sum", None)
                if m is not None and m.column is not None:
                    it.role = "filter"
                    return m.column
            if it.kind == "mention" and it.of_kind("table"):
                break
        m = self._money_measure("sum", [subject], "", price=price)
        if m is not None and m.column is not None:
            return m.column
        return None

    # -- dates --

    def _date_column(self, spec: Spec) -> ColRef | None:
        base_tables: list[str] = []
        for m in spec.measures:
            t = self._measure_table(m)
            if t and t not in base_tables:
                base_tables.append(t)
        if spec.entity not in base_tables:
            base_tables.append(spec.entity)
        # a time column the question names ("opened", "signed up", "hired", "admitted")
        named: list[Target] = []
        for it in self.items:
            if it.kind == "mention" and it.role in ("", "subject", "group"):
                for t in it.of_kind("column"):
                    c = self._col(t.table, t.column)
                    if c is not None and c.temporal:
                        named.append(t)
        if named:
            best = min(
                named,
                key=lambda t: (min(self.graph.distance(t.table, b) for b in base_tables), -t.weight),
            )
            if min(self.graph.distance(best.table, b) for b in base_tables) <= 2:
                return ColRef(best.table, best.column)
        for name in base_tables:
            col = _default_date(self.schema.table(name))
            if col is not None:
                return ColRef(name, col.name)
        # a parent's date ("loan items per month" → the loan's date)
        for name in base_tables:
            for parent in self.graph.parents_by_distance(name):
                col = _default_date(self.schema.table(parent))
                if col is not None:
                    return ColRef(parent, col.name)
        return None


# --- schema heuristics ----------------------------------------------------------------------


def _agg_name(agg: str) -> str:
    return {"sum": "total", "avg": "average", "min": "minimum", "max": "maximum"}.get(agg, agg)


def _money_options(table: Table, *, price: bool) -> list[tuple[float, Measure]]:
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
        cols = (ColRef(table.name, qty.name), ColRef(table.name, price_col.name))
        if disc is not None:
            cols = (*cols, ColRef(table.name, disc.name))
        out.append((2.5, Measure("sum", expr="line_value", expr_columns=cols, label="sales")))
    return out


def _default_date(table: Table) -> Column | None:
    temporal = [c for c in table.columns if c.temporal]
    if not temporal:
        return None
    plain = [c for c in temporal if not (set(words_of(c.name)) & (END_NAMES | AGE_NAMES))]
    return (plain or temporal)[0]


def _start_end(temporal: list[Column]) -> tuple[Column, Column]:
    ends = [c for c in temporal if set(words_of(c.name)) & END_NAMES]
    starts = [c for c in temporal if c not in ends and not set(words_of(c.name)) & AGE_NAMES]
    start = starts[0] if starts else temporal[0]
    end = ends[0] if ends else next(c for c in temporal if c is not start)
    return start, end


def _order_column(table: Table, meaning: str, question_stems: set[str]) -> Column | None:
    fk_cols = {fk.column for fk in table.foreign_keys}
    if meaning == "price":
        numeric = [c for c in table.columns if c.numeric and not c.primary_key and c.name not in fk_cols]
        for names in ({"price"}, {"cost"}, {"amount", "total", "value", "charge", "rate", "fare"}):
            for c in numeric:
                if set(words_of(c.name)) & names:
                    return c
        return None
    temporal = [c for c in table.columns if c.temporal]
    if meaning == "age":
        born = [c for c in temporal if set(words_of(c.name)) & AGE_NAMES]
        if born:
            return born[0]
    named = [c for c in temporal if {stem(w) for w in words_of(c.name)} & question_stems]
    if named:
        return named[0]
    return _default_date(table)


def _original_word(question: str, word: str) -> str:
    m = re.search(r"\b" + re.escape(word) + r"\b", question, re.IGNORECASE)
    return m.group(0) if m else ""
