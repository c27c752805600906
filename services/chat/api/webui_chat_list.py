"""trellis.v1.WebuiChatListService: lists, search and export of Open WebUI's chats (docs/openwebui.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from services.chat.api.webui_images import ChatImages
from services.chat.api.webui_wire import sorted_page, summaries, webui_chat
from services.chat.clients.upload import UploadClient
from services.chat.storage.webui_chat_list_store import WebuiChatListStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.gen.trellis.v1 import webui_chat_list_pb2 as pb
from services.common.gen.trellis.v1 import webui_chat_list_pb2_grpc


class WebuiChatListServicer(webui_chat_list_pb2_grpc.WebuiChatListServiceServicer):
    def __init__(self, lists: WebuiChatListStore, uploads: UploadClient) -> None:
        self._lists = lists
        self._images = ChatImages(uploads)

    async def ListWebuiChats(  # noqa: N802
        self, request: pb.ListWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(
            self._lists.sidebar,
            who.organization_id,
            who.member_id,
            request.page,
            request.include_pinned,
            request.include_folders,
        )
        return pb.ListWebuiChatsResponse(chats=summaries(rows))

    async def ListPinnedWebuiChats(  # noqa: N802
        self, request: pb.ListPinnedWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPinnedWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(self._lists.pinned, who.organization_id, who.member_id)
        return pb.ListPinnedWebuiChatsResponse(chats=summaries(rows))

    async def ListArchivedWebuiChats(  # noqa: N802
        self, request: pb.ListArchivedWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListArchivedWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(self._lists.archived, who.organization_id, who.member_id, sorted_page(request))
        return pb.ListArchivedWebuiChatsResponse(chats=summaries(rows))

    async def ListFolderWebuiChats(  # noqa: N802
        self, request: pb.ListFolderWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListFolderWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(
            self._lists.in_folder, who.organization_id, who.member_id, request.folder_id, request.page
        )
        return pb.ListFolderWebuiChatsResponse(chats=summaries(rows))

    async def SearchWebuiChats(  # noqa: N802
        self, request: pb.SearchWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SearchWebuiChatsResponse:
        who = current_principal()
        rows = await run_sync(self._lists.search, who.organization_id, who.member_id, request.text, request.page)
        return pb.SearchWebuiChatsResponse(chats=summaries(rows))

    async def StreamWebuiChats(  # noqa: N802
        self, request: pb.StreamWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.StreamWebuiChatsResponse]:
        who = current_principal()
        selection = request.selection
        batches = self._lists.whole_chats(
            who.organization_id,
            who.member_id,
            archived_only=selection == pb.WEBUI_CHAT_SELECTION_ARCHIVED,
            folder_id=request.folder_id if selection == pb.WEBUI_CHAT_SELECTION_FOLDER else None,
        )
        while (batch := await run_sync(next, batches, None)) is not None:
            for record in batch:
                yield pb.StreamWebuiChatsResponse(chat=await self._images.present(who, webui_chat(record)))
