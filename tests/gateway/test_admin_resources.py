"""Integrations, memories and organization rules: who may do what (docs/api.md)."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, create_chat, demo_database_url, make_admin, stack_settings, token_of
from tests.turn_clients import sse_turn

pytestmark = pytest.mark.storage


@pytest.fixture
def people(stack, org):
    make_admin(stack, org.id, "boss@example.com")
    boss, member = org.client("boss@example.com"), org.client("member@example.com")
    yield boss, member
    boss.close()
    member.close()


def test_integrations_admin_crud_and_member_reads(stack, people, other_org) -> None:
    boss, member = people
    url = demo_database_url(stack)
    created = boss.post("/v1/integrations", json={"display_name": "Sales DB", "type": "database", "url": url})
    assert created.status_code == 200, created.text
    integration = created.json()
    assert set(integration) == {"id", "display_name", "type", "dialect", "created_at"}
    assert integration["dialect"] == "sqlite" and integration["type"] == "database"
    listed = member.get("/v1/integrations").json()["integrations"]
    assert [i["id"] for i in listed] == [integration["id"]]
    assert url not in member.get("/v1/integrations").text  # the URL never comes back
    assert member.post("/v1/integrations", json={"display_name": "x", "url": url}).status_code == 403
    assert member.patch(f"/v1/integrations/{integration['id']}", json={"display_name": "x"}).status_code == 403
    assert member.delete(f"/v1/integrations/{integration['id']}").status_code == 403

    renamed = boss.patch(f"/v1/integrations/{integration['id']}", json={"display_name": "Renamed"})
    assert renamed.json()["display_name"] == "Renamed"
    chat = create_chat(member, integration_id=integration["id"])
    with other_org.client() as stranger:
        assert stranger.get("/v1/integrations").json()["integrations"] == []
        assert stranger.post("/v1/chats/create", json={"integration_id": integration["id"]}).status_code == 404
    gone = boss.delete(f"/v1/integrations/{integration['id']}")
    assert gone.status_code == 200
    after = member.get(f"/v1/chats/{chat['id']}").json()
    assert after["id"] == chat["id"] and "integration_id" not in after  # the chat stays, without a database
    assert boss.delete(f"/v1/integrations/{integration['id']}").json()["code"] == "INTEGRATION_NOT_FOUND"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite:////etc/passwd", "INTEGRATION_ALLOWED_DIRS"),
        ("sqlite:///:memory:", "file path"),
        ("oracle://scott@db/orcl", "unsupported"),
        ("not a url", "SQLAlchemy"),
        ("postgresql:///nohost", "host"),
    ],
)
def test_refused_integration_urls_name_the_rule(stack, people, url, words) -> None:
    boss, _ = people
    resp = boss.post("/v1/integrations", json={"display_name": "x", "url": url})
    assert_error(resp, 400, "INVALID_REQUEST")
    assert words in resp.json()["detail"]
    assert boss.get("/v1/integrations").json()["integrations"] == []


def test_own_memories(people) -> None:
    _, member = people
    first = member.post("/v1/user-memories", json={"content": "I work in EMEA sales"}).json()
    second = member.post("/v1/user-memories", json={"content": "Prefer charts"}).json()
    assert set(first) == {"id", "organization_id", "member_id", "content", "created_at", "updated_at"}
    member.patch(f"/v1/user-memories/{first['id']}", json={"content": "I work in APAC sales"})
    listed = member.get("/v1/user-memories").json()["user_memories"]
    assert [m["id"] for m in listed] == [first["id"], second["id"]]  # most recently updated first
    assert listed[0]["content"] == "I work in APAC sales"
    assert member.get(f"/v1/user-memories/{second['id']}").json()["content"] == "Prefer charts"
    assert member.delete(f"/v1/user-memories/{second['id']}").status_code == 204
    assert member.get(f"/v1/user-memories/{second['id']}").status_code == 404
    empty = member.post("/v1/user-memories", json={"content": "  "})
    assert empty.status_code == 400 and "content" in empty.json()["detail"]


def test_memories_are_private_and_admins_manage_them(stack, people, other_org) -> None:
    boss, member = people
    mine = member.post("/v1/user-memories", json={"content": "secret"}).json()
    assert boss.get(f"/v1/user-memories/{mine['id']}").status_code == 404  # not boss's own memory
    assert boss.get("/v1/user-memories").json()["user_memories"] == []
    # Admin API: needs admin, and member_id.
    assert member.get("/v1/admin/user-memories", params={"member_id": mine["member_id"]}).status_code == 403
    assert boss.get("/v1/admin/user-memories").status_code == 400
    seeded = boss.post(
        "/v1/admin/user-memories", json={"member_id": mine["member_id"], "content": "Fiscal year: April"}
    )
    assert seeded.status_code == 200 and seeded.json()["member_id"] == mine["member_id"]
    listed = boss.get("/v1/admin/user-memories", params={"member_id": mine["member_id"]}).json()["user_memories"]
    assert {m["content"] for m in listed} == {"secret", "Fiscal year: April"}
    assert {m["content"] for m in member.get("/v1/user-memories").json()["user_memories"]} == {
        "secret",
        "Fiscal year: April",
    }
    upd = boss.patch(f"/v1/admin/user-memories/{mine['id']}", json={"member_id": mine["member_id"], "content": "x"})
    assert upd.json()["content"] == "x"
    assert (
        boss.delete(f"/v1/admin/user-memories/{mine['id']}", params={"member_id": mine["member_id"]}).status_code == 204
    )
    theirs = {"member_id": mine["member_id"]}
    with other_org.client("boss@example.com") as foreign:  # not an admin of the other organization
        assert_error(foreign.get("/v1/admin/user-memories", params=theirs), 403, "FORBIDDEN")
    make_admin(stack, other_org.id, "boss@example.com")
    with other_org.client("boss@example.com") as foreign:  # an admin, but of the other organization
        assert_error(foreign.get("/v1/admin/user-memories", params=theirs), 404, "NOT_FOUND")


def test_organization_rules_are_admin_only(stack, people, other_org) -> None:
    boss, member = people
    for method, path in (("GET", "/v1/organization-rules"), ("POST", "/v1/organization-rules")):
        assert member.request(method, path, json={"content": "x"}).status_code == 403
    rule = boss.post("/v1/organization-rules", json={"content": "Always cite the data source"}).json()
    assert rule["created_by"] == rule["last_updated_by"] and rule["last_updated_by_name"] == "boss@example.com"
    assert member.get(f"/v1/organization-rules/{rule['id']}").status_code == 403
    updated = boss.patch(f"/v1/organization-rules/{rule['id']}", json={"content": "Cite sources"}).json()
    assert updated["content"] == "Cite sources" and updated["updated_at"] >= rule["updated_at"]
    assert [r["id"] for r in boss.get("/v1/organization-rules").json()["organization_rules"]] == [rule["id"]]
    make_admin(stack, other_org.id, "boss@example.com")
    with other_org.client("boss@example.com") as foreign:
        assert foreign.get(f"/v1/organization-rules/{rule['id']}").status_code == 404
        assert foreign.get("/v1/organization-rules").json()["organization_rules"] == []
    assert boss.delete(f"/v1/organization-rules/{rule['id']}").status_code == 204
    assert boss.get(f"/v1/organization-rules/{rule['id']}").status_code == 404


def test_updating_an_integration_refreshes_its_schema(stack, people) -> None:
    import sqlite3

    boss, member = people
    folder = stack_settings(stack).allowed_integration_dirs()[0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"evolving-{id(people)}.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO gadgets (name) VALUES (?)", [("a",), ("b",)])
    integration = boss.post("/v1/integrations", json={"display_name": "Evolving", "url": f"sqlite:///{path}"}).json()
    chat = create_chat(member, integration_id=integration["id"])["id"]
    token = token_of(member)
    assert (
        "2 rows"
        in sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "how many gadgets"})[1][-1][1]["content"]
    )
    with sqlite3.connect(path) as conn:  # the database changes under the cached schema
        conn.execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO widgets (name) VALUES (?)", [("x",), ("y",), ("z",)])
    assert boss.patch(f"/v1/integrations/{integration['id']}", json={"display_name": "Evolving"}).status_code == 200
    answer = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "how many widgets"})[1][-1][1]["content"]
    assert "3 rows" in answer
