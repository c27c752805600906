"""HS256 JWTs carrying sub (member), org, key (the API key it came from), jti, iat and exp (docs/api.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services.common.errors import ApiError

ALGORITHM = "HS256"
TOKEN_LIFETIME = timedelta(hours=6)
_REQUIRED = ["sub", "org", "key", "jti", "iat", "exp"]
_IDS = ("sub", "org", "key", "jti")


@dataclass(frozen=True)
class Principal:
    member_id: str
    organization_id: str
    api_key_id: str  # revoking the key (or removing the member or organization) ends the token
    jti: str
    token: str


def issue(
    secret: str, member_id: str, organization_id: str, api_key_id: str, now: datetime | None = None
) -> tuple[str, datetime]:
    if not secret:
        raise ApiError("INTERNAL", "JWT signing not configured")
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + TOKEN_LIFETIME
    claims = {
        "sub": member_id,
        "org": organization_id,
        "key": api_key_id,
        "jti": str(uuid.uuid4()),
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


def verify(secret: str, token: str) -> Principal:
    """Decode and check a token; any failure is UNAUTHENTICATED (alg none included)."""
    try:
        # Pinning algorithms refuses `alg: none` and any other algorithm.
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": _REQUIRED})
    except jwt.ExpiredSignatureError:
        raise ApiError("UNAUTHENTICATED", "Token expired") from None
    except jwt.PyJWTError as exc:
        raise ApiError("UNAUTHENTICATED", f"Invalid token: {exc}") from None
    fields = [value for name in _IDS if isinstance(value := claims.get(name), str) and value]
    if len(fields) != len(_IDS):
        raise ApiError("UNAUTHENTICATED", "Invalid token: sub, org, key and jti must be strings")
    member_id, organization_id, api_key_id, jti = fields
    return Principal(member_id, organization_id, api_key_id, jti, token)


def bearer_token(header: str | None) -> str:
    if not header:
        raise ApiError("UNAUTHENTICATED", "Missing Authorization: Bearer token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("UNAUTHENTICATED", "Authorization header must be 'Bearer <token>'")
    return token.strip()
