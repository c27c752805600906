"""The history tree and the search index in the database itself, on SQLite and PostgreSQL:
migration 0005 turns existing linear chats into trees, and the index follows every write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from services.chat.storage.models import Message
from services.chat.storage.stores import MIGRATIONS, VERSION_TABLE, Stores, opened_stores
from services.chat.storage.webui_document import parse_document
from services.common.database import _alembic_config, make_engine, utcnow

pytestmark = pytest.mark.storage


@pytest.fixture
def stores(database_url: str) -> Iterator[Stores]:
    with opened_stores(database_url) as s:
        yield s


def test_migration_0005_makes_existing_chats_linear_trees(database_url: str) -> None:
    command.upgrade(_alembic_config(database_url, MIGRATIONS, VERSION_TABLE), "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO organizations (id, name, created_at) VALUES ('o', 'O', :t)"), {"t": utcnow()}
            )
            conn.execute(
                text(
                    "INSERT INTO members (id, organization_id, email, name, role, created_at) "
                    "VALUES ('m', 'o', 'a@b.c', '', 'member', :t)"
                ),
                {"t": utcnow()},
            )
            conn.execute(
                text(
                    "INSERT INTO chats (id, organization_id, member_id, title, source_type, created_at, "
                    "last_activity_at) VALUES ('c', 'o', 'm', 'Old', 'database', :t, :t)"
                ),
                {"t": utcnow()},
            )
            for seq, (mid, role) in enumerate([("m1", "user"), ("m2", "assistant"), ("m3", "user")], start=1):
                conn.execute(
                    text(
                        "INSERT INTO messages (id, chat_id, seq, role, content, metadata, created_at) "
                        "VALUES (:id, 'c', :seq, :role, :content, '{}', :t)"
                    ),
                    {"id": mid, "seq": seq, "role": role, "content": f"old words {mid}", "t": utcnow()},
                )
    finally:
        engine.dispose()
    with opened_stores(database_url) as stores:  # migrates to the newest revision
        with Session(stores.chats.engine) as s:
            rows = {m.id: (m.node_id, m.parent_id) for m in s.exec(select(Message)).all()}
        assert rows == {"m1": ("m1", None), "m2": ("m2", "m1"), "m3": ("m3", "m2")}
        assert [m.id for m in stores.chats.messages("c")] == ["m1", "m2", "m3"]
        found = stores.webui_chat_lists.search("o", "m", "words m2", 1)
        assert [c.id for c in found] == ["c"]  # existing messages were indexed


def test_the_search_index_follows_inserts_updates_and_deletes(stores: Stores) -> None:
    org = stores.organizations.create_organization("Org")
    member = stores.organizations.upsert_member(org.id, "a@example.com")
    doc = {
        "title": "t",
        "history": {
            "currentId": "b",
            "messages": {
                "a": {"parentId": None, "role": "user", "content": "aardvark question"},
                "b": {"parentId": "a", "role": "assistant", "content": "badger answer"},
            },
        },
    }
    chat = stores.webui_chats.create(org.id, member.id, parse_document(json.dumps(doc)), None, 10).chat

    def hits(text: str) -> list[str]:
        return [c.id for c in stores.webui_chat_lists.search(org.id, member.id, text, 1)]

    assert hits("aardvark") == [chat.id] and hits("badg") == [chat.id] and hits("aardvark badger") == []
    edit = {"history": {"messages": {"b": {"content": "crocodile answer"}}}}
    stores.webui_chats.update(org.id, member.id, chat.id, parse_document(json.dumps(edit)))
    assert hits("badger") == [] and hits("crocodile") == [chat.id]
    stores.webui_chats.delete_message(org.id, member.id, chat.id, "a")
    assert hits("aardvark") == [] and hits("crocodile") == []
    stores.chats.append_message(chat.id, "user", "a Trellis turn about dolphins")
    assert hits("dolphins") == [chat.id]
    stores.chats.delete_chats(org.id, member.id, [chat.id])
    assert hits("dolphins") == []


def test_recovery_leaves_open_webui_questions_alone(stores: Stores) -> None:
    """A user message an Open WebUI client saved without an answer is not a crashed turn."""
    org = stores.organizations.create_organization("Org")
    member = stores.organizations.upsert_member(org.id, "a@example.com")
    doc = {"history": {"currentId": "q", "messages": {"q": {"parentId": None, "role": "user", "content": "?"}}}}
    stores.webui_chats.create(org.id, member.id, parse_document(json.dumps(doc)), None, 10)
    assert stores.chats.dangling_user_turns(utcnow() + timedelta(hours=1)) == []


def test_branching_before_a_message_keeps_it_and_appends_a_sibling(stores: Stores) -> None:
    """ChatStore.start_turn of an edit: what a Trellis edit needs to become a new branch (§6 of the reference)."""
    org = stores.organizations.create_organization("Org")
    member = stores.organizations.upsert_member(org.id, "a@example.com")
    chat = stores.chats.create_chat(org.id, member.id, "c", None, cap=10)
    question = stores.chats.append_message(chat.id, "user", "first wording")
    answer = stores.chats.append_message(chat.id, "assistant", "first answer")
    edited = stores.chats.start_turn(chat.id, "t1", utcnow(), "second wording", {}, edit_of=question)
    assert edited is not None
    assert edited.parent_id == question.parent_id is None
    assert [m.id for m in stores.chats.messages(chat.id)] == [edited.id]
    document = stores.webui_chats.get(org.id, member.id, chat.id).document
    assert set(document["history"]["messages"]) == {question.id, answer.id, edited.id}
