"""A chat belongs to one member of one organization: everyone else gets 404 CHAT_NOT_FOUND."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, create_chat

pytestmark = pytest.mark.storage

ROUTES = [
    ("GET", "/v1/chats/{id}", None),
    ("PUT", "/v1/chats/{id}", {"title": "hijacked"}),
    ("DELETE", "/v1/chats/{id}", None),
    ("GET", "/v1/chats/{id}/uploads", None),
]


@pytest.mark.parametrize("who", ["same org, other member", "other org"])
def test_foreign_chat_is_not_found_on_every_route(org, other_org, who) -> None:
    owner = org.client("owner@example.com")
    intruder = (
        org.client("intruder@example.com") if who == "same org, other member" else other_org.client("owner@example.com")
    )
    with owner, intruder:
        chat = create_chat(owner, title="Private")
        for method, path, body in ROUTES:
            resp = intruder.request(method, path.format(id=chat["id"]), json=body)
            assert_error(resp, 404, "CHAT_NOT_FOUND")
            assert resp.json()["detail"] == "Chat not found"
        bulk = intruder.request("DELETE", "/v1/chats", json={"chat_ids": [chat["id"]]})
        assert bulk.status_code == 200
        assert bulk.json() == {"deleted": [], "not_found": [chat["id"]], "deleted_count": 0}
        assert intruder.get("/v1/chats").json()["total"] == 0
        # The owner's chat is untouched.
        assert owner.get(f"/v1/chats/{chat['id']}").json()["title"] == "Private"


def test_missing_and_malformed_ids_are_not_found(org) -> None:
    with org.client() as http:
        for chat_id in ("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "chat_abc123", "%27%3B--"):
            for method, path, body in ROUTES:
                resp = http.request(method, path.format(id=chat_id), json=body)
                assert_error(resp, 404, "CHAT_NOT_FOUND")


def test_bulk_delete_reports_malformed_missing_and_foreign_ids(org, other_org) -> None:
    with org.client() as mine, other_org.client() as theirs:
        own = [create_chat(mine)["id"] for _ in range(2)]
        foreign = create_chat(theirs)["id"]
        missing = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
        resp = mine.request(
            "DELETE", "/v1/chats", json={"chat_ids": [own[0], "chat_invalid", foreign, missing, own[1]]}
        )
        assert resp.status_code == 200
        assert resp.json() == {
            "deleted": [own[0], own[1]],
            "not_found": ["chat_invalid", foreign, missing],
            "deleted_count": 2,
        }
        assert theirs.get(f"/v1/chats/{foreign}").status_code == 200
        assert mine.get("/v1/chats").json()["total"] == 0
