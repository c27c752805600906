"""POST /v1/authenticate → trellis.v1.AuthService/Authenticate (an API key in, a token out)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import auth_pb2
from services.gateway.caller import Caller
from services.gateway.http_json import json_response, parse, read_json, required_strings
from services.gateway.state import state_of


async def authenticate(request: Request) -> Response:
    api_key = request.headers.get("x-api-key")
    if not api_key:
        raise ApiError("UNAUTHENTICATED", "Missing X-API-Key header")
    body = await read_json(request)
    required_strings(body, "email")
    caller = Caller(state_of(request).clients, (("x-api-key", api_key),))  # no token yet: the key is the credential
    req = parse(body, auth_pb2.AuthenticateRequest())
    return json_response(await caller.unary(caller.clients.auth.Authenticate, req))


routes = [Route("/v1/authenticate", authenticate, methods=["POST"])]
