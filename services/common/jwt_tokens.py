"""HS256 JWTs carrying sub (member), org, jti, iat and exp (docs/api.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services.common.errors import ApiError

ALGORITHM = "HS256"
TOKEN_LIFETIME = timedelta(hours=6)
_REQUIRED = ["sub", "org", "jti", "iat", "exp"]


@dataclass(frozen=True)
class Principal:
    member_id: str
    organization_id: str
    jti: str
    token: str


def issue(secret: str, member_id: str, organization_id: str, now: datetime | None = None) -> tuple[str, datetime]:
    if not secret:
        raise ApiError("INTERNAL", "JWT signing not configured")
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + TOKEN_LIFETIME
    claims = {
        "sub": member_id,
        "org": organization_id,
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
    fields = [value for name in ("sub", "org", "jti") if isinstance(value := claims.get(name), str) and value]
    if len(fields) != 3:
        raise ApiError("UNAUTHENTICATED", "Invalid token: sub, org and jti must be strings")
    return Principal(member_id=fields[0], organization_id=fields[1], jti=fields[2], token=token)


def bearer_token(header: str | None) -> str:
    if not header:
        raise ApiError("UNAUTHENTICATED", "Missing Authorization: Bearer token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("UNAUTHENTICATED", "Authorization header must be 'Bearer <token>'")
    return token.strip()
