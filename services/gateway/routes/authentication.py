"""POST /v1/authenticate → trellis.v1.AuthService/Authenticate."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import auth_pb2
from services.gateway.http_json import json_response, parse, read_json


async def authenticate(request: Request) -> Response:
    api_key = request.headers.get("x-api-key")
    if not api_key:
        raise ApiError("UNAUTHENTICATED", "Missing X-API-Key header")
    body = await read_json(request)
    if not isinstance(body.get("email"), str):
        raise ApiError("INVALID_REQUEST", "email: required string")
    clients = request.app.state.clients
    resp = await clients.unary(
        clients.auth.Authenticate, parse(body, auth_pb2.AuthenticateRequest()), [("x-api-key", api_key)]
    )
    return json_response(resp)


routes = [Route("/v1/authenticate", authenticate, methods=["POST"])]
