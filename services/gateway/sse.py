"""Server-Sent Events framing: one event, one write (some clients drop split events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from services.gateway.turn_stream import TurnStream, with_keepalive

KEEPALIVE = b": keepalive\n\n"


def encode(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def sse_response(stream: TurnStream, keepalive: float) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        try:
            async for item in with_keepalive(stream.events(), keepalive):
                yield KEEPALIVE if item is None else encode(*item)
        finally:
            # The client went away (or the turn ended): stop the server-side work with it.
            stream.cancel()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)
