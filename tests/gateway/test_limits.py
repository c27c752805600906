"""Per-jti create rate limit (429 + Retry-After), the open-chat cap (409) and pagination."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_org, start_stack
from tests.helpers import assert_error, create_chat


def test_21st_create_in_a_minute_is_429_with_retry_after(org) -> None:
    with org.client() as http:
        for i in range(20):
            assert http.post("/v1/chats/create", json={"title": f"c{i}"}).status_code == 200
        resp = http.post("/v1/chats/create", json={"title": "one too many"})
        assert resp.status_code == 429
        retry_after = int(resp.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        body = resp.json()
        assert body["code"] == "RATE_LIMIT" and body["retry_after_seconds"] == retry_after
        assert http.get("/v1/chats").json()["total"] == 20  # the refused create stored nothing
        # Other routes are not throttled by the create budget.
        assert http.get("/v1/chats").status_code == 200
    # A new token (new jti) has a fresh budget, for the same member.
    with org.client() as fresh:
        assert fresh.post("/v1/chats/create").status_code == 200


@pytest.mark.storage
def test_pagination_25_chats(org) -> None:
    # 25 creates need two tokens: each jti may create 20 per minute.
    first, second = org.client("pager@example.com"), org.client("pager@example.com")
    with first, second:
        ids = [first.post("/v1/chats/create", json={"title": f"chat {i}"}).json()["id"] for i in range(20)]
        ids += [second.post("/v1/chats/create", json={"title": f"chat {i}"}).json()["id"] for i in range(20, 25)]
        page1 = first.get("/v1/chats").json()
        page2 = first.get("/v1/chats", params={"page": 2}).json()
        page3 = first.get("/v1/chats", params={"page": 3}).json()
        assert (page1["total"], page1["page"], page1["page_size"], page1["has_more"]) == (25, 1, 20, True)
        assert (page2["total"], page2["page"], len(page2["chats"]), page2["has_more"]) == (25, 2, 5, False)
        assert page3["chats"] == [] and page3["has_more"] is False
        listed = [c["id"] for c in page1["chats"] + page2["chats"]]
        assert listed == list(reversed(ids))  # newest activity first, nothing repeated or lost
        assert first.get("/v1/chats", params={"page": 0}).json()["chats"] == page1["chats"]
        assert first.get("/v1/chats", params={"page": -3}).json()["page"] == 1


@pytest.fixture(scope="module")
def capped_stack(request, tmp_path_factory) -> Iterator:
    yield from start_stack(request, tmp_path_factory.mktemp("capped"), with_upload=False, env={"OPEN_CHAT_CAP": "3"})


@pytest.mark.storage
def test_open_chat_cap_is_409_until_a_chat_is_deleted(capped_stack) -> None:
    org = make_org(capped_stack)
    with org.client() as http:
        ids = [create_chat(http)["id"] for _ in range(3)]
        resp = http.post("/v1/chats/create", json={"title": "fourth"})
        assert_error(resp, 409, "OPEN_CHAT_CAP")
        assert http.get("/v1/chats").json()["total"] == 3
        assert http.delete(f"/v1/chats/{ids[0]}").status_code == 200
        assert http.post("/v1/chats/create", json={"title": "fourth"}).status_code == 200
    # The cap is per member: a colleague still has room.
    with org.client("colleague@example.com") as colleague:
        assert colleague.post("/v1/chats/create").status_code == 200


def test_a_service_that_is_down_is_503_upstream_unavailable(capped_stack) -> None:
    # This stack runs without the Upload service: the gateway must say so, not hang or 500.
    org = make_org(capped_stack)
    with org.client() as http:
        chat = create_chat(http)
        resp = http.get(f"/v1/chats/{chat['id']}/uploads")
    assert_error(resp, 503, "UPSTREAM_UNAVAILABLE")
    health = httpx.get(f"{capped_stack.gateway_url}/healthz")
    assert health.status_code == 503 and health.json()["services"]["chat"] == "SERVING"
