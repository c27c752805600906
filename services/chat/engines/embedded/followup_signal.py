"""Whether a question is a follow-on of the previous answer: it cannot be mapped on its own, it opens
like a continuation ("and …", "what about …", "only …"), it refers back ("their", "those", "show that
…"), or it names nothing but values and dates. A question that reads whole on its own stands alone, and
the previous answer is ignored (no filter is carried into it)."""

from __future__ import annotations

from datetime import date

from services.chat.engines.embedded.chart_request import find_chart
from services.chat.engines.embedded.function_words import FUNCTION_WORDS
from services.chat.engines.embedded.grouping import GROUP_MARKERS
from services.chat.engines.embedded.lexicon import Token, normalise, tokenize
from services.chat.engines.embedded.linking import link, mark_concepts
from services.chat.engines.embedded.nl_dates import find_dates
from services.chat.engines.embedded.nl_parser import Parser
from services.chat.engines.embedded.periods import COMPARE_CUES, GROWTH_WORDS
from services.chat.engines.embedded.query_spec import MetaRequest, Spec, Unmapped
from services.chat.engines.embedded.vocabulary import (
    AGG_WORDS,
    COMPARATORS,
    FILLER,
    KEYWORDS,
    NEGATIONS,
    ORDER_VERBS,
    SUPERLATIVES,
)

# how a continuation opens ("and by …", "what about …", "only …", "same but …", "without …")
_OPENING_PHRASES = (
    "and|but|also|now|then|only|just|instead|what about|how about|what if|same but|same for|the same|"
    "without|excluding|except"
)
# openings that continue only a question with no subject or measure of its own: "by genre" does, "For
# each shelf, what is the total rent?" does not
_WEAK_OPENING_PHRASES = "by|for|as a|as an|in a|ok|okay"
OPENERS = sorted((tuple(p.split()) for p in _OPENING_PHRASES.split("|")), key=len, reverse=True)
WEAK_OPENERS = sorted((tuple(p.split()) for p in _WEAK_OPENING_PHRASES.split("|")), key=len, reverse=True)
# words that point back at the previous answer wherever they stand
BACK_WORDS = {"those", "these", "ones"}
# words that point back unless the question named a table before them ("members and their loans")
OWNER_WORDS = {"their", "its"}
# words that may point back ("how many loans did they take out?") or within ("… after they were opened"):
# read against a previous answer when there is one, never a reason to decline when there is none
MAYBE_BACK = {"they", "them"}
POINTING_WORDS = BACK_WORDS | OWNER_WORDS | MAYBE_BACK
# "that" / "this" point back at the start or after one of these ("show that as …", "break this down")
DEICTIC_AFTER = {
    "show",
    "plot",
    "chart",
    "graph",
    "draw",
    "display",
    "make",
    "put",
    "turn",
    "break",
    "split",
    "give",
    "do",
    "see",
    "redo",
    "repeat",
    "render",
    "of",
    "for",
    "about",
    "with",
}
_PERIODS = {"day", "week", "month", "quarter", "year"}
# words a follow-on may use that say only that it follows on
FOLLOWUP_WORDS = {w for o in OPENERS + WEAK_OPENERS for w in o} | BACK_WORDS | OWNER_WORDS | MAYBE_BACK
FOLLOWUP_WORDS |= {"that", "this", "same", "instead", "again"}
# words whose meaning a step must have read; left unread they are a reason to decline
COMPARATOR_WORDS = {w for phrase, _ in COMPARATORS for w in phrase}
MEANINGFUL = (KEYWORDS | NEGATIONS | set(SUPERLATIVES) | ORDER_VERBS | GROWTH_WORDS | COMPARE_CUES) - {
    "and",
    "to",
    "of",
}
COUNT_WORDS = {"how", "many", "number", "count", "counts"}


def _opener(tokens: list[Token], openers: list[tuple[str, ...]]) -> bool:
    """Whether the question opens with one of `openers`."""
    words = tuple(t.text for t in tokens)
    return any(words[: len(phrase)] == phrase for phrase in openers)


