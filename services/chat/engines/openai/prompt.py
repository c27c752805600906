"""The system prompt and message list the OpenAI-compatible engine sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.chat.engines.base import TurnContext
from services.chat.engines.openai.history import DEFAULT_TOKEN_BUDGET, history_messages
from services.chat.engines.openai.tools import MAX_RESULT_ROWS, MODEL_ROWS
from services.chat.engines.passages import label

DIALECT_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "duckdb": "DuckDB"}


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {' '.join(item.split())}" for item in items if item.strip())


def system_prompt(ctx: TurnContext, *, max_steps: int, today: date | None = None) -> str:
    today = today or datetime.now(UTC).date()
    db = ctx.database
    parts = []
    if ctx.project:
        parts.append(
            f'You answer questions from the documents of the project "{ctx.project}". The passages of them that '
            "best match the question are below. Answer from them only, quote what you rely on, and cite each "
            "passage you use by the label in its square brackets, e.g. [report.pdf, page 3]. If they do not "
            "answer the question, say that the documents do not cover it; never guess."
            + (" One of the documents is a table you can query with the tools below." if db is not None else "")
        )
    if db is None and not ctx.project:
        parts.append(
            "You are the assistant of a chat-with-your-database product. No database is connected to this chat, "
            "so you cannot look anything up: say so when asked about data, and suggest creating the chat with an "
            "`integration_id` (see `GET /v1/integrations`) or passing one with the message."
        )
    elif db is not None:
        dialect = DIALECT_NAMES.get(db.dialect, db.dialect)
        parts.append(
            f'You are a data analyst answering questions about the database "{db.display_name}" '
            f"({dialect} SQL dialect). Answer from the data only, by calling the tools, then reply in concise "
            "Markdown."
        )
        parts.append(
            "How to work:\n"
            "- Learn the schema with list_tables and describe_table before writing SQL; never guess table or "
            "column names or the spelling of values.\n"
            f"- run_sql runs one read-only SELECT (or WITH ... SELECT) statement written for {dialect}. At most "
            f"{MAX_RESULT_ROWS:,} rows come back and you see the first {MODEL_ROWS}. If a query fails, read the "
            "error, fix the query and try again.\n"
            "- State the numbers the results show and never invent data. Show the final SQL in a ```sql block.\n"
            "- Make a chart with make_visualization only when the user asks for a chart, plot or graph (or asks to "
            "show a trend or a breakdown); use chart_type 'table' to show the rows of your last query. If you make "
            "no visualization, the rows of your last query are shown as a table anyway (a single value is not).\n"
            f"- You have at most {max_steps} rounds of tool calls; then answer with what you found."
        )
    parts.append(f"Today's date is {today.isoformat()}.")
    if rules := _bullets(ctx.organization_rules):
        parts.append(f"Rules set by the user's organization (always follow them):\n{rules}")
    if memories := _bullets(ctx.memories):
        parts.append(f"What you know about this user (take it into account):\n{memories}")
    if ctx.attachments:
        passages = "\n\n".join(f"[{label(a)}]\n{a.text}" for a in ctx.attachments)
        parts.append(f"Passages of the documents, best match first:\n\n{passages}")
    return "\n\n".join(parts)


def initial_messages(
    ctx: TurnContext, *, max_steps: int, history_budget: int = DEFAULT_TOKEN_BUDGET, today: date | None = None
) -> list[dict[str, Any]]:
    """The system prompt, the earlier turns that fit in `history_budget` (estimated tokens), the question;
    the system prompt and the question are always sent, whatever the budget."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(ctx, max_steps=max_steps, today=today)}
    ]
    for message in [*history_messages(ctx.history, history_budget), {"role": "user", "content": ctx.question}]:
        # A question whose answer was lost is merged with the next one: chat templates want alternating roles.
        if messages[-1]["role"] == message["role"]:
            messages[-1]["content"] += "\n\n" + message["content"]
        else:
            messages.append(dict(message))
    return messages
