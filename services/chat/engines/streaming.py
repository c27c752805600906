"""Helpers engines share: word-sized text deltas and visualization ids."""

from __future__ import annotations

import asyncio
import re
import secrets
import string
from collections.abc import AsyncIterator

from services.chat.engines.base import Delta

_ID_ALPHABET = string.ascii_lowercase + string.digits
_PIECES = re.compile(r"\s*\S+|\s+")


def visualization_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


async def stream_text(text: str, delay: float = 0.0) -> AsyncIterator[Delta]:
    """Word-sized deltas whose concatenation is exactly `text`; `delay` paces them like typing."""
    for piece in _PIECES.findall(text):
        if delay:
            await asyncio.sleep(delay)
        yield Delta(piece)
