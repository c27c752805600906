"""trellis.v1.IntegrationService: database connections; members list, admins change (docs/api.md).

The URL (with its password) is encrypted at rest and never returned.
"""

from __future__ import annotations

import grpc

from services.chat.api.access import require_admin
from services.chat.api.validation import text_field
from services.chat.engines.schema import invalidate_schema
from services.chat.security.integration_urls import check_integration_url
from services.chat.security.url_cipher import UrlCipher
from services.chat.settings import ChatSettings
from services.chat.storage.integration_store import IntegrationStore
from services.chat.storage.models import Integration
from services.chat.storage.organization_store import OrganizationStore
from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import integration_pb2 as pb
from services.common.gen.trellis.v1 import integration_pb2_grpc as pb_grpc

MAX_NAME = 200


def integration_proto(row: Integration) -> pb.Integration:
    return pb.Integration(
        id=row.id, display_name=row.display_name, type=row.type, dialect=row.dialect, created_at=ts(row.created_at)
    )


def _name(value: str) -> str:
    return text_field("display_name", value, limit=MAX_NAME)


class IntegrationServicer(pb_grpc.IntegrationServiceServicer):
    def __init__(
        self,
        organizations: OrganizationStore,
        integrations: IntegrationStore,
        cipher: UrlCipher,
        settings: ChatSettings,
    ) -> None:
        self._organizations = organizations
        self._integrations = integrations
        self._cipher = cipher
        self._settings = settings

    async def _checked(self, url: str) -> str:
        # Off the event loop: the check resolves host names.
        return await run_sync(check_integration_url, url, self._settings)

    async def ListIntegrations(  # noqa: N802
        self, request: pb.ListIntegrationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListIntegrationsResponse:
        who = current_principal()
        rows = await run_sync(self._integrations.list_all, who.organization_id)
        return pb.ListIntegrationsResponse(integrations=[integration_proto(r) for r in rows])

    async def CreateIntegration(  # noqa: N802
        self, request: pb.CreateIntegrationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Integration:
        who, _ = await require_admin(self._organizations)
        if request.type not in ("", "database"):
            raise ApiError("INVALID_REQUEST", "type: only 'database' is supported")
        name = _name(request.display_name)
        dialect = await self._checked(request.url)
        row = await run_sync(
            self._integrations.create, who.organization_id, name, dialect, self._cipher.encrypt(request.url)
        )
        return integration_proto(row)

    async def UpdateIntegration(  # noqa: N802
        self, request: pb.UpdateIntegrationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Integration:
        who, _ = await require_admin(self._organizations)
        name = _name(request.display_name) if request.HasField("display_name") else None
        dialect = encrypted = None
        if request.HasField("url"):
            dialect = await self._checked(request.url)
            encrypted = self._cipher.encrypt(request.url)
        before = await run_sync(self._integrations.get, who.organization_id, request.integration_id)
        row = await run_sync(
            self._integrations.update,
            who.organization_id,
            request.integration_id,
            display_name=name,
            dialect=dialect,
            url_encrypted=encrypted,
        )
        # Any update is also the way to ask for a fresh look at the schema (it may have changed).
        for integration in (before, row):
            if integration is not None:
                invalidate_schema(self._cipher.decrypt(integration.url_encrypted))
        return integration_proto(row)

    async def DeleteIntegration(  # noqa: N802
        self, request: pb.DeleteIntegrationRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteIntegrationResponse:
        who, _ = await require_admin(self._organizations)
        await run_sync(self._integrations.delete, who.organization_id, request.integration_id)
        return pb.DeleteIntegrationResponse(message="Integration deleted successfully")
