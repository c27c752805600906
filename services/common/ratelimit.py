"""Sliding-window rate limits keyed by a string (usually the JWT's jti).

In memory for one process; in Redis when REDIS_URL is set, so that several
replicas share one budget (limits hold across replicas, docs/api.md).
Both read the time from a `clock` (seconds as a float), so tests can move it by hand.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from services.common.observability.metrics import rate_limited

Clock = Callable[[], float]  # seconds, as time.monotonic and time.time give them

_LUA = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: float) -> int | None:
        """Count one event; return None if allowed, else whole seconds until it would be."""
        ...

    async def close(self) -> None: ...


def _retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


class MemoryRateLimiter:
    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    async def hit(self, key: str, limit: int, window: float) -> int | None:
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - window:
            events.popleft()
        if len(events) >= limit:
            rate_limited(key)
            return _retry_after(events[0] + window - now)
        events.append(now)
        return None

    async def close(self) -> None:
        self._events.clear()


class RedisRateLimiter:
    # Wall-clock time by default: replicas on different hosts must agree on "now".
    def __init__(self, url: str, prefix: str = "trellis:rl:", clock: Clock = time.time) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._script = self._redis.register_script(_LUA)
        self._prefix = prefix
        self._clock = clock

    async def hit(self, key: str, limit: int, window: float) -> int | None:
        now = self._clock()
        wait = float(await self._script(keys=[self._prefix + key], args=[now, window, limit, uuid.uuid4().hex]))
        if wait <= 0:
            return None
        rate_limited(key)
        return _retry_after(wait)

    async def close(self) -> None:
        await self._redis.aclose()


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
