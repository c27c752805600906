"""Isolation (docs/openwebui.md): another member of the organization and a member of another
organization get 404 on every chat and folder route aimed at the owner's chat or folder, and never
see it in a list, a search, the tags or an export. Routes come from the gateway's route table, so a
new route aimed at a chat, a folder, a message or a share is attacked automatically."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from devstack.stack import Stack
from services.gateway.app import create_app
from tests.conftest import Org, make_org
from tests.openwebui.helpers import add_turn, new_document, ok, webui_client

pytestmark = pytest.mark.storage

# JSON bodies of the routes that need one (valid, so that only the ids are wrong).
BODIES: dict[str, dict[str, Any]] = {
    "POST /{chat_id}": {"chat": {"title": "taken over", "history": {"messages": {}, "currentId": None}}},
    "POST /{chat_id}/messages/{message_id}": {"content": "taken over"},
    "POST /{chat_id}/folder": {"folder_id": None},
    "POST /{chat_id}/tags": {"name": "planted"},
    "DELETE /{chat_id}/tags": {"name": "secret"},
    "POST /{chat_id}/clone": {"title": "mine now"},
    "POST /{chat_id}/fork": {},
    "POST /{folder_id}/update": {"name": "taken over"},
    "POST /{folder_id}/update/parent": {"parent_id": None},
    "POST /{folder_id}/update/expanded": {"is_expanded": True},
}
# Readable by the organization by design: a share is for colleagues (not for other organizations).
SHARED_WITH_THE_ORGANIZATION = {"GET /share/{share_id}", "POST /{share_id}/clone/shared"}


@dataclass
class Owner:
    org: Org
    token: str
    chat: str
    folder: str
    message: str
    share: str


@pytest.fixture(scope="module")
def owner(stack: Stack) -> Iterator[Owner]:
    org = make_org(stack, "Owner")
    token = org.token("owner@example.com")
    with webui_client(stack.gateway_url, token) as ui:
        folder = ok(ui.post("/api/v1/folders/", json={"name": "Secret folder"}))["id"]
        doc = new_document("Secret chat")
        _, answer = add_turn(doc["history"], "the secret question", "the secret answer")
        chat = ok(ui.post("/api/v1/chats/new", json={"chat": doc, "folder_id": folder}))["id"]
        ok(ui.post(f"/api/v1/chats/{chat}/tags", json={"name": "secret"}))
        share = ok(ui.post(f"/api/v1/chats/{chat}/share"))["share_id"]
        yield Owner(org, token, chat, folder, answer, share)


def _routes() -> list[tuple[str, str]]:
    """Every Open WebUI route that names something by id: (method, path)."""
    out = []
    for route in create_app().routes:
        if isinstance(route, Route) and route.path.startswith("/api/") and "{" in route.path:
            out += [(m, route.path) for m in sorted((route.methods or set()) - {"HEAD"})]
    return out


def _relative(path: str) -> str:
    return re.sub(r"^/api(/v1)?/(chats|folders|auths)", "", path)


def test_every_route_answers_404_to_another_member_and_another_organization(stack: Stack, owner: Owner) -> None:
    colleague = make_org(stack, "Colleagues")  # a stranger: another organization
    intruders = {
        "another member": owner.org.token("colleague@example.com"),
        "another organization": colleague.token("intruder@example.com"),
    }
    ids = {"chat_id": owner.chat, "folder_id": owner.folder, "message_id": owner.message, "share_id": owner.share}
    routes = _routes()
    assert len(routes) > 40
    for who, token in intruders.items():
        for method, path in routes:
            key = f"{method} {_relative(path)}"
            if key in SHARED_WITH_THE_ORGANIZATION and who == "another member":
                continue
            url = stack.gateway_url + path.format(**ids)
            resp = httpx.request(method, url, headers={"Authorization": f"Bearer {token}"}, json=BODIES.get(key))
            assert resp.status_code == 404, (who, key, resp.status_code, resp.text)
            assert isinstance(resp.json()["detail"], str)
    _owner_sees_everything_unchanged(stack, owner)


def test_nothing_of_the_owners_is_listed_searched_tagged_or_exported(stack: Stack, owner: Owner) -> None:
    tokens = [owner.org.token("colleague@example.com"), make_org(stack, "Elsewhere").token("x@example.com")]
    secrets = [owner.chat, owner.folder, owner.message, owner.share, "Secret", "secret"]
    for token in tokens:
        with webui_client(stack.gateway_url, token) as ui:
            ok(ui.post("/api/v1/chats/new", json={"chat": {"title": "mine"}}))
            for method, path, params in [
                ("GET", "/api/v1/chats/", {"page": 1}),
                ("GET", "/api/v1/chats/", {"include_pinned": "true", "include_folders": "true"}),
                ("GET", "/api/v1/chats/pinned", None),
                ("GET", "/api/v1/chats/archived", None),
                ("GET", "/api/v1/chats/all", None),
                ("GET", "/api/v1/chats/all/archived", None),
                ("GET", "/api/v1/chats/all/tags", None),
                ("GET", "/api/v1/chats/shared", None),
                ("GET", "/api/v1/folders/", None),
                ("GET", "/api/v1/chats/search", {"text": "secret"}),
                ("GET", "/api/v1/chats/search", {"text": "tag:secret"}),
                ("GET", "/api/v1/chats/search", {"text": "folder:secret_folder"}),
                ("GET", "/v1/chats", None),
            ]:
                resp = ui.request(method, path, params=params)
                ok(resp)
                assert not any(s in resp.text for s in secrets), (method, path, params, resp.text[:300])
            found = ui.post("/api/v1/chats/tags", json={"name": "secret"})
            assert ok(found) == []


def _owner_sees_everything_unchanged(stack: Stack, owner: Owner) -> None:
    with webui_client(stack.gateway_url, owner.token) as ui:
        chat = ok(ui.get(f"/api/v1/chats/{owner.chat}"))
        assert chat["title"] == "Secret chat" and chat["folder_id"] == owner.folder and chat["share_id"] == owner.share
        assert chat["meta"] == {"tags": ["secret"]} and len(chat["chat"]["history"]["messages"]) == 2
        assert [f["name"] for f in ok(ui.get("/api/v1/folders/"))] == ["Secret folder"]
