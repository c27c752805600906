"""Every environment variable a settings object reads is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from services.chat.admin_documents import AdminSettings
from services.chat.settings import ChatSettings
from services.gateway.settings import GatewaySettings
from services.upload.settings import UploadSettings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def _variables(settings: type[BaseSettings]) -> set[str]:
    names: set[str] = set()
    for field in settings.model_fields.values():
        if field.alias:
            names.add(field.alias)
        if isinstance(field.validation_alias, AliasChoices):
            names |= {c for c in field.validation_alias.choices if isinstance(c, str)}
        elif isinstance(field.validation_alias, str):
            names.add(field.validation_alias)
    return names


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", DOC.read_text()))
    read = set().union(*(_variables(s) for s in (ChatSettings, UploadSettings, GatewaySettings, AdminSettings)))
    assert read, "no settings found"
    assert read - documented == set(), "document these in docs/configuration.md"
