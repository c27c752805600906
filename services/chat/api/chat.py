"""trellis.v1.ChatService: the chat lifecycle (docs/api.md)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc

from services.chat.api.validation import text_field
from services.chat.clients.upload import UploadClient
from services.chat.storage.chat_store import PAGE_SIZE, ChatStore, ChatView
from services.chat.storage.integration_store import IntegrationStore
from services.chat.storage.models import Message
from services.chat.storage.project_store import ProjectStore
from services.chat.turns.service import TurnService
from services.common.auth_interceptor import current_principal
from services.common.convert import struct, ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc, upload_pb2
from services.common.ids import canonical_uuid
from services.common.jwt_tokens import Principal
from services.common.ratelimit import RateLimiter

log = logging.getLogger(__name__)
MAX_TITLE = 500
MAX_BULK_DELETE = 500


def _default_title() -> str:
    return "Chat " + datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


async def limit_chat_creation(limiter: RateLimiter, who: Principal, per_minute: int) -> None:
    """RATE_LIMIT past `per_minute` new chats per token (Trellis and Open WebUI chats alike)."""
    wait = await limiter.hit(f"create_chat:{who.jti}", per_minute, 60)
    if wait is not None:
        raise ApiError("RATE_LIMIT", f"Chat creation is limited to {per_minute} per minute", retry_after=wait)


async def drop_uploads(uploads: UploadClient, who: Principal, chat_ids: list[str]) -> None:
    """A deleted chat's files go too; the chat is gone already, so a failure is only logged."""
    try:
        await uploads.delete_for_chats(who, [canonical_uuid(c) or c for c in chat_ids])
    except ApiError as err:
        log.warning("uploads of deleted chats %s remain: %s", chat_ids, err.detail)


def _clean_title(title: str, *, required: bool) -> str:
    return text_field("title", title, limit=MAX_TITLE, required=required)


def _summary(view: ChatView) -> chat_pb2.ChatSummary:
    chat = view.chat
    return chat_pb2.ChatSummary(
        id=chat.id,
        title=chat.title,
        preview=view.preview,
        timestamp=ts(chat.last_activity_at),
        metadata=chat_pb2.ChatSummaryMetadata(source_type=chat.source_type),
    )


def _with_fresh_uploads(meta: dict[str, Any], fresh: dict[str, upload_pb2.Upload]) -> dict[str, Any]:
    if not meta.get("uploads"):
        return meta
    uploads = []
    for stored in meta["uploads"]:
        item = dict(stored)
        if (current := fresh.get(stored["id"])) is not None:
            item["presigned_url"] = current.presigned_url  # signed for this read, valid one hour
        uploads.append(item)
    return {**meta, "uploads": uploads}


