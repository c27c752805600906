"""Chat lifecycle routes → trellis.v1.ChatService (contract §6.2, §6.5–6.9)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.gateway.auth import authenticate, grpc_metadata
from services.gateway.http_json import json_response, parse, read_json


async def _call(request: Request, method_name: str, message: object) -> Response:
    principal = authenticate(request)
    clients = request.app.state.clients
    resp = await clients.unary(getattr(clients.chat, method_name), message, grpc_metadata(principal))
    return json_response(resp)


async def create_chat(request: Request) -> Response:
    authenticate(request)  # 401 before reading the body
    body = await read_json(request, allow_empty=True)
    return await _call(request, "CreateChat", parse(body, chat_pb2.CreateChatRequest()))


async def list_chats(request: Request) -> Response:
    raw = request.query_params.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        raise ApiError("INVALID_REQUEST", "page: must be an integer") from None
    page = min(max(page, 1), 1_000_000)
    return await _call(request, "ListChats", chat_pb2.ListChatsRequest(page=page))


async def get_chat(request: Request) -> Response:
    return await _call(request, "GetChat", chat_pb2.GetChatRequest(chat_id=request.path_params["chat_id"]))


async def update_chat(request: Request) -> Response:
    authenticate(request)
    body = await read_json(request)
    if not isinstance(body.get("title"), str):
        raise ApiError("INVALID_REQUEST", "title: required string")
    message = parse(body, chat_pb2.UpdateChatRequest(), chat_id=request.path_params["chat_id"])
    return await _call(request, "UpdateChat", message)


async def delete_chat(request: Request) -> Response:
    return await _call(request, "DeleteChat", chat_pb2.DeleteChatRequest(chat_id=request.path_params["chat_id"]))


async def delete_chats(request: Request) -> Response:
    authenticate(request)
    body = await read_json(request)
    ids = body.get("chat_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ApiError("INVALID_REQUEST", "chat_ids: required non-empty list of strings")
    return await _call(request, "DeleteChats", chat_pb2.DeleteChatsRequest(chat_ids=ids))


routes = [
    Route("/v1/chats/create", create_chat, methods=["POST"]),
    Route("/v1/chats", list_chats, methods=["GET"]),
    Route("/v1/chats", delete_chats, methods=["DELETE"]),
    Route("/v1/chats/{chat_id}", get_chat, methods=["GET"]),
    Route("/v1/chats/{chat_id}", update_chat, methods=["PUT"]),
    Route("/v1/chats/{chat_id}", delete_chat, methods=["DELETE"]),
]
