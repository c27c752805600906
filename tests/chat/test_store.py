"""ChatStore on each supported database: ownership, ordering, previews, cascades, migrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from services.chat.models import TABLES, Message
from services.chat.server import MIGRATIONS, VERSION_TABLE
from services.chat.store import ChatStore, hash_api_key
from services.common.database import make_engine, migrate, utcnow
from services.common.errors import ApiError

pytestmark = pytest.mark.storage


@pytest.fixture
def store(database_url):
    migrate(database_url, MIGRATIONS, VERSION_TABLE)
    s = ChatStore(make_engine(database_url))
    yield s
    s.engine.dispose()


def _member(store: ChatStore, email: str = "a@example.com"):
    org = store.create_organization("Org")
    return org, store.upsert_member(org.id, email)


def test_migrations_are_idempotent_and_match_the_models(database_url) -> None:
    migrate(database_url, MIGRATIONS, VERSION_TABLE)
    migrate(database_url, MIGRATIONS, VERSION_TABLE)  # an up-to-date database is left as it is
    engine = make_engine(database_url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": lambda o, n, t, r, c: t != "table" or n in TABLES}
            )
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_api_keys_are_stored_hashed(store) -> None:
    org = store.create_organization("Org")
    _, key = store.create_api_key(org.id)
    with store.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT key_hash FROM api_keys"))]
    assert stored == [hash_api_key(key)] and key not in stored
    assert store.find_api_key(key).organization_id == org.id
    assert store.find_api_key(key + "x") is None


def test_members_are_unique_per_org_and_email(store) -> None:
    org, member = _member(store, "Someone@Example.com")
    assert store.upsert_member(org.id, "someone@example.COM").id == member.id
    other = store.create_organization("Other")
    assert store.upsert_member(other.id, "someone@example.com").id != member.id


def test_chats_are_scoped_to_their_member(store) -> None:
    org, alice = _member(store, "alice@example.com")
    bob = store.upsert_member(org.id, "bob@example.com")
    chat = store.create_chat(org.id, alice.id, "Alice's", None, cap=10)
    assert store.get_chat(org.id, alice.id, chat.id).title == "Alice's"
    with pytest.raises(ApiError) as info:
        store.get_chat(org.id, bob.id, chat.id)
    assert info.value.code == "CHAT_NOT_FOUND"
    with pytest.raises(ApiError):
        store.rename_chat(org.id, bob.id, chat.id, "Bob's now")
    assert store.delete_chats(org.id, bob.id, [chat.id]) == ([], [chat.id])
    assert store.list_chats(org.id, bob.id, 1) == ([], 0)
    assert store.get_chat(org.id, alice.id, chat.id).title == "Alice's"


def test_listing_orders_by_activity_and_previews_first_message(store) -> None:
    org, member = _member(store)
    older = store.create_chat(org.id, member.id, "older", None, cap=10)
    newer = store.create_chat(org.id, member.id, "newer", None, cap=10)
    with Session(store.engine) as s:
        s.add(Message(id="m1", chat_id=older.id, seq=1, role="user", content="first question " * 20))
        s.add(Message(id="m2", chat_id=older.id, seq=2, role="assistant", content="answer"))
        s.commit()
    store.touch(older.id, utcnow() + timedelta(seconds=5))
    views, total = store.list_chats(org.id, member.id, 1)
    assert total == 2 and [v.chat.id for v in views] == [older.id, newer.id]
    assert views[0].preview.startswith("first question") and len(views[0].preview) == 120
    assert views[1].preview == ""


def test_delete_cascades_to_messages(store) -> None:
    org, member = _member(store)
    chat = store.create_chat(org.id, member.id, "doomed", None, cap=10)
    with Session(store.engine) as s:
        s.add(Message(id="m1", chat_id=chat.id, seq=1, role="user", content="hi"))
        s.commit()
    assert store.delete_chats(org.id, member.id, [chat.id, "junk"]) == ([chat.id], ["junk"])
    assert store.messages(chat.id) == []


def test_open_chat_cap(store) -> None:
    org, member = _member(store)
    for _ in range(2):
        store.create_chat(org.id, member.id, "c", None, cap=2)
    with pytest.raises(ApiError) as info:
        store.create_chat(org.id, member.id, "c", None, cap=2)
    assert info.value.code == "OPEN_CHAT_CAP"
    assert store.list_chats(org.id, member.id, 1)[1] == 2
