"""One question under interpretation: its linked items, the schema and join graph they point
into, the tables it is about (anchors), and the look-ups every interpretation step shares — the
word at a position, the best target of a mention, the numeric column it names, the comparator
that starts at a position."""

from __future__ import annotations

from services.chat.engines.embedded.joins import JoinGraph
from services.chat.engines.embedded.lexicon import Target
from services.chat.engines.embedded.linking import Item, Parsed
from services.chat.engines.embedded.vocabulary import COMPARATORS, HAVE_WORDS, ORDINALS, PRICE_COMPARATORS
from services.chat.engines.schema import Column, Schema

ARTICLES = {"the", "a", "an", "of", "all", "our", "my", "your", "their", "any"}


class Reading:
    """The items of one question, with the roles interpretation assigns them as it goes."""

    def __init__(self, schema: Schema, graph: JoinGraph, parsed: Parsed) -> None:
        self.schema = schema
        self.graph = graph
        self.q = parsed
        self.items = parsed.items
        self.anchors: list[str] = []  # the tables the question is about, most telling first
        self.used: set[int] = set()  # plain words an interpretation step has read (e.g. a verb naming a table)

    def word(self, i: int) -> str:
        """The item at `i` if it is a plain word, else ''."""
        return self.items[i].text if 0 <= i < len(self.items) and self.items[i].kind == "word" else ""

    def next_content(self, i: int, skip: set[str] | None = None) -> int:
        """Index of the first item after i that is not a skippable filler word."""
        skip = skip if skip is not None else ARTICLES
        j = i + 1
        while j < len(self.items) and self.items[j].kind == "word" and self.items[j].text in skip:
            j += 1
        return j

    def pick(self, item: Item, kinds: tuple[str, ...], prefer: list[str] | None = None) -> Target | None:
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

    def pick_numeric(self, it: Item, prefer: list[str] | None) -> Target | None:
        """The item's best numeric (or untyped) column."""
        numeric = [
            t
            for t in it.of_kind("column")
            if (c := self.col(t.table, t.column)) is not None and (c.numeric or c.kind == "other")
        ]
        if not numeric:
            return None
        sub = Item(it.kind, it.text, it.first, it.last, targets=numeric)
        return self.pick(sub, ("column",), prefer=prefer if prefer else None)

    def col(self, table: str, column: str) -> Column | None:
        t = self.schema.tables.get(table)
        return t.column(column) if t else None

    def plural(self, it: Item) -> bool:
        """Whether the item's last word is a plural ("members", not "member" or "class")."""
        tok = self.q.tokens[it.last - 1]
        return tok.text.endswith("s") and any(f != tok.text for f in tok.forms)

    def has_before(self, k: int) -> bool:
        """'with a discount', 'had any layovers': the column is a condition on the rows."""
        j = k - 1
        while j >= 0 and self.word(j) in ("a", "an", "any", "some"):
            j -= 1
        return self.word(j) in HAVE_WORDS

    def ordinal_before(self, k: int) -> int | None:
        return ORDINALS.get(self.word(k - 1)) or (ORDINALS.get(self.word(k - 2)) if self.word(k - 1) == "the" else None)

    def comparator_at(self, i: int) -> tuple[str | None, int, bool]:
        """(operator, number of words, whether it compares prices) of a comparison starting at `i`."""
        words = [self.word(k) for k in range(i, i + 5)]
        for phrase, op in PRICE_COMPARATORS.items():
            if tuple(words[: len(phrase)]) == phrase:
                return op, len(phrase), True
        for phrase, op in COMPARATORS:
            if tuple(words[: len(phrase)]) == phrase:
                return op, len(phrase), False
        return None, 0, False

    def superlative_ranks(self, i: int) -> bool:
        """'highest' ranks (which X has the highest Y) rather than aggregates (the highest Y)."""
        before = list(self.items[:i])
        if any(it.is_word("which", "who", "top", "bottom") for it in before):
            return True
        if any(it.kind == "num" for it in before[-2:]):
            return True
        # "the highest paid pilots": the superlative qualifies a noun rather than a measure
        j = self.next_content(i)
        if j < len(self.items) and self.items[j].kind == "concept" and self.items[j].concept == "money":
            k = self.next_content(j)
            if k < len(self.items) and self.items[k].kind == "mention" and self.items[k].of_kind("table"):
                return True
        return False
