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


def make_admin(stack: Stack, org_id: str, email: str) -> str:
    """Give `email` the admin role in the organization, as the admin tool does; returns the member id."""
    from services.chat.admin import create_member

    store = open_store(ChatSettings.model_validate(stack.service_env()))
    try:
        return create_member(store, org_id, email, admin=True).id
    finally:
        store.engine.dispose()
