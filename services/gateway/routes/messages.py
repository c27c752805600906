"""Turns and messages → trellis.v1.ChatService (docs/api.md).

POST /v1/chats and PATCH /v1/chats/{chat_id}/messages/{message_id} answer Server-Sent Events.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response, parse, read_json
from services.gateway.sse import sse_response
from services.gateway.state import state_of
from services.gateway.turn_requests import edit_request, send_request
from services.gateway.turn_stream import TurnCall, TurnStream, first_event_ready


async def _sse(request: Request, call: TurnCall) -> Response:
    """The turn as Server-Sent Events, once its first event shows the service took it."""
    stream = TurnStream(call)
    await stream.start()
    first_event_ready("sse")
    return sse_response(stream, state_of(request).settings.sse_keepalive)


async def send_message(request: Request) -> Response:
    caller = authenticate(request)
    message = send_request(await read_json(request))
    deadline = state_of(request).settings.turn_deadline
    return await _sse(request, caller.server_stream(caller.clients.chat.SendMessage, message, timeout=deadline))


async def edit_message(request: Request) -> Response:
    caller = authenticate(request)
    body = await read_json(request)
    message = edit_request(body, request.path_params["chat_id"], request.path_params["message_id"])
    deadline = state_of(request).settings.turn_deadline
    return await _sse(request, caller.server_stream(caller.clients.chat.EditMessage, message, timeout=deadline))


async def delete_message(request: Request) -> Response:
    caller = authenticate(request)
    req = chat_pb2.DeleteMessageRequest(
        chat_id=request.path_params["chat_id"], message_id=request.path_params["message_id"]
    )
    await caller.unary(caller.clients.chat.DeleteMessage, req)
    return Response(status_code=204)


async def message_feedback(request: Request) -> Response:
    caller = authenticate(request)
    body = await read_json(request)
    if not isinstance(body.get("feedback"), str):
        raise ApiError("INVALID_REQUEST", "feedback: required, 'positive' or 'negative'")
    req = parse(
        {k: body[k] for k in ("feedback", "note") if k in body},
        chat_pb2.UpdateMessageFeedbackRequest(),
        message_id=request.path_params["message_id"],
    )
    return json_response(await caller.unary(caller.clients.chat.UpdateMessageFeedback, req))


routes = [
    Route("/v1/chats", send_message, methods=["POST"]),
    Route("/v1/chats/messages/{message_id}/feedback", message_feedback, methods=["PATCH"]),
    Route("/v1/chats/{chat_id}/messages/{message_id}", edit_message, methods=["PATCH"]),
    Route("/v1/chats/{chat_id}/messages/{message_id}", delete_message, methods=["DELETE"]),
]
