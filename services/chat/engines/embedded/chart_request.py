"""Chart requests in a question ("as a pie chart", "plot …", "stacked bar"): the chart type asked
for, whether a chart was asked for at all, and the tokens those words use (so they are not linked
to the schema)."""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import Token
from services.chat.engines.embedded.vocabulary import CHART_WORDS


def find_chart(tokens: list[Token], taken: set[int]) -> tuple[str | None, bool]:
    """(chart type or None, whether a chart was asked for); adds the words used to `taken`."""
    kind: str | None = None
    asked = False
    n = len(tokens)

    def take_article(i: int) -> None:
        j = i - 1
        while j >= 0 and tokens[j].text in ("a", "an", "the"):
            taken.add(j)
            j -= 1
        if j >= 0 and tokens[j].text in ("as", "in", "on", "with", "using", "into"):
            taken.add(j)

    for i, tok in enumerate(tokens):
        if i in taken:
            continue
        t = tok.text
        nxt = tokens[i + 1].text if i + 1 < n else ""
        if t in ("pie", "donut"):
            kind, asked = t, True
            taken.add(i)
            take_article(i)
        elif t == "stacked":
            kind, asked = "stacked_bar", True
            taken.add(i)
            take_article(i)
        elif t == "horizontal":
            kind, asked = "bar_horizontal", True
            taken.add(i)
            take_article(i)
        elif t in ("line", "area", "bar", "column", "bars") and (
            nxt in CHART_WORDS or nxt in ("chart", "graph") or (i > 0 and tokens[i - 1].text in ("a", "an"))
        ):
            if t in ("line", "area"):
                kind = kind or t
            elif kind is None:
                kind = "bar"
            asked = True
            taken.add(i)
            take_article(i)
        elif t in CHART_WORDS or t in ("charts", "graphs", "plots", "draw", "chart"):
            asked = True
            taken.add(i)
            if kind is None and t == "histogram":
                kind = "bar"
            take_article(i)
            if i + 1 < n and tokens[i + 1].text in ("of", "showing", "for", "with"):
                taken.add(i + 1)
    return kind, asked
