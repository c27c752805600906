"""Document projects through the real Envoy: its unary routes transcode from the protos' annotations
and answer what the gateway answers; the multipart documents route is forwarded to the gateway; a
chat created on a project through Envoy answers from its documents; another organization gets 404."""

from __future__ import annotations

import httpx
import pytest

from tests.envoy.test_envoy_edge import assert_same_error, clients, sse_frames
from tests.gateway.test_projects import PRODUCTS_CSV
from tests.helpers import make_admin

pytestmark = pytest.mark.storage


def test_project_routes_through_envoy_match_the_gateway(stack, org, other_org, envoy) -> None:
    make_admin(stack, org.id, "projects-admin@example.com")
    via_envoy, via_gateway = clients(stack, envoy, org.token("projects-admin@example.com"))
    member_envoy, member_gateway = clients(stack, envoy, org.token("projects-member@example.com"))
    other_envoy, other_gateway = clients(stack, envoy, other_org.token("outsider@example.com"))
    with via_envoy, via_gateway, member_envoy, member_gateway, other_envoy, other_gateway:
        created = via_envoy.post("/v1/projects", json={"name": "Handbook", "tags": ["hr"]})
        assert created.status_code == 200, created.text
        project = created.json()
        assert set(project) == {"id", "name", "description", "tags", "created_at", "updated_at"}
        path = f"/v1/projects/{project['id']}"
        for route in ("/v1/projects", "/v1/projects?page=1", path):
            a, b = member_envoy.get(route), member_gateway.get(route)
            assert a.status_code == b.status_code == 200, (route, a.text)
            assert a.json() == b.json(), route
        assert member_envoy.get(path).json() == project

        patched = via_envoy.patch(path, json={"description": "Policies"})
        assert patched.status_code == 200 and patched.json()["description"] == "Policies"
        assert patched.json()["name"] == "Handbook" and via_gateway.get(path).json() == patched.json()

        # Documents: added through Envoy (forwarded to the gateway), listed and deleted transcoded.
        added = via_envoy.post(f"{path}/documents", files=[("files", ("products.csv", PRODUCTS_CSV, "text/csv"))])
        assert added.status_code == 200, added.text
        (document,) = added.json()["documents"]
        listed = member_envoy.get(f"{path}/documents")
        assert listed.status_code == 200, listed.text
        (item,) = listed.json()["documents"]  # every proto field of the Upload, as for chat uploads
        assert item["id"] == document["id"] and item["project_id"] == project["id"] and item["chat_id"] == ""
        assert item["storage_path"] == f"{org.id}/projects/{project['id']}/{document['id']}"

        # A chat on the project, through Envoy: answered from the CSV, with the table cited.
        chat = via_envoy.post("/v1/chats/create", json={"project_id": project["id"]})
        assert chat.status_code == 200 and chat.json()["project_id"] == project["id"], chat.text
        turn = via_envoy.post("/v1/chats", json={"chat_id": chat.json()["id"], "message": "total stock of products"})
        frames = [f["event"] for f in sse_frames(turn.text)]
        assert "155" in frames[-1]["message"]["content"] and "products.csv" in frames[-1]["message"]["content"]

        # Members read only; another organization finds nothing, through either front.
        for front in (member_envoy, member_gateway):
            assert front.patch(path, json={"name": "x"}).status_code == 403
        for method, route in (("GET", path), ("GET", f"{path}/documents"), ("DELETE", path)):
            refused = other_envoy.request(method, route), other_gateway.request(method, route)
            assert_same_error(*refused, 404, "NOT_FOUND")
        assert other_envoy.get("/v1/projects").json()["projects"] == []

        gone = via_envoy.delete(f"{path}/documents/{document['id']}")
        assert gone.status_code == 200 and gone.json() == {"message": "Document deleted successfully"}
        deleted = via_envoy.delete(path)
        assert deleted.status_code == 200 and deleted.json() == {"message": "Project deleted successfully"}
        assert_same_error(via_envoy.get(path), via_gateway.get(path), 404, "NOT_FOUND")
        assert httpx.get(document["presigned_url"]).status_code == 404
