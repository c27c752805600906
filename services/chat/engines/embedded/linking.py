"""A question's tokens linked to the schema: each run of words becomes an Item — a mention of
tables, columns or values (longest match first), a number, a concept (a generic word for money,
a quantity, a price or a duration), or a plain word — and the Parsed question that carries them
to interpretation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.chat.engines.embedded.lexicon import GRAMMAR, Lexicon, Target, Token
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.vocabulary import DURATION_WORDS, FILLER, MONEY_WORDS, PRICE_WORDS, QUANTITY_WORDS


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
    date_range: DateRange | None
    bucket: str | None
    date_starts: set[int] = field(default_factory=set)  # first token of each date expression
    compare: DateRange | None = None  # the earlier period of a period-over-period question
    growth: bool = False  # "growth by quarter": each period's change on the one before


def link(tokens: list[Token], taken: set[int], lexicon: Lexicon) -> list[Item]:
    """The tokens not in `taken` as items, schema mentions matched longest first."""
    items: list[Item] = []
    resume = 0  # the first token after the last mention
    for i, tok in enumerate(tokens):
        if i < resume or i in taken:
            continue
        found = _longest_match(tokens, i, taken, lexicon)
        if found is not None:
            length, targets = found
            text = " ".join(tokens[k].text for k in range(i, i + length))
            items.append(Item("mention", text, i, i + length, targets=list(targets)))
            resume = i + length
            continue
        if tok.is_number:
            items.append(Item("num", tok.text, i, i + 1, number=tok.number))
        elif tok.text not in FILLER and (loose := _loose_columns(tok, lexicon)):
            items.append(Item("mention", tok.text, i, i + 1, targets=loose))
        else:
            items.append(Item("word", tok.text, i, i + 1))
    return items


def schema_phrases(tokens: list[Token], lexicon: Lexicon, vocabulary: set[str], question: str) -> set[int]:
    """Tokens of multi-word table, column and value names ("weekly rent", "first name", "due date"),
    and single words of `vocabulary` that are a whole name and written as one ("the Trend package",
    "package Trend", "Trend" capitalised): the schema's own names bind before any reading of their words
    as a time grain, a date, a chart type or growth ("revenue growth" stays growth)."""
    out: set[int] = set()
    i = 0
    while i < len(tokens):
        found = _longest_match(tokens, i, set(), lexicon)
        single = (
            found is not None
            and found[0] == 1
            and tokens[i].text in vocabulary
            and _written_as_name(tokens, i, found[1], lexicon, question)
        )
        if found is not None and (found[0] >= 2 or single):
            out.update(range(i, i + found[0]))
            i += found[0]
        else:
            i += 1
    return out


def _written_as_name(tokens: list[Token], i: int, targets: list[Target], lexicon: Lexicon, question: str) -> bool:
    """A whole name next to the name of its column or table, or capitalised inside the question."""
    whole = [t for t in targets if t.weight >= 3]
    if not whole:
        return False
    word = tokens[i].text
    if re.search(r"(?<=[a-z0-9,] )" + re.escape(word[:1].upper() + word[1:]) + r"\b", question):
        return True
    for k in (i - 1, i + 1):
        if 0 <= k < len(tokens):
            near = lexicon.match([tokens[k].text]) or [x for f in tokens[k].forms for x in lexicon.match([f])]
            if any(n.table == t.table and n.kind in ("table", "column") for n in near for t in whole):
                return True
    return False


def _longest_match(tokens: list[Token], i: int, taken: set[int], lexicon: Lexicon) -> tuple[int, list[Target]] | None:
    """(length, targets) of the longest run of free tokens from `i` that names something in the schema."""
    for length in range(min(lexicon.max_len, len(tokens) - i), 0, -1):
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
            return length, targets
    return None


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


def mark_concepts(items: list[Item]) -> None:
    """Generic words that stand for a measure become concepts: "revenue", "units", "how long"."""
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


def _concept_of(word: str) -> str:
    if word in MONEY_WORDS:
        return "money"
    if word in QUANTITY_WORDS:
        return "quantity"
    if word in PRICE_WORDS:
        return "price"
    return ""
