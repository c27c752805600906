"""Role checks. The role lives in the database, not the JWT, so a demotion takes effect at once."""

from __future__ import annotations

from services.chat.storage.models import Member
from services.chat.storage.organization_store import OrganizationStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.jwt_tokens import Principal


async def require_admin(organizations: OrganizationStore) -> tuple[Principal, Member]:
    who = current_principal()
    member = await run_sync(organizations.get_member, who.organization_id, who.member_id)
    if member is None or member.role != "admin":
        raise ApiError("FORBIDDEN", "Admin privileges required")
    return who, member
