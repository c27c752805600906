"""Open WebUI's share routes → trellis.v1.WebuiShareService (docs/openwebui.md): snapshot, read,
revoke, and the owner's list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.gen.trellis.v1 import webui_share_pb2 as pb
from services.gateway.routes.webui_http import aliased, chat_response, sorted_page, webui_caller, webui_route


@webui_route("WebuiShareService.ListSharedWebuiChats", source="query")
async def shared(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListSharedWebuiChatsRequest(**sorted_page(request))
    answer = await caller.unary(caller.clients.webui_shares.ListSharedWebuiChats, req)
    return JSONResponse(
        [
            {
                "id": s.chat_id,
                "chat_id": s.chat_id,
                "title": s.title,
                "share_id": s.share_id,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
            }
            for s in answer.shares
        ]
    )


@webui_route("WebuiShareService.UnshareAllWebuiChats")
async def unshare_all(request: Request) -> Response:
    caller = await webui_caller(request)
    await caller.unary(caller.clients.webui_shares.UnshareAllWebuiChats, pb.UnshareAllWebuiChatsRequest())
    return JSONResponse(True)


@webui_route("WebuiShareService.GetSharedWebuiChat")
async def read_share(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.GetSharedWebuiChatRequest(share_id=request.path_params["share_id"])
    return chat_response((await caller.unary(caller.clients.webui_shares.GetSharedWebuiChat, req)).chat)


@webui_route("WebuiShareService.ShareWebuiChat")
async def share(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ShareWebuiChatRequest(chat_id=request.path_params["chat_id"])
    return chat_response((await caller.unary(caller.clients.webui_shares.ShareWebuiChat, req)).chat)


@webui_route("WebuiShareService.UnshareWebuiChat")
async def unshare(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.UnshareWebuiChatRequest(chat_id=request.path_params["chat_id"])
    return JSONResponse((await caller.unary(caller.clients.webui_shares.UnshareWebuiChat, req)).revoked)


routes = aliased(
    "chats",
    [
        ("GET", "/shared", shared),
        ("DELETE", "/share/all", unshare_all),
        ("GET", "/share/{share_id}", read_share),
        ("POST", "/{chat_id}/share", share),
        ("DELETE", "/{chat_id}/share", unshare),
    ],
)
