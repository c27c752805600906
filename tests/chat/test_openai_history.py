"""Follow-ups on the OpenAI-compatible engine: the chat's earlier questions, answers and the SQL they ran
reach the model, within OPENAI_HISTORY_TOKEN_BUDGET, oldest dropped first.

The model is the scripted server of tests/fake_openai_server.py (real HTTP); what the engine sent is
read from the requests it recorded.
"""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from services.chat.engines.base import HistoryTurn, TurnContext
from services.chat.engines.openai.engine import OpenAICompatEngine, OpenAIConfig, engines_from_settings
from services.chat.settings import ChatSettings
from tests.conftest import make_org, start_stack
from tests.fake_openai_server import text_reply, tool_reply
from tests.helpers import add_integration, chat_messages, create_chat
from tests.turn_clients import sse_turn, ws_turn

REGION_SQL = (
    "SELECT r.name AS region, COUNT(*) AS customers FROM customers AS c "
    "JOIN regions AS r ON r.id = c.region_id GROUP BY r.name ORDER BY r.name"
)
EUROPE_SQL = (
    "SELECT COUNT(*) AS customers FROM customers AS c JOIN regions AS r ON r.id = c.region_id WHERE r.name = 'Europe'"
)
TOP_SQL = (
    "SELECT r.name AS region, COUNT(*) AS customers FROM customers AS c "
    "JOIN regions AS r ON r.id = c.region_id GROUP BY r.name ORDER BY customers DESC LIMIT 1"
)
ORDERS_SQL = "SELECT COUNT(*) AS orders FROM orders"


def make_engine(base_url: str, **options) -> OpenAICompatEngine:
    return OpenAICompatEngine("scripted-model", "Scripted", OpenAIConfig(base_url=base_url, timeout=10.0, **options))


async def sent_messages(server, engine: OpenAICompatEngine, ctx: TurnContext) -> list[tuple[str, str]]:
    """Answer `ctx` and return the (role, content) list of the model's first request."""
    server.script(text_reply("Done."))
    async for _ in engine.answer(ctx):
        pass
    return [(m["role"], m["content"]) for m in server.requests[0]["json"]["messages"]]


def sql_block(sql: str) -> str:
    return f"```sql\n{sql}\n```"


def estimated(messages: list[tuple[str, str]]) -> int:
    """The documented estimate (docs/configuration.md): characters / 4 rounded up, plus 4 per message."""
    return sum(math.ceil(len(content) / 4) + 4 for _, content in messages)


# --- what reaches the model ---------------------------------------------------------------


async def test_earlier_questions_answers_and_their_sql_reach_the_model(server, database) -> None:
    shown = f"Here is the query:\n\n{sql_block(EUROPE_SQL)}\n\nEurope has 250 customers."
    history = [
        HistoryTurn("user", "Customers per region"),
        HistoryTurn("assistant", "North America leads.", {"sql": REGION_SQL, "visualizations": []}),
        HistoryTurn("user", "only Europe"),
        HistoryTurn("assistant", shown, {"sql": EUROPE_SQL}),  # the answer already shows its SQL
        HistoryTurn("user", "and their favourite colour?"),
        HistoryTurn("assistant", "I can't map that question: 'favourite colour'.", {"declined": True}),
        HistoryTurn("user", "orders?", {"uploads": []}),
        HistoryTurn("assistant", "", {"sql": ORDERS_SQL, "interrupted": True}),  # nothing was said
    ]
    messages = await sent_messages(
        server, make_engine(server.base_url), TurnContext("and by year?", history=history, database=database)
    )
    assert messages[0][0] == "system"
    assert messages[1:] == [
        ("user", "Customers per region"),
        ("assistant", f"North America leads.\n\nThe SQL this answer ran:\n{sql_block(REGION_SQL)}"),
        ("user", "only Europe"),
        ("assistant", shown),  # not repeated
        ("user", "and their favourite colour?"),
        ("assistant", "I can't map that question: 'favourite colour'."),
        # The empty interrupted answer is left out and its question merged with the new one.
        ("user", "orders?\n\nand by year?"),
    ]


