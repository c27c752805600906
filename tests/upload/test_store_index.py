"""UploadStore and the full-text index on each supported database (SQLite FTS5, PostgreSQL tsvector)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from services.common.database import make_engine, migrate
from services.common.errors import ApiError
from services.common.ids import new_id
from services.upload.server import MIGRATIONS, VERSION_TABLE
from services.upload.storage import search_index
from services.upload.storage.models import TABLES, Upload
from services.upload.storage.upload_store import UploadStore

pytestmark = pytest.mark.storage

ORG, ME, OTHER = "org_a", "member-me", "member-other"


@pytest.fixture
def store(database_url):
    migrate(database_url, MIGRATIONS, VERSION_TABLE)
    s = UploadStore(make_engine(database_url))
    yield s
    s.engine.dispose()


def _add(store: UploadStore, chat: str, chunks: list[str], *, member: str = ME, name: str = "f.csv") -> Upload:
    upload_id = new_id()
    row = Upload(
        id=upload_id,
        organization_id=ORG,
        member_id=member,
        chat_id=chat,
        filename=name,
        mime_type="text/csv",
        upload_type="document",
        file_size=10,
        storage_key=f"{ORG}/{chat}/{upload_id}",
    )
    return store.create(row, chunks)


def _chunk_rows(store: UploadStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM upload_chunks")).scalar_one()


def test_migrations_are_idempotent_and_match_the_models(database_url) -> None:
    migrate(database_url, MIGRATIONS, VERSION_TABLE)
    migrate(database_url, MIGRATIONS, VERSION_TABLE)
    engine = make_engine(database_url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())

        def include(obj, name, type_, reflected, compare_to) -> bool:
            # The full-text machinery is dialect-specific DDL outside the models (see the migration).
            if type_ == "table":
                return name in TABLES
            return name not in ("tsv", "ix_upload_chunks_tsv")

        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_search_ranks_and_scopes(store) -> None:
    chat, other_chat = new_id(), new_id()
    sales = _add(
        store, chat, ["North revenue was 120 in March", "South revenue was 80", "Headcount grew"], name="s.csv"
    )
    notes = _add(store, chat, ["Meeting notes: revenue revenue revenue targets"], name="n.csv")
    _add(store, other_chat, ["revenue in another chat"])
    _add(store, chat, ["revenue of someone else"], member=OTHER)

    hits = store.search(ORG, ME, chat, "What was the revenue in the North?", [], 10)
    assert {h.upload_id for h in hits} == {sales.id, notes.id}
    assert hits[0].upload_id == sales.id and hits[0].index == 0  # matches both words
    assert all(h.score > 0 for h in hits) and hits == sorted(hits, key=lambda h: -h.score)
    assert hits[0].filename == "s.csv"

    # Restricted to named uploads; words in other forms match through stemming.
    only = store.search(ORG, ME, chat, "revenues", [notes.id], 10)
    assert [h.upload_id for h in only] == [notes.id]
    assert store.search(ORG, ME, chat, "revenue", [], 1)[0].upload_id in {sales.id, notes.id}
    assert store.search(ORG, OTHER, chat, "North", [], 10) == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('" OR 1=1 --', False),  # no word of the chunk: an injected OR would return it
        ("text:north", True),  # an FTS5 column filter if it were syntax (and no such column)
        ("NEAR(north south)", True),
        ("north*", True),
        ("north NOT south", True),  # as syntax, NOT would exclude the chunk
        ("a & b | !c", False),
        ("(", False),
        ("'; DROP TABLE x", False),
    ],
)
def test_query_syntax_is_never_interpreted(store, query: str, found: bool) -> None:
    chat = new_id()
    _add(store, chat, ["north south"])
    hits = store.search(ORG, ME, chat, query, [], 10)  # no error, whatever the input
    assert [h.text for h in hits] == (["north south"] if found else [])
    assert [h.text for h in store.search(ORG, ME, chat, "south", [], 10)] == ["north south"]  # index intact


def test_no_match_gives_the_leading_chunks_of_named_uploads(store) -> None:
    chat = new_id()
    up = _add(store, chat, [f"chunk {i}" for i in range(5)])
    assert store.search(ORG, ME, chat, "zebra", [], 3) == []
    hits = store.search(ORG, ME, chat, "zebra", [up.id], 3)
    assert [(h.index, h.score) for h in hits] == [(0, 0.0), (1, 0.0), (2, 0.0)]
    assert store.search(ORG, OTHER, chat, "zebra", [up.id], 3) == []
    assert search_index.terms("Sum of column X, in the attached file!") == [
        "sum",
        "of",
        "column",
        "x",
        "in",
        "the",
        "attached",
        "file",
    ]


def test_delete_removes_the_row_and_its_index_entries(store) -> None:
    chat = new_id()
    keep = _add(store, chat, ["apples and pears"])
    gone = _add(store, chat, ["apples and plums", "more apples"])
    assert _chunk_rows(store) == 3
    store.delete(gone.id)
    assert _chunk_rows(store) == 1
    assert [h.upload_id for h in store.search(ORG, ME, chat, "apples plums", [], 10)] == [keep.id]
    if store.dialect == "sqlite":  # the FTS5 table follows its content table
        with store.engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT count(*) FROM upload_chunks_fts WHERE upload_chunks_fts MATCH 'plums'")
                ).scalar_one()
                == 0
            )
    assert store.get_owned(ORG, ME, gone.id) is None


def test_link_is_all_or_nothing_and_owner_only(store) -> None:
    chat, other_chat = new_id(), new_id()
    a, b = _add(store, chat, ["a"]), _add(store, chat, ["b"])
    foreign = _add(store, chat, ["c"], member=OTHER)
    elsewhere = _add(store, other_chat, ["d"])
    for bad in (foreign.id, elsewhere.id, "not-a-uuid", new_id()):
        with pytest.raises(ApiError) as info:
            store.link(ORG, ME, chat, "msg-1", [a.id, bad])
        assert info.value.code == "NOT_FOUND" and bad in info.value.detail
    assert store.get_owned(ORG, ME, a.id).message_id is None  # nothing linked by a refused call
    linked = store.link(ORG, ME, chat, "msg-1", [b.id, a.id, a.id.upper()])
    assert [u.id for u in linked] == [b.id, a.id] and all(u.message_id == "msg-1" for u in linked)
    assert store.get_owned(ORG, ME, a.id).message_id == "msg-1"
    assert store.get_owned(ORG, OTHER, foreign.id).message_id is None


def test_get_many_keeps_order_and_drops_foreign_ids(store) -> None:
    chat = new_id()
    a, b = _add(store, chat, ["a"]), _add(store, chat, ["b"])
    foreign = _add(store, chat, ["c"], member=OTHER)
    got = store.get_many_readable(ORG, ME, [b.id, foreign.id, "junk", a.id, b.id])
    assert [u.id for u in got] == [b.id, a.id]
