"""The revocation check is asked once per token per TTL, shared by calls arriving together."""

from __future__ import annotations

import asyncio

import pytest

from services.common.errors import ApiError
from services.common.jwt_tokens import Principal
from services.common.token_checks import CachedTokenCheck


def _who(jti: str = "t1") -> Principal:
    return Principal("member", "org", "key", jti, "token")


async def test_calls_arriving_together_share_one_check_and_resume_in_order() -> None:
    asked: list[str] = []
    release = asyncio.Event()

    async def is_live(who: Principal) -> bool:
        asked.append(who.jti)
        await release.wait()
        return True

    check = CachedTokenCheck(is_live, ttl=60)
    order: list[int] = []

    async def call(i: int) -> None:
        await check(_who())
        order.append(i)

    tasks = [asyncio.create_task(call(i)) for i in range(5)]
    await asyncio.sleep(0)  # every call is now waiting on the one check
    release.set()
    await asyncio.gather(*tasks)
    assert asked == ["t1"] and order == [0, 1, 2, 3, 4]


async def test_the_answer_is_reused_for_the_ttl_then_asked_again() -> None:
    now = [0.0]
    live = [True]
    asked = []

    async def is_live(who: Principal) -> bool:
        asked.append(now[0])
        return live[0]

    check = CachedTokenCheck(is_live, ttl=5, clock=lambda: now[0])
    await check(_who())
    live[0] = False  # revoked
    now[0] = 4.9
    await check(_who())  # still the cached answer: the documented staleness
    now[0] = 5.0
    with pytest.raises(ApiError) as info:
        await check(_who())
    assert info.value.code == "UNAUTHENTICATED" and "revoked" in info.value.detail
    assert asked == [0.0, 5.0]
