"""The OpenAPI 3.1 document of a running gateway's route table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from services.gateway.openapi import operations as ops
from services.gateway.openapi.proto_schema import ProtoSchemas
from services.gateway.openapi.rpc_routes import RpcRoute, annotated_routes

Schema = dict[str, Any]
_PATH_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_ERROR = {"$ref": "#/components/schemas/ErrorBody"}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait (429, 503)", "schema": {"type": "string"}}}
_DEBUG_ID = {"X-Debug-Id": {"description": "The request's debug id", "schema": {"type": "string"}}}


@dataclass
class Document:
    body: Schema
    undescribed: list[str] = field(default_factory=list)  # "METHOD /path" the generator could not describe
    loose: list[str] = field(default_factory=list)  # described only as "JSON in, JSON out" (Open WebUI's)


def _endpoints(routes: list[BaseRoute]) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    for route in routes:
        if isinstance(route, Route):
            for method in route.methods or ():
                out[(method, route.path)] = route.endpoint
    return out


def route_keys(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    """(method, path template) of every route (a WebSocket as GET, a static mount as `GET <path>/{path}`)."""
    out = []
    for route in routes:
        if isinstance(route, Route):
            out += [(m, route.path) for m in sorted(route.methods or ()) if m != "HEAD"]
        elif isinstance(route, WebSocketRoute):
            out.append(("GET", route.path))
        elif isinstance(route, Mount):
            out.append(("GET", f"{route.path}/{{path}}"))
    return out


def build(routes: list[BaseRoute], version: str = "0.1.0") -> Document:
    schemas = ProtoSchemas()
    rpcs = annotated_routes()
    endpoints = _endpoints(routes)
    paths: dict[str, Schema] = {}
    undescribed: list[str] = []
    loose: list[str] = []
    for method, path in route_keys(routes):
        endpoint: Any = endpoints.get((method, path))
        operation = _operation(method, path, rpcs.get((method, path)), schemas)
        if operation is None and hasattr(endpoint, "openapi"):  # a route module describing its own route
            operation = {"operationId": _operation_id(method, path), **endpoint.openapi}
        if operation is None and hasattr(endpoint, "rpcs"):
            operation = _loose_operation(method, path, endpoint.rpcs)
            loose.append(f"{method} {path}")
        if operation is None:
            undescribed.append(f"{method} {path}")
            continue
        paths.setdefault(path, {})[method.lower()] = operation
    components = {**schemas.components, **ops.EXTRA_COMPONENTS}
    for name, fields in ops.NULLABLE_FIELDS.items():
        _make_nullable(components.get(name), fields)
    body = {
        "openapi": "3.1.0",
        "info": {
            "title": "Trellis chat-with-your-database API (gateway)",
            "version": version,
            "description": "REST, server-sent events, multipart and WebSocket routes of the gateway (docs/api.md).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
    if loose:
        body["x-loosely-described"] = loose
    return Document(body, undescribed, loose)


def _loose_operation(method: str, path: str, rpcs: tuple[str, ...]) -> Schema:
    """Open WebUI's routes (docs/openwebui.md): their RPCs are known, their JSON is Open WebUI's."""
    any_json: Schema = {"content": {"application/json": {"schema": {}}}}
    operation: Schema = {
        "operationId": _operation_id(method, path),
        "summary": "Open WebUI-compatible route: " + ", ".join(rpcs),
        "x-rpcs": list(rpcs),
        "parameters": _path_parameters(path),
        "responses": {
            "2XX": {"description": "Open WebUI's JSON (or NDJSON)", "content": {"*/*": {"schema": {}}}},
            "4XX": {"description": "Open WebUI's error shapes", **any_json},
            "5XX": _error_response("A failure of the gateway or of a backing service"),
        },
        "security": [{"bearer": []}],
    }
    if method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": {}}}}
    return operation


def _operation(method: str, path: str, rpc: RpcRoute | None, schemas: ProtoSchemas) -> Schema | None:
    key = (method, path)
    custom = ops.CUSTOM.get(key)
    if custom is None and rpc is None:
        return None
    operation: Schema = {"operationId": _operation_id(method, path)}
    if rpc is not None:
        operation["summary"] = rpc.name
        operation["x-rpc"] = f"trellis.v1.{rpc.name}"
        if rpc.method.GetOptions().deprecated:
            operation["deprecated"] = True
    parameters = _path_parameters(path) + _query_parameters(key)
    if parameters:
        operation["parameters"] = parameters
    if (rpc is not None and rpc.body and custom is None) or key in ops.STREAMED:
        assert rpc is not None
        operation["requestBody"] = _request_body(key, rpc, schemas)
    if custom is not None:
        operation.update({k: v for k, v in custom.items()})
    responses = dict(operation.get("responses", {}))
    if custom is None:
        responses.update(_rpc_responses(key, rpc, schemas))
    if key not in ops.PUBLIC_ROUTES or key == ("GET", "/healthz"):
        responses.setdefault("4XX", _error_response("A refusal: docs/api.md lists each code's status"))
        responses.setdefault("5XX", _error_response("A failure of the gateway or of a backing service"))
    for response in responses.values():
        if "content" in response:
            response.setdefault("headers", dict(_DEBUG_ID))
    operation["responses"] = responses
    operation["security"] = _security(key)
    return operation


def _rpc_responses(key: tuple[str, str], rpc: RpcRoute | None, schemas: ProtoSchemas) -> Schema:
    assert rpc is not None
    if key in ops.STREAMED:
        return {"200": ops.SSE_RESPONSE}
    if key in ops.NO_CONTENT:
        return {"204": {"description": "Done, no body"}}
    schema = schemas.message(rpc.method.output_type)
    return {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def _request_body(key: tuple[str, str], rpc: RpcRoute, schemas: ProtoSchemas) -> Schema:
    path_fields = frozenset(_PATH_PARAM.findall(key[1]))
    message = rpc.method.input_type
    if rpc.body not in ("*", ""):
        body_type = message.fields_by_name[rpc.body].message_type
        assert body_type is not None
        message = body_type
    schema = schemas.message(message, omit=path_fields or frozenset({"\0"}))
    required = ops.REQUIRED_FIELDS.get(key)
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)  # requests may leave out any field the handler does not check
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


def _path_parameters(path: str) -> list[Schema]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(path)
    ]


def _query_parameters(key: tuple[str, str]) -> list[Schema]:
    return [
        {"name": name, "in": "query", "required": required, "schema": schema}
        for name, schema, required in ops.QUERY_PARAMETERS.get(key, [])
    ]


def _error_response(description: str) -> Schema:
    return {
        "description": description,
        "headers": {**_DEBUG_ID, **_RETRY_AFTER},
        "content": {"application/json": {"schema": _ERROR}},
    }


def _security(key: tuple[str, str]) -> list[dict[str, list[str]]]:
    if key in ops.PUBLIC_ROUTES:
        return []
    if key in ops.API_KEY_ROUTES:
        return [{"apiKey": []}]
    return [{"bearer": []}]


def _make_nullable(component: Schema | None, fields: list[str]) -> None:
    if component is None:
        return
    for name in fields:
        prop = component["properties"][name]
        prop["type"] = [prop["type"], "null"] if isinstance(prop.get("type"), str) else prop.get("type")
        component.setdefault("required", [])
        if name not in component["required"]:
            component["required"].append(name)


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path.replace("{", "by_").replace("}", "")).strip("_")
    slash = "_slash" if path.endswith("/") and path != "/" else ""  # `/api/chats/` and `/api/chats` both exist
    return f"{method.lower()}_{words or 'root'}{slash}"
