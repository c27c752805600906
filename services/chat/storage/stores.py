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
from services.chat.storage.personal_key_store import PersonalKeyStore
from services.chat.storage.project_store import ProjectStore
from services.chat.storage.saved_query_store import SavedQueryStore
from services.chat.storage.webui_chat_list_store import WebuiChatListStore
from services.chat.storage.webui_chat_store import WebuiChatStore
from services.chat.storage.webui_folder_store import WebuiFolderStore
from services.chat.storage.webui_share_store import WebuiShareStore
from services.chat.storage.webui_tag_store import WebuiTagStore
from services.chat.storage.webui_transfer_store import WebuiTransferStore
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
    projects: ProjectStore
    # Open WebUI's view of the same chats (docs/openwebui.md) and members' personal API keys.
    webui_chats: WebuiChatStore
    webui_chat_lists: WebuiChatListStore
    webui_tags: WebuiTagStore
    webui_shares: WebuiShareStore
    webui_transfers: WebuiTransferStore
    webui_folders: WebuiFolderStore
    personal_keys: PersonalKeyStore

    def close(self) -> None:
        self.chats.engine.dispose()  # every store shares this one engine

    def token_is_live(self, org_id: str, member_id: str, api_key_id: str) -> bool:
        """The token's key (an organization's API key, or a member's personal key) and its member still exist."""
        return self.organizations.token_is_live(org_id, member_id, api_key_id) or self.personal_keys.token_is_live(
            org_id, member_id, api_key_id
        )


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
        projects=ProjectStore(engine),
        webui_chats=WebuiChatStore(engine),
        webui_chat_lists=WebuiChatListStore(engine),
        webui_tags=WebuiTagStore(engine),
        webui_shares=WebuiShareStore(engine),
        webui_transfers=WebuiTransferStore(engine),
        webui_folders=WebuiFolderStore(engine),
        personal_keys=PersonalKeyStore(engine),
    )


@contextmanager
def opened_stores(database_url: str) -> Iterator[Stores]:
    """The stores for a one-off job (admin tool, demo set-up), closed afterwards."""
    stores = open_stores(database_url)
    try:
        yield stores
    finally:
        stores.close()
