"""Chat service entrypoint: `python -m services.chat.server`."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from services.chat.api.auth import AuthServicer
from services.chat.api.chat import ChatServicer
from services.chat.api.integration import IntegrationServicer
from services.chat.api.memory import AdminMemoryServicer, UserMemoryServicer
from services.chat.api.model import ModelServicer
from services.chat.api.organization_rule import OrganizationRuleServicer
from services.chat.api.personal_key import EXCHANGE_METHOD, PersonalKeyServicer
from services.chat.api.project import ProjectInternalServicer, ProjectServicer
from services.chat.api.saved_query import SavedQueryServicer
from services.chat.api.webui_chat import WebuiChatServicer
from services.chat.api.webui_chat_list import WebuiChatListServicer
from services.chat.api.webui_folder import WebuiFolderServicer
from services.chat.api.webui_share import WebuiShareServicer
from services.chat.api.webui_tag import WebuiTagServicer
from services.chat.api.webui_transfer import WebuiTransferServicer
from services.chat.clients.upload import UploadClient
from services.chat.engines.embedded.engine import EmbeddedEngine
from services.chat.engines.openai.engine import engines_from_settings
from services.chat.engines.registry import EngineRegistry
from services.chat.security.url_cipher import UrlCipher
from services.chat.settings import ChatSettings
from services.chat.storage.stores import MIGRATIONS, VERSION_TABLE, open_stores
from services.chat.turns.attachment_tables import AttachmentTables
from services.chat.turns.project_sources import ProjectSources
from services.chat.turns.service import TurnService
from services.common.database import run_sync, wait_for_schema
from services.common.gen.trellis.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    chat_pb2,
    chat_pb2_grpc,
    integration_pb2,
    integration_pb2_grpc,
    memory_pb2,
    memory_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
    organization_rule_pb2,
    organization_rule_pb2_grpc,
    personal_key_pb2,
    personal_key_pb2_grpc,
    project_pb2,
    project_pb2_grpc,
    saved_query_pb2,
    saved_query_pb2_grpc,
    webui_chat_list_pb2,
    webui_chat_list_pb2_grpc,
    webui_chat_pb2,
    webui_chat_pb2_grpc,
    webui_folder_pb2,
    webui_folder_pb2_grpc,
    webui_share_pb2,
    webui_share_pb2_grpc,
    webui_tag_pb2,
    webui_tag_pb2_grpc,
    webui_transfer_pb2,
    webui_transfer_pb2_grpc,
)
from services.common.grpc_server import configure_logging, serve
from services.common.ratelimit import make_rate_limiter
from services.common.token_checks import CachedTokenCheck
from services.common.worker_processes import is_worker, supervise

RECOVERY_INTERVAL = 60.0
log = logging.getLogger(__name__)


async def main() -> None:
    settings = ChatSettings()
    configure_logging(settings.log_level, "chat", settings.log_format)
    if settings.workers > 1 and not is_worker():
        await _supervise_workers(settings)
    else:
        await _serve(settings)


async def _supervise_workers(settings: ChatSettings) -> None:
    """CHAT_WORKERS processes on one port: the schema, secrets and key files are made once, here."""
    if settings.migrate_on_start:
        await run_sync(lambda: open_stores(settings.resolved_database_url(), migrate_schema=True).close())
    settings.resolved_jwt_secret()
    settings.resolved_encryption_key()
    port = settings.address.rsplit(":", 1)[1]
    await supervise(
        "chat",
        "services.chat.server",
        settings.workers,
        # the workers find the schema ready, and the parent serves their summed metrics
        worker_env={"MIGRATE_ON_START": "false", "CHAT_METRICS_PORT": "0"},
        metrics_dir=settings.data_dir.resolve() / "metrics" / f"chat-{port}",
        metrics_address=(settings.metrics_host, settings.metrics_port),
    )


async def _serve(settings: ChatSettings) -> None:
    database_url = settings.resolved_database_url()
    if not settings.migrate_on_start:  # a migration job owns the schema: wait for it, never race it
        await run_sync(wait_for_schema, database_url, MIGRATIONS, VERSION_TABLE, settings.schema_wait)
    stores = open_stores(database_url, migrate_schema=settings.migrate_on_start)
    limiter = make_rate_limiter(settings.redis_url)
    secret = settings.resolved_jwt_secret()
    engines = EngineRegistry(
        [
            EmbeddedEngine(stream_delay=settings.stream_delay_ms / 1000, query_timeout=settings.query_timeout),
            *engines_from_settings(settings),
        ],
        default=settings.default_model or None,
    )
    cipher = UrlCipher(settings.resolved_encryption_key())
    uploads = UploadClient(settings.upload_target, settings.rpc_deadline, grant_secret=secret)
    tables = AttachmentTables(uploads, settings.data_dir / "attachments")
    turns = TurnService(
        stores.chats,
        stores.integrations,
        engines,
        cipher,
        limiter,
        send_per_minute=settings.send_per_minute,
        turn_timeout=settings.turn_timeout,
        turn_lock_stale=settings.turn_lock_stale,
        saved_queries=stores.saved_queries,
        uploads=uploads,
        tables=tables,
        memories=stores.memories,
        rules=stores.organization_rules,
        projects=ProjectSources(stores.projects, uploads, tables),
        query_timeout=settings.query_timeout,
        stream_delay=settings.stream_delay_ms / 1000,
    )
    grace = timedelta(seconds=settings.turn_recovery_grace)
    await _recover(turns, grace)  # before serving: a restarted process answers with a consistent history
    recovery = asyncio.create_task(_recover_forever(turns, grace))

    def register(server: object) -> list[str]:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(
            AuthServicer(stores.organizations, secret, limiter, settings.authenticate_per_minute), server
        )
        chat_pb2_grpc.add_ChatServiceServicer_to_server(
            ChatServicer(
                stores.chats,
                stores.integrations,
                limiter,
                turns,
                uploads,
                projects=stores.projects,
                open_chat_cap=settings.open_chat_cap,
                create_per_minute=settings.create_chat_per_minute,
            ),
            server,
        )
        model_pb2_grpc.add_ModelServiceServicer_to_server(ModelServicer(engines), server)
        memory_pb2_grpc.add_UserMemoryServiceServicer_to_server(UserMemoryServicer(stores.memories), server)
        memory_pb2_grpc.add_AdminMemoryServiceServicer_to_server(
            AdminMemoryServicer(stores.organizations, stores.memories), server
        )
        organization_rule_pb2_grpc.add_OrganizationRuleServiceServicer_to_server(
            OrganizationRuleServicer(stores.organizations, stores.organization_rules), server
        )
        integration_pb2_grpc.add_IntegrationServiceServicer_to_server(
            IntegrationServicer(stores.organizations, stores.integrations, cipher, settings), server
        )
        saved_query_pb2_grpc.add_SavedQueryServiceServicer_to_server(
            SavedQueryServicer(stores.organizations, stores.saved_queries), server
        )
        webui_services = register_webui(server)
        project_services = register_projects(server)
        return [
            auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name,
            chat_pb2.DESCRIPTOR.services_by_name["ChatService"].full_name,
            model_pb2.DESCRIPTOR.services_by_name["ModelService"].full_name,
            memory_pb2.DESCRIPTOR.services_by_name["UserMemoryService"].full_name,
            memory_pb2.DESCRIPTOR.services_by_name["AdminMemoryService"].full_name,
            organization_rule_pb2.DESCRIPTOR.services_by_name["OrganizationRuleService"].full_name,
            integration_pb2.DESCRIPTOR.services_by_name["IntegrationService"].full_name,
            saved_query_pb2.DESCRIPTOR.services_by_name["SavedQueryService"].full_name,
            *webui_services,
            *project_services,
        ]

    def register_projects(server: object) -> list[str]:
        """Document projects (docs/api.md), and the Upload service's check before it changes their documents."""
        project_pb2_grpc.add_ProjectServiceServicer_to_server(
            ProjectServicer(stores.organizations, stores.projects, uploads), server
        )
        project_pb2_grpc.add_ProjectInternalServiceServicer_to_server(
            ProjectInternalServicer(stores.organizations, stores.projects), server
        )
        names = ("ProjectService", "ProjectInternalService")
        return [project_pb2.DESCRIPTOR.services_by_name[name].full_name for name in names]

    def register_webui(server: object) -> list[str]:
        """Open WebUI's chats and folders (docs/openwebui.md) and personal API keys."""
        caps = {"open_chat_cap": settings.open_chat_cap, "create_per_minute": settings.create_chat_per_minute}
        webui_chat_pb2_grpc.add_WebuiChatServiceServicer_to_server(
            WebuiChatServicer(stores.webui_chats, stores.chats, uploads, limiter, **caps), server
        )
        webui_chat_list_pb2_grpc.add_WebuiChatListServiceServicer_to_server(
            WebuiChatListServicer(stores.webui_chat_lists, uploads), server
        )
        webui_tag_pb2_grpc.add_WebuiTagServiceServicer_to_server(WebuiTagServicer(stores.webui_tags), server)
        webui_share_pb2_grpc.add_WebuiShareServiceServicer_to_server(
            WebuiShareServicer(stores.webui_shares, uploads), server
        )
        webui_transfer_pb2_grpc.add_WebuiTransferServiceServicer_to_server(
            WebuiTransferServicer(stores.webui_transfers, stores.webui_shares, uploads, limiter, **caps), server
        )
        webui_folder_pb2_grpc.add_WebuiFolderServiceServicer_to_server(
            WebuiFolderServicer(stores.webui_folders, uploads), server
        )
        personal_key_pb2_grpc.add_PersonalKeyServiceServicer_to_server(
            PersonalKeyServicer(
                stores.personal_keys, stores.organizations, secret, limiter, settings.authenticate_per_minute
            ),
            server,
        )
        modules = [
            (webui_chat_pb2, "WebuiChatService"),
            (webui_chat_list_pb2, "WebuiChatListService"),
            (webui_tag_pb2, "WebuiTagService"),
            (webui_share_pb2, "WebuiShareService"),
            (webui_transfer_pb2, "WebuiTransferService"),
            (webui_folder_pb2, "WebuiFolderService"),
            (personal_key_pb2, "PersonalKeyService"),
        ]
        return [module.DESCRIPTOR.services_by_name[name].full_name for module, name in modules]

    async def close() -> None:
        recovery.cancel()
        await uploads.close()
        await limiter.close()
        stores.close()

    await serve(
        "chat",
        settings.address,
        register,
        jwt_secret=secret,
        public_methods={"/trellis.v1.AuthService/Authenticate", EXCHANGE_METHOD},
        shutdown_grace=settings.shutdown_grace,
        on_shutdown=close,
        metrics_address=(settings.metrics_host, settings.metrics_port),
        token_check=CachedTokenCheck(
            lambda who: run_sync(stores.token_is_live, who.organization_id, who.member_id, who.api_key_id),
            settings.token_check_ttl,
        ),
    )


async def _recover(turns: TurnService, grace: timedelta) -> None:
    try:
        if count := await run_sync(turns.recover_dangling, grace):
            log.warning("closed %d turns left unanswered by a crash", count)
    except Exception:  # tried again next round
        log.exception("turn recovery failed")


async def _recover_forever(turns: TurnService, grace: timedelta) -> None:
    while True:
        await asyncio.sleep(RECOVERY_INTERVAL)
        await _recover(turns, grace)


if __name__ == "__main__":
    asyncio.run(main())