async def test_a_small_budget_drops_the_oldest_pairs_first(server, database) -> None:
    pairs = [
        (f"Question number {i}, asked in full so it has some length", f"Answer {i}: " + "blah " * (10 * i), sql)
        for i, sql in enumerate([REGION_SQL, EUROPE_SQL, TOP_SQL, ORDERS_SQL], 1)
    ]
    history = [
        turn
        for question, answer, sql in pairs
        for turn in (HistoryTurn("user", question), HistoryTurn("assistant", answer, {"sql": sql}))
    ]
    ctx = TurnContext("and the one before?", history=history, database=database)
    full = await sent_messages(server, make_engine(server.base_url), ctx)
    assert len(full) == 2 + 2 * len(pairs) and [c for _, c in full[1:-1:2]] == [q for q, _, _ in pairs]
    pair_cost = [estimated(full[1 + 2 * i : 3 + 2 * i]) for i in range(len(pairs))]

    async def with_budget(budget: int) -> list[tuple[str, str]]:
        return await sent_messages(server, make_engine(server.base_url, history_token_budget=budget), ctx)

    # Exactly the two newest pairs fit: those are sent, with the question, and the system prompt.
    two = await with_budget(pair_cost[-1] + pair_cost[-2])
    assert two == [full[0], *full[-5:]]
    # One token fewer: only the newest pair stays; the older one is never split to use the room left
    # (its answer alone would fit).
    one = await with_budget(pair_cost[-1] + pair_cost[-2] - 1)
    assert estimated(full[-4:-3]) < pair_cost[-2] - 1
    assert one == [full[0], *full[-3:]]
    # Not even the newest pair fits, or no history at all: the system prompt and the question still go.
    for budget in (pair_cost[-1] - 1, 0):
        assert await with_budget(budget) == [full[0], ("user", "and the one before?")]
    # A budget that fits everything sends everything.
    assert await with_budget(sum(pair_cost)) == full


def test_the_budget_comes_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("OPENAI_MODELS", "m")
    monkeypatch.delenv("OPENAI_HISTORY_TOKEN_BUDGET", raising=False)
    assert [e.config.history_token_budget for e in engines_from_settings(ChatSettings(DATA_DIR=tmp_path))] == [4000]
    monkeypatch.setenv("OPENAI_HISTORY_TOKEN_BUDGET", "250")
    assert [e.config.history_token_budget for e in engines_from_settings(ChatSettings(DATA_DIR=tmp_path))] == [250]
    monkeypatch.setenv("OPENAI_HISTORY_TOKEN_BUDGET", "-1")
    with pytest.raises(ValidationError, match="OPENAI_HISTORY_TOKEN_BUDGET"):
        ChatSettings(DATA_DIR=tmp_path)


# --- end to end: the turn service reads the history from its store ------------------------


@pytest.fixture(scope="module")
def openai_stack(request, tmp_path_factory, server):
    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_MODELS": "scripted-model=Scripted"}
    yield from start_stack(request, tmp_path_factory.mktemp("openai-history-stack"), with_upload=False, env=env)


def _conversation(server) -> list[tuple[str, str]]:
    """The (role, content) list of the model's first request of the last turn, system prompt left out."""
    return [(m["role"], m["content"]) for m in server.requests[0]["json"]["messages"][1:]]


def test_follow_ups_edits_and_a_restart_through_the_turn_service(openai_stack, server) -> None:
    org = make_org(openai_stack)
    integration = add_integration(openai_stack, org.id)
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]

        def turn(message: str, sql: str, answer: str) -> None:
            server.script(tool_reply(("run_sql", {"sql": sql})), text_reply(answer))
            body = {"chat_id": chat_id, "message": message, "model": "scripted-model"}
            resp, events = sse_turn(openai_stack.gateway_url, org.token(), body)
            assert resp.status_code == 200 and events[-1][0] == "message", events[-1]

        long_answer = "North America has the most customers. " * 60  # about 600 estimated tokens
        turn("Customers per region", REGION_SQL, long_answer)
        turn("only Europe", EUROPE_SQL, "Europe has its customers counted.")
        first = ("user", "Customers per region")
        first_answer = ("assistant", f"{long_answer}\n\nThe SQL this answer ran:\n{sql_block(REGION_SQL)}")
        assert _conversation(server) == [first, first_answer, ("user", "only Europe")]

        # Editing the follow-up re-answers it with the history before it only.
        edited = next(m for m in chat_messages(http, chat_id) if m["content"] == "only Europe")
        server.script(tool_reply(("run_sql", {"sql": TOP_SQL})), text_reply("North America is on top."))
        path = f"/v1/chats/{chat_id}/messages/{edited['id']}"
        body = {"content": "which region leads?", "model": "scripted-model"}
        resp, events = sse_turn(openai_stack.gateway_url, org.token(), body, path=path, method="PATCH")
        assert resp.status_code == 200 and events[-1][0] == "message", events[-1]
        assert _conversation(server) == [first, first_answer, ("user", "which region leads?")]

        # A restart with a small budget: the context comes from the store, and the long first pair no
        # longer fits while the newest does.
        openai_stack.restart("chat", env={"OPENAI_HISTORY_TOKEN_BUDGET": "200"})
        server.script(tool_reply(("run_sql", {"sql": ORDERS_SQL})), text_reply("4,000 orders."))
        body = {"chat_id": chat_id, "message": "and their orders?", "model": "scripted-model"}
        events = ws_turn(openai_stack.gateway_url, org.token(), body)
        assert events[-1][0] == "message", events[-1]
        assert _conversation(server) == [
            ("user", "which region leads?"),
            ("assistant", f"North America is on top.\n\nThe SQL this answer ran:\n{sql_block(TOP_SQL)}"),
            ("user", "and their orders?"),
        ]
