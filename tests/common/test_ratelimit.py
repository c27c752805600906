"""Sliding-window limits, in memory and in Redis (shared across replicas)."""

from __future__ import annotations

import uuid

import pytest

from services.common.ratelimit import MemoryRateLimiter, RedisRateLimiter
from tests.conftest import REDIS_TEST_URL, _unavailable


@pytest.fixture(params=["memory", "redis"])
async def limiters(request):
    if request.param == "memory":
        shared = MemoryRateLimiter()
        yield shared, shared
        return
    import redis.asyncio as redis

    probe = redis.from_url(REDIS_TEST_URL)
    try:
        await probe.ping()
    except (OSError, redis.ConnectionError) as exc:
        _unavailable(f"Redis at {REDIS_TEST_URL}", exc)
    finally:
        await probe.aclose()
    # Two clients stand for two replicas of a service.
    a, b = RedisRateLimiter(REDIS_TEST_URL), RedisRateLimiter(REDIS_TEST_URL)
    yield a, b
    await a.close()
    await b.close()


async def test_limit_is_shared_and_reports_retry_after(limiters) -> None:
    a, b = limiters
    key = f"test:{uuid.uuid4()}"
    for i in range(5):
        assert await (a if i % 2 else b).hit(key, 5, 60) is None
    wait = await a.hit(key, 5, 60)
    assert wait is not None and 1 <= wait <= 60
    assert await b.hit(key, 5, 60) is not None
    assert await a.hit(f"{key}:other", 5, 60) is None  # keys are independent


async def test_window_slides(limiters) -> None:
    import asyncio

    a, _ = limiters
    key = f"test:{uuid.uuid4()}"
    assert await a.hit(key, 1, 0.3) is None
    assert await a.hit(key, 1, 0.3) is not None
    await asyncio.sleep(0.35)
    assert await a.hit(key, 1, 0.3) is None
