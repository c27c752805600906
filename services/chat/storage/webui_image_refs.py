"""How a chat document stores an image that was moved to the Upload service (docs/openwebui.md):
the `data:` URL's string becomes a reference, `trellis-upload:<upload id>#sha256=<hex>`.

The digest is the image's bytes', so a client that posts the same `data:` URL again (the stock UI
sends its whole history on every save) gets the stored reference back instead of a second upload.
A reference made from a presigned URL the client echoed back carries no digest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

PREFIX = "trellis-upload:"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_REF = rf"{PREFIX}(?P<id>{_UUID})(?:#sha256=(?P<digest>[0-9a-f]{{64}}))?"
REF = re.compile(_REF)
# A reference as a whole JSON string in a serialised document (never part of a longer string).
REF_IN_JSON = re.compile(rf'"(?P<ref>{_REF})"')


class ImageRef(NamedTuple):
    text: str  # the reference as stored
    upload_id: str
    digest: str | None


def image_ref(upload_id: str, digest: str | None = None) -> str:
    return f"{PREFIX}{upload_id}" + (f"#sha256={digest}" if digest else "")


def parse_ref(text: str) -> ImageRef | None:
    match = REF.fullmatch(text)
    return ImageRef(text, match["id"], match["digest"]) if match else None


def refs_in(value: Any) -> Iterator[ImageRef]:
    """The references among the strings of a JSON value (found in its serialised form: one pass)."""
    if value is not None:
        yield from refs_in_json(json.dumps(value, ensure_ascii=False))


def refs_in_json(text: str) -> Iterator[ImageRef]:
    """The references among the strings of a serialised JSON document (a share's snapshot)."""
    for match in REF_IN_JSON.finditer(text):
        yield ImageRef(match["ref"], match["id"], match["digest"])


def replaced(value: Any, replacements: dict[str, str]) -> Any:
    """A JSON value with every string that is a key of `replacements` replaced by its value."""
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, dict):
        return {key: replaced(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [replaced(item, replacements) for item in value]
    return value
