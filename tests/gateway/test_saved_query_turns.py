"""Sending with saved_query_id runs the saved SQL with bound parameters, bypassing the engine."""

from __future__ import annotations

import pytest

from tests.helpers import add_integration, assert_error, chat_messages, create_chat, make_admin, token_of
from tests.turn_clients import sse_turn, ws_turn

pytestmark = pytest.mark.storage


@pytest.fixture
def setup(stack, org):
    make_admin(stack, org.id, "boss@example.com")
    boss = org.client("boss@example.com")
    integration = add_integration(stack, org.id)
    chat = create_chat(boss, integration_id=integration)["id"]
    by_country = boss.post(
        "/v1/queries",
        json={
            "title": "Customers in a country",
            "prompt": "List customers in {{country}}",
            "sql": "SELECT name, city FROM customers WHERE country = {{country}} ORDER BY name",
        },
    ).json()
    prompt_only = boss.post("/v1/queries", json={"title": "Tables", "prompt": "which tables are there"}).json()
    yield boss, chat, by_country, prompt_only
    boss.close()


def test_saved_query_runs_with_bound_parameters(stack, setup) -> None:
    boss, chat, query, _ = setup
    assert query["parameters"] == ["country"]
    resp, events = sse_turn(
        stack.gateway_url,
        token_of(boss),
        {
            "chat_id": chat,
            "message": "Customers in Japan",
            "saved_query_id": query["id"],
            "parameters": {"country": "Japan"},
        },
    )
    assert resp.status_code == 200
    names = [n for n, _ in events]
    assert names[0] == "chat_metadata" and names[-1] == "message"
    table = next(d for n, d in events if n == "visualization")
    assert table["title"] == "Customers in a country" and table["headers"] == ["name", "city"]
    assert len(table["rows"]) > 5
    history = chat_messages(boss, chat)
    assert history[0]["content"] == "Customers in Japan"  # displayed only
    assert history[0]["metadata"]["saved_query_id"] == query["id"]
    assert history[1]["metadata"]["visualizations"] == [table]


def test_injection_through_a_parameter_is_just_data(stack, setup) -> None:
    boss, chat, query, _ = setup
    for evil in ("1; DROP TABLE customers", "Japan' OR '1'='1", "'; DROP TABLE customers; --"):
        _, events = sse_turn(
            stack.gateway_url,
            token_of(boss),
            {
                "chat_id": chat,
                "message": "x",
                "saved_query_id": query["id"],
                "parameters": {"country": evil},
            },
        )
        table = next(d for n, d in events if n == "visualization")
        assert table["rows"] == [], evil  # no customer lives in a country by that name
    _, events = sse_turn(stack.gateway_url, token_of(boss), {"chat_id": chat, "message": "how many customers"})
    assert "500 rows" in events[-1][1]["content"]  # the table is intact


def test_missing_or_extra_parameters_are_refused_before_the_stream(stack, setup) -> None:
    boss, chat, query, _ = setup
    before = chat_messages(boss, chat)
    resp, _ = sse_turn(
        stack.gateway_url, token_of(boss), {"chat_id": chat, "message": "x", "saved_query_id": query["id"]}
    )
    assert_error(resp, 400, "MISSING_PARAMETER")
    assert "country" in resp.json()["detail"]
    resp, _ = sse_turn(
        stack.gateway_url,
        token_of(boss),
        {
            "chat_id": chat,
            "message": "x",
            "saved_query_id": query["id"],
            "parameters": {"country": "Japan", "limit": "5"},
        },
    )
    assert_error(resp, 400, "INVALID_REQUEST")
    assert "limit" in resp.json()["detail"]
    resp, _ = sse_turn(
        stack.gateway_url,
        token_of(boss),
        {"chat_id": chat, "message": "x", "saved_query_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
    )
    assert_error(resp, 404, "NOT_FOUND")
    assert chat_messages(boss, chat) == before  # nothing stored


def test_prompt_only_saved_query_goes_to_the_engine(stack, setup) -> None:
    boss, chat, _, prompt_only = setup
    events = ws_turn(
        stack.gateway_url,
        token_of(boss),
        {"chat_id": chat, "message": "Show the tables", "saved_query_id": prompt_only["id"]},
    )
    assert events[-1][0] == "message" and "tables:" in events[-1][1]["content"]


def test_members_can_run_saved_queries(stack, org, setup) -> None:
    _, _, query, _ = setup
    with org.client("member@example.com") as member:
        chat = create_chat(member, integration_id=add_integration(stack, org.id))["id"]
        _, events = sse_turn(
            stack.gateway_url,
            token_of(member),
            {"chat_id": chat, "message": "x", "saved_query_id": query["id"], "parameters": {"country": "France"}},
        )
    assert events[-1][0] == "message"
