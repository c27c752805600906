"""A service vouching to another that the caller may act on a resource: an HMAC-SHA256, keyed with
the JWT secret the services share, of a purpose, the caller and the resource. The receiving service
checks it instead of asking back (e.g. for a chat that is being created in the same request)."""

from __future__ import annotations

import hashlib
import hmac


def grant(secret: str, purpose: str, *parts: str) -> str:
    message = "\x1f".join((purpose, *parts)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_granted(secret: str, value: str, purpose: str, *parts: str) -> bool:
    return bool(secret) and hmac.compare_digest(value.encode(), grant(secret, purpose, *parts).encode())


# Purposes of the grants the Chat service gives the Upload service about an Open WebUI chat's images.
CHAT_IMAGE_READ = "chat-image-read"  # SignChatImages: the caller may read a document of the chat
CHAT_IMAGE_COPY = "chat-image-copy"  # CopyChatImages: the caller is making a clone or fork of it
