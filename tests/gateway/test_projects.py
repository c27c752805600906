"""Document projects through the gateway: admins manage them and their documents, members read them,
another organization finds nothing (docs/api.md)."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, create_chat, iso_datetime, make_admin
from tests.upload.samples import pdf_pages, png_bytes

pytestmark = pytest.mark.storage

PRODUCTS_CSV = b"product,category,price,stock\nWidget Pro,Tools,19.99,120\nGizmo Max,Gadgets,49.50,35\n"
NOTES_MD = "# Returns\n\nReturns are accepted within 30 days.\n\n# Shipping\n\nShipping is free over 50 euros.\n"


def admin_client(stack, org, email: str = "admin@example.com") -> httpx.Client:
    make_admin(stack, org.id, email)
    return org.client(email)


def create_project(http: httpx.Client, **fields) -> dict:
    resp = http.post("/v1/projects", json={"name": "Handbook", **fields})
    assert resp.status_code == 200, resp.text
    return resp.json()


def add_documents(http: httpx.Client, project_id: str, *files: tuple) -> httpx.Response:
    return http.post(f"/v1/projects/{project_id}/documents", files=[("files", f) for f in files])


def test_an_admin_manages_projects_and_members_read_them(stack, org) -> None:
    with admin_client(stack, org) as admin, org.client("member@example.com") as member:
        created = create_project(admin, description="Policies", tags=["hr", " policy ", "hr"])
        assert set(created) == {"id", "name", "description", "tags", "created_at", "updated_at"}
        assert created["name"] == "Handbook" and created["tags"] == ["hr", "policy"]
        assert iso_datetime(created["created_at"]) == iso_datetime(created["updated_at"])

        assert member.get(f"/v1/projects/{created['id']}").json() == created
        listed = member.get("/v1/projects").json()
        assert listed == {"projects": [created], "total": 1, "page": 1, "page_size": 20, "has_more": False}

        renamed = admin.patch(f"/v1/projects/{created['id']}", json={"name": "Handbook 2026", "tags": None})
        assert renamed.status_code == 200, renamed.text
        body = renamed.json()
        assert body["name"] == "Handbook 2026" and body["tags"] == [] and body["description"] == "Policies"
        assert iso_datetime(body["updated_at"]) > iso_datetime(created["updated_at"])

        # Members read, never change.
        assert_error(member.post("/v1/projects", json={"name": "Mine"}), 403, "FORBIDDEN")
        assert_error(member.patch(f"/v1/projects/{created['id']}", json={"name": "x"}), 403, "FORBIDDEN")
        assert_error(member.delete(f"/v1/projects/{created['id']}"), 403, "FORBIDDEN")
        refused = add_documents(member, created["id"], ("a.csv", PRODUCTS_CSV, "text/csv"))
        assert_error(refused, 403, "FORBIDDEN")

        # Bad input names the field.
        assert_error(admin.post("/v1/projects", json={}), 400, "INVALID_REQUEST")
        assert_error(admin.post("/v1/projects", json={"name": "  "}), 400, "INVALID_REQUEST")
        assert_error(admin.post("/v1/projects", json={"name": "x", "tags": "hr"}), 400, "INVALID_REQUEST")
        assert_error(admin.post("/v1/projects", json={"name": "x" * 201}), 400, "INVALID_REQUEST")
        assert_error(admin.patch(f"/v1/projects/{created['id']}", json={"name": None}), 400, "INVALID_REQUEST")
        assert_error(admin.get("/v1/projects?page=two"), 400, "INVALID_REQUEST")
        assert_error(admin.get("/v1/projects/not-a-uuid"), 404, "NOT_FOUND")

        gone = admin.delete(f"/v1/projects/{created['id']}")
        assert gone.status_code == 200 and gone.json() == {"message": "Project deleted successfully"}
        assert_error(member.get(f"/v1/projects/{created['id']}"), 404, "NOT_FOUND")
        assert member.get("/v1/projects").json()["total"] == 0


def test_projects_are_paged_most_recently_updated_first(stack, org) -> None:
    with admin_client(stack, org) as admin:
        ids = [create_project(admin, name=f"P{i}")["id"] for i in range(21)]
        admin.patch(f"/v1/projects/{ids[0]}", json={"description": "touched"})
        first = admin.get("/v1/projects").json()
        assert first["total"] == 21 and first["has_more"] and len(first["projects"]) == 20
        assert first["projects"][0]["id"] == ids[0]
        second = admin.get("/v1/projects?page=2").json()
        assert [p["id"] for p in second["projects"]] == [ids[1]] and not second["has_more"]


def test_documents_are_stored_parsed_listed_and_deleted(stack, org) -> None:
    with admin_client(stack, org) as admin, org.client("member@example.com") as member:
        project = create_project(admin)
        pdf = pdf_pages([["Employee handbook"], ["The warranty period for all Widget products is 24 months."]])
        resp = add_documents(
            admin,
            project["id"],
            ("handbook.pdf", pdf, "application/pdf"),
            ("products.csv", PRODUCTS_CSV, "text/csv"),
            ("notes.md", NOTES_MD.encode(), "text/markdown"),
            ("readme.txt", b"Plain, text, with commas\nsecond, line, here\n"),
            ("logo.png", png_bytes(), "image/png"),
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["errors"] == []
        kinds = {d["filename"]: (d["mime_type"], d["upload_type"]) for d in body["documents"]}
        assert kinds == {
            "handbook.pdf": ("application/pdf", "document"),
            "products.csv": ("text/csv", "document"),
            "notes.md": ("text/markdown", "document"),
            "readme.txt": ("text/plain", "document"),
            "logo.png": ("image/png", "image"),
        }
        first = body["documents"][0]
        assert set(first) == {
            "id", "project_id", "filename", "mime_type", "file_size", "upload_type", "presigned_url", "created_at"
        }  # fmt: skip
        assert first["project_id"] == project["id"] and first["file_size"] == len(pdf)
        assert httpx.get(first["presigned_url"]).content == pdf

        listed = member.get(f"/v1/projects/{project['id']}/documents").json()
        assert listed["project_id"] == project["id"]
        assert {d["id"] for d in listed["documents"]} == {d["id"] for d in body["documents"]}

        # Documents are not anyone's chat uploads.
        assert_error(admin.delete(f"/v1/chats/uploads/{first['id']}"), 404, "NOT_FOUND")
        assert_error(member.delete(f"/v1/projects/{project['id']}/documents/{first['id']}"), 403, "FORBIDDEN")
        gone = admin.delete(f"/v1/projects/{project['id']}/documents/{first['id']}")
        assert gone.status_code == 200 and gone.json() == {"message": "Document deleted successfully"}
        assert httpx.get(first["presigned_url"]).status_code == 404
        assert_error(admin.delete(f"/v1/projects/{project['id']}/documents/{first['id']}"), 404, "NOT_FOUND")
        assert len(member.get(f"/v1/projects/{project['id']}/documents").json()["documents"]) == 4


def test_documents_take_the_chat_uploads_limits_and_partial_success(stack, org) -> None:
    with admin_client(stack, org) as admin:
        project = create_project(admin)
        mixed = add_documents(
            admin,
            project["id"],
            ("good.csv", PRODUCTS_CSV, "text/csv"),
            ("fake.pdf", b"not a pdf at all \x00\x01", "application/pdf"),
        )
        assert mixed.status_code == 200, mixed.text
        assert [d["filename"] for d in mixed.json()["documents"]] == ["good.csv"]
        assert [(e["filename"], e["code"]) for e in mixed.json()["errors"]] == [("fake.pdf", "UNSUPPORTED_MEDIA_TYPE")]
        refused = add_documents(admin, project["id"], ("x.json", b'{"a": 1}', "application/json"))
        assert_error(refused, 415, "UNSUPPORTED_MEDIA_TYPE")
        too_many = add_documents(admin, project["id"], *[(f"{i}.csv", PRODUCTS_CSV, "text/csv") for i in range(6)])
        assert_error(too_many, 413, "PAYLOAD_TOO_LARGE")
        assert_error(admin.post(f"/v1/projects/{project['id']}/documents", files=[]), 400, "INVALID_REQUEST")
        # A request that fails as a whole keeps nothing.
        assert len(admin.get(f"/v1/projects/{project['id']}/documents").json()["documents"]) == 1


def test_deleting_a_project_deletes_its_documents_and_detaches_its_chats(stack, org) -> None:
    with admin_client(stack, org) as admin:
        project = create_project(admin)
        stored = add_documents(admin, project["id"], ("products.csv", PRODUCTS_CSV, "text/csv")).json()["documents"]
        chat = create_chat(admin, project_id=project["id"])
        assert chat["project_id"] == project["id"]
        assert admin.delete(f"/v1/projects/{project['id']}").status_code == 200
        assert httpx.get(stored[0]["presigned_url"]).status_code == 404
        detached = admin.get(f"/v1/chats/{chat['id']}").json()
        assert "project_id" not in detached and detached["metadata"] == {"source_type": "database"}


def test_another_organization_gets_404_on_every_project_route(stack, org, other_org) -> None:
    with admin_client(stack, org) as admin:
        project = create_project(admin)
        doc = add_documents(admin, project["id"], ("products.csv", PRODUCTS_CSV, "text/csv")).json()["documents"][0]
    with admin_client(stack, other_org, "intruder@example.com") as intruder:
        base = f"/v1/projects/{project['id']}"
        assert_error(intruder.get(base), 404, "NOT_FOUND")
        assert_error(intruder.patch(base, json={"name": "taken"}), 404, "NOT_FOUND")
        assert_error(intruder.delete(base), 404, "NOT_FOUND")
        assert_error(intruder.get(f"{base}/documents"), 404, "NOT_FOUND")
        assert_error(intruder.delete(f"{base}/documents/{doc['id']}"), 404, "NOT_FOUND")
        planted = add_documents(intruder, project["id"], ("x.csv", PRODUCTS_CSV, "text/csv"))
        assert_error(planted, 404, "NOT_FOUND")
        assert_error(intruder.post("/v1/chats/create", json={"project_id": project["id"]}), 404, "NOT_FOUND")
        assert intruder.get("/v1/projects").json()["projects"] == []
    with admin_client(stack, org) as admin:
        assert admin.get(f"/v1/projects/{project['id']}").json()["name"] == "Handbook"
        assert len(admin.get(f"/v1/projects/{project['id']}/documents").json()["documents"]) == 1
