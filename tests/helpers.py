"""Helpers for tests that need rows made by the admin tooling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from devstack.demo_db import create_demo_database
from devstack.stack import Stack
from services.chat.admin import create_integration, create_member
from services.chat.settings import ChatSettings
from services.chat.storage.stores import Stores, opened_stores


def stack_settings(stack: Stack) -> ChatSettings:
    return ChatSettings.model_validate(stack.service_env())


@contextmanager
def chat_stores(stack: Stack) -> Iterator[Stores]:
    """The running stack's Chat service stores, as the admin tool opens them."""
    with opened_stores(stack_settings(stack).resolved_database_url()) as stores:
        yield stores


def add_integration(stack: Stack, org_id: str) -> str:
    settings = stack_settings(stack)
    path = settings.allowed_integration_dirs()[0] / "retail.db"
    if not path.exists():
        create_demo_database(path)
    with chat_stores(stack) as stores:
        return create_integration(stores, settings, org_id, "Retail", f"sqlite:///{path.resolve()}").id


def make_admin(stack: Stack, org_id: str, email: str, *, admin: bool = True) -> str:
    """Give `email` the admin role in the organization (or take it away), as the admin tool does."""
    with chat_stores(stack) as stores:
        return create_member(stores, org_id, email, admin=admin).id