class ChatServicer(chat_pb2_grpc.ChatServiceServicer):
    def __init__(
        self,
        chats: ChatStore,
        integrations: IntegrationStore,
        limiter: RateLimiter,
        turns: TurnService,
        uploads: UploadClient,
        *,
        projects: ProjectStore,
        open_chat_cap: int,
        create_per_minute: int,
    ) -> None:
        self._chats = chats
        self._integrations = integrations
        self._projects = projects
        self._turns = turns
        self._uploads = uploads
        self._limiter = limiter
        self._cap = open_chat_cap
        self._create_per_minute = create_per_minute

    async def CreateChat(  # noqa: N802
        self, request: chat_pb2.CreateChatRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.CreateChatResponse:
        who = current_principal()
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        title = _clean_title(request.title, required=False) or _default_title()
        integration_id = project_id = None
        if request.integration_id:
            integration = await run_sync(self._integrations.get, who.organization_id, request.integration_id)
            integration_id = integration.id
        if request.project_id:
            project_id = (await run_sync(self._projects.get, who.organization_id, request.project_id)).id
        if integration_id and project_id:
            raise ApiError("INVALID_REQUEST", "integration_id, project_id: a chat has one data source, give one")
        chat = await run_sync(
            lambda: self._chats.create_chat(
                who.organization_id, who.member_id, title, integration_id, self._cap, project_id=project_id
            )
        )
        return chat_pb2.CreateChatResponse(
            id=chat.id,
            organization_id=chat.organization_id,
            member_id=chat.member_id,
            title=chat.title,
            created_at=ts(chat.created_at),
            integration_id=chat.integration_id,
            project_id=chat.project_id,
        )

    async def ListChats(  # noqa: N802
        self, request: chat_pb2.ListChatsRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.ListChatsResponse:
        who = current_principal()
        page = max(request.page, 1)
        views, total = await run_sync(self._chats.list_chats, who.organization_id, who.member_id, page)
        return chat_pb2.ListChatsResponse(
            chats=[_summary(v) for v in views],
            total=total,
            page=page,
            page_size=PAGE_SIZE,
            has_more=page * PAGE_SIZE < total,
        )

    async def GetChat(  # noqa: N802
        self, request: chat_pb2.GetChatRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.GetChatResponse:
        who = current_principal()
        chat = await run_sync(self._chats.get_chat, who.organization_id, who.member_id, request.chat_id)
        messages = await run_sync(self._chats.messages, chat.id)
        fresh = await self._fresh_uploads(messages)
        return chat_pb2.GetChatResponse(
            id=chat.id,
            title=chat.title,
            preview=messages[0].content[:120] if messages else "",
            messages=[
                chat_pb2.ChatMessage(
                    id=m.id,
                    role=m.role,
                    content=m.content,
                    timestamp=ts(m.created_at),
                    metadata=struct(_with_fresh_uploads(m.meta, fresh)),
                )
                for m in messages
            ],
            created_at=ts(chat.created_at),
            timestamp=ts(chat.last_activity_at),
            integration_id=chat.integration_id,
            metadata=chat_pb2.ChatSummaryMetadata(source_type=chat.source_type),
            project_id=chat.project_id,
        )

    async def _drop_uploads(self, chat_ids: list[str]) -> None:
        await drop_uploads(self._uploads, current_principal(), chat_ids)

    async def _fresh_uploads(self, messages: list[Message]) -> dict[str, upload_pb2.Upload]:
        ids = [u["id"] for m in messages for u in m.meta.get("uploads") or []]
        if not ids:
            return {}
        try:
            return await self._uploads.fresh(current_principal(), ids)
        except ApiError as err:
            # History stays readable when the Upload service is down; only the links are missing.
            log.warning("no presigned URLs for chat history: %s", err.detail)
            return {}

    async def UpdateChat(  # noqa: N802
        self, request: chat_pb2.UpdateChatRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.UpdateChatResponse:
        who = current_principal()
        title = _clean_title(request.title, required=True)
        view = await run_sync(self._chats.rename_chat, who.organization_id, who.member_id, request.chat_id, title)
        return chat_pb2.UpdateChatResponse(
            id=view.chat.id, title=view.chat.title, preview=view.preview, timestamp=ts(view.chat.last_activity_at)
        )

    async def DeleteChat(  # noqa: N802
        self, request: chat_pb2.DeleteChatRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.DeleteChatResponse:
        who = current_principal()
        deleted, _ = await run_sync(self._chats.delete_chats, who.organization_id, who.member_id, [request.chat_id])
        if not deleted:
            raise ApiError("CHAT_NOT_FOUND", "Chat not found")
        await self._drop_uploads(deleted)
        return chat_pb2.DeleteChatResponse(message="Chat deleted successfully")

    async def DeleteChats(  # noqa: N802
        self, request: chat_pb2.DeleteChatsRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.DeleteChatsResponse:
        who = current_principal()
        if not request.chat_ids:
            raise ApiError("INVALID_REQUEST", "chat_ids: must be a non-empty list")
        if len(request.chat_ids) > MAX_BULK_DELETE:
            raise ApiError("INVALID_REQUEST", f"chat_ids: at most {MAX_BULK_DELETE} per request")
        deleted, not_found = await run_sync(
            self._chats.delete_chats, who.organization_id, who.member_id, list(request.chat_ids)
        )
        if deleted:
            await self._drop_uploads(deleted)
        return chat_pb2.DeleteChatsResponse(deleted=deleted, not_found=not_found, deleted_count=len(deleted))

    # --- turns and messages (docs/api.md) -----------------------------------

    async def SendMessage(  # noqa: N802
        self, request: chat_pb2.SendMessageRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[chat_pb2.SendMessageResponse]:
        turn = await self._turns.prepare_send(current_principal(), request)
        async for event in self._turns.run(turn):
            yield chat_pb2.SendMessageResponse(event=event)

    async def EditMessage(  # noqa: N802
        self, request: chat_pb2.EditMessageRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[chat_pb2.EditMessageResponse]:
        turn = await self._turns.prepare_edit(current_principal(), request)
        async for event in self._turns.run(turn):
            yield chat_pb2.EditMessageResponse(event=event)

    async def DeleteMessage(  # noqa: N802
        self, request: chat_pb2.DeleteMessageRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.DeleteMessageResponse:
        who = current_principal()
        chat = await run_sync(self._chats.get_chat, who.organization_id, who.member_id, request.chat_id)
        message = await run_sync(
            self._chats.owned_message, who.organization_id, who.member_id, request.message_id, chat.id
        )
        await run_sync(self._chats.delete_from, message)
        return chat_pb2.DeleteMessageResponse()

    async def UpdateMessageFeedback(  # noqa: N802
        self, request: chat_pb2.UpdateMessageFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> chat_pb2.UpdateMessageFeedbackResponse:
        who = current_principal()
        if request.feedback not in ("positive", "negative"):
            raise ApiError("INVALID_REQUEST", "feedback: must be 'positive' or 'negative'")
        if len(request.note) > 4000:
            raise ApiError("INVALID_REQUEST", "note: at most 4000 characters")
        message = await run_sync(self._chats.owned_message, who.organization_id, who.member_id, request.message_id)
        changes: dict[str, str] = {"feedback": request.feedback}
        if request.note:
            changes["feedback_note"] = request.note
        updated = await run_sync(
            self._chats.update_meta, message.id, changes, () if request.note else ("feedback_note",)
        )
        return chat_pb2.UpdateMessageFeedbackResponse(id=updated.id, metadata=struct(updated.meta))
