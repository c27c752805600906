"""Organization rules → trellis.v1.OrganizationRuleService; admin only (docs/api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.gen.trellis.v1 import organization_rule_pb2 as pb
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response, read_json, required_strings


async def list_rules(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.ListOrganizationRulesRequest()
    return json_response(await caller.unary(caller.clients.organization_rules.ListOrganizationRules, req))


async def get_rule(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.GetOrganizationRuleRequest(rule_id=request.path_params["rule_id"])
    return json_response(await caller.unary(caller.clients.organization_rules.GetOrganizationRule, req))


async def create_rule(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.CreateOrganizationRuleRequest(**required_strings(await read_json(request), "content"))
    return json_response(await caller.unary(caller.clients.organization_rules.CreateOrganizationRule, req))


async def update_rule(request: Request) -> Response:
    caller = authenticate(request)
    body = required_strings(await read_json(request), "content")
    req = pb.UpdateOrganizationRuleRequest(rule_id=request.path_params["rule_id"], **body)
    return json_response(await caller.unary(caller.clients.organization_rules.UpdateOrganizationRule, req))


async def delete_rule(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.DeleteOrganizationRuleRequest(rule_id=request.path_params["rule_id"])
    await caller.unary(caller.clients.organization_rules.DeleteOrganizationRule, req)
    return Response(status_code=204)


routes = [
    Route("/v1/organization-rules", list_rules, methods=["GET"]),
    Route("/v1/organization-rules", create_rule, methods=["POST"]),
    Route("/v1/organization-rules/{rule_id}", get_rule, methods=["GET"]),
    Route("/v1/organization-rules/{rule_id}", update_rule, methods=["PATCH"]),
    Route("/v1/organization-rules/{rule_id}", delete_rule, methods=["DELETE"]),
]
