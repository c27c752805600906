"""Opens the Chat service's database: applies its migrations and builds one store per aggregate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.chat.storage.chat_store import ChatStore
from services.chat.storage.integration_store import IntegrationStore
from services.chat.storage.memory_store import MemoryStore
from services.chat.storage.organization_rule_store import OrganizationRuleStore
from services.chat.storage.organization_store import OrganizationStore
from services.chat.storage.saved_query_store import SavedQueryStore
from services.common.database import make_engine, migrate

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_chat"


@dataclass(frozen=True)
class Stores:
    organizations: OrganizationStore
    integrations: IntegrationStore
    chats: ChatStore
    memories: MemoryStore
    organization_rules: OrganizationRuleStore
    saved_queries: SavedQueryStore

    def close(self) -> None:
        self.chats.engine.dispose()  # every store shares this one engine


def open_stores(database_url: str, *, migrate_schema: bool = True) -> Stores:
    if migrate_schema:  # False: a migration job owns the schema (MIGRATE_ON_START=false)
        migrate(database_url, MIGRATIONS, VERSION_TABLE)
    engine = make_engine(database_url)
    return Stores(
        organizations=OrganizationStore(engine),
        integrations=IntegrationStore(engine),
        chats=ChatStore(engine),
        memories=MemoryStore(engine),
        organization_rules=OrganizationRuleStore(engine),
        saved_queries=SavedQueryStore(engine),
    )


@contextmanager
def opened_stores(database_url: str) -> Iterator[Stores]:
    """The stores for a one-off job (admin tool, demo set-up), closed afterwards."""
    stores = open_stores(database_url)
    try:
        yield stores
    finally:
        stores.close()
