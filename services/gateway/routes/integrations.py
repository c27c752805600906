"""Integration routes → trellis.v1.IntegrationService (contract §4.1, §16)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import integration_pb2 as pb
from services.gateway.auth import authenticate
from services.gateway.http_json import json_response, parse, read_json
from services.gateway.rpc import call


def _strings(body: dict, *names: str) -> dict:
    for name in names:
        if name in body and not isinstance(body[name], str):
            raise ApiError("INVALID_REQUEST", f"{name}: must be a string")
    return {k: body[k] for k in names if k in body}


async def list_integrations(request: Request) -> Response:
    return json_response(await call(request, "integrations", "ListIntegrations", pb.ListIntegrationsRequest()))


async def create_integration(request: Request) -> Response:
    authenticate(request)
    body = _strings(await read_json(request), "display_name", "type", "url")
    if not body.get("url"):
        raise ApiError("INVALID_REQUEST", "url: required SQLAlchemy URL")
    resp = await call(request, "integrations", "CreateIntegration", parse(body, pb.CreateIntegrationRequest()))
    return json_response(resp)


async def update_integration(request: Request) -> Response:
    authenticate(request)
    body = _strings(await read_json(request), "display_name", "url")
    message = parse(body, pb.UpdateIntegrationRequest(), integration_id=request.path_params["integration_id"])
    return json_response(await call(request, "integrations", "UpdateIntegration", message))


async def delete_integration(request: Request) -> Response:
    message = pb.DeleteIntegrationRequest(integration_id=request.path_params["integration_id"])
    return json_response(await call(request, "integrations", "DeleteIntegration", message))


routes = [
    Route("/v1/integrations", list_integrations, methods=["GET"]),
    Route("/v1/integrations", create_integration, methods=["POST"]),
    Route("/v1/integrations/{integration_id}", update_integration, methods=["PATCH"]),
    Route("/v1/integrations/{integration_id}", delete_integration, methods=["DELETE"]),
]
