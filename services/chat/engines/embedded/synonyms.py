"""Synonyms the organization's rules and the member's memories define ("Reps are the staff
table", "By lapsed we mean the expired state", "Takings means net_total", "We call the patrons
table readers"), and those the schema's own comments give its tables and columns (which phrases of
a comment count: comment_phrases.py). A phrase becomes the schema name it stands for before the
question is read, and the answer says so. A rule whose target names nothing in the schema is ignored.

Comments must never change which question is answered, so:
- schema names win: a comment phrase that already names a table, column or value is no synonym;
- rules and memories win: a phrase they define keeps their meaning;
- a phrase the comments give to two different things is ambiguous: a question using it is declined
  (it names the candidates) rather than read either way.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from services.chat.engines.embedded.comment_phrases import comment_phrases
from services.chat.engines.embedded.lexicon import (
    Lexicon,
    Target,
    normalise,
    plural,
    singular_forms,
    tokenize,
    words_of,
)
from services.chat.engines.embedded.query_spec import Unmapped

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


RULES = "rules"
COMMENTS = "comments"


@dataclass(frozen=True)
class Synonym:
    alias: str  # the phrase as people say it, normalised: "reps"
    replacement: str  # the schema's words for it: "staff"
    target: str  # how the answer names what it stands for: "the staff table"
    source: str = RULES  # RULES (organization rules and memories) or COMMENTS (the schema's comments)
    # every thing the schema's comments give this phrase to, when more than one: it is ambiguous
    candidates: tuple[str, ...] = ()


def synonyms_from(texts: list[str], lexicon: Lexicon) -> list[Synonym]:
    """The synonyms the sentences of `texts` define for this schema, then those of its comments."""
    out: list[Synonym] = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!;])\s+|\n+", text):
            found = _synonym(sentence, lexicon)
            if found is not None and all(s.alias != found.alias for s in out):
                out.append(found)
    taken = {s.alias for s in out}
    return out + [s for s in comment_synonyms(lexicon) if s.alias not in taken]


_from_comments: weakref.WeakKeyDictionary[Lexicon, list[Synonym]] = weakref.WeakKeyDictionary()


def comment_synonyms(lexicon: Lexicon) -> list[Synonym]:
    """The synonyms the schema's table and column comments give (worked out once per lexicon)."""
    cached = _from_comments.get(lexicon)
    if cached is None:
        cached = _from_comments[lexicon] = _comment_synonyms(lexicon)
    return cached


def _comment_synonyms(lexicon: Lexicon) -> list[Synonym]:
    claims: dict[str, dict[str, str]] = {}  # alias -> {how the answer names a target: its schema words}
    for table in lexicon.schema.tables.values():
        described: list[tuple[str, Target]] = [(table.comment, Target("table", table.name))]
        described += [(c.comment, Target("column", table.name, c.name)) for c in table.columns]
        for comment, target in described:
            if not comment:
                continue
            replacement = _schema_words(target, lexicon)
            if replacement is None:
                continue  # a key column, or a name the question's words cannot reach
            for phrase in comment_phrases(comment):
                if not _names_schema(phrase, lexicon):  # schema names win
                    claims.setdefault(_alias(phrase), {})[_named(target)] = replacement
    out = []
    for alias, by_target in claims.items():
        if len(by_target) == 1:
            ((named, replacement),) = by_target.items()
            out.append(Synonym(alias, replacement, named, COMMENTS))
        else:
            out.append(Synonym(alias, "", "", COMMENTS, candidates=tuple(sorted(by_target))))
    # the longest phrases first: "net revenue" is read before "revenue" could take half of it
    return sorted(out, key=lambda s: -len(s.alias.split()))


def _alias(phrase: tuple[str, ...]) -> str:
    """The phrase with its last word singular, so that "sales rep" and "sales reps" both match."""
    last = phrase[-1]
    singular = [f for f in singular_forms(last) if f != last and plural(f) == last]
    return " ".join([*phrase[:-1], singular[0] if singular else last])


def _names_schema(phrase: tuple[str, ...], lexicon: Lexicon) -> bool:
    words = list(phrase)
    forms = {words[-1], plural(words[-1]), *singular_forms(words[-1])}
    if any(lexicon.match([*words[:-1], f]) for f in forms):
        return True
    return len(words) == 1 and lexicon.names_word(words[0])


def _schema_words(target: Target, lexicon: Lexicon) -> str | None:
    """Words of the question that name `target` and nothing else as strongly; None when there are none."""
    name = target.column or target.table
    own = words_of(name)
    for key, targets in lexicon.entries.items():
        if not set(key) <= set(own):
            continue
        strong = [t for t in targets if t.weight >= 3]
        if any(_same(t, target) for t in strong) and all(_same(t, target) for t in strong):
            return " ".join(key)
    return None


def _same(a: Target, b: Target) -> bool:
    return (a.kind, a.table, a.column) == (b.kind, b.table, b.column)


def _named(target: Target) -> str:
    return f"the {target.table} table" if target.kind == "table" else f"{target.table}.{target.column}"


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


def _pattern(alias: str) -> re.Pattern[str]:
    *head, last = alias.split(" ")
    forms = sorted({last, plural(last)} | {f for f in singular_forms(last) if plural(f) == last}, key=len, reverse=True)
    lead = "".join(re.escape(w) + r"\s+" for w in head)
    return re.compile(r"(?<![a-z0-9_])" + lead + "(?:" + "|".join(map(re.escape, forms)) + r")(?:e?s)?(?![a-z0-9_])")


def apply_synonyms(text: str, synonyms: list[Synonym]) -> tuple[str, list[str]]:
    """`text` (normalised) with each alias replaced by the schema's words, and how the answer states it."""
    readings = []
    for s in synonyms:
        pattern = _pattern(s.alias)
        if not s.candidates and (m := pattern.search(text)) is not None:
            text = pattern.sub(s.replacement, text)
            source = (
                "from the schema's comments" if s.source == COMMENTS else "as your organization's rules or memories say"
            )
            readings.append(f"“{m.group(0)}” read as {s.target}, {source}")
    return text, readings


def ambiguous_synonym(text: str, synonyms: list[Synonym]) -> Unmapped | None:
    """A decline when `text` (synonyms applied) uses a phrase the schema's comments give to several things."""
    for s in synonyms:
        if s.candidates and (m := _pattern(s.alias).search(text)) is not None:
            which = ", ".join(s.candidates[:-1]) + " and " + s.candidates[-1]
            return Unmapped(
                "ambiguous comment",
                [m.group(0)],
                explanation=(
                    f"The schema's comments use “{m.group(0)}” for {which}, so I can't tell which one the question "
                    "means and I'd rather not guess. Name the table or column instead."
                ),
            )
    return None
