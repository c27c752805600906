"""Integration routes → trellis.v1.IntegrationService (docs/api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import integration_pb2 as pb
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response, optional_strings, parse, read_json


async def list_integrations(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.ListIntegrationsRequest()
    return json_response(await caller.unary(caller.clients.integrations.ListIntegrations, req))


async def create_integration(request: Request) -> Response:
    caller = authenticate(request)
    body = optional_strings(await read_json(request), "display_name", "type", "url")
    if not body.get("url"):
        raise ApiError("INVALID_REQUEST", "url: required SQLAlchemy URL")
    req = parse(body, pb.CreateIntegrationRequest())
    return json_response(await caller.unary(caller.clients.integrations.CreateIntegration, req))


async def update_integration(request: Request) -> Response:
    caller = authenticate(request)
    body = optional_strings(await read_json(request), "display_name", "url")
    req = parse(body, pb.UpdateIntegrationRequest(), integration_id=request.path_params["integration_id"])
    return json_response(await caller.unary(caller.clients.integrations.UpdateIntegration, req))


async def delete_integration(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.DeleteIntegrationRequest(integration_id=request.path_params["integration_id"])
    return json_response(await caller.unary(caller.clients.integrations.DeleteIntegration, req))


routes = [
    Route("/v1/integrations", list_integrations, methods=["GET"]),
    Route("/v1/integrations", create_integration, methods=["POST"]),
    Route("/v1/integrations/{integration_id}", update_integration, methods=["PATCH"]),
    Route("/v1/integrations/{integration_id}", delete_integration, methods=["DELETE"]),
]
