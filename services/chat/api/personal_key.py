"""trellis.v1.PersonalKeyService: members' personal API keys (`sk-…`) and their exchange for a JWT
(docs/openwebui.md)."""

from __future__ import annotations

import grpc

from services.chat.storage.models import PersonalApiKey
from services.chat.storage.organization_store import OrganizationStore, hash_api_key
from services.chat.storage.personal_key_store import PersonalKeyStore
from services.common import jwt_tokens
from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import personal_key_pb2 as pb
from services.common.gen.trellis.v1 import personal_key_pb2_grpc
from services.common.ratelimit import RateLimiter

EXCHANGE_METHOD = "/trellis.v1.PersonalKeyService/ExchangePersonalKey"  # needs no bearer token


def _info(row: PersonalApiKey) -> pb.PersonalKey:
    return pb.PersonalKey(id=row.id, key_prefix=row.key_prefix, created_at=ts(row.created_at))


class PersonalKeyServicer(personal_key_pb2_grpc.PersonalKeyServiceServicer):
    def __init__(
        self,
        keys: PersonalKeyStore,
        organizations: OrganizationStore,
        jwt_secret: str,
        limiter: RateLimiter,
        per_minute: int,
    ) -> None:
        self._keys = keys
        self._organizations = organizations
        self._secret = jwt_secret
        self._limiter = limiter
        self._per_minute = per_minute

    async def CreatePersonalKey(  # noqa: N802
        self, request: pb.CreatePersonalKeyRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreatePersonalKeyResponse:
        who = current_principal()
        if await run_sync(self._keys.is_personal, who.api_key_id):
            raise ApiError("FORBIDDEN", "A personal API key cannot make keys: sign in to make one")
        row, key = await run_sync(self._keys.create, who.organization_id, who.member_id)
        return pb.CreatePersonalKeyResponse(key=key, info=_info(row))

    async def GetPersonalKey(  # noqa: N802
        self, request: pb.GetPersonalKeyRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPersonalKeyResponse:
        who = current_principal()
        row = await run_sync(self._keys.active, who.organization_id, who.member_id)
        if row is None:
            raise ApiError("NOT_FOUND", "No API key: create one")
        return pb.GetPersonalKeyResponse(info=_info(row))

    async def RevokePersonalKey(  # noqa: N802
        self, request: pb.RevokePersonalKeyRequest, context: grpc.aio.ServicerContext
    ) -> pb.RevokePersonalKeyResponse:
        who = current_principal()
        revoked = await run_sync(self._keys.revoke, who.organization_id, who.member_id)
        return pb.RevokePersonalKeyResponse(revoked=revoked)

    async def ExchangePersonalKey(  # noqa: N802
        self, request: pb.ExchangePersonalKeyRequest, context: grpc.aio.ServicerContext
    ) -> pb.ExchangePersonalKeyResponse:
        wait = await self._limiter.hit(f"auth:{hash_api_key(request.key)}", self._per_minute, 60)
        if wait is not None:
            raise ApiError("RATE_LIMIT", "Too many authentication requests", retry_after=wait)
        row = await run_sync(self._keys.find, request.key) if request.key else None
        member = await run_sync(self._organizations.get_member, row.organization_id, row.member_id) if row else None
        if row is None or member is None:
            raise ApiError("UNAUTHENTICATED", "Invalid API key")
        token, expires = jwt_tokens.issue(self._secret, row.member_id, row.organization_id, row.id)
        return pb.ExchangePersonalKeyResponse(
            token=token, member_id=row.member_id, organization_id=row.organization_id, expires_at=ts(expires)
        )
