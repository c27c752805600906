"""trellis.v1.ProjectService and ProjectInternalService: document projects (docs/api.md).

Any member reads projects; an admin changes them. A project of another organization is NOT_FOUND,
and that is checked before the role, so another organization learns nothing more. The documents
live in the Upload service: deleting a project deletes them there first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc

from services.chat.api.access import require_admin
from services.chat.api.validation import MAX_CONTENT, string_list, text_field
from services.chat.clients.upload import UploadClient
from services.chat.storage.models import Project
from services.chat.storage.organization_store import OrganizationStore
from services.chat.storage.project_store import EDITABLE, PAGE_SIZE, ProjectStore
from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import project_pb2, project_pb2_grpc
from services.common.jwt_tokens import Principal

MAX_NAME = 200
MAX_TAGS = 50
MAX_TAG = 100


def project_proto(row: Project) -> project_pb2.Project:
    return project_pb2.Project(
        id=row.id,
        name=row.name,
        description=row.description,
        tags=row.tags,
        created_at=ts(row.created_at),
        updated_at=ts(row.updated_at),
    )


def _name(value: str) -> str:
    return text_field("name", value, limit=MAX_NAME)


def _description(value: str) -> str:
    return text_field("description", value, limit=MAX_CONTENT, required=False)


def _tags(values: list[str]) -> list[str]:
    return string_list("tags", values, most=MAX_TAGS, longest=MAX_TAG)


def checked_changes(changes: dict[str, object]) -> dict[str, object]:
    """Editable fields (name, description, tags) checked and cleaned; INVALID_REQUEST naming a bad one.
    The admin tool uses it too."""
    checks: dict[str, Callable[[Any], object]] = {
        "name": _name,
        "description": _description,
        "tags": lambda values: _tags(list(values)),
    }
    out: dict[str, object] = {}
    for field, value in changes.items():
        if field not in checks:
            raise ApiError("INVALID_REQUEST", f"update_mask: '{field}' is not an editable field")
        out[field] = checks[field](value)
    return out


def _populated(request: project_pb2.UpdateProjectRequest) -> list[str]:
    """The implied mask of a request without update_mask (AIP-134): the fields it sets, e.g. via Envoy."""
    return [f for f in EDITABLE if getattr(request, f)]


async def changeable(
    organizations: OrganizationStore, projects: ProjectStore, project_id: str, *, being_deleted: bool = False
) -> Project:
    """The project, if it is of the caller's organization (NOT_FOUND) and the caller is an admin (FORBIDDEN);
    with `being_deleted`, also one whose deletion began."""
    who = current_principal()
    project = await run_sync(projects.get, who.organization_id, project_id, being_deleted=being_deleted)
    await require_admin(organizations)
    return project


async def delete_project(projects: ProjectStore, uploads: UploadClient, who: Principal, project: Project) -> int:
    """Delete the project and its documents (the caller an admin of its organization); how many documents
    went. The API and the admin tool both delete this way.

    Marked first (project_store.py, "Deleting"), so a document whose upload is in flight cannot outlive
    it; then the documents: if the Upload service (or storage) is down, the mark is lifted and the
    project stays as it was, and the call can be retried; then the row.
    """
    await run_sync(projects.mark_deleting, project.organization_id, project.id)
    try:
        deleted = await uploads.delete_project_documents(who, project.id)
    except BaseException:
        await asyncio.shield(run_sync(projects.mark_deleting, project.organization_id, project.id, deleting=False))
        raise
    await run_sync(projects.delete, project.organization_id, project.id)
    return deleted


class ProjectServicer(project_pb2_grpc.ProjectServiceServicer):
    def __init__(self, organizations: OrganizationStore, projects: ProjectStore, uploads: UploadClient) -> None:
        self._organizations = organizations
        self._projects = projects
        self._uploads = uploads

    async def ListProjects(  # noqa: N802
        self, request: project_pb2.ListProjectsRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.ListProjectsResponse:
        who = current_principal()
        page = max(request.page, 1)
        rows, total = await run_sync(self._projects.list_page, who.organization_id, page)
        return project_pb2.ListProjectsResponse(
            projects=[project_proto(r) for r in rows],
            total=total,
            page=page,
            page_size=PAGE_SIZE,
            has_more=page * PAGE_SIZE < total,
        )

    async def GetProject(  # noqa: N802
        self, request: project_pb2.GetProjectRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.Project:
        who = current_principal()
        return project_proto(await run_sync(self._projects.get, who.organization_id, request.project_id))

    async def CreateProject(  # noqa: N802
        self, request: project_pb2.CreateProjectRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.Project:
        who, _ = await require_admin(self._organizations)
        fields = checked_changes({"name": request.name, "description": request.description, "tags": request.tags})
        row = await run_sync(self._projects.create, who.organization_id, fields)
        return project_proto(row)

    async def UpdateProject(  # noqa: N802
        self, request: project_pb2.UpdateProjectRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.Project:
        project = await changeable(self._organizations, self._projects, request.project_id)
        paths = dict.fromkeys(request.update_mask.paths or _populated(request))
        changes = checked_changes({path: getattr(request, path, None) for path in paths})
        row = await run_sync(self._projects.update, project.organization_id, project.id, changes)
        return project_proto(row)

    async def DeleteProject(  # noqa: N802
        self, request: project_pb2.DeleteProjectRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.DeleteProjectResponse:
        project = await changeable(self._organizations, self._projects, request.project_id, being_deleted=True)
        await delete_project(self._projects, self._uploads, current_principal(), project)
        return project_pb2.DeleteProjectResponse(message="Project deleted successfully")


class ProjectInternalServicer(project_pb2_grpc.ProjectInternalServiceServicer):
    """The Upload service's question before it changes a project's documents. A project being deleted
    still answers: its deletion removes the documents through here. A new document for it is undone
    by the Upload service, which asks GetProject again once the document is committed."""

    def __init__(self, organizations: OrganizationStore, projects: ProjectStore) -> None:
        self._organizations = organizations
        self._projects = projects

    async def CheckProjectChange(  # noqa: N802
        self, request: project_pb2.CheckProjectChangeRequest, context: grpc.aio.ServicerContext
    ) -> project_pb2.Project:
        project = await changeable(self._organizations, self._projects, request.project_id, being_deleted=True)
        return project_proto(project)
