"""Period-over-period questions: "compare revenue last month with the month before", "loans in Q3
2026 compared with Q3 2025", "this month vs the same month last year", and growth series
("revenue growth by quarter", "month-over-month growth").

Conventions, stated in the answers: the later period is the current one; "the <unit> before" /
"the previous <unit>" is the current period moved back one unit, "the same <unit> last year" (or
"a year earlier") moved back a year; a current period that runs to today is compared with the same
number of days of the earlier period (like for like), never with a whole one; growth is the %
change on the period before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.chat.engines.embedded.lexicon import Token
from services.chat.engines.embedded.nl_dates import DateMatch, DateRange, add_months, combine, find_dates

COMPARE_CUES = {"compare", "compared", "comparing", "comparison", "vs", "versus", "against"}
GROWTH_WORDS = {"growth", "grow", "grew", "growing", "grown"}
_UNITS = {"day": 0, "week": 0, "month": 1, "quarter": 3, "year": 12}
_EARLIER = {"ago", "earlier", "before"}


@dataclass(frozen=True)
class Comparison:
    current: DateRange
    previous: DateRange


def _text(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _shift(r: DateRange, unit: str, how: str) -> DateRange:
    """`r` moved back one `unit`, keeping its length."""
    assert r.start is not None and r.end is not None

    def back(d: date) -> date:
        if unit in ("day", "week"):
            return d - timedelta(days=1 if unit == "day" else 7)
        return add_months(d, -_UNITS[unit])

    start, end = back(r.start), back(r.end)
    return DateRange(start, end, f"{describe(start, end)} ({how})")


def describe(start: date, end: date) -> str:
    """A period in words: 'in October 2026', 'in Q3 2025', 'in 2025', else 'from … to …' (inclusive)."""
    last = end - timedelta(days=1)
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        if months == 1:
            return start.strftime("in %B %Y")
        if months == 3 and start.month % 3 == 1:
            return f"in Q{(start.month - 1) // 3 + 1} {start.year}"
        if months == 12 and start.month == 1:
            return f"in {start.year}"
    if start == last:
        return f"on {start.isoformat()}"
    return f"from {start.isoformat()} to {last.isoformat()}"


def _relative_previous(tokens: list[Token], taken: set[int]) -> tuple[set[int], str, str] | None:
    """'the month before', 'the previous quarter', 'the same month last year', 'a year earlier': the
    tokens, the unit to move back by and how the answer names it."""
    for i in range(len(tokens)):
        if i in taken:
            continue
        j = i + 1 if _text(tokens, i) in ("the", "a", "one") else i
        w, nxt = _text(tokens, j), _text(tokens, j + 1)
        found: tuple[int, str, str] | None = None
        if w == "same" and (nxt in _UNITS or nxt == "period"):
            k = j + 2
            if _text(tokens, k) in ("of", "in"):
                k += 1
            if _text(tokens, k) == "last" and _text(tokens, k + 1) == "year":
                found = (k + 2, "year", f"the same {nxt} a year earlier")
            elif (
                _text(tokens, k) in ("a", "one") and _text(tokens, k + 1) == "year" and _text(tokens, k + 2) in _EARLIER
            ):
                found = (k + 3, "year", f"the same {nxt} a year earlier")
            elif _text(tokens, k) == "the" and _text(tokens, k + 1) in ("year", "previous", "prior"):
                end = k + 2 if _text(tokens, k + 1) == "year" and _text(tokens, k + 2) in _EARLIER else k + 3
                found = (end, "year", f"the same {nxt} a year earlier")
        elif w in _UNITS and nxt in ("before", "prior", "earlier") and j > i:
            found = (j + 2, w, f"the {w} before")
        elif w in ("previous", "prior", "preceding") and nxt in _UNITS and j > i:
            found = (j + 2, nxt, f"the {nxt} before")
        elif w in _UNITS and nxt in _EARLIER and _text(tokens, i) in ("a", "one"):
            found = (j + 2, w, f"a {w} earlier")
        if found is not None:
            end, unit, how = found
            span = set(range(i, end))
            if not span & taken:
                return span, unit, how
    return None


def find_comparison(tokens: list[Token], today: date, taken: set[int]) -> Comparison | None:
    """The two periods a question compares, or None; the tokens they use are added to `taken`."""
    if not any(t.text in COMPARE_CUES | GROWTH_WORDS for t in tokens):
        return None
    scratch = set(taken)
    relative = _relative_previous(tokens, scratch)
    if relative is not None:
        scratch |= relative[0]
    matches: list[DateMatch] = find_dates(tokens, today, scratch)
    if relative is not None:
        current = combine(matches)
        if current is None or current.start is None or current.end is None:
            return None
        _, unit, how = relative
        previous = _shift(current, unit, how)
    elif len(matches) == 2:
        a, b = sorted((m.range for m in matches), key=lambda r: r.start or date.min)
        if a.start is None or a.end is None or b.start is None or b.end is None or a.end > b.start:
            return None
        current, previous = b, a
        if b.end > today:
            # a period running to today against the same number of days of the earlier one
            like = a.start + (min(b.end, today + timedelta(days=1)) - b.start)
            if like < a.end:
                of = describe(a.start, a.end).removeprefix("in ")
                previous = DateRange(a.start, like, f"{describe(a.start, like)} (the same days of {of})")
    else:
        return None
    taken |= scratch
    return Comparison(current, previous)
