"""Checks on text fields of requests, shared by the Chat service's servicers."""

from __future__ import annotations

from services.common.errors import ApiError


def text_field(field: str, value: str, *, limit: int, required: bool = True) -> str:
    """The stripped value; INVALID_REQUEST naming the field when blank (if required) or too long."""
    value = value.strip()
    if required and not value:
        raise ApiError("INVALID_REQUEST", f"{field}: must be a non-empty string")
    if len(value) > limit:
        raise ApiError("INVALID_REQUEST", f"{field}: at most {limit} characters")
    return value


MAX_CONTENT = 4000  # memories and organization rules


def content_of(value: str) -> str:
    """The `content` of a memory or organization rule."""
    return text_field("content", value, limit=MAX_CONTENT)
