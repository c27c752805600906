"""The admin tool's commands that go through the services: a project's documents, and deleting a project.

A project's documents live in the Upload service, which lets only an admin of the project's
organization change them. These commands act as one: `--as EMAIL` names an admin member, and the
API key in TRELLIS_API_KEY gets the tool a token from the Chat service (AuthService.Authenticate,
as every client does). Files then go to the Upload service as the gateway sends them for
POST /v1/projects/{id}/documents: one UploadFile call per file, streamed in chunks, the type
decided by the content there, with the gateway's limits (UPLOAD_MAX_FILES, UPLOAD_MAX_FILE_BYTES,
UPLOAD_DEADLINE_SECONDS) and its partial-success answer: a file refused for itself (type, size) is
reported and the others are kept; a failure of the whole run (the project gone, not an admin, a
service down) keeps nothing of it. Deleting a project is the API's own deletion (`delete_project`).
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import grpc
from pydantic import Field

from services.chat.api.project import delete_project
from services.chat.clients.upload import UploadClient
from services.chat.settings import ChatSettings
from services.chat.storage.models import Project
from services.chat.storage.stores import Stores
from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import auth_pb2, auth_pb2_grpc, upload_pb2
from services.common.jwt_tokens import Principal

CHUNK = 256 * 1024  # bytes per UploadFile chunk, as the gateway sends them
PROGRESS_STEPS = 10  # a file of several chunks reports every tenth of the way
# Failures that concern the run, not one file: nothing of it is kept (the gateway's REQUEST_LEVEL).
RUN_LEVEL = {"NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMIT", "UPSTREAM_UNAVAILABLE"}


class AdminSettings(ChatSettings):
    """The Chat service's settings, and what these commands read besides (the gateway's variables)."""

    chat_target: str = Field(default="", alias="CHAT_GRPC_TARGET")
    api_key: str = Field(default="", alias="TRELLIS_API_KEY")
    upload_max_files: int = Field(default=5, ge=1, alias="UPLOAD_MAX_FILES")
    upload_max_file_bytes: int = Field(default=30 * 1024 * 1024, ge=1, alias="UPLOAD_MAX_FILE_BYTES")
    upload_deadline: float = Field(default=600.0, gt=0, alias="UPLOAD_DEADLINE_SECONDS")

    def resolved_chat_target(self) -> str:
        """CHAT_GRPC_TARGET, else the Chat service this tool runs next to (CHAT_GRPC_ADDRESS, on loopback)."""
        if self.chat_target:
            return self.chat_target
        host, _, port = self.address.rpartition(":")
        return f"127.0.0.1:{port}" if host in ("", "0.0.0.0", "[::]") else self.address


@dataclass(frozen=True)
class Session:
    """The admin member acting, and the Upload service as them."""

    who: Principal
    uploads: UploadClient


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def find_project(stores: Stores, org_id: str, project_id: str, *, being_deleted: bool = False) -> Project:
    try:
        return stores.projects.get(org_id, project_id, being_deleted=being_deleted)
    except ApiError as err:
        err.detail = f"{err.detail}: no project {project_id} in organization {org_id} (see list-projects)"
        raise


def check_admin(stores: Stores, settings: AdminSettings, org_id: str, email: str) -> None:
    """`email` is an admin of `org_id`, and TRELLIS_API_KEY a live key of that organization: checked here,
    before signing in, which would make `email` a member of the key's organization."""
    member = stores.organizations.find_member(org_id, email)
    if member is None or member.role != "admin":
        raise ApiError(
            "FORBIDDEN",
            f"{email} is not an admin of organization {org_id} "
            f"(make one with: create-member --org {org_id} --email {email} --admin)",
        )
    if not settings.api_key:
        raise ApiError(
            "UNAUTHENTICATED", f"set TRELLIS_API_KEY to an API key of organization {org_id} (create-api-key prints one)"
        )
    key = stores.organizations.find_api_key(settings.api_key)
    if key is None or key.organization_id != org_id:
        raise ApiError(
            "UNAUTHENTICATED",
            f"TRELLIS_API_KEY is not a live API key of organization {org_id} (create-api-key prints one)",
        )


