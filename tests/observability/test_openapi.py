"""/openapi.json: a valid OpenAPI 3.1 document of exactly the gateway's routes, honoured by the gateway."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.responses import Response
from starlette.routing import Route

from devstack.stack import Stack
from services.gateway.app import create_app
from services.gateway.openapi.document import build, route_keys
from tests.conftest import Org
from tests.helpers import make_admin

ROOT = Path(__file__).resolve().parents[2]


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_served_document_validates_and_has_every_route_and_nothing_else(stack: Stack) -> None:
    resp = httpx.get(f"{stack.gateway_url}/openapi.json")
    assert resp.status_code == 200
    document = resp.json()
    validate(document)  # OpenAPI 3.1, by openapi-spec-validator
    assert document["openapi"] == "3.1.0"
    routes = create_app().routes
    undescribed = build(routes).undescribed
    assert undescribed == [], (
        f"describe {undescribed}: a CUSTOM entry in services/gateway/openapi/operations.py, an `openapi` "
        "operation on the route's endpoint, or a google.api.http annotation on its RPC"
    )
    assert _operations(document) == set(route_keys(routes))


def test_a_route_nobody_described_is_reported() -> None:
    async def secret(_request: object) -> Response:
        return Response()

    routes = [*create_app().routes, Route("/v1/not-described", secret, methods=["GET"])]
    assert "GET /v1/not-described" in build(routes).undescribed


def test_bodies_come_from_the_protos_and_errors_share_one_schema(stack: Stack) -> None:
    document = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    create = document["paths"]["/v1/chats/create"]["post"]
    assert create["x-rpc"] == "trellis.v1.ChatService.CreateChat"
    assert create["responses"]["4XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    turn = document["paths"]["/v1/chats"]["post"]
    assert set(turn["requestBody"]["content"]["application/json"]["schema"]["required"]) == {"chat_id", "message"}
    assert "text/event-stream" in turn["responses"]["200"]["content"]
    upload = document["paths"]["/v1/chats/uploads"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    chat_ref = create["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    chat = document["components"]["schemas"][chat_ref.rsplit("/", 1)[1]]
    assert chat["properties"]["id"] == {"type": "string"} and "id" in chat["required"]


SCHEMATHESIS_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(stack: Stack, org: Org, tmp_path: Path) -> None:
    """Every operation (the web console's files and the WebSocket upgrade aside) with generated requests,
    as an organization admin; SCHEMATHESIS_MAX_EXAMPLES raises the number of examples per operation."""
    make_admin(stack, org.id, "admin@example.com")
    token = org.token("admin@example.com")
    report = tmp_path / "schemathesis.xml"
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{stack.gateway_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--header",
        f"X-API-Key: {org.api_key}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--exclude-path-regex",
        r"^/(console/|$)|^/v1/chats/ws$",
        "--max-examples",
        str(SCHEMATHESIS_EXAMPLES),
        "--phases",
        "examples,fuzzing",
        "--seed",
        "1",
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=540, check=False)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
