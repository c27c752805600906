"""Sliding-window limits, in memory and in Redis (shared across replicas), on a clock the test moves."""

from __future__ import annotations

import uuid

import pytest

from services.common.ratelimit import MemoryRateLimiter, RedisRateLimiter
from tests.conftest import REDIS_TEST_URL, _unavailable


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["memory", "redis"])
async def limiters(request):
    """Two limiters that share one budget (the same object in memory; two replicas on Redis) and their clock."""
    clock = ManualClock()
    if request.param == "memory":
        shared = MemoryRateLimiter(clock=clock)
        yield shared, shared, clock
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
    a, b = RedisRateLimiter(REDIS_TEST_URL, clock=clock), RedisRateLimiter(REDIS_TEST_URL, clock=clock)
    yield a, b, clock
    await a.close()
    await b.close()


async def test_limit_is_shared_and_reports_retry_after(limiters) -> None:
    a, b, clock = limiters
    key = f"test:{uuid.uuid4()}"
    for i in range(5):
        assert await (a if i % 2 else b).hit(key, 5, 60) is None
    assert await a.hit(key, 5, 60) == 60  # the oldest event leaves the window in 60 s
    clock.advance(59.5)
    assert await b.hit(key, 5, 60) == 1  # half a second left: rounded up to a whole second
    assert await a.hit(f"{key}:other", 5, 60) is None  # keys are independent


async def test_window_slides(limiters) -> None:
    a, _, clock = limiters
    key = f"test:{uuid.uuid4()}"
    assert await a.hit(key, 2, 60) is None
    clock.advance(30)
    assert await a.hit(key, 2, 60) is None
    assert await a.hit(key, 2, 60) == 30  # refused: both events are in the window
    clock.advance(30)  # the first event is exactly one window old: it no longer counts
    assert await a.hit(key, 2, 60) is None
    assert await a.hit(key, 2, 60) == 30  # the second event (at 30 s) still counts until 90 s
    clock.advance(29)
    assert await a.hit(key, 2, 60) == 1
    clock.advance(1)
    assert await a.hit(key, 2, 60) is None
