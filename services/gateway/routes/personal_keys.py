"""Personal API key routes (Open WebUI's /api/v1/auths/api_key) → trellis.v1.PersonalKeyService
(docs/openwebui.md). The key is shown once, when it is made."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.gen.trellis.v1 import personal_key_pb2 as pb
from services.gateway.routes.webui_http import aliased, webui_caller, webui_route


@webui_route("PersonalKeyService.CreatePersonalKey")
async def create_key(request: Request) -> Response:
    caller = await webui_caller(request)
    answer = await caller.unary(caller.clients.personal_keys.CreatePersonalKey, pb.CreatePersonalKeyRequest())
    return JSONResponse({"api_key": answer.key})


@webui_route("PersonalKeyService.GetPersonalKey")
async def get_key(request: Request) -> Response:
    """The active key without the key itself (it is stored hashed): `api_key` is null."""
    caller = await webui_caller(request)
    info = (await caller.unary(caller.clients.personal_keys.GetPersonalKey, pb.GetPersonalKeyRequest())).info
    return JSONResponse(
        {"api_key": None, "id": info.id, "key_prefix": info.key_prefix, "created_at": info.created_at.seconds}
    )


@webui_route("PersonalKeyService.RevokePersonalKey")
async def revoke_key(request: Request) -> Response:
    caller = await webui_caller(request)
    answer = await caller.unary(caller.clients.personal_keys.RevokePersonalKey, pb.RevokePersonalKeyRequest())
    return JSONResponse(answer.revoked)


routes = aliased(
    "auths", [("POST", "/api_key", create_key), ("GET", "/api_key", get_key), ("DELETE", "/api_key", revoke_key)]
)
