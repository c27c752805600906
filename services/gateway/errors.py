"""HTTP error bodies of docs/api.md: {"detail", "code", "debug_id"} (+ Retry-After on 429)."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.errors import ApiError

log = logging.getLogger(__name__)

_HTTP_CODES = {400: "INVALID_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 429: "RATE_LIMIT"}


def error_response(err: ApiError) -> JSONResponse:
    status = err.info.http_status
    body: dict[str, object] = {"detail": err.detail, "code": err.code, "debug_id": err.debug_id}
    headers = {}
    if err.retry_after is not None and status in (429, 503):
        body["retry_after_seconds"] = err.retry_after
        headers["Retry-After"] = str(err.retry_after)
    # Every refusal leaves a line (its debug_id is the body's): WARNING for the server's faults.
    fields = {"debug_id": err.debug_id, "code": err.code, "status": status, "cause": err.detail}
    log.log(logging.WARNING if status >= 500 else logging.INFO, "request failed: %s", err.code, extra=fields)
    return JSONResponse(body, status_code=status, headers=headers)


async def api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_exception_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "INVALID_REQUEST" if exc.status_code < 500 else "INTERNAL")
    err = ApiError(code, str(exc.detail))
    response = error_response(err)
    response.status_code = exc.status_code  # e.g. 405 keeps its own status
    return response


async def unhandled_error_handler(_request: Request, exc: Exception) -> Response:
    err = ApiError("INTERNAL", "Internal error")
    log.exception("unhandled gateway error", exc_info=exc, extra={"debug_id": err.debug_id})
    return error_response(err)
