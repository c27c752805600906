"""Saved queries over HTTP through the gateway (docs/api.md): admin CRUD, member reads, isolation."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, bearer_metadata, iso_datetime, make_admin

pytestmark = pytest.mark.storage

SQL = "SELECT region, SUM(total) FROM orders WHERE EXTRACT(year FROM created_at) = {{year}} GROUP BY region"


def test_admin_crud_over_http(stack, org) -> None:
    boss_id = make_admin(stack, org.id, "boss@example.com")
    deputy_id = make_admin(stack, org.id, "deputy@example.com")
    with org.client("boss@example.com") as boss, org.client("deputy@example.com") as deputy:
        created = boss.post(
            "/v1/queries",
            json={
                "title": "Revenue by region",
                "prompt": "Show me total revenue by region for {{year}}",
                "sql": SQL,
                "description": "Yearly split",
                "keywords": ["revenue", "region"],
            },
        )
        assert created.status_code == 200, created.text
        query = created.json()
        assert set(query) == {
            "id",
            "organization_id",
            "title",
            "description",
            "prompt",
            "sql",
            "keywords",
            "parameters",
            "last_updated_by",
            "last_updated_by_name",
            "created_at",
            "updated_at",
        }
        assert query["organization_id"] == org.id and query["title"] == "Revenue by region"
        assert query["sql"] == SQL and query["parameters"] == ["year"]
        assert query["keywords"] == ["revenue", "region"] and query["description"] == "Yearly split"
        assert query["last_updated_by"] == boss_id and query["last_updated_by_name"] == "boss@example.com"
        assert query["created_at"] == query["updated_at"] and iso_datetime(query["created_at"]).tzinfo is not None
        qid = query["id"]

        assert boss.get("/v1/queries").json() == {"queries": [query]}
        assert boss.get(f"/v1/queries/{qid}").json() == query

        # A PATCH changes only what it names; parameters follow the new SQL; the editor is recorded.
        patched = deputy.patch(
            f"/v1/queries/{qid}",
            json={"title": "Revenue", "sql": "SELECT * FROM orders WHERE region = {{region}} AND y = {{year}}"},
        )
        assert patched.status_code == 200, patched.text
        updated = patched.json()
        assert updated["title"] == "Revenue" and updated["parameters"] == ["region", "year"]
        assert updated["prompt"] == query["prompt"] and updated["keywords"] == ["revenue", "region"]
        assert updated["description"] == "Yearly split"
        assert updated["last_updated_by"] == deputy_id and updated["last_updated_by_name"] == "deputy@example.com"
        assert iso_datetime(updated["updated_at"]) > iso_datetime(updated["created_at"])
        assert updated["created_at"] == query["created_at"]

        cleared = boss.patch(f"/v1/queries/{qid}", json={"keywords": []}).json()
        assert cleared["keywords"] == [] and cleared["title"] == "Revenue"

        prompt_only = boss.patch(f"/v1/queries/{qid}", json={"sql": None}).json()
        assert prompt_only["sql"] is None and prompt_only["parameters"] == []
        assert boss.get(f"/v1/queries/{qid}").json()["sql"] is None

        deleted = boss.delete(f"/v1/queries/{qid}")
        assert deleted.status_code == 204 and deleted.content == b""
        assert_error(boss.get(f"/v1/queries/{qid}"), 404, "NOT_FOUND")
        assert_error(boss.delete(f"/v1/queries/{qid}"), 404, "NOT_FOUND")
        assert boss.get("/v1/queries").json() == {"queries": []}


def test_prompt_only_queries_and_the_old_query_field(stack, org) -> None:
    make_admin(stack, org.id, "boss@example.com")
    with org.client("boss@example.com") as boss:
        query = boss.post("/v1/queries", json={"title": "Ask", "prompt": "Who bought most?"}).json()
        assert query["sql"] is None and query["parameters"] == [] and query["keywords"] == []
        assert query["description"] == ""
        # [old] clients sent the prompt as `query`.
        old = boss.post("/v1/queries", json={"title": "Old", "query": "Top customers", "sql": "SELECT 1"})
        assert old.status_code == 200 and old.json()["prompt"] == "Top customers"
        assert old.json()["parameters"] == []


def test_members_read_but_only_admins_write(stack, org) -> None:
    make_admin(stack, org.id, "boss@example.com")
    with org.client("boss@example.com") as boss, org.client("member@example.com") as member:
        query = boss.post("/v1/queries", json={"title": "T", "prompt": "P", "sql": "SELECT {{x}}"}).json()
        assert member.get("/v1/queries").json() == {"queries": [query]}
        assert member.get(f"/v1/queries/{query['id']}").json() == query

        body = assert_error(member.post("/v1/queries", json={"title": "Mine", "prompt": "P"}), 403, "FORBIDDEN")
        assert body["detail"] == "Admin privileges required"
        assert_error(member.patch(f"/v1/queries/{query['id']}", json={"title": "Mine"}), 403, "FORBIDDEN")
        assert_error(member.delete(f"/v1/queries/{query['id']}"), 403, "FORBIDDEN")
        assert boss.get("/v1/queries").json() == {"queries": [query]}


def test_a_demoted_admin_loses_write_access_at_once(stack, org) -> None:
    make_admin(stack, org.id, "former@example.com")
    with org.client("former@example.com") as former:
        assert former.post("/v1/queries", json={"title": "T", "prompt": "P"}).status_code == 200
        make_admin(stack, org.id, "former@example.com", admin=False)
        # Same token: the role is read from the database, not from the JWT.
        assert_error(former.post("/v1/queries", json={"title": "T2", "prompt": "P"}), 403, "FORBIDDEN")


def test_another_organizations_query_is_not_found(stack, org, other_org) -> None:
    make_admin(stack, org.id, "boss@example.com")
    make_admin(stack, other_org.id, "boss@example.com")
    with org.client("boss@example.com") as ours, other_org.client("boss@example.com") as theirs:
        query = ours.post("/v1/queries", json={"title": "Ours", "prompt": "P"}).json()
        assert theirs.get("/v1/queries").json() == {"queries": []}
        assert_error(theirs.get(f"/v1/queries/{query['id']}"), 404, "NOT_FOUND")
        assert_error(theirs.patch(f"/v1/queries/{query['id']}", json={"title": "Theirs"}), 404, "NOT_FOUND")
        assert_error(theirs.delete(f"/v1/queries/{query['id']}"), 404, "NOT_FOUND")
        assert ours.get(f"/v1/queries/{query['id']}").json() == query
        for bad in ("not-a-uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"):
            body = assert_error(ours.get(f"/v1/queries/{bad}"), 404, "NOT_FOUND")
            assert body["detail"] == "Saved query not found"


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE orders",
        "DELETE FROM orders WHERE id = {{id}}",
        "SELECT * FROM orders; DROP TABLE orders",
        "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
        "SELECT load_extension('/tmp/evil.so')",
        "SELECT pg_read_file('/etc/passwd')",
        "PRAGMA writable_schema = ON",
        "ATTACH DATABASE '/tmp/x.db' AS x",
    ],
)
def test_unsafe_sql_is_refused_at_save_time_and_nothing_is_stored(stack, org, sql) -> None:
    make_admin(stack, org.id, "boss@example.com")
    with org.client("boss@example.com") as boss:
        assert_error(boss.post("/v1/queries", json={"title": "T", "prompt": "P", "sql": sql}), 400, "UNSAFE_SQL")
        assert boss.get("/v1/queries").json() == {"queries": []}
        query = boss.post("/v1/queries", json={"title": "T", "prompt": "P", "sql": "SELECT 1"}).json()
        assert_error(boss.patch(f"/v1/queries/{query['id']}", json={"sql": sql}), 400, "UNSAFE_SQL")
        assert boss.get(f"/v1/queries/{query['id']}").json() == query


def test_invalid_bodies_are_400_naming_the_field(stack, org) -> None:
    make_admin(stack, org.id, "boss@example.com")
    with org.client("boss@example.com") as boss:
        for body, field in (
            ({"prompt": "P"}, "title"),
            ({"title": "   ", "prompt": "P"}, "title"),
            ({"title": "T"}, "prompt"),
            ({"title": "T", "prompt": ""}, "prompt"),
            ({"title": 5, "prompt": "P"}, "title"),
            ({"title": "T", "prompt": "P", "keywords": "revenue"}, "keywords"),
            ({"title": "T", "prompt": "P", "sql": 42}, "sql"),
        ):
            detail = assert_error(boss.post("/v1/queries", json=body), 400, "INVALID_REQUEST")["detail"]
            assert field in detail, (body, detail)
        body = assert_error(
            boss.post("/v1/queries", json={"title": "T", "prompt": "P", "sql": 'SELECT "{{col}}" FROM t'}),
            400,
            "INVALID_REQUEST",
        )
        assert "identifier" in body["detail"]
        assert_error(
            boss.post("/v1/queries", json={"title": "T", "prompt": "P", "sql": "SELEC 1"}), 400, "QUERY_FAILED"
        )
        query = boss.post("/v1/queries", json={"title": "T", "prompt": "P"}).json()
        assert_error(boss.patch(f"/v1/queries/{query['id']}", json={"title": None}), 400, "INVALID_REQUEST")
        assert_error(boss.patch(f"/v1/queries/{query['id']}", json={"prompt": " "}), 400, "INVALID_REQUEST")
        assert boss.get("/v1/queries").json() == {"queries": [query]}


def test_requests_without_a_token_are_401(stack) -> None:
    import httpx

    for method, path in (("GET", "/v1/queries"), ("POST", "/v1/queries"), ("DELETE", "/v1/queries/x")):
        resp = httpx.request(method, f"{stack.gateway_url}{path}", json={})
        assert_error(resp, 401, "UNAUTHENTICATED")


def test_saved_queries_over_grpc_with_and_without_a_mask(stack, org) -> None:
    import grpc
    from google.protobuf import field_mask_pb2

    from services.common.errors import from_rpc_error
    from services.common.gen.trellis.v1 import saved_query_pb2 as pb
    from services.common.gen.trellis.v1 import saved_query_pb2_grpc

    make_admin(stack, org.id, "boss@example.com")
    md = bearer_metadata(org.token("boss@example.com"))
    with grpc.insecure_channel(stack.chat_target) as channel:
        stub = saved_query_pb2_grpc.SavedQueryServiceStub(channel)
        created = stub.CreateSavedQuery(
            pb.CreateSavedQueryRequest(title="T", prompt="P", sql="SELECT {{a}}", keywords=["k"]), metadata=md
        )
        assert list(created.parameters) == ["a"] and created.HasField("sql")

        # Explicit mask: only the named fields change; `sql` named without a value clears it.
        mask = field_mask_pb2.FieldMask(paths=["sql"])
        cleared = stub.UpdateSavedQuery(
            pb.UpdateSavedQueryRequest(query_id=created.id, title="ignored", update_mask=mask), metadata=md
        )
        assert not cleared.HasField("sql") and cleared.title == "T" and list(cleared.parameters) == []

        # No mask (e.g. through Envoy's transcoder): the fields the request sets (AIP-134).
        implied = stub.UpdateSavedQuery(
            pb.UpdateSavedQueryRequest(query_id=created.id, title="New", sql="SELECT {{b}}"), metadata=md
        )
        assert implied.title == "New" and implied.sql == "SELECT {{b}}" and list(implied.keywords) == ["k"]

        with pytest.raises(grpc.RpcError) as info:
            stub.UpdateSavedQuery(
                pb.UpdateSavedQueryRequest(query_id=created.id, update_mask=field_mask_pb2.FieldMask(paths=["id"])),
                metadata=md,
            )
        assert from_rpc_error(info.value).code == "INVALID_REQUEST"
        with pytest.raises(grpc.RpcError) as info:
            stub.CreateSavedQuery(pb.CreateSavedQueryRequest(title="T", prompt="P", sql="DROP TABLE x"), metadata=md)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert from_rpc_error(info.value).code == "UNSAFE_SQL"
        assert stub.DeleteSavedQuery(pb.DeleteSavedQueryRequest(query_id=created.id), metadata=md) == (
            pb.DeleteSavedQueryResponse()
        )
