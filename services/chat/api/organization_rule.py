"""trellis.v1.OrganizationRuleService: every RPC, reads included, needs an admin (docs/api.md)."""

from __future__ import annotations

import grpc

from services.chat.api.access import require_admin
from services.chat.api.validation import content_of
from services.chat.storage.models import OrganizationRule
from services.chat.storage.organization_rule_store import OrganizationRuleStore
from services.chat.storage.organization_store import OrganizationStore
from services.common.convert import ts
from services.common.database import run_sync
from services.common.gen.trellis.v1 import organization_rule_pb2 as pb
from services.common.gen.trellis.v1 import organization_rule_pb2_grpc as pb_grpc


class OrganizationRuleServicer(pb_grpc.OrganizationRuleServiceServicer):
    def __init__(self, organizations: OrganizationStore, rules: OrganizationRuleStore) -> None:
        self._organizations = organizations
        self._rules = rules

    async def _proto(self, row: OrganizationRule) -> pb.OrganizationRule:
        editor = await run_sync(self._organizations.get_member, row.organization_id, row.last_updated_by or "")
        return pb.OrganizationRule(
            id=row.id,
            organization_id=row.organization_id,
            content=row.content,
            created_by=row.created_by or "",
            last_updated_by=row.last_updated_by or "",
            last_updated_by_name=(editor.name or editor.email) if editor else "",
            created_at=ts(row.created_at),
            updated_at=ts(row.updated_at),
        )

    async def ListOrganizationRules(  # noqa: N802
        self, request: pb.ListOrganizationRulesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListOrganizationRulesResponse:
        who, _ = await require_admin(self._organizations)
        rows = await run_sync(self._rules.list_all, who.organization_id)
        return pb.ListOrganizationRulesResponse(organization_rules=[await self._proto(r) for r in rows])

    async def GetOrganizationRule(  # noqa: N802
        self, request: pb.GetOrganizationRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.OrganizationRule:
        who, _ = await require_admin(self._organizations)
        row = await run_sync(self._rules.get, who.organization_id, request.rule_id)
        return await self._proto(row)

    async def CreateOrganizationRule(  # noqa: N802
        self, request: pb.CreateOrganizationRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.OrganizationRule:
        who, _ = await require_admin(self._organizations)
        row = await run_sync(self._rules.create, who.organization_id, who.member_id, content_of(request.content))
        return await self._proto(row)

    async def UpdateOrganizationRule(  # noqa: N802
        self, request: pb.UpdateOrganizationRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.OrganizationRule:
        who, _ = await require_admin(self._organizations)
        row = await run_sync(
            self._rules.update, who.organization_id, who.member_id, request.rule_id, content_of(request.content)
        )
        return await self._proto(row)

    async def DeleteOrganizationRule(  # noqa: N802
        self, request: pb.DeleteOrganizationRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteOrganizationRuleResponse:
        who, _ = await require_admin(self._organizations)
        await run_sync(self._rules.delete, who.organization_id, request.rule_id)
        return pb.DeleteOrganizationRuleResponse()
