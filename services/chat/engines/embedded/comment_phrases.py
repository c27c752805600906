"""The phrases a schema comment offers as other names for its table or column.

The rule, kept narrow so that a descriptive comment never turns into a guess:
- a comment whose first clause (up to ; , . : a bracket or a dash) is a short noun phrase names
  the thing: "sales reps", "Net revenue" (a leading "the"/"a"/"our" dropped; at most four words);
  a sentence does not ("Date the order was placed", "order total in euros");
- a phrase after "also called", "also known as", "aka", "a.k.a.", "known as", "called", "i.e.",
  "synonym(s):", "alias(es):" names it too ("…; also called revenue or turnover" gives both);
  it ends at a clause break or at the first word of grammar ("aka revenue in reports": "revenue").
Every word of a phrase must be a content word: none of the words that carry a question's logic
(aggregates, dates, time grains, comparisons, grammar), so that a comment can never swallow them;
the engine's generic measure words ("revenue", "units") are allowed, as a comment saying which column
they mean is exactly the knowledge the engine lacks. Which phrases then become synonyms (schema
names win, a phrase two comments claim is ambiguous) is decided in synonyms.py.
"""

from __future__ import annotations

import re

from services.chat.engines.embedded.function_words import FUNCTION_WORDS
from services.chat.engines.embedded.lexicon import GRAMMAR, normalise, tokenize
from services.chat.engines.embedded.nl_dates import BUCKET_WORDS, MONTHS
from services.chat.engines.embedded.periods import GROWTH_WORDS
from services.chat.engines.embedded.vocabulary import (
    DURATION_WORDS,
    KNOWN_WORDS,
    MONEY_WORDS,
    PRICE_WORDS,
    QUANTITY_WORDS,
)

MAX_WORDS = 4
_CONCEPTS = (MONEY_WORDS | QUANTITY_WORDS | PRICE_WORDS | DURATION_WORDS) - GRAMMAR
# words a question's logic is made of: a phrase holding one is no name
LOGIC_WORDS = frozenset(
    (KNOWN_WORDS | FUNCTION_WORDS | GRAMMAR | set(BUCKET_WORDS) | set(MONTHS) | GROWTH_WORDS) - _CONCEPTS
)
_LEADING = {"the", "a", "an", "our", "all", "each", "every", "one"}
_MARKER = re.compile(
    r"(?:^|(?<=[\s,;(]))(?:also\s+(?:called|known\s+as|named|referred\s+to\s+as)|a\.?k\.?a\.?|known\s+as|"
    r"(?:is|are|often|commonly|usually|sometimes)\s+called|i\.e\.?|synonyms?\s*:|alias(?:es)?\s*:)(?=\s)"
)
_CLAUSE_END = re.compile(r"[;.:()\[\]]|\s[-–—]\s")  # en and em dashes end a clause too
_LIST_SEP = re.compile(r",|/|\s+or\s+|\s+and\s+")


def comment_phrases(comment: str) -> list[tuple[str, ...]]:
    """The phrases (as question words) `comment` offers as names, without repeats."""
    text = normalise(comment)
    out: list[tuple[str, ...]] = []
    markers = list(_MARKER.finditer(text))
    head = text[: markers[0].start()] if markers else text
    _add(out, _name_phrase(_CLAUSE_END.split(head.replace(",", ";"), maxsplit=1)[0]))
    for m in markers:
        rest = _CLAUSE_END.split(text[m.end() :], maxsplit=1)[0]
        for piece in _LIST_SEP.split(rest):
            _add(out, _leading_phrase(piece))
    return out


def _words(text: str) -> list[str]:
    words = [t.text for t in tokenize(text.replace('"', " ").replace("'", " "))]
    while words and words[0] in _LEADING:
        words = words[1:]
    return words


def _name_phrase(clause: str) -> tuple[str, ...]:
    """The whole clause when it is a short phrase of content words, else nothing."""
    words = _words(clause)
    if not words or len(words) > MAX_WORDS or not all(_content(w) for w in words):
        return ()
    return tuple(words)


def _leading_phrase(piece: str) -> tuple[str, ...]:
    """The content words a marker's phrase starts with ("revenue in reports" → "revenue")."""
    words: list[str] = []
    for word in _words(piece):
        if not _content(word):
            break
        words.append(word)
    return tuple(words) if len(words) <= MAX_WORDS else ()


def _content(word: str) -> bool:
    return len(word) >= 2 and word.replace("-", "").isalpha() and word not in LOGIC_WORDS


def _add(out: list[tuple[str, ...]], phrase: tuple[str, ...]) -> None:
    if phrase and phrase not in out:
        out.append(phrase)
