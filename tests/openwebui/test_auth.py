"""Credentials on Open WebUI's routes (docs/openwebui.md): the Trellis JWT, or a personal API key
(`sk-…`, shown once, stored hashed, revocable); anything else is 401."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from devstack.stack import Stack
from tests.conftest import Org
from tests.helpers import chat_stores
from tests.openwebui.helpers import detail_error, ok, webui_client
from tests.waiting import wait_until

pytestmark = pytest.mark.storage


def test_a_personal_key_works_as_a_bearer_token_until_revoked(stack: Stack, org: Org) -> None:
    with webui_client(org.base_url, org.token("keys@example.com")) as ui:
        detail_error(ui.get("/api/v1/auths/api_key"), 404)
        key = ok(ui.post("/api/v1/auths/api_key"))["api_key"]
        assert key.startswith("sk-") and len(key) == 51
        described = ok(ui.get("/api/v1/auths/api_key"))
        assert described["api_key"] is None and key.startswith(described["key_prefix"])
        chat_id = ok(ui.post("/api/v1/chats/new", json={"chat": {"title": "Made with a JWT"}}))["id"]

    with chat_stores(stack) as stores, stores.chats.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT key_hash FROM personal_api_keys"))]
    assert key not in stored and all(len(h) == 64 for h in stored)

    with webui_client(org.base_url, key) as tool:
        assert [c["id"] for c in ok(tool.get("/api/v1/chats/"))] == [chat_id]  # the same member
        made = ok(tool.post("/api/chats/new", json={"chat": {"title": "Made with a key"}}))
        assert ok(tool.get(f"/api/v1/chats/{made['id']}"))["user_id"] == made["user_id"]
        detail_error(tool.post("/api/v1/auths/api_key"), 403)  # a key cannot make keys
        assert ok(tool.delete("/api/v1/auths/api_key")) is True  # but it can revoke itself
        wait_until(lambda: tool.get("/api/v1/chats/").status_code == 401, timeout=20, what="the key refused")
        assert tool.get("/api/v1/chats/").json()["detail"]


def test_a_new_key_replaces_the_old_one(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        first = ok(ui.post("/api/v1/auths/api_key"))["api_key"]
        second = ok(ui.post("/api/v1/auths/api_key"))["api_key"]
    with webui_client(org.base_url, second) as tool:
        ok(tool.get("/api/v1/chats/pinned"))
    with webui_client(org.base_url, first) as stale:
        detail_error(stale.get("/api/v1/chats/pinned"), 401)


def test_missing_and_bad_credentials_are_401_with_a_detail(org: Org) -> None:
    for headers in ({}, {"Authorization": "Bearer forged.token.value"}, {"Authorization": "Bearer sk-unknown"}):
        for method, path in (("GET", "/api/v1/chats/"), ("POST", "/api/chats/new"), ("GET", "/api/v1/folders/")):
            resp = httpx.request(method, org.base_url + path, headers=headers, json={"chat": {}})
            detail_error(resp, 401)
