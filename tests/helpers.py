"""Shared test helpers: rows made by the admin tooling, credentials, and the API's common answers.

Turns over gRPC, SSE and WebSocket are in tests/turn_clients.py; waiting in tests/waiting.py;
fixtures (stacks, organizations, databases) in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import grpc
import httpx

from devstack.demo_db import create_demo_database
from devstack.stack import Stack
from services.chat.admin import create_integration, create_member
from services.chat.settings import ChatSettings
from services.chat.storage.stores import Stores, opened_stores
from services.common.gen.trellis.v1 import auth_pb2, auth_pb2_grpc

if TYPE_CHECKING:
    from tests.conftest import Org

# --- rows made by the admin tooling -------------------------------------------------------


def stack_settings(stack: Stack) -> ChatSettings:
    return ChatSettings.model_validate(stack.service_env())


@contextmanager
def chat_stores(stack: Stack) -> Iterator[Stores]:
    """The running stack's Chat service stores, as the admin tool opens them."""
    with opened_stores(stack_settings(stack).resolved_database_url()) as stores:
        yield stores


def demo_database_url(stack: Stack) -> str:
    """The URL of the demo database in the stack's allowed integration directory (made on first use)."""
    path = stack_settings(stack).allowed_integration_dirs()[0] / "retail.db"
    if not path.exists():
        create_demo_database(path)
    return f"sqlite:///{path.resolve()}"


def add_integration(stack: Stack, org_id: str) -> str:
    """Connect the demo database to the organization, as the admin tool does; returns the integration id."""
    with chat_stores(stack) as stores:
        return create_integration(stores, stack_settings(stack), org_id, "Retail", demo_database_url(stack)).id


def make_admin(stack: Stack, org_id: str, email: str, *, admin: bool = True) -> str:
    """Give `email` the admin role in the organization (or take it away), as the admin tool does."""
    with chat_stores(stack) as stores:
        return create_member(stores, org_id, email, admin=admin).id


# --- credentials --------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    """HTTP (and WebSocket handshake) headers carrying a JWT."""
    return {"Authorization": f"Bearer {token}"}


def bearer_metadata(token: str) -> list[tuple[str, str]]:
    """gRPC metadata carrying a JWT."""
    return [("authorization", f"Bearer {token}")]


def token_of(client: httpx.Client) -> str:
    """The JWT a client made by Org.client() sends."""
    return client.headers["Authorization"].removeprefix("Bearer ")


def grpc_token(stack: Stack, api_key: str, email: str) -> str:
    """A JWT from AuthService.Authenticate over gRPC (what an internal caller or grpcurl does)."""
    with grpc.insecure_channel(stack.chat_target) as channel:
        resp = auth_pb2_grpc.AuthServiceStub(channel).Authenticate(
            auth_pb2.AuthenticateRequest(email=email), metadata=[("x-api-key", api_key)], timeout=10
        )
    return resp.token


def grpc_metadata(stack: Stack, api_key: str, email: str) -> list[tuple[str, str]]:
    """gRPC metadata carrying a fresh JWT for `email`."""
    return bearer_metadata(grpc_token(stack, api_key, email))


# --- the API's common answers -------------------------------------------------------------


def assert_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """`resp` is the API's error body (docs/api.md) with this status and stable code; returns the body."""
    request = f"{resp.request.method} {resp.request.url}"
    assert resp.status_code == status, f"{request}: {resp.status_code} {resp.text}"
    body = resp.json()
    assert body["code"] == code and body["detail"] and body["debug_id"], f"{request}: {body}"
    return body


def create_chat(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    """POST /v1/chats/create with `fields` (title, integration_id…); returns the new chat."""
    resp = http.post("/v1/chats/create", json=fields or None)
    assert resp.status_code == 200, resp.text
    return resp.json()


def post_files(http: httpx.Client, chat_id: str, *files: tuple[Any, ...]) -> httpx.Response:
    """POST /v1/chats/uploads as a form would: `chat_id`, then each (filename, data[, type]) as a `files` part."""
    return http.post("/v1/chats/uploads", data={"chat_id": chat_id}, files=[("files", f) for f in files])


@contextmanager
def demo_chat(stack: Stack, org: Org, email: str = "user@example.com") -> Iterator[tuple[httpx.Client, str]]:
    """A member's client and a new chat of theirs on the demo database (connected to the organization)."""
    integration = add_integration(stack, org.id)
    with org.client(email) as http:
        yield http, create_chat(http, integration_id=integration)["id"]


def chat_messages(http: httpx.Client, chat_id: str) -> list[dict[str, Any]]:
    """The chat's history, as GET /v1/chats/{chat_id} returns it."""
    resp = http.get(f"/v1/chats/{chat_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()["messages"]


def iso_datetime(value: str) -> datetime:
    """A timestamp of the API (ISO 8601, `Z` for UTC) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
