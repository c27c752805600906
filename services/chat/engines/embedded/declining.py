"""The answer to a question the engine will not answer: it names what it could not place and
suggests questions it can answer about this schema; nothing is run."""

from __future__ import annotations

import re

from services.chat.engines.embedded.query_spec import Unmapped
from services.chat.engines.embedded.suggestions import suggestions
from services.chat.engines.schema import Schema


def database_phrase(display_name: str) -> str:
    """'the Demo retail database' for "Demo retail database", 'the Sales database' for "Sales"."""
    name = display_name.strip() or "connected"
    if re.search(r"\b(database|db|data ?base|warehouse)$", name, re.IGNORECASE):
        return f"the {name}"
    return f"the {name} database"


def sentence(text: str) -> str:
    """`text` with its first letter capitalised (and nothing else changed)."""
    return text[:1].upper() + text[1:]


def _quoted(words: list[str]) -> str:
    shown = [f"“{w}”" for w in words[:4]]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _reason(why: Unmapped) -> str:
    named = _quoted(why.unknown)
    if why.unknown and why.reason == "unknown values":
        return f" — I could not find {named} in its data"
    if why.unknown and why.reason == "unused":
        return f" — I recognise {named} but could not work out what the question asks of it"
    if why.unknown and why.reason == "unplaced words":
        return f" — nothing in it matches {named}"
    if why.reason == "no date column":
        return " — none of the tables involved has a date column to apply the dates to"
    if why.unknown and why.unknown[0]:
        return f" — I don't know what {named} {'refers' if len(why.unknown[:4]) == 1 else 'refer'} to in it"
    return ""


def decline_text(display_name: str, schema: Schema, why: Unmapped) -> str:
    examples = suggestions(schema)
    quoted = ", ".join(f"“{e}”" for e in examples[:-1])
    last = f"“{examples[-1]}”" if examples else "“which tables are there?”"
    listing = f"{quoted} or {last}" if quoted else last
    if why.explanation:
        return f"{why.explanation} I ran no query. I can answer questions such as {listing}."
    return (
        f"I can't map that question onto {database_phrase(display_name)}{_reason(why)}, and I'd rather not guess. "
        f"I can answer questions such as {listing}."
    )
