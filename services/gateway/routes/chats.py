"""Chat lifecycle routes → trellis.v1.ChatService (docs/api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response, parse, read_json, required_strings


async def create_chat(request: Request) -> Response:
    caller = authenticate(request)  # 401 before reading the body
    body = await read_json(request, allow_empty=True)
    return json_response(await caller.unary(caller.clients.chat.CreateChat, parse(body, chat_pb2.CreateChatRequest())))


async def list_chats(request: Request) -> Response:
    caller = authenticate(request)
    raw = request.query_params.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        raise ApiError("INVALID_REQUEST", "page: must be an integer") from None
    page = min(max(page, 1), 1_000_000)
    return json_response(await caller.unary(caller.clients.chat.ListChats, chat_pb2.ListChatsRequest(page=page)))


async def get_chat(request: Request) -> Response:
    caller = authenticate(request)
    req = chat_pb2.GetChatRequest(chat_id=request.path_params["chat_id"])
    return json_response(await caller.unary(caller.clients.chat.GetChat, req))


async def update_chat(request: Request) -> Response:
    caller = authenticate(request)
    body = await read_json(request)
    required_strings(body, "title")
    req = parse(body, chat_pb2.UpdateChatRequest(), chat_id=request.path_params["chat_id"])
    return json_response(await caller.unary(caller.clients.chat.UpdateChat, req))


async def delete_chat(request: Request) -> Response:
    caller = authenticate(request)
    req = chat_pb2.DeleteChatRequest(chat_id=request.path_params["chat_id"])
    return json_response(await caller.unary(caller.clients.chat.DeleteChat, req))


async def delete_chats(request: Request) -> Response:
    caller = authenticate(request)
    body = await read_json(request)
    ids = body.get("chat_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ApiError("INVALID_REQUEST", "chat_ids: required non-empty list of strings")
    req = chat_pb2.DeleteChatsRequest(chat_ids=ids)
    return json_response(await caller.unary(caller.clients.chat.DeleteChats, req))


routes = [
    Route("/v1/chats/create", create_chat, methods=["POST"]),
    Route("/v1/chats", list_chats, methods=["GET"]),
    Route("/v1/chats", delete_chats, methods=["DELETE"]),
    Route("/v1/chats/{chat_id}", get_chat, methods=["GET"]),
    Route("/v1/chats/{chat_id}", update_chat, methods=["PUT"]),
    Route("/v1/chats/{chat_id}", delete_chat, methods=["DELETE"]),
]
