"""Stable codes travel through gRPC status details and come back with their HTTP status."""

from __future__ import annotations

import grpc
import pytest

from services.common.errors import CODES, STATUS_DETAILS_KEY, ApiError, from_rpc_error


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
def test_http_status_of_contract_codes(code, status) -> None:
    assert CODES[code].http_status == status


def test_bare_status_falls_back_to_grpc_gateway_table() -> None:
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "connection refused"))
    assert err.code == "UPSTREAM_UNAVAILABLE" and err.info.http_status == 503
    garbage = from_rpc_error(FakeRpcError(grpc.StatusCode.NOT_FOUND, "x", ((STATUS_DETAILS_KEY, b"\x00junk"),)))
    assert garbage.code in ("NOT_FOUND",)


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        ApiError("NOT_A_CODE", "x")
