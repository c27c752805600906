"""At most N WebSocket connections per JWT `jti`, across gateway replicas when Redis is set."""

from __future__ import annotations

from typing import Protocol

_TTL_SECONDS = 6 * 3600 + 60  # a token lives 6 h: counts never outlive it


class ConnectionCap(Protocol):
    async def acquire(self, key: str, limit: int) -> bool: ...
    async def release(self, key: str) -> None: ...
    async def close(self) -> None: ...


class MemoryConnectionCap:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    async def acquire(self, key: str, limit: int) -> bool:
        if self._counts.get(key, 0) >= limit:
            return False
        self._counts[key] = self._counts.get(key, 0) + 1
        return True

    async def release(self, key: str) -> None:
        left = self._counts.get(key, 0) - 1
        if left > 0:
            self._counts[key] = left
        else:
            self._counts.pop(key, None)

    async def close(self) -> None:
        self._counts.clear()


class RedisConnectionCap:
    def __init__(self, url: str, prefix: str = "trellis:ws:") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._prefix = prefix

    async def acquire(self, key: str, limit: int) -> bool:
        name = self._prefix + key
        count = await self._redis.incr(name)
        await self._redis.expire(name, _TTL_SECONDS)
        if count > limit:
            await self._redis.decr(name)
            return False
        return True

    async def release(self, key: str) -> None:
        await self._redis.decr(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


def make_connection_cap(redis_url: str) -> ConnectionCap:
    return RedisConnectionCap(redis_url) if redis_url else MemoryConnectionCap()
