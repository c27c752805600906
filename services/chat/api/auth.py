"""trellis.v1.AuthService: API key + email → JWT (docs/api.md)."""

from __future__ import annotations

import re

import grpc

from services.chat.storage.organization_store import OrganizationStore, hash_api_key
from services.common import jwt_tokens
from services.common.auth_interceptor import current_principal, metadata_value
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import auth_pb2, auth_pb2_grpc
from services.common.ratelimit import RateLimiter

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(
        self, organizations: OrganizationStore, jwt_secret: str, limiter: RateLimiter, per_minute: int
    ) -> None:
        self._organizations = organizations
        self._secret = jwt_secret
        self._limiter = limiter
        self._per_minute = per_minute

    async def Authenticate(  # noqa: N802 - gRPC method name
        self, request: auth_pb2.AuthenticateRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.AuthenticateResponse:
        api_key = metadata_value(context, "x-api-key")
        if not api_key:
            raise ApiError("UNAUTHENTICATED", "Missing X-API-Key header")
        wait = await self._limiter.hit(f"auth:{hash_api_key(api_key)}", self._per_minute, 60)
        if wait is not None:
            raise ApiError("RATE_LIMIT", "Too many authentication requests", retry_after=wait)
        key = await run_sync(self._organizations.find_api_key, api_key)
        if key is None:
            raise ApiError("UNAUTHENTICATED", "Invalid API key")
        email = request.email.strip()
        if len(email) > 320 or not _EMAIL.match(email):
            raise ApiError("INVALID_REQUEST", "Invalid email format")
        member = await run_sync(self._organizations.upsert_member, key.organization_id, email)
        token, expires = jwt_tokens.issue(self._secret, member.id, member.organization_id, key.id)
        return auth_pb2.AuthenticateResponse(
            token=token, member_id=member.id, organization_id=member.organization_id, expires_at=ts(expires)
        )

    async def CheckToken(  # noqa: N802 - gRPC method name
        self, request: auth_pb2.CheckTokenRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.CheckTokenResponse:
        # The interceptor has verified the token and checked it is not revoked before this runs.
        who = current_principal()
        return auth_pb2.CheckTokenResponse(member_id=who.member_id, organization_id=who.organization_id)
