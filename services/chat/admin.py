"""Admin command-line tool: organizations, API keys, members, integrations, projects and their documents.

    python -m services.chat.admin create-org --name "Acme"
    python -m services.chat.admin create-api-key --org ORG_ID       # the key is printed once
    python -m services.chat.admin create-member --org ORG_ID --email a@b.c --admin
    python -m services.chat.admin create-integration --org ORG_ID --name "Sales" --url sqlite:///path.db
    python -m services.chat.admin list-api-keys --org ORG_ID
    python -m services.chat.admin revoke-api-key --org ORG_ID --id KEY_ID   # its tokens stop working
    python -m services.chat.admin remove-member --org ORG_ID --email a@b.c   # with their chats
    python -m services.chat.admin delete-org --org ORG_ID                     # with everything it owns
    python -m services.chat.admin create-project --org ORG_ID --name "Handbook" --description "HR" --tags hr,policy
    python -m services.chat.admin list-projects --org ORG_ID
    python -m services.chat.admin update-project --org ORG_ID --id PROJECT_ID --name "Handbook 2026" --tags ""

A project's documents live in the Upload service; these commands call it (and the Chat service)
as an admin member of the organization (`--as`), with an API key of the organization in
TRELLIS_API_KEY, so both services must be running (UPLOAD_GRPC_TARGET, CHAT_GRPC_TARGET):

    export TRELLIS_API_KEY=trk_...
    python -m services.chat.admin add-documents --org ORG_ID --project PROJECT_ID --as a@b.c handbook.pdf prices.csv
    python -m services.chat.admin list-documents --org ORG_ID --project PROJECT_ID --as a@b.c
    python -m services.chat.admin remove-document --org ORG_ID --project PROJECT_ID --id DOCUMENT_ID --as a@b.c
    python -m services.chat.admin delete-project --org ORG_ID --id PROJECT_ID --as a@b.c   # with its documents

add-documents takes what POST /v1/projects/{id}/documents takes (at most UPLOAD_MAX_FILES files of
at most UPLOAD_MAX_FILE_BYTES, typed by their content) and prints per file what was stored or why
it was refused; it exits 1 if any file was refused, keeping the others.

Revoking a key, removing a member or deleting an organization refuses the tokens they hold within
TOKEN_CHECK_CACHE_SECONDS (default 5 s).

It works on the Chat service's database (DATABASE_URL / CHAT_DATABASE_URL, DATA_DIR).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.chat.admin_documents import (
    AdminSettings,
    Session,
    add_documents,
    check_admin,
    document_line,
    find_project,
    remove_project,
    sign_in,
)
from services.chat.api.project import checked_changes
from services.chat.clients.upload import UploadClient
from services.chat.security.integration_urls import check_integration_url
from services.chat.security.url_cipher import UrlCipher
from services.chat.settings import ChatSettings
from services.chat.storage.models import Integration, Member, Organization, Project
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


def create_project(
    stores: Stores, org_id: str, name: str, description: str = "", tags: list[str] | None = None
) -> Project:
    fields = checked_changes({"name": name, "description": description, "tags": tags or []})
    return stores.projects.create(org_id, fields)


def _tags(value: str) -> list[str]:
    return [t for t in (part.strip() for part in value.split(",")) if t]


def _project_changes(args: argparse.Namespace) -> dict[str, object]:
    given = {"name": args.name, "description": args.description}
    changes: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if args.tags is not None:
        changes["tags"] = _tags(args.tags)
    return checked_changes(changes)


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
    p = sub.add_parser("list-api-keys", help="an organization's API keys: id, prefix, name, created, revoked")
    p.add_argument("--org", required=True)
    p = sub.add_parser("revoke-api-key", help="revoke an API key and every token it issued")
    p.add_argument("--org", required=True)
    p.add_argument("--id", required=True, help="the key's id (see list-api-keys)")
    p = sub.add_parser("remove-member", help="delete a member, their chats and memories; their tokens stop working")
    p.add_argument("--org", required=True)
    p.add_argument("--email", required=True)
    p = sub.add_parser("delete-org", help="delete an organization and everything it owns")
    p.add_argument("--org", required=True)
    p = sub.add_parser("create-project", help="create a document project (then add-documents)")
    p.add_argument("--org", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--description", default="")
    p.add_argument("--tags", default="", help="comma-separated")
    p = sub.add_parser("list-projects", help="an organization's projects: id, name, tags")
    p.add_argument("--org", required=True)
    p = sub.add_parser("update-project", help="change a project's name, description or tags")
    p.add_argument("--org", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--name")
    p.add_argument("--description")
    p.add_argument("--tags", help='comma-separated; "" clears them')
    _document_parsers(sub)
    args = parser.parse_args(argv)

    settings = AdminSettings()
    with opened_stores(settings.resolved_database_url()) as stores:
        return _run(args, settings, stores)


def _document_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands that call the services as an admin member (TRELLIS_API_KEY)."""

    def command(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text)
        p.add_argument("--org", required=True)
        p.add_argument("--as", dest="as_email", required=True, metavar="EMAIL", help="an admin member to act as")
        return p

    p = command("add-documents", "add files to a project as documents (PDF, CSV, XLSX, text, Markdown, PNG, JPEG)")
    p.add_argument("--project", required=True)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p = command("list-documents", "a project's documents: id, filename, type, size, added")
    p.add_argument("--project", required=True)
    p = command("remove-document", "delete a document of a project (its file and index entries)")
    p.add_argument("--project", required=True)
    p.add_argument("--id", required=True, help="the document's id (see list-documents)")
    p = command("delete-project", "delete a project and its documents (its chats stay, without a source)")
    p.add_argument("--id", required=True)


