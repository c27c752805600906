"""Admin command-line tool: organizations, API keys, members and integrations.

    python -m services.chat.admin create-org --name "Acme"
    python -m services.chat.admin create-api-key --org ORG_ID       # the key is printed once
    python -m services.chat.admin create-member --org ORG_ID --email a@b.c --admin
    python -m services.chat.admin create-integration --org ORG_ID --name "Sales" --url sqlite:///path.db

It works on the Chat service's database (DATABASE_URL / CHAT_DATABASE_URL, DATA_DIR).
"""

from __future__ import annotations

import argparse
import sys

from services.chat.security.integration_urls import check_integration_url
from services.chat.security.url_cipher import UrlCipher
from services.chat.settings import ChatSettings
from services.chat.storage.models import Integration, Member, Organization
from services.chat.storage.stores import Stores, opened_stores
from services.common.errors import ApiError


def create_org(stores: Stores, name: str, org_id: str | None = None) -> Organization:
    if org_id and (existing := stores.organizations.get_organization(org_id)) is not None:
        return existing
    return stores.organizations.create_organization(name, org_id)


def create_member(stores: Stores, org_id: str, email: str, *, admin: bool) -> Member:
    return stores.organizations.upsert_member(org_id, email, role="admin" if admin else "member")


def create_integration(stores: Stores, settings: ChatSettings, org_id: str, name: str, url: str) -> Integration:
    dialect = check_integration_url(url, settings)
    cipher = UrlCipher(settings.resolved_encryption_key())
    return stores.integrations.create(org_id, name, dialect, cipher.encrypt(url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.chat.admin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-org", help="create an organization")
    p.add_argument("--name", required=True)
    p.add_argument("--id", help="fixed id (default: a new UUID)")
    p = sub.add_parser("create-api-key", help="create an API key for an organization (printed once)")
    p.add_argument("--org", required=True)
    p.add_argument("--name", default="")
    p = sub.add_parser("create-member", help="create a member (or change its role)")
    p.add_argument("--org", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--admin", action="store_true")
    p = sub.add_parser("create-integration", help="connect a database to an organization")
    p.add_argument("--org", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--url", required=True, help="SQLAlchemy URL")
    args = parser.parse_args(argv)

    settings = ChatSettings()
    with opened_stores(settings.resolved_database_url()) as stores:
        return _run(args, settings, stores)


def _run(args: argparse.Namespace, settings: ChatSettings, stores: Stores) -> int:
    try:
        if args.command == "create-org":
            org = create_org(stores, args.name, args.id)
            print(org.id)
            return 0
        if stores.organizations.get_organization(args.org) is None:
            print(f"error: organization {args.org} does not exist (create it with create-org)", file=sys.stderr)
            return 1
        if args.command == "create-api-key":
            _, key = stores.organizations.create_api_key(args.org, args.name)
            print(key)
        elif args.command == "create-member":
            member = create_member(stores, args.org, args.email, admin=args.admin)
            print(f"{member.id} {member.email} {member.role}")
        elif args.command == "create-integration":
            integration = create_integration(stores, settings, args.org, args.name, args.url)
            print(integration.id)
    except ApiError as err:
        print(f"error: {err.detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
