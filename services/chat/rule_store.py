"""Persistence of organization rules (contract §9)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.chat.models import OrganizationRule
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id


class RuleStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list_all(self, org_id: str) -> list[OrganizationRule]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(OrganizationRule)
                .where(OrganizationRule.organization_id == org_id)
                .order_by(col(OrganizationRule.updated_at).desc(), col(OrganizationRule.id))
            )
            return list(s.exec(stmt).all())

    def _owned(self, s: Session, org_id: str, rule_id: str) -> OrganizationRule:
        key = canonical_uuid(rule_id)
        row = s.get(OrganizationRule, key) if key else None
        if row is None or row.organization_id != org_id:
            raise ApiError("NOT_FOUND", "Organization rule not found")
        return row

    def get(self, org_id: str, rule_id: str) -> OrganizationRule:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._owned(s, org_id, rule_id)

    def create(self, org_id: str, member_id: str, content: str) -> OrganizationRule:
        now = utcnow()
        row = OrganizationRule(
            id=new_id(),
            organization_id=org_id,
            content=content,
            created_by=member_id,
            last_updated_by=member_id,
            created_at=now,
            updated_at=now,
        )
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.commit()
            return row

    def update(self, org_id: str, member_id: str, rule_id: str, content: str) -> OrganizationRule:
        with Session(self.engine, expire_on_commit=False) as s:
            row = self._owned(s, org_id, rule_id)
            row.content, row.last_updated_by, row.updated_at = content, member_id, utcnow()
            s.add(row)
            s.commit()
            return row

    def delete(self, org_id: str, rule_id: str) -> None:
        with Session(self.engine) as s:
            s.delete(self._owned(s, org_id, rule_id))
            s.commit()