DOCUMENT_COMMANDS = {"add-documents", "list-documents", "remove-document", "delete-project"}


def _run(args: argparse.Namespace, settings: AdminSettings, stores: Stores) -> int:
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
        elif args.command == "list-api-keys":
            for row in stores.organizations.list_api_keys(args.org):
                revoked = row.revoked_at.isoformat() if row.revoked_at else "-"
                print(f"{row.id} {row.key_prefix}… {row.name or '-'} {row.created_at.isoformat()} revoked={revoked}")
        elif args.command == "revoke-api-key":
            return _done(stores.organizations.revoke_api_key(args.org, args.id), f"API key {args.id}")
        elif args.command == "remove-member":
            return _done(stores.organizations.remove_member(args.org, args.email), f"member {args.email}")
        elif args.command == "delete-org":
            return _done(stores.organizations.delete_organization(args.org), f"organization {args.org}")
        elif args.command in DOCUMENT_COMMANDS:
            return asyncio.run(_document_command(args, settings, stores))
        elif args.command.endswith("-project") or args.command == "list-projects":
            _project_command(args, stores)
    except ApiError as err:
        print(f"error: {err.detail}", file=sys.stderr)
        return 1
    return 0


def _project_command(args: argparse.Namespace, stores: Stores) -> None:
    def line(project: Project) -> str:
        return f"{project.id} {project.name} tags={','.join(project.tags) or '-'}"

    if args.command == "create-project":
        print(create_project(stores, args.org, args.name, args.description, _tags(args.tags)).id)
    elif args.command == "update-project":
        print(line(stores.projects.update(args.org, args.id, _project_changes(args))))
    else:
        page = 1
        while projects := stores.projects.list_page(args.org, page)[0]:
            print("\n".join(line(project) for project in projects))
            page += 1


async def _document_command(args: argparse.Namespace, settings: AdminSettings, stores: Stores) -> int:
    deleting = args.command == "delete-project"
    check_admin(stores, settings, args.org, args.as_email)
    project = find_project(stores, args.org, args.id if deleting else args.project, being_deleted=deleting)
    uploads = UploadClient(settings.upload_target, settings.rpc_deadline)
    try:
        session = Session(await sign_in(settings, args.org, args.as_email), uploads)
        if args.command == "add-documents":
            refused = await add_documents(session, settings, project.id, args.files, sys.stdout)
            if refused:
                print(f"error: {len(refused)} of {len(args.files)} files refused", file=sys.stderr)
                return 1
        elif args.command == "list-documents":
            for document in await uploads.project_documents(session.who, project.id):
                print(document_line(document))
        elif args.command == "remove-document":
            await uploads.delete_project_document(session.who, project.id, args.id)
            print(f"document {args.id}: done")
        else:
            deleted = await remove_project(session, stores, project)
            print(f"project {project.id}: done ({deleted} documents deleted)")
    except ApiError as err:
        if err.code == "UPSTREAM_UNAVAILABLE":
            err.detail += (
                f" (is the Chat service at {settings.resolved_chat_target()} (CHAT_GRPC_TARGET) and the"
                f" Upload service at {settings.upload_target} (UPLOAD_GRPC_TARGET) running?)"
            )
        raise
    finally:
        await uploads.close()
    return 0


def _done(found: bool, what: str) -> int:
    if not found:
        print(f"error: no {what} in this organization", file=sys.stderr)
        return 1
    print(f"{what}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
