"""The OpenAI-compatible engine against a real local HTTP server speaking the streaming protocol.

The server (tests/fake_openai_server.py) plays a scripted conversation, tool calls included, and
records what it received; the engine runs its tools on the real demo database.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine

from devstack.demo_db import TABLES
from devstack.ports import free_port
from services.chat.engines.base import Database, Delta, HistoryTurn, Note, Status, TurnContext, Viz
from services.chat.engines.openai.engine import OpenAICompatEngine, OpenAIConfig, openai_engines, parse_models
from services.chat.engines.openai.tools import DatabaseTools
from services.chat.engines.registry import EngineRegistry
from services.chat.sql import runner as sql_runner
from services.common.database import normalise_url
from services.common.errors import CODES, ApiError
from services.common.gen.trellis.v1 import turn_pb2
from services.common.turn_json import visualization_json
from tests.conftest import make_org, start_stack
from tests.fake_openai_server import Reply, chunk, text_reply, tool_reply
from tests.helpers import add_integration, chat_messages, create_chat
from tests.turn_clients import sse_turn

REGION_SQL = (
    "SELECT r.name AS region, COUNT(*) AS customers FROM customers AS c "
    "JOIN regions AS r ON r.id = c.region_id GROUP BY r.name ORDER BY r.name"
)


def make_engine(base_url: str, **options) -> OpenAICompatEngine:
    config = OpenAIConfig(base_url=base_url, **{"timeout": 10.0, **options})
    return OpenAICompatEngine("scripted-model", "Scripted", config)


async def collect(engine, ctx) -> tuple[list, ApiError | None]:
    events = []
    try:
        async for event in engine.answer(ctx):
            events.append(event)
    except ApiError as err:
        return events, err
    return events, None


def text_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, Delta))


def check_stream_invariants(events) -> None:
    """Statuses only before the first output; never an empty delta."""
    first_output = next((i for i, e in enumerate(events) if isinstance(e, Delta | Viz)), len(events))
    assert not any(isinstance(e, Status) for e in events[first_output:])
    assert all(e.text for e in events if isinstance(e, Delta))


def tool_messages(request) -> list[dict]:
    return [json.loads(m["content"]) for m in request["json"]["messages"] if m["role"] == "tool"]


def demo_rows(demo_db: Path, sql: str) -> list[list]:
    with sqlite3.connect(demo_db) as conn:
        return [list(row) for row in conn.execute(sql)]


# --- the full loop ------------------------------------------------------------------------


async def test_full_loop_on_the_demo_database(server, database, demo_db) -> None:
    answer = "North America has the most customers. Here is the breakdown by region."
    server.script(
        tool_reply(("list_tables", {})),
        tool_reply(("run_sql", {"sql": REGION_SQL})),
        tool_reply(
            (
                "make_visualization",
                {
                    "chart_type": "bar",
                    "title": "Customers by region",
                    "label_column": "region",
                    "value_column": "customers",
                },
            )
        ),
        text_reply(answer),
    )
    engine = make_engine(server.base_url, api_key="sk-test", max_tokens=333)
    events, err = await collect(engine, TurnContext(question="Customers per region, as a bar chart", database=database))
    assert err is None
    check_stream_invariants(events)
    assert text_of(events) == answer
    statuses = [e.status for e in events if isinstance(e, Status)]
    assert statuses == [
        turn_pb2.PROCESSING_STATUS_THINKING,
        turn_pb2.PROCESSING_STATUS_ANALYZING,
        turn_pb2.PROCESSING_STATUS_PROCESSING,
    ]
    assert [e for e in events if isinstance(e, Note)] == [Note("sql", REGION_SQL)]

    expected = demo_rows(demo_db, REGION_SQL)
    (viz,) = [e.visualization for e in events if isinstance(e, Viz)]  # a chart was made: no extra table
    payload = visualization_json(viz)
    assert payload["type"] == "chart" and payload["chart_type"] == "bar" and payload["title"] == "Customers by region"
    assert payload["data"]["values"] == [{"label": r, "value": float(n)} for r, n in expected]
    assert payload["data"]["x_axis_label"] == "region" and payload["data"]["y_axis_label"] == "customers"
    assert len(viz.id) == 10 and viz.id.isalnum() and viz.id == viz.id.lower()

    assert server.unused == 0 and len(server.requests) == 4
    for request in server.requests:
        body = request["json"]
        assert request["path"] == "/v1/chat/completions" and request["headers"]["authorization"] == "Bearer sk-test"
        assert body["model"] == "scripted-model" and body["stream"] is True and body["max_tokens"] == 333
        assert body["tool_choice"] == "auto"
        assert [t["function"]["name"] for t in body["tools"]] == [
            "list_tables",
            "describe_table",
            "run_sql",
            "make_visualization",
        ]
    first = server.requests[0]["json"]["messages"]
    assert [m["role"] for m in first] == ["system", "user"]
    assert first[1]["content"] == "Customers per region, as a bar chart"
    system = first[0]["content"]
    assert "Retail" in system and "SQLite" in system and datetime.now(UTC).date().isoformat() in system

    # The tool results the model received hold the real data.
    (tables,) = tool_messages(server.requests[1])
    listed = {t["table"]: t["columns"] for t in tables["tables"]}
    assert set(listed) == set(TABLES)
    assert "region_id" in listed["customers"]
    _, result = tool_messages(server.requests[2])
    assert result["columns"] == ["region", "customers"]
    assert result["rows"] == expected and result["row_count"] == len(expected)
    made = tool_messages(server.requests[3])[-1]
    assert made["ok"] is True and made["visualization_id"] == viz.id and made["points"] == len(expected)
    # Each assistant tool call is echoed back before its result, with matching ids.
    messages = server.requests[3]["json"]["messages"]
    calls = [c for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    results = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert [c["id"] for c in calls] == results
    assert [c["function"]["name"] for c in calls] == ["list_tables", "run_sql", "make_visualization"]
    assert json.loads(calls[1]["function"]["arguments"]) == {"sql": REGION_SQL}


async def test_describe_table_and_table_visualization(server, database, demo_db) -> None:
    sql = "SELECT id, name FROM regions ORDER BY id"
    server.script(
        tool_reply(("describe_table", {"table": "orders"})),
        tool_reply(("run_sql", {"sql": sql}), ("make_visualization", {"chart_type": "table", "title": "Regions"})),
        text_reply("Those are the regions."),
    )
    events, err = await collect(make_engine(server.base_url), TurnContext(question="regions?", database=database))
    assert err is None
    (described,) = tool_messages(server.requests[1])
    columns = {c["name"]: c for c in described["columns"]}
    assert described["row_count"] == demo_rows(demo_db, "SELECT COUNT(*) FROM orders")[0][0]
    assert columns["id"]["primary_key"] is True
    assert columns["customer_id"]["references"] == "customers.id"
    assert set(columns["status"]["values"]) == {r[0] for r in demo_rows(demo_db, "SELECT DISTINCT status FROM orders")}
    assert len(described["sample_rows"]) == 3
    (viz,) = [visualization_json(e.visualization) for e in events if isinstance(e, Viz)]
    assert viz["type"] == "table" and viz["title"] == "Regions" and viz["headers"] == ["id", "name"]
    assert viz["rows"] == [[float(i), n] for i, n in demo_rows(demo_db, sql)]
    # Two calls in one step: both results go back, in order.
    ran, shown = tool_messages(server.requests[2])[1:]
    assert ran["rows"] == demo_rows(demo_db, sql) and shown == {
        "ok": True,
        "visualization_id": viz["id"],
        "type": "table",
        "rows": 4,
    }


async def test_rows_without_a_visualization_get_a_table(server, database, demo_db) -> None:
    server.script(tool_reply(("run_sql", {"sql": REGION_SQL})), text_reply("Four regions."))
    events, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is None and text_of(events) == "Four regions."
    assert isinstance(events[-1], Viz)  # after the text: the model showed nothing itself
    table = visualization_json(events[-1].visualization)
    assert table["type"] == "table" and table["headers"] == ["region", "customers"]
    assert table["rows"] == [[r, float(n)] for r, n in demo_rows(demo_db, REGION_SQL)]

    server.script(tool_reply(("run_sql", {"sql": "SELECT COUNT(*) FROM orders"})), text_reply("4,000 orders."))
    events, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is None and not [e for e in events if isinstance(e, Viz)]  # a single value needs no table


# --- tool errors the model recovers from --------------------------------------------------


async def test_unsafe_and_failing_sql_go_back_to_the_model(server, database, demo_db) -> None:
    good = "SELECT COUNT(*) AS n FROM orders"
    server.script(
        tool_reply(("run_sql", {"sql": "DELETE FROM orders"})),
        tool_reply(("run_sql", {"sql": "SELECT COUNT(*) FROM orderz"})),
        tool_reply(("run_sql", {"sql": "SELECT 1; DROP TABLE orders"})),
        tool_reply(("run_sql", {"sql": good})),
        text_reply("There are 4,000 orders."),
    )
    events, err = await collect(
        make_engine(server.base_url), TurnContext(question="how many orders", database=database)
    )
    assert err is None and text_of(events) == "There are 4,000 orders."
    unsafe = tool_messages(server.requests[1])[-1]
    assert unsafe["code"] == "UNSAFE_SQL" and "DELETE" in unsafe["error"]
    failed = tool_messages(server.requests[2])[-1]
    assert failed["code"] == "QUERY_FAILED" and "orderz" in failed["error"]
    stacked = tool_messages(server.requests[3])[-1]
    assert stacked["code"] == "UNSAFE_SQL"
    assert tool_messages(server.requests[4])[-1]["rows"] == [[4000]]
    assert [e for e in events if isinstance(e, Note)] == [Note("sql", good)]  # only SQL that ran
    assert demo_rows(demo_db, "SELECT COUNT(*) FROM orders") == [[4000]]  # nothing was deleted


async def test_invalid_tool_call_json_is_recovered_from(server, database) -> None:
    server.script(
        tool_reply(("run_sql", '{"sql": "SELECT COUNT(*) FROM regi')),  # cut-off arguments
        tool_reply(("describe_table", {"table": "no_such_table"}), ("drop_everything", {})),
        tool_reply(("run_sql", {"sql": "SELECT COUNT(*) FROM regions"})),
        text_reply("4 regions."),
    )
    events, err = await collect(make_engine(server.base_url), TurnContext(question="regions", database=database))
    assert err is None and text_of(events) == "4 regions."
    (bad_json,) = tool_messages(server.requests[1])
    assert "not valid JSON" in bad_json["error"]
    # The unreadable arguments are echoed back as {} so strict servers accept the history.
    echoed = next(m for m in server.requests[1]["json"]["messages"] if m["role"] == "assistant")
    assert echoed["tool_calls"][0]["function"]["arguments"] == "{}"
    missing, unknown = tool_messages(server.requests[2])[-2:]
    assert "no table 'no_such_table'" in missing["error"] and "regions" in missing["error"]
    assert "no tool named 'drop_everything'" in unknown["error"]


async def test_invalid_chart_is_a_tool_error(server, database) -> None:
    server.script(
        tool_reply(
            ("make_visualization", {"chart_type": "bar", "label_column": "a", "value_column": "b"}),  # no run_sql yet
            ("make_visualization", {"chart_type": "bar", "labels": ["a"], "values": [1]}),  # no axis labels
        ),
        tool_reply(("run_sql", {"sql": REGION_SQL})),
        tool_reply(
            ("make_visualization", {"chart_type": "radar", "label_column": "region", "value_column": "customers"}),
            ("make_visualization", {"chart_type": "pie", "label_column": "region", "value_column": "nope"}),
            ("make_visualization", {"chart_type": "line", "labels": ["a", "b"], "values": [1]}),
            ("make_visualization", {"chart_type": "donut", "labels": ["a", "b"], "values": [1, "x"]}),
            (
                "make_visualization",
                {"chart_type": "stacked_bar", "labels": ["a"], "values": [1], "x_axis_label": "x", "y_axis_label": "y"},
            ),
            ("make_visualization", {"chart_type": "pie", "labels": ["a", "b"], "values": [-1, 2]}),
        ),
        tool_reply(
            (
                "make_visualization",
                {
                    "chart_type": "stacked_bar",
                    "labels": ["2024", "2024"],
                    "values": [1, 2.5],
                    "series": ["web", "store"],
                    "x_axis_label": "Year",
                    "y_axis_label": "Orders",
                },
            ),
            ("make_visualization", {"chart_type": "donut", "title": "Share"}),  # inferred from the 2 columns
        ),
        text_reply("Done."),
    )
    events, err = await collect(make_engine(server.base_url), TurnContext(question="charts", database=database))
    assert err is None
    no_result, no_axes = tool_messages(server.requests[1])
    assert "call run_sql first" in no_result["error"]
    assert "needs x_axis_label and y_axis_label" in no_axes["error"]
    errors = [m["error"] for m in tool_messages(server.requests[3])[-6:]]
    assert "Unknown chart_type 'radar'" in errors[0]
    assert "no column 'nope'" in errors[1]
    assert "`labels` has 2 items but `values` has 1" in errors[2]
    assert "values[1] is 'x', not a number" in errors[3]
    assert "needs `series`" in errors[4]
    assert "non-negative" in errors[5]
    charts = [visualization_json(e.visualization) for e in events if isinstance(e, Viz)]
    assert [c["chart_type"] for c in charts] == ["stacked_bar", "donut"]
    assert charts[0]["data"]["values"] == [
        {"label": "2024", "series": "web", "value": 1.0},
        {"label": "2024", "series": "store", "value": 2.5},
    ]
    assert "x_axis_label" not in charts[1]["data"] and {"text", "value"} == set(charts[1]["data"]["values"][0])


# --- streaming text -----------------------------------------------------------------------


async def test_text_before_a_tool_call_streams_and_stays(server, database) -> None:
    server.script(
        tool_reply(("list_tables", {}), before="Let me look at the schema.", after="(thinking aloud)"),
        text_reply("There are 8 tables."),
    )
    events, err = await collect(make_engine(server.base_url), TurnContext(question="tables?", database=database))
    assert err is None
    check_stream_invariants(events)
    # Sent live while no tool call had begun; the text after the call began was held back.
    assert text_of(events) == "Let me look at the schema.\n\nThere are 8 tables."
    assert [e.status for e in events if isinstance(e, Status)] == [turn_pb2.PROCESSING_STATUS_THINKING]
    echoed = next(m for m in server.requests[1]["json"]["messages"] if m["role"] == "assistant")
    assert echoed["content"] == "Let me look at the schema.(thinking aloud)"


async def test_deltas_arrive_while_the_model_streams(server, database) -> None:
    # The server sends the first word, then waits until the engine has passed it on: an engine that
    # buffered the answer until the end would stall there and fail with MODEL_UNAVAILABLE.
    release = threading.Event()
    server.script(text_reply("one two three four", release_after_first=release))
    engine = make_engine(server.base_url)
    deltas = []
    async for event in engine.answer(TurnContext(question="count", database=database)):
        if isinstance(event, Delta):
            deltas.append(event.text)
            release.set()
    assert deltas == ["one", " two", " three", " four"]


async def test_rules_memories_and_history_reach_the_model(server, database) -> None:
    server.script(text_reply("Bonjour."))
    ctx = TurnContext(
        question="How are sales?",
        history=[
            HistoryTurn(r, c)
            for r, c in [("user", "hi"), ("assistant", "Hello!"), ("user", "lost turn"), ("assistant", "")]
        ],
        database=database,
        organization_rules=["Always answer in French.", "Call the data source 'the warehouse'."],
        memories=["Manages the Europe region.", "Prefers charts over tables."],
    )
    events, err = await collect(make_engine(server.base_url), ctx)
    assert err is None and text_of(events) == "Bonjour."
    messages = server.requests[0]["json"]["messages"]
    system = messages[0]["content"]
    for line in (*ctx.organization_rules, *ctx.memories):
        assert f"- {line}" in system
    assert system.index("Always answer in French.") < system.index("Manages the Europe region.")
    # The empty (failed) answer is left out and the user turns around it merged.
    assert [(m["role"], m["content"]) for m in messages[1:]] == [
        ("user", "hi"),
        ("assistant", "Hello!"),
        ("user", "lost turn\n\nHow are sales?"),
    ]


async def test_without_a_database_no_tools_are_offered(server) -> None:
    server.script(text_reply("No database is connected."))
    events, err = await collect(make_engine(server.base_url), TurnContext(question="hello"))
    assert err is None and text_of(events) == "No database is connected."
    body = server.requests[0]["json"]
    assert "tools" not in body and "tool_choice" not in body
    assert "No database is connected" in body["messages"][0]["content"]
    assert "authorization" not in server.requests[0]["headers"]  # no key configured


async def test_a_non_streaming_json_answer_is_accepted(server, database) -> None:
    completion = {
        "id": "x",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Plain answer."}, "finish_reason": "stop"}
        ],
    }
    server.script(Reply(body=completion))
    events, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is None and text_of(events) == "Plain answer."


# --- bounds -------------------------------------------------------------------------------


async def test_step_bound_then_one_final_answer_without_tools(server, database) -> None:
    server.script(
        tool_reply(("list_tables", {})),
        tool_reply(("list_tables", {})),
        # A server that ignores tool_choice "none": its tool call is ignored, its text is the answer.
        tool_reply(("list_tables", {}), before="I looked at the tables twice."),
    )
    events, err = await collect(make_engine(server.base_url, max_steps=2), TurnContext(question="q", database=database))
    assert err is None and text_of(events) == "I looked at the tables twice."
    assert [r["json"]["tool_choice"] for r in server.requests] == ["auto", "auto", "none"]
    assert "notice" not in tool_messages(server.requests[1])[-1]
    assert "last round" in tool_messages(server.requests[2])[-1]["notice"]
    assert "at most 2 rounds" in server.requests[0]["json"]["messages"][0]["content"]


async def test_unrecovered_invalid_tool_calls_are_a_model_error(server, database) -> None:
    server.script(tool_reply(("run_sql", "{oops")), tool_reply(("run_sql", "{still broken")), text_reply("unused"))
    _, err = await collect(make_engine(server.base_url, max_steps=2), TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_ERROR" and CODES[err.code].retryable
    assert len(server.requests) == 2 and server.unused == 1


async def test_an_empty_answer_is_a_model_error(server, database) -> None:
    server.script(Reply([chunk({"role": "assistant"}), chunk({}, "stop"), "data: [DONE]\n\n"]))
    _, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_ERROR"


# --- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False])
async def test_disconnect_mid_stream_is_a_model_error(server, database, chunked) -> None:
    server.script(text_reply("The answer is coming in many small pieces", disconnect_after=3, chunked=chunked))
    events, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_ERROR" and CODES[err.code].retryable
    assert text_of(events) == "The answer is"  # what arrived was streamed (the turn stores it as partial)


async def test_disconnect_during_a_tool_call_is_a_model_error(server, database) -> None:
    server.script(tool_reply(("run_sql", {"sql": REGION_SQL}), disconnect_after=4))
    _, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_ERROR"
    assert len(server.requests) == 1  # the half-received call never ran


async def test_a_server_that_is_down_is_model_unavailable(database) -> None:
    engine = make_engine(f"http://127.0.0.1:{free_port()}/v1")
    events, err = await collect(engine, TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_UNAVAILABLE" and CODES[err.code].retryable
    assert CODES[err.code].http_status == 503
    assert not [e for e in events if isinstance(e, Delta)]


@pytest.mark.parametrize(
    ("reply", "code", "detail"),
    [
        (Reply(status=503, body={"error": {"message": "model is loading"}}), "MODEL_UNAVAILABLE", "model is loading"),
        (Reply(status=429, body={"error": {"message": "slow down"}}), "MODEL_UNAVAILABLE", "slow down"),
        (Reply(status=404, body={"error": {"message": "model 'x' not found"}}), "MODEL_ERROR", "not found"),
        (Reply(status=401, body={"error": "bad key"}), "MODEL_ERROR", "bad key"),
        (Reply(["data: {not json\n\n"]), "MODEL_ERROR", "not JSON"),
        (Reply(['data: {"error": {"message": "context too long"}}\n\n']), "MODEL_ERROR", "context too long"),
        (Reply(['data: {"choices": 3}\n\n']), "MODEL_ERROR", "choices"),
    ],
)
async def test_http_errors_and_garbage(server, database, reply, code, detail) -> None:
    server.script(reply)
    _, err = await collect(make_engine(server.base_url), TurnContext(question="q", database=database))
    assert err is not None and err.code == code and detail in err.detail


async def test_a_stalled_stream_times_out_as_model_unavailable(server, database) -> None:
    server.script(Reply([chunk({"content": "Hm"})], hold=True))
    engine = make_engine(server.base_url, timeout=0.5)
    events, err = await collect(engine, TurnContext(question="q", database=database))
    assert err is not None and err.code == "MODEL_UNAVAILABLE"
    assert text_of(events) == "Hm"
    assert await asyncio.to_thread(server.client_gone.wait, 5)


async def test_cancelling_the_turn_closes_the_stream(server, database) -> None:
    server.script(Reply([chunk({"content": "Partial"})], hold=True))
    engine = make_engine(server.base_url, timeout=60)
    first = asyncio.Event()

    async def consume() -> None:
        async for event in engine.answer(TurnContext(question="q", database=database)):
            if isinstance(event, Delta):
                first.set()

    task = asyncio.create_task(consume())
    # Once this wakes up, consume() has gone back into the engine and is suspended there, waiting
    # on the held stream (the loop only runs this task when that one awaits).
    await asyncio.wait_for(first.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(server.client_gone.wait, 2)  # the connection was closed promptly


async def test_closing_the_generator_closes_the_stream(server, database) -> None:
    server.script(Reply([chunk({"content": "Partial"})], hold=True))
    stream = make_engine(server.base_url, timeout=60).answer(TurnContext(question="q", database=database))
    async for event in stream:
        if isinstance(event, Delta):
            break
    await stream.aclose()  # what turns.py does when the client goes away between events
    assert await asyncio.to_thread(server.client_gone.wait, 2)


# --- configuration ------------------------------------------------------------------------


def test_models_from_the_environment() -> None:
    assert parse_models(" gpt-4o-mini=GPT-4o mini, llama3.1:8b ,gpt-4o-mini=again,,") == [
        ("gpt-4o-mini", "GPT-4o mini"),
        ("llama3.1:8b", "llama3.1:8b"),
    ]
    common = {"api_key": "", "max_steps": 3, "max_tokens": 50, "timeout": 5.0, "query_timeout": 2.0}
    assert openai_engines(base_url="http://x/v1", models="", **common) == []
    engines = openai_engines(base_url="", models="a=Model A,embedded-sql,b", **common)
    assert [(e.model_id, e.display_name) for e in engines] == [("a", "Model A"), ("b", "b")]
    assert engines[0].config.completions_url == "https://api.openai.com/v1/chat/completions"
    assert OpenAIConfig("http://h:1/v1/?v=2").completions_url == "http://h:1/v1/chat/completions?v=2"
    assert engines[0].config.max_steps == 3 and engines[0].config.max_tokens == 50
    assert engines[0].description
    embedded = type("E", (), {"model_id": "embedded-sql", "display_name": "E", "description": ""})()
    assert EngineRegistry([embedded, *engines]).default == "embedded-sql"
    assert EngineRegistry([embedded, *engines], default="b").default == "b"
    assert EngineRegistry([embedded, *engines], default="unknown").default == "embedded-sql"


# --- describe_table on each supported database -------------------------------------------


@pytest.fixture
def shop_url(database_url):
    metadata = MetaData()
    Table("kinds", metadata, Column("id", Integer, primary_key=True), Column("label", String(20)))
    Table(
        "things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind_id", Integer, ForeignKey("kinds.id")),
        Column("colour", String(20)),
    )
    engine = create_engine(normalise_url(database_url))
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(metadata.tables["kinds"].insert(), [{"id": 1, "label": "small"}, {"id": 2, "label": "big"}])
            conn.execute(
                metadata.tables["things"].insert(),
                [{"id": i, "kind_id": 1 + i % 2, "colour": ("red", "blue", "red")[i % 3]} for i in range(9)],
            )
    finally:
        engine.dispose()
    yield database_url
    sql_runner.dispose_engines()  # PostgreSQL test databases are dropped after each test


async def test_schema_tools_on_each_database(shop_url) -> None:
    dialect = "postgresql" if shop_url.startswith("postgresql") else "sqlite"
    tools = DatabaseTools(Database(shop_url, dialect, "Shop"), query_timeout=10)
    listed = (await tools.call("list_tables", "{}")).payload
    assert listed["tables"] == [
        {"table": "kinds", "columns": ["id", "label"]},
        {"table": "things", "columns": ["id", "kind_id", "colour"]},
    ]
    described = (await tools.call("describe_table", '{"table": "THINGS"}')).payload
    assert described["table"] == "things" and described["row_count"] == 9
    columns = {c["name"]: c for c in described["columns"]}
    assert columns["id"].get("primary_key") is True
    assert columns["kind_id"]["references"] == "kinds.id"
    assert columns["colour"]["values"] == ["red", "blue"]  # most frequent first
    result = await tools.call(
        "run_sql", json.dumps({"sql": "SELECT colour, COUNT(*) AS n FROM things GROUP BY colour"})
    )
    assert sorted(result.payload["rows"]) == [["blue", 3], ["red", 6]]


def test_fake_server_speaks_sse_to_a_plain_client(server) -> None:
    """The scripted server itself: a plain HTTP client sees a well-formed event stream."""
    server.script(text_reply("Hi there"))
    with httpx.stream("POST", server.base_url + "/chat/completions", json={"model": "m"}) as resp:
        lines = [line for line in resp.iter_lines() if line]
    assert resp.headers["content-type"] == "text/event-stream" and lines[-1] == "data: [DONE]"
    contents = [json.loads(line[6:])["choices"][0]["delta"].get("content", "") for line in lines[:-1]]
    assert "".join(contents) == "Hi there"


# --- end to end: the real stack, the scripted server as its model endpoint ---------------


@pytest.fixture(scope="module")
def openai_stack(request, tmp_path_factory, server):
    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_MODELS": "scripted-model=Scripted", "OPENAI_API_KEY": "sk-e2e"}
    yield from start_stack(request, tmp_path_factory.mktemp("openai-stack"), with_upload=False, env=env)


def test_end_to_end_through_the_gateway(openai_stack, server, demo_db) -> None:
    org = make_org(openai_stack)
    integration = add_integration(openai_stack, org.id)
    with org.client() as http:
        models = http.get("/v1/models").json()
        assert models["default"] == "embedded-sql"
        assert [(m["model_id"], m["display_name"]) for m in models["models"]] == [
            ("embedded-sql", "Embedded SQL engine"),
            ("scripted-model", "Scripted"),
        ]
        chat = create_chat(http, integration_id=integration)

        answer = "North America has the most customers. The table lists every region."
        server.script(tool_reply(("run_sql", {"sql": REGION_SQL}), before="Counting."), text_reply(answer))
        body = {"chat_id": chat["id"], "message": "customers per region", "model": "scripted-model"}
        resp, events = sse_turn(openai_stack.gateway_url, org.token(), body)
        assert resp.status_code == 200
        names = [name for name, _ in events]
        assert names[:2] == ["chat_metadata", "processing"] and names[-1] == "message" and "error" not in names
        first_output = names.index("text_delta")
        assert "processing" not in names[first_output:]
        final = events[-1][1]["content"]
        assert final == "Counting.\n\n" + answer
        assert "".join(data["content"] for name, data in events if name == "text_delta") == final
        (table,) = [data for name, data in events if name == "visualization"]
        expected = demo_rows(demo_db, REGION_SQL)
        assert table["headers"] == ["region", "customers"] and table["rows"] == [[r, n] for r, n in expected]

        assert len(server.requests) == 2 and server.requests[0]["headers"]["authorization"] == "Bearer sk-e2e"
        assert tool_messages(server.requests[1])[0]["rows"] == expected  # the real integration's rows
        assert "Retail" in server.requests[0]["json"]["messages"][0]["content"]

        history = chat_messages(http, chat["id"])
        assert history[-1]["content"] == final
        assert history[-1]["metadata"]["model"] == "scripted-model"
        assert history[-1]["metadata"]["sql"] == REGION_SQL
        assert history[-1]["metadata"]["visualizations"] == [table]

        # The model endpoint failing: an error event with the contract's code, and the history says so.
        server.script(Reply(status=503, body={"error": {"message": "overloaded"}}))
        body = {"chat_id": chat["id"], "message": "again", "model": "scripted-model"}
        _, events = sse_turn(openai_stack.gateway_url, org.token(), body)
        name, error = events[-1]
        assert name == "error" and error["code"] == "MODEL_UNAVAILABLE" and error["retryable"] is True
        assert error["error_type"] == "upstream_error"
        # Earlier turns reach the model as history.
        assert [m["role"] for m in server.requests[0]["json"]["messages"]] == ["system", "user", "assistant", "user"]
        history = chat_messages(http, chat["id"])
        assert history[-1]["role"] == "assistant" and history[-1]["metadata"]["error_code"] == "MODEL_UNAVAILABLE"
