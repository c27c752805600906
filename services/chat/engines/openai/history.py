"""The chat's earlier turns as the OpenAI-compatible engine sends them: within a token budget, newest kept.

Each answer goes to the model as text with the SQL it ran appended in a ```sql block, rather than
replayed as the tool_call/tool_result pair behind it: only the last SQL of a turn is stored (not the
schema lookups around it), so a replay would be a made-up partial trajectory; tool messages are
refused by strict servers when a request offers no tools (a chat without a database, or a later
turn on another one) and many local chat templates drop or garble them; and an answer of the
embedded engine has SQL but no tool calls at all. As text, the previous query is right there for the
model to refine ("and by quarter?", "only Europe"), in the shape the system prompt asks it to show SQL.

Tokens are estimated without a tokenizer (no network, any model): characters / 4, rounded up, plus
4 per message for the role and framing. That is close for English prose and SQL; text in scripts
such as Chinese or Japanese costs more tokens than estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.chat.engines.base import HistoryTurn

DEFAULT_TOKEN_BUDGET = 4000
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_tokens(content: str) -> int:
    """The estimated cost of one message with this content."""
    return -(-len(content) // CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def answer_text(turn: HistoryTurn) -> str:
    """An answer as the model reads it again: its text, then the SQL it ran unless the text shows it already."""
    sql = turn.metadata.get("sql")
    if not isinstance(sql, str) or not sql.strip() or _squeezed(sql) in _squeezed(turn.content):
        return turn.content
    return f"{turn.content}\n\nThe SQL this answer ran:\n```sql\n{sql.strip()}\n```"


@dataclass
class _Exchange:
    """A question and its answer: kept or dropped together, so the model never sees half of one."""

    questions: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        # Several texts of one role (a question whose answer was lost, then asked again) are merged:
        # many chat templates insist on alternating roles.
        pairs = [("user", self.questions), ("assistant", self.answers)]
        return [{"role": role, "content": "\n\n".join(texts)} for role, texts in pairs if texts]

    def tokens(self) -> int:
        return sum(estimate_tokens(m["content"]) for m in self.messages())


def _exchanges(history: list[HistoryTurn]) -> list[_Exchange]:
    exchanges: list[_Exchange] = []
    for turn in history:
        # Empty answers (an interrupted or failed turn with no text) are left out.
        if turn.role not in ("user", "assistant") or not turn.content.strip():
            continue
        # A question opens an exchange unless the last one awaits its answer; the kept window may
        # also begin with an answer.
        if not exchanges or (turn.role == "user" and exchanges[-1].answers):
            exchanges.append(_Exchange())
        if turn.role == "user":
            exchanges[-1].questions.append(turn.content)
        else:
            exchanges[-1].answers.append(answer_text(turn))
    return exchanges


def history_messages(history: list[HistoryTurn], budget: int) -> list[dict[str, Any]]:
    """The newest whole exchanges whose estimated tokens fit in `budget`, oldest first; the oldest are
    dropped first, and nothing older than an exchange that did not fit is sent."""
    kept: list[_Exchange] = []
    spent = 0
    for exchange in reversed(_exchanges(history)):
        spent += exchange.tokens()
        if spent > budget:
            break
        kept.append(exchange)
    return [message for exchange in reversed(kept) for message in exchange.messages()]