def _own_subject(parser: Parser, tokens: list[Token]) -> bool:
    """Whether the question asks for a measure of its own ("how many", "total") or names a table other than
    one to group by ("by shelf" names what to group by, not what to count)."""
    for i, tok in enumerate(tokens):
        if tok.text in AGG_WORDS or tok.text in COUNT_WORDS:
            return True
        after_marker = i > 0 and tokens[i - 1].text in GROUP_MARKERS | {"the"}
        tables = {x.table for f in tok.forms | {tok.text} for x in parser.lexicon.match([f]) if x.kind == "table"}
        if tables and not after_marker and not _names_a_value_of(parser, tokens, i, tables):
            return True
    return False


def _names_a_value_of(parser: Parser, tokens: list[Token], i: int, tables: set[str]) -> bool:
    """Whether the words before token i are a value of one of `tables`: "the Growth plan", "the Asia
    Pacific region" name a row to filter on, not what to count."""
    for n in (1, 2, 3):
        if i - n < 0:
            break
        words = [t.text for t in tokens[i - n : i]]
        if any(x.kind == "value" and x.table in tables for x in parser.lexicon.match(words)):
            return True
    return False


def _refers_back(parser: Parser, tokens: list[Token]) -> bool:
    """Whether a word of the question stands for something of the previous answer."""
    named_table = False
    for i, tok in enumerate(tokens):
        t = tok.text
        if t in BACK_WORDS:
            return True
        if t in OWNER_WORDS and not named_table:
            return True
        if t in ("that", "this", "it"):  # "show it by month", never the "it" of "it takes"
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if nxt not in _PERIODS and ((i == 0 and t != "it") or tokens[i - 1].text in DEICTIC_AFTER):
                return True
        if any(x.kind == "table" for f in tok.forms | {t} for x in parser.lexicon.match([f])):
            named_table = True
    return False


def _only_values(parser: Parser, tokens: list[Token], taken: set[int]) -> bool:
    """A question that names values (and dates) and no table, column, measure or verb of its own: "Lisbon?"."""
    items = link(tokens, taken, parser.lexicon)
    mark_concepts(items)
    values = False
    for it in items:
        if it.kind == "mention":
            if any(t.kind != "value" for t in it.targets):
                return False
            values = True
        elif it.kind == "word" and (it.text in MEANINGFUL or it.text not in FILLER | FUNCTION_WORDS | FOLLOWUP_WORDS):
            return False  # "how many …", "average …": a measure of its own
        elif it.kind in ("concept", "num"):
            return False
    return values


def followup_signal(parser: Parser, question: str, parsed: Spec | MetaRequest | Unmapped, today: date) -> str:
    """Why the question is read against the previous answer: "unmapped" (it cannot be read alone),
    "refers" (a word points back at it, or it names only values), "continues" (it opens like a
    continuation, or says "they" / "them", which may point back or within); "" when it stands alone."""
    if isinstance(parsed, MetaRequest):
        return ""
    tokens = tokenize(normalise(question))
    if not tokens:
        return ""
    if isinstance(parsed, Unmapped):
        return "unmapped"
    if _refers_back(parser, tokens):
        return "refers"
    taken: set[int] = set()
    find_chart(tokens, taken)
    find_dates(tokens, today, taken)
    if _only_values(parser, tokens, taken):
        return "refers"
    if _opener(tokens, OPENERS) or any(t.text in MAYBE_BACK for t in tokens):
        return "continues"
    return "continues" if _opener(tokens, WEAK_OPENERS) and not _own_subject(parser, tokens) else ""


NO_CONTEXT = Unmapped(
    "no previous answer",
    explanation=(
        "That reads as a follow-on question (it refers back to something, or names only a value), but there is no "
        "earlier answer in this chat I can build on. Ask it as a whole question."
    ),
)
