"""Paging, pin and archive, tags, folders and search (docs/openwebui.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from tests.conftest import Org, make_org
from tests.helpers import chat_stores
from tests.openwebui.helpers import (
    add_turn,
    check_chat,
    check_folder,
    check_summaries,
    check_tags,
    detail_error,
    new_document,
    ok,
    webui_client,
)

pytestmark = pytest.mark.storage


def _chat(ui: httpx.Client, title: str, question: str = "q", answer: str = "a", **body: Any) -> str:
    doc = new_document(title)
    add_turn(doc["history"], question, answer)
    return str(ok(ui.post("/api/v1/chats/new", json={"chat": doc, **body}))["id"])


def _ids(resp: httpx.Response) -> list[str]:
    return [c["id"] for c in check_summaries(ok(resp))]


def test_pages_of_60_newest_first_and_empty_past_the_end(stack: Stack) -> None:
    org = make_org(stack)
    with chat_stores(stack) as stores:  # 130 chats, made directly: the API's creation rate is limited
        member = stores.organizations.upsert_member(org.id, "pager@example.com")
        made = [stores.chats.create_chat(org.id, member.id, f"chat {i}", None, cap=1000).id for i in range(130)]
    with webui_client(org.base_url, org.token("pager@example.com")) as ui:
        pages = [_ids(ui.get("/api/v1/chats/", params={"page": n})) for n in (1, 2, 3, 4)]
        assert [len(p) for p in pages] == [60, 60, 10, 0]
        everything = _ids(ui.get("/api/v1/chats/"))  # no page: every chat
        assert everything == pages[0] + pages[1] + pages[2] and set(everything) == set(made)
        assert _ids(ui.get("/api/v1/chats/list", params={"page": 3})) == pages[2]
        detail_error(ui.get("/api/v1/chats/", params={"page": "x"}), 422)


def test_pin_archive_and_their_lists(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        a, b, c = (_chat(ui, name) for name in ("A", "B", "C"))
        ok(ui.post(f"/api/v1/chats/{a}/pin"))
        assert _ids(ui.get("/api/v1/chats/pinned")) == [a]
        assert _ids(ui.get("/api/v1/chats/", params={"page": 1})) == [c, b]
        assert ok(ui.post(f"/api/v1/chats/{a}/pin"))["pinned"] is False  # a toggle
        ok(ui.post(f"/api/v1/chats/{b}/archive"))
        assert _ids(ui.get("/api/v1/chats/archived")) == [b]
        assert _ids(ui.get("/api/v1/chats/", params={"page": 1})) == [c, a]
        assert check_chat(ok(ui.get("/api/v1/chats/all/archived"))[0])["title"] == "B"
        assert ok(ui.post("/api/v1/chats/archive/all")) is True
        assert _ids(ui.get("/api/v1/chats/", params={"page": 1})) == []
        assert _ids(ui.get("/api/v1/chats/archived", params={"order_by": "title", "direction": "asc"})) == [a, b, c]
        assert _ids(ui.get("/api/v1/chats/archived", params={"query": "b"})) == [b]
        detail_error(ui.get("/api/v1/chats/archived", params={"order_by": "password"}), 422)
        assert ok(ui.post("/api/v1/chats/unarchive/all")) is True
        assert len(_ids(ui.get("/api/v1/chats/", params={"page": 1}))) == 3


def test_tags(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        a, b = _chat(ui, "A"), _chat(ui, "B")
        assert check_tags(ok(ui.post(f"/api/v1/chats/{a}/tags", json={"name": "Q3 Review"}))) == ["q3_review"]
        ok(ui.post(f"/api/v1/chats/{a}/tags", json={"name": "q3 review"}))  # the same tag: once
        assert check_tags(ok(ui.post(f"/api/v1/chats/{a}/tags", json={"name": "urgent"}))) == ["q3_review", "urgent"]
        ok(ui.post(f"/api/v1/chats/{b}/tags", json={"name": "urgent"}))
        assert [(t["id"], t["name"]) for t in ok(ui.get("/api/v1/chats/all/tags"))] == [
            ("q3_review", "Q3 Review"),
            ("urgent", "urgent"),
        ]
        assert _ids(ui.post("/api/v1/chats/tags", json={"name": "urgent"})) == [b, a]
        assert _ids(ui.post("/api/v1/chats/tags", json={"name": "urgent", "skip": 1, "limit": 1})) == [a]
        assert detail_error(ui.post(f"/api/v1/chats/{a}/tags", json={"name": "None"}), 400) == (
            "[ERROR: Tag name cannot be 'None']"
        )
        detail_error(ui.post(f"/api/v1/chats/{a}/tags", json={}), 422)
        # Removing collects what nobody uses (DELETE with a JSON body, as the UI sends it).
        removed = ui.request("DELETE", f"/api/v1/chats/{a}/tags", json={"name": "Q3 Review"})
        assert check_tags(ok(removed)) == ["urgent"]
        assert check_tags(ok(ui.get("/api/v1/chats/all/tags"))) == ["urgent"]
        assert ok(ui.delete(f"/api/v1/chats/{a}/tags/all")) is True
        assert ok(ui.get(f"/api/v1/chats/{a}/tags")) == []
        ok(ui.delete(f"/api/v1/chats/{b}"))
        assert ok(ui.get("/api/v1/chats/all/tags")) == []
        assert ok(ui.post("/api/v1/chats/tags", json={"name": "urgent"})) == []


def test_folders(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        work = check_folder(ok(ui.post("/api/v1/folders/", json={"name": "Work", "meta": {"icon": "💼"}})))
        assert work["parent_id"] is None and work["meta"] == {"icon": "💼"} and work["data"] == {}
        assert detail_error(ui.post("/api/v1/folders/", json={"name": "work"}), 400) == "Folder already exists"
        reports = check_folder(ok(ui.post("/api/v1/folders/", json={"name": "Reports", "parent_id": work["id"]})))
        drafts = check_folder(ok(ui.post("/api/v1/folders", json={"name": "Drafts", "parent_id": work["id"]})))
        root_reports = check_folder(ok(ui.post("/api/v1/folders/", json={"name": "Reports"})))  # another parent
        other = check_folder(ok(ui.post("/api/v1/folders/", json={"name": "Other"})))
        detail_error(ui.post("/api/v1/folders/", json={"name": ""}), 422)
        detail_error(ui.post("/api/v1/folders/", json={"name": "x", "parent_id": other["id"][::-1]}), 404)

        renamed = ok(ui.post(f"/api/v1/folders/{other['id']}/update", json={"name": "Misc", "data": {"x": 1}}))
        assert renamed["name"] == "Misc" and renamed["data"] == {"x": 1}
        assert ok(ui.post(f"/api/v1/folders/{other['id']}/update", json={"data": {"y": 2}}))["data"] == {"x": 1, "y": 2}
        assert ok(ui.post(f"/api/v1/folders/{other['id']}/update/expanded", json={"is_expanded": True}))["is_expanded"]
        detail_error(ui.post(f"/api/v1/folders/{drafts['id']}/update", json={"name": "REPORTS"}), 400)
        detail_error(ui.post(f"/api/v1/folders/{reports['id']}/update/parent", json={"parent_id": None}), 400)
        detail_error(ui.post(f"/api/v1/folders/{work['id']}/update/parent", json={"parent_id": reports["id"]}), 422)

        in_work = _chat(ui, "In work", folder_id=work["id"])
        in_reports = _chat(ui, "In reports", folder_id=reports["id"])
        pinned_in_misc = _chat(ui, "Pinned")
        ok(ui.post(f"/api/v1/chats/{pinned_in_misc}/pin"))
        moved = ok(ui.post(f"/api/v1/chats/{pinned_in_misc}/folder", json={"folder_id": other["id"]}))
        assert moved["pinned"] is False and moved["folder_id"] == other["id"]
        archived = _chat(ui, "Archived", folder_id=reports["id"])
        ok(ui.post(f"/api/v1/chats/{archived}/archive"))
        kept_archived = _chat(ui, "Archived in Misc", folder_id=other["id"])
        ok(ui.post(f"/api/v1/chats/{kept_archived}/archive"))
        detail_error(ui.post("/api/v1/chats/new", json={"chat": {}, "folder_id": other["id"][::-1]}), 404)

        assert _ids(ui.get(f"/api/v1/chats/folder/{work['id']}/list")) == [in_work]
        whole = ok(ui.get(f"/api/v1/chats/folder/{work['id']}"))  # the folder and its sub-folders
        assert sorted(c["id"] for c in whole) == sorted([in_work, in_reports])
        assert _ids(ui.get("/api/v1/chats/", params={"include_folders": "true"}))[0] == pinned_in_misc
        assert _ids(ui.get("/api/v1/chats/", params={"page": 1})) == []  # all in folders or archived
        assert set(_ids(ui.get("/api/v1/chats/search", params={"text": "folder:work"}))) == {in_work, in_reports}
        assert _ids(ui.get("/api/v1/chats/search", params={"text": "folder:reports"})) == [in_reports]

        # Delete trees: moving their chats to the root, or with them (archived ones are kept).
        assert ok(ui.delete(f"/api/v1/folders/{work['id']}", params={"delete_contents": "false"})) is True
        for gone in (work, reports, drafts):
            detail_error(ui.get(f"/api/v1/folders/{gone['id']}"), 404)
        assert ok(ui.get(f"/api/v1/chats/{in_reports}"))["folder_id"] is None
        assert ok(ui.delete(f"/api/v1/folders/{other['id']}")) is True  # delete_contents defaults to true
        detail_error(ui.get(f"/api/v1/chats/{pinned_in_misc}"), 404)
        assert ok(ui.get(f"/api/v1/chats/{kept_archived}"))["folder_id"] is None  # archived: never deleted
        assert [f["id"] for f in ok(ui.get("/api/v1/folders"))] == [root_reports["id"]]
        detail_error(ui.delete(f"/api/v1/folders/{other['id']}"), 404)


def test_search_filters(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        revenue = _chat(ui, "Quarter", "What was the revenue per region?", "North leads with 120.")
        churn = _chat(ui, "Customers lost", "How many customers churned?", "Churn was 3%.")
        untagged = _chat(ui, "Weather", "Is it raining in Paris?", "Yes.")
        ok(ui.post(f"/api/v1/chats/{revenue}/tags", json={"name": "finance"}))
        ok(ui.post(f"/api/v1/chats/{churn}/tags", json={"name": "finance"}))
        ok(ui.post(f"/api/v1/chats/{churn}/tags", json={"name": "customers"}))
        ok(ui.post(f"/api/v1/chats/{churn}/pin"))
        ok(ui.post(f"/api/v1/chats/{revenue}/share"))

        def search(text: str) -> set[str]:
            return set(_ids(ui.get("/api/v1/chats/search", params={"text": text})))

        assert search("reven") == {revenue}  # a word prefix, through the full-text index
        assert search("REGION revenue") == {revenue}
        assert search("north") == {revenue}
        assert search("customers") == {churn}  # the title
        assert search("tag:finance") == {revenue, churn}
        assert search("tag:finance tag:customers") == {churn}
        assert search("tag:none") == {untagged}
        assert search("pinned:true") == {churn} and search("pinned:false") == {revenue, untagged}
        assert search("shared:true") == {revenue} and search("shared:false tag:finance") == {churn}
        assert search("paris tag:finance") == set()
        assert search('") OR 1=1 --') == set() and search("* AND NEAR(") == set()  # input is never syntax
        ok(ui.post(f"/api/v1/chats/{revenue}/archive"))
        assert search("revenue") == set() and search("revenue archived:true") == {revenue}
        detail_error(ui.get("/api/v1/chats/search"), 422)
