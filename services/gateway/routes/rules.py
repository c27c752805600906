"""Organization rules → trellis.v1.OrganizationRuleService; admin only (contract §9)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import organization_rule_pb2 as pb
from services.gateway.auth import authenticate
from services.gateway.http_json import json_response, read_json
from services.gateway.rpc import call


async def _content(request: Request) -> str:
    authenticate(request)
    body = await read_json(request)
    if not isinstance(body.get("content"), str):
        raise ApiError("INVALID_REQUEST", "content: required string")
    return body["content"]


async def list_rules(request: Request) -> Response:
    return json_response(await call(request, "rules", "ListOrganizationRules", pb.ListOrganizationRulesRequest()))


async def get_rule(request: Request) -> Response:
    req = pb.GetOrganizationRuleRequest(rule_id=request.path_params["rule_id"])
    return json_response(await call(request, "rules", "GetOrganizationRule", req))


async def create_rule(request: Request) -> Response:
    req = pb.CreateOrganizationRuleRequest(content=await _content(request))
    return json_response(await call(request, "rules", "CreateOrganizationRule", req))


async def update_rule(request: Request) -> Response:
    req = pb.UpdateOrganizationRuleRequest(rule_id=request.path_params["rule_id"], content=await _content(request))
    return json_response(await call(request, "rules", "UpdateOrganizationRule", req))


async def delete_rule(request: Request) -> Response:
    req = pb.DeleteOrganizationRuleRequest(rule_id=request.path_params["rule_id"])
    await call(request, "rules", "DeleteOrganizationRule", req)
    return Response(status_code=204)


routes = [
    Route("/v1/organization-rules", list_rules, methods=["GET"]),
    Route("/v1/organization-rules", create_rule, methods=["POST"]),
    Route("/v1/organization-rules/{rule_id}", get_rule, methods=["GET"]),
    Route("/v1/organization-rules/{rule_id}", update_rule, methods=["PATCH"]),
    Route("/v1/organization-rules/{rule_id}", delete_rule, methods=["DELETE"]),
]
