"""ChatStore on each supported database: ownership, ordering, previews, cascades, migrations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from services.chat.storage.models import TABLES, Message
from services.chat.storage.organization_store import hash_api_key
from services.chat.storage.stores import MIGRATIONS, VERSION_TABLE, Stores, opened_stores
from services.common.database import make_engine, migrate, utcnow
from services.common.errors import ApiError

pytestmark = pytest.mark.storage


@pytest.fixture
def stores(database_url):
    with opened_stores(database_url) as s:
        yield s


def _member(stores: Stores, email: str = "a@example.com"):
    org = stores.organizations.create_organization("Org")
    return org, stores.organizations.upsert_member(org.id, email)


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


def test_api_keys_are_stored_hashed(stores) -> None:
    org = stores.organizations.create_organization("Org")
    _, key = stores.organizations.create_api_key(org.id)
    with stores.chats.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT key_hash FROM api_keys"))]
    assert stored == [hash_api_key(key)] and key not in stored
    assert stores.organizations.find_api_key(key).organization_id == org.id
    assert stores.organizations.find_api_key(key + "x") is None


def test_members_are_unique_per_org_and_email(stores) -> None:
    org, member = _member(stores, "Someone@Example.com")
    assert stores.organizations.upsert_member(org.id, "someone@example.COM").id == member.id
    other = stores.organizations.create_organization("Other")
    assert stores.organizations.upsert_member(other.id, "someone@example.com").id != member.id


def test_chats_are_scoped_to_their_member(stores) -> None:
    org, alice = _member(stores, "alice@example.com")
    bob = stores.organizations.upsert_member(org.id, "bob@example.com")
    chat = stores.chats.create_chat(org.id, alice.id, "Alice's", None, cap=10)
    assert stores.chats.get_chat(org.id, alice.id, chat.id).title == "Alice's"
    with pytest.raises(ApiError) as info:
        stores.chats.get_chat(org.id, bob.id, chat.id)
    assert info.value.code == "CHAT_NOT_FOUND"
    with pytest.raises(ApiError):
        stores.chats.rename_chat(org.id, bob.id, chat.id, "Bob's now")
    assert stores.chats.delete_chats(org.id, bob.id, [chat.id]) == ([], [chat.id])
    assert stores.chats.list_chats(org.id, bob.id, 1) == ([], 0)
    assert stores.chats.get_chat(org.id, alice.id, chat.id).title == "Alice's"


def test_listing_orders_by_activity_and_previews_first_message(stores) -> None:
    org, member = _member(stores)
    older = stores.chats.create_chat(org.id, member.id, "older", None, cap=10)
    newer = stores.chats.create_chat(org.id, member.id, "newer", None, cap=10)
    with Session(stores.chats.engine) as s:
        s.add(Message(id="m1", chat_id=older.id, seq=1, role="user", content="first question " * 20))
        s.add(Message(id="m2", chat_id=older.id, seq=2, role="assistant", content="answer"))
        s.commit()
    stores.chats.touch(older.id, utcnow() + timedelta(seconds=5))
    views, total = stores.chats.list_chats(org.id, member.id, 1)
    assert total == 2 and [v.chat.id for v in views] == [older.id, newer.id]
    assert views[0].preview.startswith("first question") and len(views[0].preview) == 120
    assert views[1].preview == ""


def test_delete_cascades_to_messages(stores) -> None:
    org, member = _member(stores)
    chat = stores.chats.create_chat(org.id, member.id, "doomed", None, cap=10)
    with Session(stores.chats.engine) as s:
        s.add(Message(id="m1", chat_id=chat.id, seq=1, role="user", content="hi"))
        s.commit()
    assert stores.chats.delete_chats(org.id, member.id, [chat.id, "junk"]) == ([chat.id], ["junk"])
    assert stores.chats.messages(chat.id) == []


def test_open_chat_cap(stores) -> None:
    org, member = _member(stores)
    for _ in range(2):
        stores.chats.create_chat(org.id, member.id, "c", None, cap=2)
    with pytest.raises(ApiError) as info:
        stores.chats.create_chat(org.id, member.id, "c", None, cap=2)
    assert info.value.code == "OPEN_CHAT_CAP"
    assert stores.chats.list_chats(org.id, member.id, 1)[1] == 2


def test_concurrent_appends_to_one_chat_all_commit_in_order(stores) -> None:
    org, member = _member(stores)
    chat = stores.chats.create_chat(org.id, member.id, "busy", None, cap=10)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                stores.chats.append_message(chat.id, "user", f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    messages = stores.chats.messages(chat.id)
    assert sorted(m.content for m in messages) == sorted(f"{n}-{i}" for n in range(6) for i in range(8))
    assert [m.seq for m in messages] == list(range(1, 49))


def test_a_chat_runs_one_turn_at_a_time_and_a_crashed_turn_goes_stale(stores) -> None:
    org, member = _member(stores)
    chat = stores.chats.create_chat(org.id, member.id, "c", None, cap=10)
    long_ago = utcnow() - timedelta(hours=1)

    def start(turn_id: str, stale_before=long_ago) -> bool:
        return stores.chats.start_turn(chat.id, turn_id, stale_before, f"asked in {turn_id}", {}) is not None

    assert start("t1")
    assert not start("t2")
    stores.chats.release_turn(chat.id, "t2")  # not the holder: no effect
    assert not start("t2")
    assert start("t2", utcnow() + timedelta(seconds=1))  # t1 is stale by then
    stores.chats.release_turn(chat.id, "t2")
    assert start("t3")
    # a refused start stores nothing: only the questions of the turns that ran
    assert [m.content for m in stores.chats.messages(chat.id)] == ["asked in t1", "asked in t2", "asked in t3"]


def test_recovery_finds_every_unanswered_question_not_only_the_last(stores) -> None:
    org, member = _member(stores)
    chat = stores.chats.create_chat(org.id, member.id, "c", None, cap=10)
    crashed = stores.chats.append_message(chat.id, "user", "asked before a crash")
    stores.chats.append_message(chat.id, "user", "asked after the restart")
    stores.chats.append_message(chat.id, "assistant", "answered")
    last = stores.chats.append_message(chat.id, "user", "asked, then another crash")
    found = stores.chats.dangling_user_turns(utcnow() + timedelta(seconds=1))
    assert sorted((m.id, ends) for m, ends in found) == sorted([(crashed.id, False), (last.id, True)])
    stores.chats.update_meta(crashed.id, {"unanswered": True})
    assert [m.id for m, _ in stores.chats.dangling_user_turns(utcnow() + timedelta(seconds=1))] == [last.id]
