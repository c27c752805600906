"""The real Envoy transcodes the chat lifecycle's REST routes from the protos' http annotations,
and answers with the same data as the gateway: proof the annotations are right."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import bearer, make_admin

pytestmark = pytest.mark.storage


def test_chat_lifecycle_through_envoy_matches_the_gateway(stack, org, envoy) -> None:
    # Authenticate through Envoy: X-API-Key becomes gRPC metadata.
    auth = httpx.post(
        f"{envoy.url}/v1/authenticate", headers={"X-API-Key": org.api_key}, json={"email": "envoy@example.com"}
    )
    assert auth.status_code == 200, auth.text
    assert set(auth.json()) == {"token", "member_id", "organization_id", "expires_at"}
    headers = bearer(auth.json()["token"])
    via_envoy = httpx.Client(base_url=envoy.url, headers=headers, timeout=30)
    via_gateway = httpx.Client(base_url=stack.gateway_url, headers=headers, timeout=30)
    with via_envoy, via_gateway:
        created = via_envoy.post("/v1/chats/create", json={"title": "Through Envoy"})
        assert created.status_code == 200, created.text
        chat = created.json()
        assert chat["title"] == "Through Envoy" and chat["organization_id"] == org.id
        via_gateway.post("/v1/chats/create", json={"title": "Through the gateway"})

        for path in ("/v1/chats", "/v1/chats?page=1", f"/v1/chats/{chat['id']}"):
            a, b = via_envoy.get(path), via_gateway.get(path)
            assert a.status_code == b.status_code == 200, (path, a.text)
            assert a.json() == b.json(), path

        renamed = via_envoy.put(f"/v1/chats/{chat['id']}", json={"title": "Renamed via Envoy"})
        assert renamed.status_code == 200, renamed.text
        listed = next(c for c in via_gateway.get("/v1/chats").json()["chats"] if c["id"] == chat["id"])
        assert renamed.json() == {k: listed[k] for k in ("id", "title", "preview", "timestamp")}
        assert listed["title"] == "Renamed via Envoy"
        assert via_gateway.get(f"/v1/chats/{chat['id']}").json()["title"] == "Renamed via Envoy"

        missing = via_envoy.get("/v1/chats/6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        assert missing.status_code == 404  # gRPC NOT_FOUND, grpc-gateway's mapping

        gone = via_envoy.delete(f"/v1/chats/{chat['id']}")
        assert gone.status_code == 200 and gone.json() == {"message": "Chat deleted successfully"}

        # DELETE with a JSON body survives the proxy (docs/api.md).
        rest = [c["id"] for c in via_gateway.get("/v1/chats").json()["chats"]]
        bulk = via_envoy.request("DELETE", "/v1/chats", json={"chat_ids": [*rest, "chat_invalid"]})
        assert bulk.status_code == 200, bulk.text
        assert bulk.json() == {"deleted": rest, "not_found": ["chat_invalid"], "deleted_count": len(rest)}
        assert via_gateway.get("/v1/chats").json()["total"] == 0


def test_envoy_refuses_missing_tokens(envoy) -> None:
    resp = httpx.get(f"{envoy.url}/v1/chats")
    assert resp.status_code == 401


def test_models_route_transcodes(stack, org, envoy) -> None:
    headers = bearer(org.token())
    models = httpx.get(f"{envoy.url}/v1/models", headers=headers)
    assert models.status_code == 200
    assert models.json() == httpx.get(f"{stack.gateway_url}/v1/models", headers=headers).json()


def test_resource_routes_answer_the_resource_itself_through_envoy(stack, org, envoy) -> None:
    make_admin(stack, org.id, "envoy-admin@example.com")
    headers = bearer(org.token("envoy-admin@example.com"))
    with (
        httpx.Client(base_url=envoy.url, headers=headers, timeout=30) as via_envoy,
        httpx.Client(base_url=stack.gateway_url, headers=headers, timeout=30) as via_gateway,
    ):
        rule = via_envoy.post("/v1/organization-rules", json={"content": "Cite the source"})
        assert rule.status_code == 200, rule.text
        assert rule.json()["content"] == "Cite the source"
        assert via_gateway.get(f"/v1/organization-rules/{rule.json()['id']}").json() == rule.json()
        assert via_envoy.get(f"/v1/organization-rules/{rule.json()['id']}").json() == rule.json()
        memory = via_envoy.post("/v1/user-memories", json={"content": "Prefers tables"}).json()
        assert memory["content"] == "Prefers tables"
        assert via_envoy.get("/v1/user-memories").json() == via_gateway.get("/v1/user-memories").json()
        query = via_gateway.post("/v1/queries", json={"title": "All", "prompt": "p", "sql": "SELECT 1 AS one"}).json()
        got = via_envoy.get(f"/v1/queries/{query['id']}").json()
        assert got == via_gateway.get(f"/v1/queries/{query['id']}").json()
