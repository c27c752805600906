"""Turns and messages → trellis.v1.ChatService (contract §6.3, §6.10–6.12).

POST /v1/chats and PATCH /v1/chats/{chat_id}/messages/{message_id} answer Server-Sent Events.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.gateway.auth import authenticate, grpc_metadata
from services.gateway.http_json import json_response, parse, read_json
from services.gateway.sse import sse_response
from services.gateway.turn_stream import TurnStream


def send_request(body: dict[str, Any]) -> chat_pb2.SendMessageRequest:
    """The same body shape for SSE and the WebSocket `send_message` action."""
    if not body.get("chat_id"):
        raise ApiError("MISSING_CHAT_ID", "chat_id is required: create a chat with POST /v1/chats/create")
    if not isinstance(body.get("message"), str):
        raise ApiError("INVALID_REQUEST", "message: required string")
    if body.get("upload_ids") is not None and not isinstance(body["upload_ids"], list):
        raise ApiError("INVALID_REQUEST", "upload_ids: must be a list of strings")
    if body.get("parameters") is not None and not isinstance(body["parameters"], dict):
        raise ApiError("INVALID_REQUEST", "parameters: must be an object")
    fields = ("chat_id", "message", "integration_id", "title", "model", "upload_ids", "saved_query_id", "parameters")
    return parse({k: body[k] for k in fields if k in body}, chat_pb2.SendMessageRequest())


def edit_request(body: dict[str, Any], chat_id: str, message_id: str) -> chat_pb2.EditMessageRequest:
    if not isinstance(body.get("content"), str):
        raise ApiError("INVALID_REQUEST", "content: required string")
    fields = ("content", "integration_id", "model", "include_tool_events")
    message = parse({k: body[k] for k in fields if k in body}, chat_pb2.EditMessageRequest())
    message.chat_id, message.message_id = chat_id, message_id
    return message


async def open_turn(request: Request, method: str, message: Any, token_metadata: list[tuple[str, str]]) -> TurnStream:
    clients = request.app.state.clients
    deadline = request.app.state.settings.turn_deadline
    stream = TurnStream(getattr(clients.chat, method)(message, metadata=token_metadata, timeout=deadline))
    await stream.start()
    return stream


async def send_message(request: Request) -> Response:
    principal = authenticate(request)
    message = send_request(await read_json(request))
    stream = await open_turn(request, "SendMessage", message, grpc_metadata(principal))
    return sse_response(stream, request.app.state.settings.sse_keepalive)


async def edit_message(request: Request) -> Response:
    principal = authenticate(request)
    body = await read_json(request)
    message = edit_request(body, request.path_params["chat_id"], request.path_params["message_id"])
    stream = await open_turn(request, "EditMessage", message, grpc_metadata(principal))
    return sse_response(stream, request.app.state.settings.sse_keepalive)


async def delete_message(request: Request) -> Response:
    principal = authenticate(request)
    clients = request.app.state.clients
    req = chat_pb2.DeleteMessageRequest(
        chat_id=request.path_params["chat_id"], message_id=request.path_params["message_id"]
    )
    await clients.unary(clients.chat.DeleteMessage, req, grpc_metadata(principal))
    return Response(status_code=204)


async def message_feedback(request: Request) -> Response:
    principal = authenticate(request)
    body = await read_json(request)
    if not isinstance(body.get("feedback"), str):
        raise ApiError("INVALID_REQUEST", "feedback: required, 'positive' or 'negative'")
    message = parse(
        {k: body[k] for k in ("feedback", "note") if k in body},
        chat_pb2.UpdateMessageFeedbackRequest(),
        message_id=request.path_params["message_id"],
    )
    clients = request.app.state.clients
    return json_response(await clients.unary(clients.chat.UpdateMessageFeedback, message, grpc_metadata(principal)))


routes = [
    Route("/v1/chats", send_message, methods=["POST"]),
    Route("/v1/chats/messages/{message_id}/feedback", message_feedback, methods=["PATCH"]),
    Route("/v1/chats/{chat_id}/messages/{message_id}", edit_message, methods=["PATCH"]),
    Route("/v1/chats/{chat_id}/messages/{message_id}", delete_message, methods=["DELETE"]),
]