async def sign_in(settings: AdminSettings, org_id: str, email: str) -> Principal:
    """A token for the admin `email`, from the API key in TRELLIS_API_KEY (see `check_admin`)."""
    target = settings.resolved_chat_target()
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            answer = await auth_pb2_grpc.AuthServiceStub(channel).Authenticate(
                auth_pb2.AuthenticateRequest(email=email),
                metadata=[("x-api-key", settings.api_key)],
                timeout=settings.rpc_deadline,
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None
    if answer.organization_id != org_id:
        raise ApiError("UNAUTHENTICATED", f"TRELLIS_API_KEY is a key of another organization, not of {org_id}")
    # Only the token is ever sent; the services read the rest from it.
    return Principal(answer.member_id, answer.organization_id, api_key_id="", jti="", token=answer.token)


async def _file_chunks(path: Path, size: int, report: Callable[[str], None]) -> AsyncIterator[bytes]:
    sent, step = 0, max(size // PROGRESS_STEPS, CHUNK)
    with path.open("rb") as f:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            sent += len(chunk)
            if size > CHUNK and (sent // step != (sent - len(chunk)) // step or sent == size):
                report(f"  {path.name}: {sent * 100 // size}% ({size_text(sent)} of {size_text(size)})")
            yield chunk


def _readable_files(paths: list[Path], most: int) -> None:
    if len(paths) > most:
        raise ApiError(
            "PAYLOAD_TOO_LARGE",
            f"At most {most} files per run (UPLOAD_MAX_FILES, as per API request): add the others in another run",
        )
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ApiError("INVALID_REQUEST", f"not a readable file: {', '.join(missing)} (nothing was added)")


@dataclass(frozen=True)
class Refused:
    path: Path
    error: ApiError

    def line(self) -> str:
        detail = self.error.detail.removeprefix(f"{self.path.name}: ")
        return f"refused {self.path}: {detail} ({self.error.code})"


async def add_documents(
    session: Session, settings: AdminSettings, project_id: str, paths: list[Path], out: TextIO
) -> list[Refused]:
    """Store each file as a document of the project, printing what became of it; the refused files.
    Raises the run's failure once the documents it had stored are deleted again."""
    _readable_files(paths, settings.upload_max_files)
    stored: list[upload_pb2.Upload] = []
    refused: list[Refused] = []
    for number, path in enumerate(paths, 1):
        size = path.stat().st_size
        progress(f"[{number}/{len(paths)}] {path}: sending {size_text(size)}")
        try:
            if size > settings.upload_max_file_bytes:
                limit = settings.upload_max_file_bytes / (1024 * 1024)
                raise ApiError("PAYLOAD_TOO_LARGE", f"files may be at most {limit:g} MB (UPLOAD_MAX_FILE_BYTES)")
            declared = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            header = upload_pb2.UploadHeader(
                project_id=project_id, filename=path.name, declared_type=declared, size=size
            )
            chunks = _file_chunks(path, size, progress)
            document = await session.uploads.add_document(session.who, header, chunks, settings.upload_deadline)
        except ApiError as err:
            if err.code in RUN_LEVEL:
                await _roll_back(session, project_id, stored)
                raise
            refused.append(Refused(path, err))
            print(refused[-1].line(), file=out, flush=True)
            continue
        stored.append(document)
        print(f"stored {path}: {document_line(document)}", file=out, flush=True)
    return refused


async def _roll_back(session: Session, project_id: str, stored: list[upload_pb2.Upload]) -> None:
    for document in stored:
        try:
            await session.uploads.delete_project_document(session.who, project_id, document.id)
        except ApiError as err:
            if err.code != "NOT_FOUND":  # gone with its project
                progress(f"warning: could not delete {document.filename} ({document.id}) again: {err.detail}")
        else:
            progress(f"  {document.filename}: deleted again (the run failed)")


def document_line(document: upload_pb2.Upload) -> str:
    created = document.created_at.ToDatetime().isoformat(timespec="seconds")
    return f"{document.id} {document.filename} {document.mime_type} {document.file_size} bytes {created}"


async def remove_project(session: Session, stores: Stores, project: Project) -> int:
    """The API's deletion of a project and its documents; how many documents went."""
    progress(f"deleting project {project.name} ({project.id}) and its documents")
    return await delete_project(stores.projects, session.uploads, session.who, project)
