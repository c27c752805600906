"""Persistence of database integrations; the connection URL is stored encrypted."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.chat.storage.models import Chat, Integration
from services.chat.storage.records import OwnedRecords
from services.common.ids import new_id


class IntegrationStore(OwnedRecords[Integration]):
    model = Integration
    not_found = ("INTEGRATION_NOT_FOUND", "Integration not found")

    def list_all(self, org_id: str) -> list[Integration]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(Integration).where(Integration.organization_id == org_id).order_by(col(Integration.created_at))
            )
            return list(s.exec(stmt).all())

    def get(self, org_id: str, integration_id: str) -> Integration:
        return self._get(org_id, integration_id)

    def create(self, org_id: str, display_name: str, dialect: str, url_encrypted: str) -> Integration:
        return self._insert(
            Integration(
                id=new_id(),
                organization_id=org_id,
                display_name=display_name,
                dialect=dialect,
                url_encrypted=url_encrypted,
            )
        )

    def update(
        self,
        org_id: str,
        integration_id: str,
        *,
        display_name: str | None,
        dialect: str | None,
        url_encrypted: str | None,
    ) -> Integration:
        changes: dict[str, str] = {}
        if display_name is not None:
            changes["display_name"] = display_name
        if url_encrypted is not None and dialect is not None:
            changes.update(url_encrypted=url_encrypted, dialect=dialect)
        return self._update(org_id, integration_id, changes)

    def delete(self, org_id: str, integration_id: str) -> None:
        """Chats keep existing; they just lose their database (integration_id becomes null)."""
        with Session(self.engine) as s:
            row = self._owned(s, org_id, integration_id)
            for chat in s.exec(select(Chat).where(Chat.integration_id == row.id)).all():
                chat.integration_id = None  # explicit: SQLite only cascades with the pragma on
                s.add(chat)
            s.delete(row)
            s.commit()
