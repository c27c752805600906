"""Identifiers: UUID v4 strings everywhere (docs/api.md)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return str(uuid.uuid4())


def canonical_uuid(value: str) -> str | None:
    """The canonical form of a UUID string, or None when it is not one (so it cannot match a row)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None
