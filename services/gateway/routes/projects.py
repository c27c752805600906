"""Project routes → trellis.v1.ProjectService, and their documents → trellis.v1.UploadService (docs/api.md).

POST /v1/projects/{project_id}/documents takes a multipart body like POST /v1/chats/uploads and goes
the same way (`uploads.receive_files`: one UploadFile call per file, with the project in its header),
with the same limits and partial-success answer, the stored files listed as `documents`.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import field_mask_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import project_pb2 as pb
from services.common.gen.trellis.v1 import upload_pb2
from services.gateway.caller import authenticate
from services.gateway.errors import error_response
from services.gateway.http_json import json_response, optional_strings, parse, read_json
from services.gateway.routes.uploads import receive_files, refusals_json, upload_json

FIELDS = ("name", "description", "tags")


def document_json(upload: upload_pb2.Upload) -> dict[str, Any]:
    """A project's Document object of docs/api.md: an upload's fields, with its project, never linked."""
    body = upload_json(upload)
    del body["message_id"]
    return {**body, "project_id": upload.project_id}


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each field's JSON type checked (a 400 naming the field)."""
    optional_strings(body, "name", "description")
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise ApiError("INVALID_REQUEST", "tags: must be a list of strings")
    return body


def _page(request: Request) -> int:
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        raise ApiError("INVALID_REQUEST", "page: must be an integer") from None
    return min(max(page, 1), 1_000_000)


async def list_projects(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.ListProjectsRequest(page=_page(request))
    return json_response(await caller.unary(caller.clients.projects.ListProjects, req))


async def get_project(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.GetProjectRequest(project_id=request.path_params["project_id"])
    return json_response(await caller.unary(caller.clients.projects.GetProject, req))


async def create_project(request: Request) -> Response:
    caller = authenticate(request)  # 401 before reading the body
    body = _checked(await read_json(request))
    if not isinstance(body.get("name"), str):
        raise ApiError("INVALID_REQUEST", "name: required string")
    req = parse({k: body[k] for k in FIELDS if k in body}, pb.CreateProjectRequest())
    return json_response(await caller.unary(caller.clients.projects.CreateProject, req))


async def update_project(request: Request) -> Response:
    caller = authenticate(request)
    body = _checked(await read_json(request))
    # Only the fields present change; `null` clears (description → "", tags → []); a null name is refused.
    mask = field_mask_pb2.FieldMask(paths=[f for f in FIELDS if f in body])
    req = parse(body, pb.UpdateProjectRequest(), project_id=request.path_params["project_id"])
    req.update_mask.CopyFrom(mask)
    return json_response(await caller.unary(caller.clients.projects.UpdateProject, req))


async def delete_project(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.DeleteProjectRequest(project_id=request.path_params["project_id"])
    return json_response(await caller.unary(caller.clients.projects.DeleteProject, req))


async def add_documents(request: Request) -> Response:
    caller = authenticate(request)
    outcome = await receive_files(request, caller, project_id=request.path_params["project_id"])
    if not outcome.stored:
        return error_response(outcome.refused[0].error)
    return JSONResponse({"documents": [document_json(d) for d in outcome.stored], "errors": refusals_json(outcome)})


async def list_documents(request: Request) -> Response:
    caller = authenticate(request)
    req = upload_pb2.ListProjectDocumentsRequest(project_id=request.path_params["project_id"])
    resp = await caller.unary(caller.clients.uploads.ListProjectDocuments, req)
    return JSONResponse({"project_id": resp.project_id, "documents": [document_json(d) for d in resp.documents]})


async def delete_document(request: Request) -> Response:
    caller = authenticate(request)
    req = upload_pb2.DeleteProjectDocumentRequest(
        project_id=request.path_params["project_id"], document_id=request.path_params["document_id"]
    )
    return json_response(await caller.unary(caller.clients.uploads.DeleteProjectDocument, req))


routes = [
    Route("/v1/projects", list_projects, methods=["GET"]),
    Route("/v1/projects", create_project, methods=["POST"]),
    Route("/v1/projects/{project_id}", get_project, methods=["GET"]),
    Route("/v1/projects/{project_id}", update_project, methods=["PATCH"]),
    Route("/v1/projects/{project_id}", delete_project, methods=["DELETE"]),
    Route("/v1/projects/{project_id}/documents", add_documents, methods=["POST"]),
    Route("/v1/projects/{project_id}/documents", list_documents, methods=["GET"]),
    Route("/v1/projects/{project_id}/documents/{document_id}", delete_document, methods=["DELETE"]),
]
