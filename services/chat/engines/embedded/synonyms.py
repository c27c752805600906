"""Synonyms the organization's rules and the member's memories define: "Reps are the staff
table", "By lapsed we mean the expired state", "Takings means net_total", "We call the
patrons table readers". A phrase becomes the schema name it stands for before the question is
read, and the answer says so. A rule whose target names nothing in the schema is ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.chat.engines.embedded.lexicon import Lexicon, normalise, tokenize

_PHRASE = r"[\"“']?(?P<{0}>[a-z][a-z0-9 _.'-]*?)[\"”']?"
_KIND = r"(?:\s+(?:table|tables|column|columns|field|fields|values?))?"
_PATTERNS = [
    re.compile(
        rf"^(?:by\s+)?{_PHRASE.format('alias')}\s+(?:is|are|means|mean|refers? to|stands? for|is another "
        rf"(?:word|name) for|=)\s+(?:the\s+|our\s+)?(?:value\s+)?{_PHRASE.format('target')}{_KIND}\s*[.!]?$"
    ),
    re.compile(rf"^by\s+{_PHRASE.format('alias')}\s+we\s+mean\s+(?:the\s+)?{_PHRASE.format('target')}{_KIND}\s*[.!]?$"),
    re.compile(rf"^(?:we\s+)?call\s+(?:the\s+)?{_PHRASE.format('target')}{_KIND}\s+{_PHRASE.format('alias')}\s*[.!]?$"),
]


@dataclass(frozen=True)
class Synonym:
    alias: str  # the phrase as people say it, normalised: "reps"
    replacement: str  # the schema's words for it: "staff"
    target: str  # how the answer names what it stands for: "the staff table"


def synonyms_from(texts: list[str], lexicon: Lexicon) -> list[Synonym]:
    """The synonyms the sentences of `texts` define for this schema."""
    out: list[Synonym] = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!;])\s+|\n+", text):
            found = _synonym(sentence, lexicon)
            if found is not None and all(s.alias != found.alias for s in out):
                out.append(found)
    return out


def _synonym(sentence: str, lexicon: Lexicon) -> Synonym | None:
    text = normalise(sentence).strip()
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        alias = " ".join(t.text for t in tokenize(m.group("alias")))
        words = [t.text for t in tokenize(m.group("target").replace(".", " ").replace("_", " "))]
        targets = lexicon.match(words) if words else []
        strong = [t for t in targets if t.weight >= 3]
        if not alias or not strong or alias == " ".join(words):
            return None
        t = strong[0]
        named = {
            "table": f"the {t.table} table",
            "column": f"{t.table}.{t.column}",
            "value": f"{t.column} '{t.value}'",
        }[t.kind]
        return Synonym(alias, " ".join(words), named)
    return None


def apply_synonyms(text: str, synonyms: list[Synonym]) -> tuple[str, list[str]]:
    """`text` (normalised) with each alias replaced by the schema's words, and how the answer states it."""
    readings = []
    for s in synonyms:
        pattern = re.compile(r"(?<![a-z0-9_])" + re.escape(s.alias) + r"(?:e?s)?(?![a-z0-9_])")
        if pattern.search(text):
            text = pattern.sub(s.replacement, text)
            readings.append(f"“{s.alias}” read as {s.target}, as your organization's rules or memories say")
    return text, readings
