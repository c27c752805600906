"""Upload routes → trellis.v1.UploadService (docs/api.md).

POST /v1/chats/uploads streams its multipart body through `multipart_bridge` (one UploadFile call
per file, limits checked while the bytes pass). Outcome (docs/api.md): 200 with the stored files
in `uploads` and the refused ones in `errors`; when every file is refused, the status and code of
the first refusal; a request that fails as a whole keeps nothing and answers its error.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import upload_pb2
from services.common.observability.metrics import UPLOAD_BYTES, UPLOAD_DURATION, UPLOAD_FILES
from services.gateway.caller import AuthenticatedCaller, authenticate
from services.gateway.errors import error_response
from services.gateway.multipart_bridge import MultipartBridge, UploadLimits, UploadOutcome, multipart_boundary
from services.gateway.state import state_of


def upload_json(upload: upload_pb2.Upload) -> dict[str, Any]:
    """The Upload object of docs/api.md; `message_id` is null until linked."""
    return {
        "id": upload.id,
        "filename": upload.filename,
        "mime_type": upload.mime_type,
        "file_size": upload.file_size,
        "upload_type": upload.upload_type,
        "presigned_url": upload.presigned_url,
        "created_at": upload.created_at.ToJsonString(),
        "message_id": upload.message_id if upload.HasField("message_id") else None,
    }


async def receive_files(request: Request, caller: AuthenticatedCaller, *, project_id: str = "") -> UploadOutcome:
    """The multipart body's files streamed to the Upload service, under the per-token rate limit and
    the size limits: a chat's uploads (its `chat_id` field) or, with `project_id`, a project's documents."""
    state = state_of(request)
    settings = state.settings
    wait = await state.rate_limiter.hit(f"upload:{caller.principal.jti}", settings.upload_rate_per_minute, 60)
    if wait is not None:
        raise ApiError(
            "RATE_LIMIT",
            f"At most {settings.upload_rate_per_minute} upload requests per minute per token",
            retry_after=wait,
        )
    limits = UploadLimits(settings.upload_max_files, settings.upload_max_file_bytes, settings.upload_deadline)
    boundary = multipart_boundary(request.headers, limits)
    started = time.perf_counter()
    outcome = await MultipartBridge(caller, limits, project_id=project_id).run(request.stream(), boundary)
    UPLOAD_DURATION.observe(time.perf_counter() - started)
    UPLOAD_FILES.labels("stored").inc(len(outcome.stored))
    UPLOAD_FILES.labels("refused").inc(len(outcome.refused))
    UPLOAD_BYTES.inc(sum(u.file_size for u in outcome.stored))
    return outcome


def refusals_json(outcome: UploadOutcome) -> list[dict[str, str]]:
    """The `errors` of a partial success: the files refused, each with its code and why."""
    return [{"filename": r.filename, "code": r.error.code, "detail": r.error.detail} for r in outcome.refused]


async def upload_files(request: Request) -> Response:
    caller = authenticate(request)
    outcome = await receive_files(request, caller)
    if not outcome.stored:
        return error_response(outcome.refused[0].error)
    body = {
        "chat_id": outcome.stored[0].chat_id,
        "uploads": [upload_json(u) for u in outcome.stored],
        "errors": refusals_json(outcome),
    }
    return JSONResponse(body)


async def list_uploads(request: Request) -> Response:
    caller = authenticate(request)
    req = upload_pb2.ListUploadsRequest(chat_id=request.path_params["chat_id"])
    resp = await caller.unary(caller.clients.uploads.ListUploads, req)
    return JSONResponse({"chat_id": resp.chat_id, "uploads": [upload_json(u) for u in resp.uploads]})


async def delete_upload(request: Request) -> Response:
    caller = authenticate(request)
    req = upload_pb2.DeleteUploadRequest(upload_id=request.path_params["upload_id"])
    resp = await caller.unary(caller.clients.uploads.DeleteUpload, req)
    return JSONResponse({"message": resp.message})


routes = [
    Route("/v1/chats/uploads", upload_files, methods=["POST"]),
    Route("/v1/chats/{chat_id}/uploads", list_uploads, methods=["GET"]),
    Route("/v1/chats/uploads/{upload_id}", delete_upload, methods=["DELETE"]),
]
