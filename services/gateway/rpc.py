"""One authenticated unary call to a service, for routes that map a request straight to an RPC."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from starlette.requests import Request

from services.gateway.auth import authenticate, grpc_metadata


async def call(request: Request, service: str, method: str, message: Message) -> Any:
    principal = authenticate(request)
    clients = request.app.state.clients
    return await clients.unary(getattr(getattr(clients, service), method), message, grpc_metadata(principal))
