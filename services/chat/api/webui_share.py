"""trellis.v1.WebuiShareService: snapshots of Open WebUI's chats shared in the organization
(docs/openwebui.md)."""

from __future__ import annotations

import grpc

from services.chat.api.webui_images import ChatImages
from services.chat.api.webui_wire import sorted_page, webui_chat
from services.chat.clients.upload import UploadClient
from services.chat.storage.models import WebuiShare
from services.chat.storage.webui_document import epoch
from services.chat.storage.webui_share_store import WebuiShareStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.gen.trellis.v1 import webui_chat_pb2, webui_share_pb2_grpc
from services.common.gen.trellis.v1 import webui_share_pb2 as pb


def snapshot_chat(share: WebuiShare) -> webui_chat_pb2.WebuiChat:
    """A snapshot as a chat: its id and share_id are the share id, user_id its owner."""
    return webui_chat_pb2.WebuiChat(
        id=share.id,
        user_id=share.member_id,
        title=share.title,
        chat_json=share.snapshot,
        updated_at=epoch(share.updated_at),
        created_at=epoch(share.created_at),
        share_id=share.id,
        meta_json="{}",
    )


class WebuiShareServicer(webui_share_pb2_grpc.WebuiShareServiceServicer):
    def __init__(self, shares: WebuiShareStore, uploads: UploadClient) -> None:
        self._shares = shares
        self._images = ChatImages(uploads)

    async def ShareWebuiChat(  # noqa: N802
        self, request: pb.ShareWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.ShareWebuiChatResponse:
        who = current_principal()
        record = await run_sync(self._shares.share, who.organization_id, who.member_id, request.chat_id)
        return pb.ShareWebuiChatResponse(chat=await self._images.present(who, webui_chat(record)))

    async def GetSharedWebuiChat(  # noqa: N802
        self, request: pb.GetSharedWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetSharedWebuiChatResponse:
        who = current_principal()
        share = await run_sync(self._shares.shared, who.organization_id, request.share_id)
        # The read is authorized (a share of the caller's organization): its images are signed for it.
        chat = await self._images.present(who, snapshot_chat(share), shared_chat_id=share.chat_id)
        return pb.GetSharedWebuiChatResponse(chat=chat)

    async def UnshareWebuiChat(  # noqa: N802
        self, request: pb.UnshareWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.UnshareWebuiChatResponse:
        who = current_principal()
        revoked = await run_sync(self._shares.unshare, who.organization_id, who.member_id, request.chat_id)
        return pb.UnshareWebuiChatResponse(revoked=revoked)

    async def ListSharedWebuiChats(  # noqa: N802
        self, request: pb.ListSharedWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListSharedWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(self._shares.list, who.organization_id, who.member_id, sorted_page(request))
        return pb.ListSharedWebuiChatsResponse(
            shares=[
                pb.WebuiShare(
                    chat_id=r.chat_id,
                    title=r.title,
                    share_id=r.id,
                    created_at=epoch(r.created_at),
                    updated_at=epoch(r.updated_at),
                )
                for r in rows
            ]
        )

    async def UnshareAllWebuiChats(  # noqa: N802
        self, request: pb.UnshareAllWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.UnshareAllWebuiChatsResponse:
        who = current_principal()
        count = await run_sync(self._shares.unshare_all, who.organization_id, who.member_id)
        return pb.UnshareAllWebuiChatsResponse(revoked_count=count)
