"""Persistence of organizations, their members and API keys (stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.chat.storage.models import ApiKey, Member, Organization
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import new_id

API_KEY_PREFIX = "trk_"


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class OrganizationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_organization(self, name: str, org_id: str | None = None) -> Organization:
        with Session(self.engine, expire_on_commit=False) as s:
            org = Organization(id=org_id or new_id(), name=name)
            s.add(org)
            s.commit()
            return org

    def get_organization(self, org_id: str) -> Organization | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(Organization, org_id)

    def upsert_member(self, org_id: str, email: str, *, role: str | None = None, name: str = "") -> Member:
        """Find the member by email in the organization, creating it (race-safe) if missing."""
        email = email.strip().lower()
        for _ in range(3):
            with Session(self.engine, expire_on_commit=False) as s:
                member = s.exec(select(Member).where(Member.organization_id == org_id, Member.email == email)).first()
                if member is not None:
                    if role and member.role != role:
                        member.role = role
                        s.add(member)
                        s.commit()
                    return member
                member = Member(id=new_id(), organization_id=org_id, email=email, role=role or "member", name=name)
                s.add(member)
                try:
                    s.commit()
                    return member
                except IntegrityError:
                    s.rollback()  # a concurrent authenticate created it first: read it back
        raise ApiError("INTERNAL", "Could not create member")

    def find_member(self, org_id: str, email: str) -> Member | None:
        """The member with this email in the organization, if any (never creates one)."""
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(Member).where(Member.organization_id == org_id, Member.email == email.strip().lower())
            return s.exec(stmt).first()

    def get_member(self, org_id: str, member_id: str) -> Member | None:
        with Session(self.engine, expire_on_commit=False) as s:
            member = s.get(Member, member_id)
            return member if member is not None and member.organization_id == org_id else None

    def create_api_key(self, org_id: str, name: str = "", plaintext: str | None = None) -> tuple[ApiKey, str]:
        key = plaintext or API_KEY_PREFIX + secrets.token_urlsafe(32)
        with Session(self.engine, expire_on_commit=False) as s:
            row = ApiKey(id=new_id(), organization_id=org_id, name=name, key_hash=hash_api_key(key), key_prefix=key[:8])
            s.add(row)
            s.commit()
            return row, key

    def token_is_live(self, org_id: str, member_id: str, api_key_id: str) -> bool:
        """The member, their organization and the API key the token came from all still exist."""
        with Session(self.engine) as s:
            stmt = (
                select(ApiKey.id)
                .join(Member, col(Member.organization_id) == col(ApiKey.organization_id))
                .join(Organization, col(Organization.id) == col(ApiKey.organization_id))
                .where(
                    col(ApiKey.id) == api_key_id,
                    col(ApiKey.organization_id) == org_id,
                    col(ApiKey.revoked_at).is_(None),
                    col(Member.id) == member_id,
                )
            )
            return s.exec(stmt).first() is not None

    def list_api_keys(self, org_id: str) -> list[ApiKey]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(ApiKey).where(col(ApiKey.organization_id) == org_id).order_by(col(ApiKey.created_at))
            return list(s.exec(stmt).all())

    def revoke_api_key(self, org_id: str, key_id: str) -> bool:
        """Mark the key revoked (kept for the record); False when the organization has no such key."""
        with Session(self.engine) as s:
            row = s.get(ApiKey, key_id)
            if row is None or row.organization_id != org_id:
                return False
            row.revoked_at = row.revoked_at or utcnow()
            s.add(row)
            s.commit()
            return True

    def remove_member(self, org_id: str, email: str) -> bool:
        """Delete the member (their chats, messages and memories go with them)."""
        with Session(self.engine) as s:
            row = s.exec(
                select(Member).where(col(Member.organization_id) == org_id, col(Member.email) == email.strip().lower())
            ).first()
            if row is None:
                return False
            s.delete(row)
            s.commit()
            return True

    def delete_organization(self, org_id: str) -> bool:
        """Delete the organization and everything it owns."""
        with Session(self.engine) as s:
            row = s.get(Organization, org_id)
            if row is None:
                return False
            s.delete(row)
            s.commit()
            return True

    def find_api_key(self, key: str) -> ApiKey | None:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.exec(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key))).first()
            return row if row is not None and row.revoked_at is None else None
