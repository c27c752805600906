"""The admin tool's document commands against a running stack: add-documents streams files to the
Upload service as the API does (a chat on the project then answers from them), bad files are named
and refused, delete-project removes the project, its documents and their objects, and another
organization's project is out of reach."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import ROOT, Stack
from tests.conftest import Org
from tests.gateway.test_project_turns import HANDBOOK_PDF, WARRANTY, _ask
from tests.gateway.test_projects import PRODUCTS_CSV
from tests.helpers import assert_error, chat_stores, create_chat, make_admin, token_of
from tests.upload.helpers import stored_objects, upload_rows

pytestmark = pytest.mark.storage

ADMIN = "admin@example.com"


def admin_tool(stack: Stack, *args: str | Path, api_key: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m services.chat.admin ARGS` as an operator runs it next to the stack's services."""
    env = stack.service_env()
    env.pop("TRELLIS_API_KEY", None)
    if api_key is not None:
        env["TRELLIS_API_KEY"] = api_key
    return subprocess.run(
        [sys.executable, "-m", "services.chat.admin", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def new_project(stack: Stack, org: Org, name: str = "Handbook") -> str:
    make_admin(stack, org.id, ADMIN)
    created = admin_tool(stack, "create-project", "--org", org.id, "--name", name)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def add(stack: Stack, org: Org, project: str, *files: Path, email: str = ADMIN) -> subprocess.CompletedProcess[str]:
    return admin_tool(
        stack, "add-documents", "--org", org.id, "--project", project, "--as", email, *files, api_key=org.api_key
    )


def listed(stack: Stack, org: Org, project: str) -> list[list[str]]:
    out = admin_tool(stack, "list-documents", "--org", org.id, "--project", project, "--as", ADMIN, api_key=org.api_key)
    assert out.returncode == 0, out.stderr
    return [line.split() for line in out.stdout.splitlines()]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "handbook.pdf": HANDBOOK_PDF,
        "products.csv": PRODUCTS_CSV,
        "fake.pdf": b"not a pdf at all \x00\x01",
    }
    for name, data in paths.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in paths}


