"""Stable error codes (docs/api.md) and their gRPC and HTTP faces.

Services raise ApiError; the gRPC bootstrap turns it into a status with
google.rpc.ErrorInfo (reason = code) and RetryInfo; the gateway reads those back.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.protobuf import duration_pb2
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2

from services.common.observability.context import current_debug_id, fresh_debug_id

ERROR_DOMAIN = "trellis.v1"
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class CodeInfo:
    grpc_code: grpc.StatusCode
    http_status: int
    retryable: bool
    error_type: str


_C = grpc.StatusCode
CODES: dict[str, CodeInfo] = {
    "INVALID_REQUEST": CodeInfo(_C.INVALID_ARGUMENT, 400, False, "client_error"),
    "MISSING_CHAT_ID": CodeInfo(_C.INVALID_ARGUMENT, 400, False, "client_error"),
    "MISSING_PARAMETER": CodeInfo(_C.INVALID_ARGUMENT, 400, False, "client_error"),
    "NOT_EDITABLE": CodeInfo(_C.FAILED_PRECONDITION, 400, False, "client_error"),
    "UNAUTHENTICATED": CodeInfo(_C.UNAUTHENTICATED, 401, False, "client_error"),
    "FORBIDDEN": CodeInfo(_C.PERMISSION_DENIED, 403, False, "client_error"),
    "CHAT_NOT_FOUND": CodeInfo(_C.NOT_FOUND, 404, False, "client_error"),
    "NOT_FOUND": CodeInfo(_C.NOT_FOUND, 404, False, "client_error"),
    "INTEGRATION_NOT_FOUND": CodeInfo(_C.NOT_FOUND, 404, False, "client_error"),
    # ABORTED is the gRPC code grpc-gateway maps to 409.
    "OPEN_CHAT_CAP": CodeInfo(_C.ABORTED, 409, False, "client_error"),
    "PAYLOAD_TOO_LARGE": CodeInfo(_C.INVALID_ARGUMENT, 413, False, "client_error"),
    "UNSUPPORTED_MEDIA_TYPE": CodeInfo(_C.INVALID_ARGUMENT, 415, False, "client_error"),
    "RATE_LIMIT": CodeInfo(_C.RESOURCE_EXHAUSTED, 429, True, "rate_limit"),
    "WS_CONNECTION_CAP": CodeInfo(_C.RESOURCE_EXHAUSTED, 429, True, "rate_limit"),
    "TURN_IN_PROGRESS": CodeInfo(_C.ABORTED, 409, False, "client_error"),  # ABORTED: 409 through Envoy too
    "UNSAFE_SQL": CodeInfo(_C.INVALID_ARGUMENT, 400, False, "client_error"),
    "QUERY_FAILED": CodeInfo(_C.INVALID_ARGUMENT, 400, False, "client_error"),
    "QUERY_TIMEOUT": CodeInfo(_C.DEADLINE_EXCEEDED, 504, True, "upstream_error"),
    "DATABASE_UNAVAILABLE": CodeInfo(_C.UNAVAILABLE, 503, True, "upstream_error"),
    "MODEL_UNAVAILABLE": CodeInfo(_C.UNAVAILABLE, 503, True, "upstream_error"),
    "MODEL_ERROR": CodeInfo(_C.UNAVAILABLE, 502, True, "upstream_error"),
    "STORAGE_UNAVAILABLE": CodeInfo(_C.UNAVAILABLE, 503, True, "upstream_error"),
    "UPSTREAM_UNAVAILABLE": CodeInfo(_C.UNAVAILABLE, 503, True, "upstream_error"),
    "INTERRUPTED": CodeInfo(_C.CANCELLED, 499, False, "client_error"),
    "INTERNAL": CodeInfo(_C.INTERNAL, 500, True, "internal_error"),
}

# grpc-gateway's DefaultHTTPStatusFromCode, for statuses that carry no stable code.
HTTP_FROM_GRPC: dict[grpc.StatusCode, int] = {
    _C.OK: 200,
    _C.CANCELLED: 499,
    _C.UNKNOWN: 500,
    _C.INVALID_ARGUMENT: 400,
    _C.DEADLINE_EXCEEDED: 504,
    _C.NOT_FOUND: 404,
    _C.ALREADY_EXISTS: 409,
    _C.PERMISSION_DENIED: 403,
    _C.UNAUTHENTICATED: 401,
    _C.RESOURCE_EXHAUSTED: 429,
    _C.FAILED_PRECONDITION: 400,
    _C.ABORTED: 409,
    _C.OUT_OF_RANGE: 400,
    _C.UNIMPLEMENTED: 501,
    _C.INTERNAL: 500,
    _C.UNAVAILABLE: 503,
    _C.DATA_LOSS: 500,
}

# Fallback stable code when a status carries no ErrorInfo (e.g. a deadline hit in transport).
CODE_FROM_GRPC: dict[grpc.StatusCode, str] = {
    _C.INVALID_ARGUMENT: "INVALID_REQUEST",
    _C.FAILED_PRECONDITION: "INVALID_REQUEST",
    _C.OUT_OF_RANGE: "INVALID_REQUEST",
    _C.NOT_FOUND: "NOT_FOUND",
    _C.UNAUTHENTICATED: "UNAUTHENTICATED",
    _C.PERMISSION_DENIED: "FORBIDDEN",
    _C.RESOURCE_EXHAUSTED: "RATE_LIMIT",
    _C.UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
    _C.DEADLINE_EXCEEDED: "UPSTREAM_UNAVAILABLE",
    _C.CANCELLED: "INTERRUPTED",
}


def new_debug_id() -> str:
    """The debug id of the request being served (observability.context), else a fresh one."""
    return current_debug_id() or fresh_debug_id()


class ApiError(Exception):
    """A failure a client should see, with a stable code from CODES."""

    def __init__(self, code: str, detail: str, *, retry_after: int | None = None, debug_id: str | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code}")
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        self.debug_id = debug_id or new_debug_id()

    @property
    def info(self) -> CodeInfo:
        return CODES[self.code]

    def to_status_proto(self) -> status_pb2.Status:
        status = status_pb2.Status(code=self.info.grpc_code.value[0], message=self.detail)
        error_info = error_details_pb2.ErrorInfo(
            reason=self.code, domain=ERROR_DOMAIN, metadata={"debug_id": self.debug_id}
        )
        status.details.add().Pack(error_info)
        if self.info.retryable:
            delay = duration_pb2.Duration(seconds=self.retry_after or 1)
            status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        return status

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        return ((STATUS_DETAILS_KEY, self.to_status_proto().SerializeToString()),)


def from_rpc_error(err: grpc.RpcError) -> ApiError:
    """Rebuild the ApiError a service raised, or map a bare gRPC status (grpc-gateway's table)."""
    code_fn = getattr(err, "code", None)
    grpc_code = code_fn() if callable(code_fn) else grpc.StatusCode.UNKNOWN
    details_fn = getattr(err, "details", None)
    message = (details_fn() if callable(details_fn) else None) or str(grpc_code)
    metadata_fn = getattr(err, "trailing_metadata", None)
    trailing = (metadata_fn() if callable(metadata_fn) else None) or ()
    for key, value in trailing:
        if key != STATUS_DETAILS_KEY:
            continue
        try:
            status = status_pb2.Status.FromString(value)
        except DecodeError:
            break  # unreadable details: fall back to the bare status code
        reason, debug_id, retry_after = None, None, None
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, debug_id = info.reason, info.metadata.get("debug_id")
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                retry_after = max(1, retry.retry_delay.seconds)
        if reason in CODES:
            return ApiError(reason, status.message or message, retry_after=retry_after, debug_id=debug_id)
    code = CODE_FROM_GRPC.get(grpc_code, "INTERNAL")
    if grpc_code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        message = f"A backing service is unavailable: {message}"
    return ApiError(code, message)


def http_status(err: ApiError) -> int:
    return err.info.http_status
