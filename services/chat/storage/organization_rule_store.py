"""Persistence of organization rules (docs/api.md)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.chat.storage.models import OrganizationRule
from services.chat.storage.records import OwnedRecords
from services.common.database import utcnow
from services.common.ids import new_id


class OrganizationRuleStore(OwnedRecords[OrganizationRule]):
    model = OrganizationRule
    not_found = ("NOT_FOUND", "Organization rule not found")

    def list_all(self, org_id: str) -> list[OrganizationRule]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(OrganizationRule)
                .where(OrganizationRule.organization_id == org_id)
                .order_by(col(OrganizationRule.updated_at).desc(), col(OrganizationRule.id))
            )
            return list(s.exec(stmt).all())

    def get(self, org_id: str, rule_id: str) -> OrganizationRule:
        return self._get(org_id, rule_id)

    def create(self, org_id: str, member_id: str, content: str) -> OrganizationRule:
        now = utcnow()
        return self._insert(
            OrganizationRule(
                id=new_id(),
                organization_id=org_id,
                content=content,
                created_by=member_id,
                last_updated_by=member_id,
                created_at=now,
                updated_at=now,
            )
        )

    def update(self, org_id: str, member_id: str, rule_id: str, content: str) -> OrganizationRule:
        return self._update(org_id, rule_id, {"content": content, "last_updated_by": member_id})

    def delete(self, org_id: str, rule_id: str) -> None:
        self._delete(org_id, rule_id)
