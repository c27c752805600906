"""The whole chat lifecycle over HTTP through the gateway, against running services."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import add_integration, assert_error, bearer, create_chat, iso_datetime

pytestmark = pytest.mark.storage


def test_chat_lifecycle_over_http(org) -> None:
    auth = org.token("Lifecycle@Example.com")
    with org.client("lifecycle@example.com") as http:
        # Same email (any case) → same member, so both tokens see the same chats.
        created = http.post("/v1/chats/create", json={"title": "Revenue questions"})
        assert created.status_code == 200, created.text
        chat = created.json()
        assert set(chat) >= {"id", "organization_id", "member_id", "title", "created_at"}
        assert chat["title"] == "Revenue questions"
        assert chat["organization_id"] == org.id
        assert iso_datetime(chat["created_at"]).tzinfo is not None

        untitled = create_chat(http)
        assert untitled["title"].startswith("Chat ")  # timestamp-based default

        listing = http.get("/v1/chats").json()
        assert listing["total"] == 2 and listing["page"] == 1 and listing["page_size"] == 20
        assert listing["has_more"] is False
        ids = [c["id"] for c in listing["chats"]]
        assert ids == [untitled["id"], chat["id"]]  # most recent activity first
        summary = listing["chats"][1]
        assert summary["metadata"] == {"source_type": "database"}
        assert summary["preview"] == ""

        renamed = http.put(f"/v1/chats/{chat['id']}", json={"title": "Renamed"})
        assert renamed.status_code == 200
        assert renamed.json()["title"] == "Renamed" and set(renamed.json()) >= {"id", "preview", "timestamp"}

        got = http.get(f"/v1/chats/{chat['id']}", headers=bearer(auth)).json()
        assert got["id"] == chat["id"] and got["title"] == "Renamed" and got["messages"] == []

        deleted = http.delete(f"/v1/chats/{chat['id']}")
        assert deleted.status_code == 200 and deleted.json() == {"message": "Chat deleted successfully"}
        assert http.get(f"/v1/chats/{chat['id']}").status_code == 404

        bulk = http.request("DELETE", "/v1/chats", json={"chat_ids": [untitled["id"]]})
        assert bulk.json() == {"deleted": [untitled["id"]], "not_found": [], "deleted_count": 1}
        assert http.get("/v1/chats").json()["total"] == 0


def test_rename_needs_a_title(org) -> None:
    with org.client() as http:
        chat = create_chat(http, title="Keep me")
        for body in ({}, {"title": "   "}, {"title": 5}):
            resp = http.put(f"/v1/chats/{chat['id']}", json=body)
            assert_error(resp, 400, "INVALID_REQUEST")
            assert "title" in resp.json()["detail"]
        assert http.get(f"/v1/chats/{chat['id']}").json()["title"] == "Keep me"


def test_bad_bodies_are_400_with_the_contract_error_shape(org) -> None:
    with org.client() as http:
        for content in (b"{not json", b"[1, 2]"):
            resp = http.post("/v1/chats/create", content=content, headers={"Content-Type": "application/json"})
            assert_error(resp, 400, "INVALID_REQUEST")
        resp = http.request("DELETE", "/v1/chats", json={"chat_ids": []})
        assert "chat_ids" in assert_error(resp, 400, "INVALID_REQUEST")["detail"]
        resp = http.get("/v1/chats", params={"page": "two"})
        assert "page" in assert_error(resp, 400, "INVALID_REQUEST")["detail"]


def test_unknown_integration_is_refused(org, other_org, stack) -> None:
    foreign = add_integration(stack, other_org.id)
    with org.client() as http:
        for integration_id in ("not-a-uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", foreign):
            resp = http.post("/v1/chats/create", json={"integration_id": integration_id})
            assert_error(resp, 404, "INTEGRATION_NOT_FOUND")
        assert http.get("/v1/chats").json()["total"] == 0
        own = add_integration(stack, org.id)
        chat = create_chat(http, integration_id=own)
        assert chat["integration_id"] == own
        assert http.get(f"/v1/chats/{chat['id']}").json()["integration_id"] == own


def test_unknown_route_uses_the_error_shape(stack) -> None:
    resp = httpx.get(f"{stack.gateway_url}/v1/nothing-here")
    assert_error(resp, 404, "NOT_FOUND")


def test_healthz_reports_each_service(stack) -> None:
    resp = httpx.get(f"{stack.gateway_url}/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "services": {"chat": "SERVING", "upload": "SERVING"}}