def test_added_documents_answer_a_chat_on_the_project(stack, org, files) -> None:
    project = new_project(stack, org)
    added = add(stack, org, project, files["handbook.pdf"], files["products.csv"])
    assert added.returncode == 0, added.stderr
    stored = [line.split() for line in added.stdout.splitlines()]
    assert [(s[0], s[1], s[4]) for s in stored] == [
        ("stored", f"{files['handbook.pdf']}:", "application/pdf"),
        ("stored", f"{files['products.csv']}:", "text/csv"),
    ]
    assert stored[0][5] == str(len(HANDBOOK_PDF))
    assert "[1/2]" in added.stderr and "[2/2]" in added.stderr  # progress, on stderr
    documents = listed(stack, org, project)
    assert [(d[1], d[2]) for d in documents] == [("handbook.pdf", "application/pdf"), ("products.csv", "text/csv")]

    with org.client("member@example.com") as member:
        chat = create_chat(member, project_id=project)
        answer, _ = _ask(stack, token_of(member), chat["id"], "How long is the warranty period for Widget products?")
        assert WARRANTY in answer and "handbook.pdf, page 2" in answer
        answer, _ = _ask(stack, token_of(member), chat["id"], "What is the price of the Gizmo Max?")
        assert "49.5" in answer and "products.csv" in answer

    removed = admin_tool(
        stack, "remove-document", "--org", org.id, "--project", project, "--id", documents[0][0], "--as", ADMIN,
        api_key=org.api_key,
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert [d[1] for d in listed(stack, org, project)] == ["products.csv"]


def test_a_bad_file_is_named_and_refused_alone(stack, org, files, tmp_path) -> None:
    project = new_project(stack, org)
    mixed = add(stack, org, project, files["products.csv"], files["fake.pdf"])
    assert mixed.returncode == 1
    assert mixed.stdout.startswith(f"stored {files['products.csv']}: ")
    refusal = next(line for line in mixed.stdout.splitlines() if line.startswith("refused"))
    assert refusal.startswith(f"refused {files['fake.pdf']}: ") and refusal.endswith("(UNSUPPORTED_MEDIA_TYPE)")
    assert "1 of 2 files refused" in mixed.stderr
    assert [d[1] for d in listed(stack, org, project)] == ["products.csv"]

    missing = add(stack, org, project, files["handbook.pdf"], tmp_path / "nope.pdf")
    assert missing.returncode == 1 and f"not a readable file: {tmp_path / 'nope.pdf'}" in missing.stderr
    too_many = add(stack, org, project, *[files["products.csv"]] * 6)
    assert too_many.returncode == 1 and "At most 5 files per run (UPLOAD_MAX_FILES" in too_many.stderr
    no_key = admin_tool(stack, "add-documents", "--org", org.id, "--project", project, "--as", ADMIN, files["fake.pdf"])
    assert no_key.returncode == 1 and "set TRELLIS_API_KEY" in no_key.stderr
    make_admin(stack, org.id, "member@example.com", admin=False)
    not_admin = add(stack, org, project, files["products.csv"], email="member@example.com")
    assert not_admin.returncode == 1 and "member@example.com is not an admin" in not_admin.stderr
    assert [d[1] for d in listed(stack, org, project)] == ["products.csv"]  # none of these stored anything


def test_delete_project_removes_its_documents_and_their_objects(stack, org, files) -> None:
    project = new_project(stack, org)
    assert add(stack, org, project, files["handbook.pdf"], files["products.csv"]).returncode == 0
    keys = stored_objects(stack, org.id)
    assert len(keys) == 2 and all(k.startswith(f"{org.id}/projects/{project}/") for k in keys)
    assert upload_rows(stack, org.id) > 2  # two documents and their chunks
    with org.client(ADMIN) as admin:
        chat = create_chat(admin, project_id=project)

        gone = admin_tool(stack, "delete-project", "--org", org.id, "--id", project, "--as", ADMIN, api_key=org.api_key)
        assert gone.returncode == 0, gone.stderr
        assert gone.stdout.strip() == f"project {project}: done (2 documents deleted)"
        assert stored_objects(stack, org.id) == [] and upload_rows(stack, org.id) == 0
        assert admin_tool(stack, "list-projects", "--org", org.id).stdout == ""
        assert_error(admin.get(f"/v1/projects/{project}"), 404, "NOT_FOUND")
        assert admin.get(f"/v1/chats/{chat['id']}").json()["metadata"] == {"source_type": "database"}

    again = admin_tool(stack, "delete-project", "--org", org.id, "--id", project, "--as", ADMIN, api_key=org.api_key)
    assert again.returncode == 1 and f"no project {project} in organization {org.id}" in again.stderr


def test_another_organizations_project_is_out_of_reach(stack, org, other_org, files) -> None:
    project = new_project(stack, org)
    assert add(stack, org, project, files["products.csv"]).returncode == 0
    document = listed(stack, org, project)[0][0]
    make_admin(stack, other_org.id, "intruder@example.com")
    as_intruder = ("--org", other_org.id, "--as", "intruder@example.com")
    attempts = [
        ("add-documents", *as_intruder, "--project", project, files["products.csv"]),
        ("list-documents", *as_intruder, "--project", project),
        ("remove-document", *as_intruder, "--project", project, "--id", document),
        ("delete-project", *as_intruder, "--id", project),
    ]
    for attempt in attempts:
        refused = admin_tool(stack, *attempt, api_key=other_org.api_key)
        assert refused.returncode == 1 and "Project not found" in refused.stderr, (attempt, refused.stderr)
    # Naming the organization does not help: the intruder is not its admin, their key not its key.
    in_org = admin_tool(
        stack, "list-documents", "--org", org.id, "--as", "intruder@example.com", "--project", project,
        api_key=other_org.api_key,
    )  # fmt: skip
    assert in_org.returncode == 1 and "is not an admin of organization" in in_org.stderr
    borrowed = admin_tool(
        stack, "remove-document", "--org", org.id, "--as", ADMIN, "--project", project, "--id", document,
        api_key=other_org.api_key,
    )  # fmt: skip
    assert borrowed.returncode == 1 and "TRELLIS_API_KEY is not a live API key of organization" in borrowed.stderr
    with chat_stores(stack) as stores:  # refused before signing in: the key's organization gained no member
        assert stores.organizations.find_member(other_org.id, ADMIN) is None
    assert [d[0] for d in listed(stack, org, project)] == [document]
    assert len(stored_objects(stack, org.id)) == 1
