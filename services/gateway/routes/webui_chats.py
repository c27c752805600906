"""Open WebUI's chat routes → trellis.v1.WebuiChatService (docs/openwebui.md): create, read, merge,
delete, the message upsert, pin, archive and move. Registered after the other /api/v1/chats
modules: its `/{chat_id}` routes must come after their static paths (services/gateway/app.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.gen.trellis.v1 import webui_chat_pb2 as pb
from services.gateway.routes.webui_http import (
    aliased,
    body_object,
    chat_response,
    document_json,
    invalid,
    optional_string,
    required_object,
    webui_caller,
    webui_route,
)


@webui_route("WebuiChatService.DeleteAllWebuiChats")
async def delete_all_chats(request: Request) -> Response:
    caller = await webui_caller(request)
    await caller.unary(caller.clients.webui_chats.DeleteAllWebuiChats, pb.DeleteAllWebuiChatsRequest())
    return JSONResponse(True)


@webui_route("WebuiChatService.CreateWebuiChat")
async def create_chat(request: Request) -> Response:
    caller = await webui_caller(request)
    body = await body_object(request)
    chat = required_object(body, "chat")
    req = pb.CreateWebuiChatRequest(chat_json=document_json(chat), folder_id=optional_string(body, "folder_id"))
    answer = await caller.unary(caller.clients.webui_chats.CreateWebuiChat, req)
    return chat_response(answer.chat)


@webui_route("WebuiChatService.SetAllWebuiChatsArchived")
async def archive_all(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.SetAllWebuiChatsArchivedRequest(archived=request.url.path.endswith("/archive/all"))
    await caller.unary(caller.clients.webui_chats.SetAllWebuiChatsArchived, req)
    return JSONResponse(True)


@webui_route("WebuiChatService.GetWebuiChat")
async def get_chat(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.GetWebuiChatRequest(chat_id=request.path_params["chat_id"])
    return chat_response((await caller.unary(caller.clients.webui_chats.GetWebuiChat, req)).chat)


@webui_route("WebuiChatService.UpdateWebuiChat")
async def update_chat(request: Request) -> Response:
    caller = await webui_caller(request)
    chat = required_object(await body_object(request), "chat")  # a folder_id here is ignored, as upstream
    req = pb.UpdateWebuiChatRequest(chat_id=request.path_params["chat_id"], chat_json=document_json(chat))
    return chat_response((await caller.unary(caller.clients.webui_chats.UpdateWebuiChat, req)).chat)


@webui_route("WebuiChatService.DeleteWebuiChat")
async def delete_chat(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.DeleteWebuiChatRequest(chat_id=request.path_params["chat_id"])
    await caller.unary(caller.clients.webui_chats.DeleteWebuiChat, req)
    return JSONResponse(True)


@webui_route("WebuiChatService.UpsertWebuiMessage")
async def upsert_message(request: Request) -> Response:
    caller = await webui_caller(request)
    content = (await body_object(request)).get("content")
    if not isinstance(content, str):
        raise invalid("content", "Field required" if content is None else "Input should be a valid string")
    req = pb.UpsertWebuiMessageRequest(
        chat_id=request.path_params["chat_id"], message_id=request.path_params["message_id"], content=content
    )
    return chat_response((await caller.unary(caller.clients.webui_chats.UpsertWebuiMessage, req)).chat)


@webui_route("WebuiChatService.DeleteWebuiMessage")
async def delete_message(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.DeleteWebuiMessageRequest(
        chat_id=request.path_params["chat_id"], message_id=request.path_params["message_id"]
    )
    return chat_response((await caller.unary(caller.clients.webui_chats.DeleteWebuiMessage, req)).chat)


@webui_route("WebuiChatService.GetWebuiChatPinned")
async def is_pinned(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.GetWebuiChatPinnedRequest(chat_id=request.path_params["chat_id"])
    return JSONResponse((await caller.unary(caller.clients.webui_chats.GetWebuiChatPinned, req)).pinned)


@webui_route("WebuiChatService.ToggleWebuiChatPin")
async def toggle_pin(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ToggleWebuiChatPinRequest(chat_id=request.path_params["chat_id"])
    return chat_response((await caller.unary(caller.clients.webui_chats.ToggleWebuiChatPin, req)).chat)


@webui_route("WebuiChatService.ToggleWebuiChatArchive")
async def toggle_archive(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ToggleWebuiChatArchiveRequest(chat_id=request.path_params["chat_id"])
    return chat_response((await caller.unary(caller.clients.webui_chats.ToggleWebuiChatArchive, req)).chat)


@webui_route("WebuiChatService.MoveWebuiChat")
async def move_chat(request: Request) -> Response:
    caller = await webui_caller(request)
    folder_id = optional_string(await body_object(request), "folder_id")
    req = pb.MoveWebuiChatRequest(chat_id=request.path_params["chat_id"], folder_id=folder_id)
    return chat_response((await caller.unary(caller.clients.webui_chats.MoveWebuiChat, req)).chat)


routes = aliased(
    "chats",
    [
        ("DELETE", "/", delete_all_chats),
        ("DELETE", "", delete_all_chats),
        ("POST", "/new", create_chat),
        ("POST", "/archive/all", archive_all),
        ("POST", "/unarchive/all", archive_all),
        ("GET", "/{chat_id}", get_chat),
        ("POST", "/{chat_id}", update_chat),
        ("DELETE", "/{chat_id}", delete_chat),
        ("POST", "/{chat_id}/messages/{message_id}", upsert_message),
        ("DELETE", "/{chat_id}/messages/{message_id}", delete_message),
        ("GET", "/{chat_id}/pinned", is_pinned),
        ("POST", "/{chat_id}/pin", toggle_pin),
        ("POST", "/{chat_id}/archive", toggle_archive),
        ("POST", "/{chat_id}/folder", move_chat),
    ],
)
