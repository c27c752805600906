"""Stable codes travel through gRPC status details and come back with their HTTP status."""

from __future__ import annotations

import json

import grpc
import pytest

from services.common.errors import CODES, STATUS_DETAILS_KEY, ApiError, from_rpc_error
from services.gateway.errors import error_response


class FakeRpcError(grpc.RpcError):
    """What a client sees: code, details and trailing metadata (no server needed for the mapping)."""

    def __init__(self, code, details, trailing=()):
        self._code, self._details, self._trailing = code, details, trailing

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_round_trips(code) -> None:
    err = ApiError(code, "something happened", retry_after=7)
    back = from_rpc_error(FakeRpcError(err.info.grpc_code, err.detail, err.trailing_metadata()))
    assert (back.code, back.detail, back.debug_id) == (code, "something happened", err.debug_id)
    assert back.retry_after == (7 if CODES[code].retryable else None)


# Statuses of docs/api.md. Over the wire against the real stack: 409 and 429 in
# tests/gateway/test_limits.py, 404 in test_chat_access.py, 413 and 415 in test_uploads.py, NOT_EDITABLE
# in test_messages.py. QUERY_TIMEOUT and MODEL_ERROR only happen once a turn streams (an `error` event),
# so the path a failed unary call takes is followed here instead, from the service's status to the HTTP answer.
@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("OPEN_CHAT_CAP", 409),
        ("RATE_LIMIT", 429),
        ("CHAT_NOT_FOUND", 404),
        ("PAYLOAD_TOO_LARGE", 413),
        ("UNSUPPORTED_MEDIA_TYPE", 415),
        ("QUERY_TIMEOUT", 504),
        ("MODEL_ERROR", 502),
        ("NOT_EDITABLE", 400),
    ],
)
def test_a_service_error_reaches_http_with_its_contract_status(code, status) -> None:
    raised = ApiError(code, "something happened", retry_after=7)
    received = from_rpc_error(FakeRpcError(raised.info.grpc_code, raised.detail, raised.trailing_metadata()))
    resp = error_response(received)  # what the gateway answers
    assert resp.status_code == status
    body = json.loads(resp.body)
    assert {k: body.pop(k) for k in ("detail", "code", "debug_id")} == {
        "detail": "something happened",
        "code": code,
        "debug_id": raised.debug_id,
    }
    if status == 429:  # a client is told when to come back
        assert body == {"retry_after_seconds": 7} and resp.headers["retry-after"] == "7"
    else:
        assert body == {} and "retry-after" not in resp.headers


def test_bare_status_falls_back_to_grpc_gateway_table() -> None:
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "connection refused"))
    assert err.code == "UPSTREAM_UNAVAILABLE" and err.info.http_status == 503
    garbage = from_rpc_error(FakeRpcError(grpc.StatusCode.NOT_FOUND, "x", ((STATUS_DETAILS_KEY, b"\x00junk"),)))
    assert garbage.code == "NOT_FOUND"


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        ApiError("NOT_A_CODE", "x")
