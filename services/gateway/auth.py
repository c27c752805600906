"""The gateway checks the bearer token itself too (and forwards it: each service checks again)."""

from __future__ import annotations

from starlette.requests import Request

from services.common.jwt_tokens import Principal, bearer_token, verify


def authenticate(request: Request) -> Principal:
    return verify(request.app.state.jwt_secret, bearer_token(request.headers.get("authorization")))


def grpc_metadata(principal: Principal) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {principal.token}")]
