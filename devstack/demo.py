"""Demo data for the run command: an organization, its admin, an API key and a connected database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from devstack.demo_db import create_demo_database
from services.chat.admin import create_integration, create_member, create_org
from services.chat.settings import ChatSettings
from services.chat.storage.stores import Stores, opened_stores
from services.common.secret_files import load_or_create

DEMO_ORG_ID = "org_demo"
SECOND_ORG_ID = "org_demo_second"
DEMO_INTEGRATION_NAME = "Demo retail database"


@dataclass(frozen=True)
class DemoOrg:
    organization_id: str
    api_key: str
    admin_email: str
    integration_id: str


def _ensure_key(stores: Stores, org_id: str, key: str) -> None:
    if stores.organizations.find_api_key(key) is None:
        stores.organizations.create_api_key(org_id, "demo", plaintext=key)


def setup_demo(env: dict[str, str]) -> list[DemoOrg]:
    """Idempotent: a second run on the same data directory reuses what the first created."""
    settings = ChatSettings.model_validate({k: v for k, v in env.items()})
    data_dir = settings.data_dir
    db_path = data_dir / "demo" / "retail.db"
    if not db_path.exists():
        print(f"[demo] creating demo database {db_path}", flush=True)
        counts = create_demo_database(db_path)
        print(f"[demo] {sum(counts.values())} rows in {len(counts)} tables", flush=True)
    orgs = [(DEMO_ORG_ID, "Demo Org", "DEMO_API_KEY", "DEMO_ADMIN_EMAIL", "admin@demo.example")]
    if env.get("DEMO_SECOND_ORG", "").lower() in ("1", "true", "yes"):
        orgs.append(
            (SECOND_ORG_ID, "Second Demo Org", "DEMO_SECOND_API_KEY", "DEMO_SECOND_ADMIN_EMAIL", "admin@second.example")
        )
    out = []
    with opened_stores(settings.resolved_database_url()) as stores:
        for org_id, name, key_var, email_var, default_email in orgs:
            create_org(stores, name, org_id)
            key = env.get(key_var) or load_or_create(
                data_dir, f"{org_id}_api_key", lambda: "trk_" + os.urandom(24).hex()
            )
            _ensure_key(stores, org_id, key)
            email = env.get(email_var) or default_email
            create_member(stores, org_id, email, admin=True)
            existing = [i for i in stores.integrations.list_all(org_id) if i.display_name == DEMO_INTEGRATION_NAME]
            integration = (
                existing[0]
                if existing
                else create_integration(
                    stores, settings, org_id, DEMO_INTEGRATION_NAME, f"sqlite:///{Path(db_path).resolve()}"
                )
            )
            out.append(DemoOrg(org_id, key, email, integration.id))
    return out
