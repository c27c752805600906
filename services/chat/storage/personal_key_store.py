"""Members' personal API keys (`sk-…`, docs/openwebui.md): one active key per member, shown once,
stored as SHA-256 (keys are 192-bit random, so no KDF is needed), revocable."""

from __future__ import annotations

import secrets

from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select, update

from services.chat.storage.models import Member, Organization, PersonalApiKey
from services.chat.storage.organization_store import hash_api_key
from services.common.database import utcnow
from services.common.ids import new_id

PERSONAL_KEY_PREFIX = "sk-"


class PersonalKeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, org_id: str, member_id: str) -> tuple[PersonalApiKey, str]:
        """A new key for the member, whose previous one is revoked; returns the row and the key."""
        key = PERSONAL_KEY_PREFIX + secrets.token_hex(24)
        with Session(self.engine, expire_on_commit=False) as s:
            self._revoke(s, org_id, member_id)
            row = PersonalApiKey(
                id=new_id(),
                organization_id=org_id,
                member_id=member_id,
                key_hash=hash_api_key(key),
                key_prefix=key[:10],
            )
            s.add(row)
            s.commit()
            return row, key

    def active(self, org_id: str, member_id: str) -> PersonalApiKey | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.exec(select(PersonalApiKey).where(*self._live(org_id, member_id))).first()

    def revoke(self, org_id: str, member_id: str) -> bool:
        with Session(self.engine) as s:
            revoked = self._revoke(s, org_id, member_id)
            s.commit()
            return revoked

    def find(self, key: str) -> PersonalApiKey | None:
        """The active key with this value, if any."""
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(PersonalApiKey).where(
                col(PersonalApiKey.key_hash) == hash_api_key(key), col(PersonalApiKey.revoked_at).is_(None)
            )
            return s.exec(stmt).first()

    def is_personal(self, key_id: str) -> bool:
        with Session(self.engine) as s:
            return s.get(PersonalApiKey, key_id) is not None

    def token_is_live(self, org_id: str, member_id: str, key_id: str) -> bool:
        """The key a token came from is the member's, active, and the member and organization exist."""
        with Session(self.engine) as s:
            stmt = (
                select(PersonalApiKey.id)
                .join(Member, col(Member.id) == col(PersonalApiKey.member_id))
                .join(Organization, col(Organization.id) == col(Member.organization_id))
                .where(col(PersonalApiKey.id) == key_id, *self._live(org_id, member_id))
            )
            return s.exec(stmt).first() is not None

    @staticmethod
    def _live(org_id: str, member_id: str) -> tuple[ColumnElement[bool], ...]:
        return (
            col(PersonalApiKey.organization_id) == org_id,
            col(PersonalApiKey.member_id) == member_id,
            col(PersonalApiKey.revoked_at).is_(None),
        )

    def _revoke(self, s: Session, org_id: str, member_id: str) -> bool:
        stmt = update(PersonalApiKey).where(*self._live(org_id, member_id)).values(revoked_at=utcnow())
        return bool(s.exec(stmt).rowcount)
