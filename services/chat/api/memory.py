"""trellis.v1.UserMemoryService (own memories) and AdminMemoryService (any member's; admin only)."""

from __future__ import annotations

import grpc

from services.chat.api.access import require_admin
from services.chat.api.validation import content_of
from services.chat.storage.memory_store import MemoryStore
from services.chat.storage.models import UserMemory
from services.chat.storage.organization_store import OrganizationStore
from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import memory_pb2, memory_pb2_grpc

MAX_PER_MEMBER = 200


def memory_proto(row: UserMemory) -> memory_pb2.UserMemory:
    return memory_pb2.UserMemory(
        id=row.id,
        organization_id=row.organization_id,
        member_id=row.member_id,
        content=row.content,
        created_at=ts(row.created_at),
        updated_at=ts(row.updated_at),
    )


async def _create(memories: MemoryStore, org_id: str, member_id: str, content: str) -> UserMemory:
    if len(await run_sync(memories.list_for, org_id, member_id)) >= MAX_PER_MEMBER:
        raise ApiError("INVALID_REQUEST", f"A member can have at most {MAX_PER_MEMBER} memories")
    return await run_sync(memories.create, org_id, member_id, content_of(content))


class UserMemoryServicer(memory_pb2_grpc.UserMemoryServiceServicer):
    def __init__(self, memories: MemoryStore) -> None:
        self._memories = memories

    async def ListUserMemories(  # noqa: N802
        self, request: memory_pb2.ListUserMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.ListUserMemoriesResponse:
        who = current_principal()
        rows = await run_sync(self._memories.list_for, who.organization_id, who.member_id)
        return memory_pb2.ListUserMemoriesResponse(user_memories=[memory_proto(r) for r in rows])

    async def GetUserMemory(  # noqa: N802
        self, request: memory_pb2.GetUserMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.UserMemory:
        who = current_principal()
        row = await run_sync(self._memories.get, who.organization_id, who.member_id, request.memory_id)
        return memory_proto(row)

    async def CreateUserMemory(  # noqa: N802
        self, request: memory_pb2.CreateUserMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.UserMemory:
        who = current_principal()
        row = await _create(self._memories, who.organization_id, who.member_id, request.content)
        return memory_proto(row)

    async def UpdateUserMemory(  # noqa: N802
        self, request: memory_pb2.UpdateUserMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.UserMemory:
        who = current_principal()
        row = await run_sync(
            self._memories.update, who.organization_id, who.member_id, request.memory_id, content_of(request.content)
        )
        return memory_proto(row)

    async def DeleteUserMemory(  # noqa: N802
        self, request: memory_pb2.DeleteUserMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.DeleteUserMemoryResponse:
        who = current_principal()
        await run_sync(self._memories.delete, who.organization_id, who.member_id, request.memory_id)
        return memory_pb2.DeleteUserMemoryResponse()


class AdminMemoryServicer(memory_pb2_grpc.AdminMemoryServiceServicer):
    def __init__(self, organizations: OrganizationStore, memories: MemoryStore) -> None:
        self._organizations = organizations
        self._memories = memories

    async def _member(self, member_id: str) -> tuple[str, str]:
        """(organization, member) after checking the caller is an admin and the member is theirs."""
        who, _ = await require_admin(self._organizations)
        if not member_id:
            raise ApiError("INVALID_REQUEST", "member_id: required")
        member = await run_sync(self._organizations.get_member, who.organization_id, member_id)
        if member is None:
            raise ApiError("NOT_FOUND", "Member not found")
        return who.organization_id, member.id

    async def ListMemberMemories(  # noqa: N802
        self, request: memory_pb2.ListMemberMemoriesRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.ListMemberMemoriesResponse:
        org_id, member_id = await self._member(request.member_id)
        rows = await run_sync(self._memories.list_for, org_id, member_id)
        return memory_pb2.ListMemberMemoriesResponse(user_memories=[memory_proto(r) for r in rows])

    async def CreateMemberMemory(  # noqa: N802
        self, request: memory_pb2.CreateMemberMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.UserMemory:
        org_id, member_id = await self._member(request.member_id)
        row = await _create(self._memories, org_id, member_id, request.content)
        return memory_proto(row)

    async def UpdateMemberMemory(  # noqa: N802
        self, request: memory_pb2.UpdateMemberMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.UserMemory:
        org_id, member_id = await self._member(request.member_id)
        row = await run_sync(self._memories.update, org_id, member_id, request.memory_id, content_of(request.content))
        return memory_proto(row)

    async def DeleteMemberMemory(  # noqa: N802
        self, request: memory_pb2.DeleteMemberMemoryRequest, context: grpc.aio.ServicerContext
    ) -> memory_pb2.DeleteMemberMemoryResponse:
        org_id, member_id = await self._member(request.member_id)
        await run_sync(self._memories.delete, org_id, member_id, request.memory_id)
        return memory_pb2.DeleteMemberMemoryResponse()
