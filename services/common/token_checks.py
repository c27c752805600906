"""Revocation: a token whose API key, member or organization is gone is refused, within a short TTL.

A valid signature only proves who was issued the token; whether that still holds is a database
question, asked at most once per token per `ttl` seconds so hot paths stay cheap. The staleness
bound is that TTL (documented as TOKEN_CHECK_CACHE_SECONDS).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from services.common.errors import ApiError
from services.common.jwt_tokens import Principal

TokenCheck = Callable[[Principal], Awaitable[None]]
MAX_ENTRIES = 10_000


class CachedTokenCheck:
    """Calls `is_live(principal)` at most once per token per `ttl` seconds; a refusal is remembered too."""

    def __init__(
        self,
        is_live: Callable[[Principal], Awaitable[bool]],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._is_live = is_live
        self._ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._pending: dict[str, asyncio.Future[bool]] = {}

    async def __call__(self, principal: Principal) -> None:
        now = self._clock()
        cached = self._seen.get(principal.jti)
        if cached is not None and now - cached[0] < self._ttl:
            live = cached[1]
        else:
            # Calls of one token arriving together share one check, and resume in arrival order.
            pending = self._pending.get(principal.jti)
            if pending is None:
                pending = asyncio.ensure_future(self._is_live(principal))
                self._pending[principal.jti] = pending
                pending.add_done_callback(lambda _: self._pending.pop(principal.jti, None))
            live = await asyncio.shield(pending)
            self._seen[principal.jti] = (now, live)
            self._seen.move_to_end(principal.jti)
            while len(self._seen) > MAX_ENTRIES:
                self._seen.popitem(last=False)
        if not live:
            raise ApiError("UNAUTHENTICATED", "Token revoked: its API key, member or organization no longer exists")
