"""Helpers for tests that need rows made by the admin tooling."""

from __future__ import annotations

from devstack.demo_db import create_demo_database
from devstack.stack import Stack
from services.chat.admin import create_integration
from services.chat.server import open_store
from services.chat.settings import ChatSettings


def add_integration(stack: Stack, org_id: str) -> str:
    settings = ChatSettings.model_validate(stack.service_env())
    path = settings.allowed_integration_dirs()[0] / "retail.db"
    if not path.exists():
        create_demo_database(path)
    store = open_store(settings)
    try:
        return create_integration(store, settings, org_id, "Retail", f"sqlite:///{path.resolve()}").id
    finally:
        store.engine.dispose()
