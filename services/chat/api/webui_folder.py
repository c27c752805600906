"""trellis.v1.WebuiFolderService: Open WebUI's chat folders (docs/openwebui.md)."""

from __future__ import annotations

import grpc

from services.chat.api.chat import drop_uploads
from services.chat.api.webui_wire import folder, json_object
from services.chat.clients.upload import UploadClient
from services.chat.storage.webui_folder_store import WebuiFolderStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.gen.trellis.v1 import webui_folder_pb2 as pb
from services.common.gen.trellis.v1 import webui_folder_pb2_grpc


class WebuiFolderServicer(webui_folder_pb2_grpc.WebuiFolderServiceServicer):
    def __init__(self, folders: WebuiFolderStore, uploads: UploadClient) -> None:
        self._folders = folders
        self._uploads = uploads

    async def ListWebuiFolders(  # noqa: N802
        self, request: pb.ListWebuiFoldersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebuiFoldersResponse:
        who = current_principal()
        rows = await run_sync(self._folders.list, who.organization_id, who.member_id)
        return pb.ListWebuiFoldersResponse(folders=[folder(r) for r in rows])

    async def CreateWebuiFolder(  # noqa: N802
        self, request: pb.CreateWebuiFolderRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateWebuiFolderResponse:
        who = current_principal()
        row = await run_sync(
            self._folders.create,
            who.organization_id,
            who.member_id,
            request.name,
            request.parent_id if request.HasField("parent_id") else None,
            json_object(request.meta_json, "meta"),
            json_object(request.data_json, "data"),
        )
        return pb.CreateWebuiFolderResponse(folder=folder(row))

    async def GetWebuiFolder(  # noqa: N802
        self, request: pb.GetWebuiFolderRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetWebuiFolderResponse:
        who = current_principal()
        row = await run_sync(self._folders.get, who.organization_id, who.member_id, request.folder_id)
        return pb.GetWebuiFolderResponse(folder=folder(row))

    async def UpdateWebuiFolder(  # noqa: N802
        self, request: pb.UpdateWebuiFolderRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateWebuiFolderResponse:
        who = current_principal()
        await run_sync(self._folders.get, who.organization_id, who.member_id, request.folder_id)  # 404 first
        row = await run_sync(
            self._folders.update,
            who.organization_id,
            who.member_id,
            request.folder_id,
            request.name if request.HasField("name") else None,
            json_object(request.meta_json, "meta"),
            json_object(request.data_json, "data"),
        )
        return pb.UpdateWebuiFolderResponse(folder=folder(row))

    async def MoveWebuiFolder(  # noqa: N802
        self, request: pb.MoveWebuiFolderRequest, context: grpc.aio.ServicerContext
    ) -> pb.MoveWebuiFolderResponse:
        who = current_principal()
        parent_id = request.parent_id if request.HasField("parent_id") else None
        row = await run_sync(self._folders.move, who.organization_id, who.member_id, request.folder_id, parent_id)
        return pb.MoveWebuiFolderResponse(folder=folder(row))

    async def SetWebuiFolderExpanded(  # noqa: N802
        self, request: pb.SetWebuiFolderExpandedRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetWebuiFolderExpandedResponse:
        who = current_principal()
        row = await run_sync(
            self._folders.set_expanded, who.organization_id, who.member_id, request.folder_id, request.is_expanded
        )
        return pb.SetWebuiFolderExpandedResponse(folder=folder(row))

    async def DeleteWebuiFolder(  # noqa: N802
        self, request: pb.DeleteWebuiFolderRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteWebuiFolderResponse:
        who = current_principal()
        gone = await run_sync(
            self._folders.delete, who.organization_id, who.member_id, request.folder_id, request.keep_contents
        )
        if gone.deleted_chat_ids:
            await drop_uploads(self._uploads, who, gone.deleted_chat_ids)
        return pb.DeleteWebuiFolderResponse(
            deleted_folders=gone.folders, deleted_chats=len(gone.deleted_chat_ids), moved_chats=gone.moved_chats
        )
