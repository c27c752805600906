"""Helpers engines share: phrase-sized text deltas and visualization ids."""

from __future__ import annotations

import asyncio
import re
import secrets
import string
from collections.abc import AsyncIterator, Iterator

from services.chat.engines.base import Delta

_ID_ALPHABET = string.ascii_lowercase + string.digits
_FENCE = re.compile(r"^[ \t]*```")
# The end of a phrase in prose: a sentence, or a clause closed by ; : or a comma, before a space
# ("1,234.56" and "e.g.," inside a word never end one).
_PHRASE_END = re.compile(r"[.!?;:,…](?=\s)|\n")


def visualization_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def phrases(text: str) -> list[str]:
    """`text` in the pieces a reader takes in at once: phrases of prose (a sentence, or a clause
    of one) and whole lines of a code block; blank lines go with the piece before them. Their
    concatenation is exactly `text`."""
    out: list[str] = []
    for piece in _pieces(text):
        if out and not piece.strip():
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _pieces(text: str) -> Iterator[str]:
    in_code = False
    for line in text.splitlines(keepends=True):
        fence = bool(_FENCE.match(line))
        if in_code or fence:
            in_code = in_code != fence
            yield line
            continue
        start = 0
        for m in _PHRASE_END.finditer(line):
            yield line[start : m.end()]
            start = m.end()
        if start < len(line):
            yield line[start:]


async def stream_text(text: str, delay: float = 0.0) -> AsyncIterator[Delta]:
    """Phrase-sized deltas whose concatenation is exactly `text`; `delay` paces them."""
    for piece in phrases(text):
        if delay:
            await asyncio.sleep(delay)
        yield Delta(piece)
