"""`include_tool_events`: the OpenAI-compatible engine's tool calls, their results and the text it wrote
beside them stream as `tool` events, only when the turn asks for them, and are never stored."""

from __future__ import annotations

import pytest

from services.chat.engines.base import Delta, Tool, TurnContext
from tests.chat.test_openai_engine import collect, make_engine
from tests.conftest import make_org, start_stack
from tests.fake_openai_server import text_reply, tool_reply
from tests.helpers import add_integration, assert_error, chat_messages, create_chat
from tests.turn_clients import sse_turn

COUNT_SQL = "SELECT COUNT(*) AS regions FROM regions"


def _script(server) -> None:
    server.script(tool_reply(("run_sql", {"sql": COUNT_SQL}), after="(checking the regions)"), text_reply("4 regions."))


async def test_the_engine_streams_its_tool_traffic_only_when_asked(server, database) -> None:
    _script(server)
    events, err = await collect(make_engine(server.base_url), TurnContext(question="regions?", database=database))
    assert err is None and not any(isinstance(e, Tool) for e in events)

    _script(server)
    ctx = TurnContext(question="regions?", database=database, include_tool_events=True)
    events, err = await collect(make_engine(server.base_url), ctx)
    assert err is None
    tools = [e for e in events if isinstance(e, Tool)]
    assert [t.kind for t in tools] == ["tool_message", "tool_call", "tool_result"]
    message, call, result = (t.payload for t in tools)
    assert message == {"content": "(checking the regions)"}
    assert call["name"] == "run_sql" and call["arguments"] == '{"sql": "SELECT COUNT(*) AS regions FROM regions"}'
    assert result["id"] == call["id"] and result["name"] == "run_sql"
    assert result["result"]["rows"] == [[4]] and result["result"]["columns"] == ["regions"]
    # The kept-back text is not part of the answer.
    assert "".join(e.text for e in events if isinstance(e, Delta)) == "4 regions."


@pytest.fixture(scope="module")
def openai_stack(request, tmp_path_factory, server):
    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_MODELS": "scripted-model=Scripted"}
    yield from start_stack(request, tmp_path_factory.mktemp("tool-events-stack"), with_upload=False, env=env)


@pytest.mark.storage
def test_tool_events_through_the_gateway(openai_stack, server) -> None:
    org = make_org(openai_stack)
    with org.client() as http:
        chat = create_chat(http, integration_id=add_integration(openai_stack, org.id))["id"]
        body = {"chat_id": chat, "message": "regions?", "model": "scripted-model", "include_tool_events": True}
        _script(server)
        resp, events = sse_turn(openai_stack.gateway_url, org.token(), body)
        assert resp.status_code == 200, resp.text
        names = [name for name, _ in events]
        assert names.count("tool_call") == names.count("tool_result") == 1 and names[-1] == "message"
        call = next(data for name, data in events if name == "tool_call")
        assert call["name"] == "run_sql"
        _script(server)
        _, events = sse_turn(openai_stack.gateway_url, org.token(), {**body, "include_tool_events": False})
        assert not {"tool_call", "tool_result", "tool_message"} & {name for name, _ in events}
        assert all("tool" not in str(m["metadata"]) for m in chat_messages(http, chat))  # never stored
        refused, _ = sse_turn(openai_stack.gateway_url, org.token(), {**body, "include_tool_events": "yes"})
        assert_error(refused, 400, "INVALID_REQUEST")
