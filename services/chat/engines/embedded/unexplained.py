"""Words and columns the interpretation cannot explain. The engine refuses rather than guesses:
a capitalised word after a preposition that matches no value, a leading noun it does not know, a
column the question names clearly but the answer would not use, and at the end any content word
that neither the engine's vocabulary, generic English, the schema's names nor a step of the
interpretation accounts for ("age", "credit card", "late")."""

from __future__ import annotations

import re

from services.chat.engines.embedded.function_words import FUNCTION_WORDS
from services.chat.engines.embedded.lexicon import Lexicon
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import FILLER, HEAD_SKIP, KEYWORDS, KNOWN_WORDS, NEGATIONS


def unknown_words(r: Reading) -> list[str]:
    """The plain words that are neither filler nor keywords."""
    return [it.text for it in r.items if it.kind == "word" and it.text not in FILLER | KEYWORDS | NEGATIONS]


def unknown_head(r: Reading) -> str | None:
    """The question's first content word, when nothing explains it: "what is the weather in Lisbon"."""
    for it in r.items:
        if it.kind == "word" and it.text in HEAD_SKIP:
            continue
        if it.kind == "word" and it.text not in FILLER | KEYWORDS | NEGATIONS and it.text.isalpha():
            return it.text
        return None
    return None


def unknown_values(r: Reading) -> list[str]:
    """Capitalised words the user wrote that match nothing: a value we cannot find, not something to ignore."""
    out = []
    original = r.q.question
    for it in r.items:
        if it.kind != "word" or it.text in FILLER or it.text in NEGATIONS:
            continue
        tok = r.q.tokens[it.first]
        raw = _original_word(original, tok.text)
        if raw and raw[0].isupper() and it.first > 0 and _after_preposition(r, it):
            out.append(raw)
    return out


def _after_preposition(r: Reading, it: Item) -> bool:
    k = r.items.index(it)
    prev = r.word(k - 1)
    return prev in ("in", "from", "at", "named", "called", "for", "with", "by", "of", "to")


def unused_columns(r: Reading) -> list[str]:
    """Columns the question names clearly that the interpretation left unused: answering without
    them would answer another question."""
    out = []
    for it in r.items:
        if it.kind != "mention" or it.role or it.of_kind("value") or it.of_kind("table"):
            continue
        strong = [t for t in it.of_kind("column") if t.weight >= 2.0]
        if strong and not any((c := r.col(t.table, t.column)) is not None and c.temporal for t in strong):
            out.append(it.text)
    return out


def _original_word(question: str, word: str) -> str:
    m = re.search(r"\b" + re.escape(word) + r"\b", question, re.IGNORECASE)
    return m.group(0) if m else ""


def unaccounted_words(r: Reading, lexicon: Lexicon) -> list[str]:
    """The plain words of the question that nothing accounts for, in question order."""
    out: list[str] = []
    for i, it in enumerate(r.items):
        if it.kind != "word" or i in r.used or not any(c.isalpha() for c in it.text):
            continue
        if it.text in KNOWN_WORDS or it.text in FUNCTION_WORDS or lexicon.names_word(it.text):
            continue
        if it.text not in out:
            out.append(it.text)
    return out
