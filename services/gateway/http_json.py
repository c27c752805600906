"""JSON ⇄ protobuf for REST routes, with the field names of the contract (proto names)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message
from starlette.requests import Request
from starlette.responses import JSONResponse

from services.common.errors import ApiError

M = TypeVar("M", bound=Message)


def to_dict(message: Message) -> dict[str, Any]:
    body: dict[str, Any] = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return body


def json_response(message: Message, status: int = 200) -> JSONResponse:
    return JSONResponse(to_dict(message), status_code=status)


async def read_json(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return {}
        raise ApiError("INVALID_REQUEST", "Request body must be a JSON object")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError("INVALID_REQUEST", f"Request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError("INVALID_REQUEST", "Request body must be a JSON object")
    return body


def required_strings(body: dict[str, Any], *names: str) -> dict[str, str]:
    """The named fields, each a required string (else a 400 naming it)."""
    for name in names:
        if not isinstance(body.get(name), str):
            raise ApiError("INVALID_REQUEST", f"{name}: required string")
    return {name: body[name] for name in names}


def optional_strings(body: dict[str, Any], *names: str) -> dict[str, str]:
    """The named fields present in the body, each a string (else a 400 naming it)."""
    for name in names:
        if name in body and not isinstance(body[name], str):
            raise ApiError("INVALID_REQUEST", f"{name}: must be a string")
    return {name: body[name] for name in names if name in body}


def parse(body: dict[str, Any], message: M, **path: str) -> M:
    """Fill `message` from body and path parameters; a bad field is a 400 naming it."""
    body = {k: v for k, v in body.items() if v is not None}
    try:
        json_format.ParseDict(body, message, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise ApiError("INVALID_REQUEST", f"Invalid request: {exc}") from None
    for key, value in path.items():
        setattr(message, key, value)
    return message
