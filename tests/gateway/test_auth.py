"""Authentication: /v1/authenticate errors and the 401 cases of every protected route."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest

from services.common.secret_files import load_or_create
from tests.helpers import assert_error, create_chat


def _secret(stack) -> str:
    return load_or_create(stack.data_dir, "jwt_secret")


def _claims(org_id: str, **over) -> dict:
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "org": org_id, "jti": str(uuid.uuid4()), "iat": now, "exp": now + 3600}
    claims.update(over)
    return claims


def test_authenticate_issues_a_six_hour_hs256_token_with_jti(stack, org) -> None:
    resp = httpx.post(
        f"{stack.gateway_url}/v1/authenticate",
        headers={"X-API-Key": org.api_key},
        json={"email": "new.person@example.com"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"token", "member_id", "organization_id", "expires_at"}
    header = jwt.get_unverified_header(body["token"])
    claims = jwt.decode(body["token"], _secret(stack), algorithms=["HS256"])
    assert header["alg"] == "HS256"
    assert claims["sub"] == body["member_id"] and claims["org"] == org.id == body["organization_id"]
    assert claims["exp"] - claims["iat"] == 6 * 3600
    assert uuid.UUID(claims["jti"]).version == 4
    again = httpx.post(
        f"{stack.gateway_url}/v1/authenticate",
        headers={"X-API-Key": org.api_key},
        json={"email": "NEW.person@example.com"},
    ).json()
    assert again["member_id"] == body["member_id"]  # the member is created once
    assert jwt.decode(again["token"], options={"verify_signature": False})["jti"] != claims["jti"]


@pytest.mark.parametrize(
    ("headers", "body", "status", "code", "detail"),
    [
        ({}, {"email": "a@b.co"}, 401, "UNAUTHENTICATED", "Missing X-API-Key header"),
        ({"X-API-Key": "trk_wrong"}, {"email": "a@b.co"}, 401, "UNAUTHENTICATED", "Invalid API key"),
        ("valid", {"email": "not-an-email"}, 400, "INVALID_REQUEST", "Invalid email format"),
    ],
)
def test_authenticate_errors(stack, org, headers, body, status, code, detail) -> None:
    if headers == "valid":
        headers = {"X-API-Key": org.api_key}
    resp = httpx.post(f"{stack.gateway_url}/v1/authenticate", headers=headers, json=body)
    assert assert_error(resp, status, code)["detail"] == detail


def _bad_tokens(stack, org) -> dict[str, str | None]:
    secret = _secret(stack)
    return {
        "missing": None,
        "garbage": "Bearer not.a.jwt",
        "not bearer": "Basic dXNlcjpwYXNz",
        "expired": "Bearer "
        + jwt.encode(
            _claims(org.id, iat=int(time.time()) - 7200, exp=int(time.time()) - 60), secret, algorithm="HS256"
        ),
        "wrong signature": "Bearer "
        + jwt.encode(_claims(org.id), "another-secret-key-of-enough-length-xx", algorithm="HS256"),
        "alg none": "Bearer " + jwt.encode(_claims(org.id), None, algorithm="none"),
        "no jti": "Bearer "
        + jwt.encode({k: v for k, v in _claims(org.id).items() if k != "jti"}, secret, algorithm="HS256"),
    }


ROUTES = [
    ("POST", "/v1/chats/create"),
    ("GET", "/v1/chats"),
    ("DELETE", "/v1/chats"),
    ("GET", "/v1/chats/{id}"),
    ("PUT", "/v1/chats/{id}"),
    ("DELETE", "/v1/chats/{id}"),
    ("GET", "/v1/chats/{id}/uploads"),
]


@pytest.mark.parametrize(
    "case", ["missing", "garbage", "not bearer", "expired", "wrong signature", "alg none", "no jti"]
)
def test_every_protected_route_answers_401_for_each_bad_token(stack, org, case) -> None:
    with org.client() as http:
        chat_id = create_chat(http, title="Guarded")["id"]
    header = _bad_tokens(stack, org)[case]
    for method, path in ROUTES:
        headers = {} if header is None else {"Authorization": header}
        resp = httpx.request(
            method,
            stack.gateway_url + path.format(id=chat_id),
            headers=headers,
            json={"title": "x", "chat_ids": [chat_id]},
        )
        assert_error(resp, 401, "UNAUTHENTICATED")
    with org.client() as http:  # nothing happened to the chat
        assert http.get(f"/v1/chats/{chat_id}").json()["title"] == "Guarded"
