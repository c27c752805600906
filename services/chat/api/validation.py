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


def string_list(field: str, values: list[str], *, most: int, longest: int) -> list[str]:
    """The stripped values without duplicates (order kept); INVALID_REQUEST naming the field when one
    is blank or longer than `longest`, or there are more than `most`."""
    cleaned = [v.strip() for v in values]
    if any(not v or len(v) > longest for v in cleaned):
        raise ApiError("INVALID_REQUEST", f"{field}: each must be non-empty and at most {longest} characters")
    if len(cleaned) > most:
        raise ApiError("INVALID_REQUEST", f"{field}: at most {most}")
    return list(dict.fromkeys(cleaned))


MAX_CONTENT = 4000  # memories, organization rules and project descriptions


def content_of(value: str) -> str:
    """The `content` of a memory or organization rule."""
    return text_field("content", value, limit=MAX_CONTENT)
