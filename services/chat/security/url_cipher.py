"""Encryption at rest for integration URLs (they carry database passwords)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from services.common.errors import ApiError


class UrlCipher:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except ValueError as exc:
            raise SystemExit(f"ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes): {exc}") from None

    def encrypt(self, url: str) -> str:
        return self._fernet.encrypt(url.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ApiError("INTERNAL", "Stored credentials cannot be decrypted: was ENCRYPTION_KEY changed?") from None
