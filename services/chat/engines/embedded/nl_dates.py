"""Dates in questions: explicit ("in 2025", "March 2025", "2025-03-01", "Q2 2025"), relative to
today ("last month", "this year", "in the last 30 days", "yesterday"), bounded or unbounded ranges
("since …", "before …", "between … and …"), and time buckets ("per month", "yearly", "trend").

Conventions, stated in every answer that uses them: "last month" / "last year" / "last week" /
"last quarter" are the previous calendar period; "this month" etc. run from the start of the
current period to today; "the last N days/weeks/months/years" is a rolling window ending today;
an end date given by the user is inclusive.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from services.chat.engines.embedded.lexicon import Token

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}
UNITS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "year": "year",
    "years": "year",
}
BUCKET_WORDS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
}
# words around a number that make it an amount or a count rather than a year
AMOUNT_BEFORE = {
    "over",
    "above",
    "under",
    "below",
    "than",
    "exceeding",
    "exceeds",
    "least",
    "most",
    "top",
    "bottom",
    "first",
    "equal",
    "equals",
    "exactly",
    "between",
    "and",
    "to",
    ">",
    "<",
    ">=",
    "<=",
    "=",
}
AMOUNT_AFTER = {"dollars", "units", "items", "rows", "times", "%", "percent", "or"}
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^q([1-4])$")
_QUARTER_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


@dataclass(frozen=True)
class DateRange:
    start: date | None  # inclusive
    end: date | None  # exclusive
    label: str  # how the answer describes it

    def describe(self) -> str:
        return self.label


@dataclass
class DateMatch:
    first: int  # token index range [first, last)
    last: int
    range: DateRange


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _fmt(d: date) -> str:
    return d.isoformat()


def _span(start: date, end: date, label: str) -> DateRange:
    return DateRange(start, end, label)


# --- single points / periods ----------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    start: date
    end: date  # exclusive
    label: str
    length: int  # tokens consumed


def _number_at(tokens: list[Token], i: int) -> int | None:
    if i >= len(tokens):
        return None
    t = tokens[i].text
    if t.isdigit():
        return int(t)
    return NUMBER_WORDS.get(t)


def _year_at(tokens: list[Token], i: int) -> int | None:
    if i < len(tokens) and re.fullmatch(r"(19|20)\d\d", tokens[i].text):
        return int(tokens[i].text)
    return None


def _latest_month(month: int, today: date) -> int:
    """The year of the most recent `month` that has started."""
    return today.year if month <= today.month else today.year - 1


def _period_at(tokens: list[Token], i: int, today: date) -> _Period | None:
    """A calendar period starting at token i: a date, a month, a quarter or a year."""
    if i >= len(tokens):
        return None
    t = tokens[i].text
    year: int | None
    if m := _ISO.match(t):
        year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            if day:
                d = date(year, month, int(day))
                return _Period(d, d + timedelta(days=1), f"on {_fmt(d)}", 1)
            d = date(year, month, 1)
            return _Period(d, add_months(d, 1), d.strftime("in %B %Y"), 1)
        except ValueError:
            return None
    if m := _SLASH.match(t):
        try:
            d = date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
        return _Period(d, d + timedelta(days=1), f"on {_fmt(d)}", 1)
    if (year := _year_at(tokens, i)) is not None:
        return _Period(date(year, 1, 1), date(year + 1, 1, 1), f"in {year}", 1)
    q_word = _QUARTER_ORDINALS.get(t) if _text(tokens, i + 1) == "quarter" else None
    if (m := _QUARTER.match(t)) or q_word:
        # "Q2 2025", "the second quarter of 2025"
        q = int(m.group(1)) if m else q_word or 1
        j = i + (1 if m else 2)
        if j < len(tokens) and tokens[j].text == "of":
            j += 1
        year = _year_at(tokens, j)
        used = j + 1 - i if year is not None else (2 if q_word else 1)
        if year is None:
            start_this = _quarter_start(today)
            year = today.year if date(today.year, 3 * q - 2, 1) <= start_this else today.year - 1
        start = date(year, 3 * q - 2, 1)
        return _Period(start, add_months(start, 3), f"in Q{q} {year}", used)
    if t in MONTHS:
        month = MONTHS[t]
        j = i + 1
        day = None
        if j < len(tokens) and (dm := _ORDINAL.match(tokens[j].text)) and 1 <= int(dm.group(1)) <= 31:
            if _year_at(tokens, j) is None:
                day = int(dm.group(1))
                j += 1
        if j < len(tokens) and tokens[j].text == "of":
            j += 1 if _year_at(tokens, j + 1) is not None else 0
        year = _year_at(tokens, j)
        used = j + 1 - i if year is not None else j - i
        if year is None:
            year = _latest_month(month, today)
        try:
            if day is not None:
                d = date(year, month, day)
                return _Period(d, d + timedelta(days=1), f"on {_fmt(d)}", used)
            start = date(year, month, 1)
        except ValueError:
            return None
        return _Period(start, add_months(start, 1), start.strftime("in %B %Y"), used)
    if (dm := _ORDINAL.match(t)) and i + 1 < len(tokens) and tokens[i + 1].text in MONTHS:
        # "1 March 2025", "1st of March"
        month = MONTHS[tokens[i + 1].text]
        year = _year_at(tokens, i + 2)
        used = 3 if year is not None else 2
        year = year if year is not None else _latest_month(month, today)
        try:
            d = date(year, month, int(dm.group(1)))
        except ValueError:
            return None
        return _Period(d, d + timedelta(days=1), f"on {_fmt(d)}", used)
    return None


def _relative_at(tokens: list[Token], i: int, today: date) -> _Period | None:
    """today / yesterday / this|last|previous week|month|quarter|year / year to date."""
    t = tokens[i].text
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if t == "today":
        return _Period(today, today + timedelta(days=1), f"on {_fmt(today)} (today)", 1)
    if t == "yesterday":
        y = today - timedelta(days=1)
        return _Period(y, today, f"on {_fmt(y)} (yesterday)", 1)
    if t in ("ytd", "mtd") or (t in ("year", "month") and nxt == "to" and _text(tokens, i + 2) == "date"):
        unit = "year" if t in ("ytd", "year") else "month"
        start = date(today.year, 1, 1) if unit == "year" else _month_start(today)
        return _Period(
            start, today + timedelta(days=1), f"from {_fmt(start)} on ({unit} to date)", 1 if t in ("ytd", "mtd") else 3
        )
    if t in ("this", "current") and nxt in ("week", "month", "quarter", "year"):
        start = {
            "week": today - timedelta(days=today.weekday()),
            "month": _month_start(today),
            "quarter": _quarter_start(today),
            "year": date(today.year, 1, 1),
        }[nxt]
        return _Period(start, today + timedelta(days=1), f"from {_fmt(start)} on (this {nxt})", 2)
    if t in ("last", "previous", "prior") and nxt in ("week", "month", "quarter", "year"):
        if nxt == "week":
            end = today - timedelta(days=today.weekday())
            start = end - timedelta(days=7)
        elif nxt == "month":
            end = _month_start(today)
            start = add_months(end, -1)
        elif nxt == "quarter":
            end = _quarter_start(today)
            start = add_months(end, -3)
        else:
            end = date(today.year, 1, 1)
            start = date(today.year - 1, 1, 1)
        label = f"from {_fmt(start)} to {_fmt(end - timedelta(days=1))} (last {nxt})"
        if nxt == "year":
            label = f"in {start.year} (last year)"
        elif nxt == "month":
            label = start.strftime("in %B %Y (last month)")
        elif nxt == "quarter":
            label = f"in Q{(start.month - 1) // 3 + 1} {start.year} (last quarter)"
        return _Period(start, end, label, 2)
    return None


def _text(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _rolling_at(tokens: list[Token], i: int, today: date) -> _Period | None:
    """(in|over|during|within) the (last|past|previous) N units; "the past year"."""
    j = i
    prefixed = False
    if _text(tokens, j) in ("in", "over", "during", "within", "for"):
        j += 1
        prefixed = True
    if _text(tokens, j) == "the":
        j += 1
        prefixed = True
    word = _text(tokens, j)
    if word not in ("last", "past", "previous", "recent"):
        return None
    j += 1
    n = _number_at(tokens, j)
    if n is not None and _text(tokens, j + 1) in UNITS:
        unit = UNITS[_text(tokens, j + 1)]
        used = j + 2 - i
    elif _text(tokens, j) in UNITS and (word in ("past", "recent") or prefixed):
        # "the past month", "in the last year" are rolling; a bare "last month" is the calendar month
        n, unit, used = 1, UNITS[_text(tokens, j)], j + 1 - i
    else:
        return None
    if unit == "day":
        start = today - timedelta(days=n)
    elif unit == "week":
        start = today - timedelta(days=7 * n)
    elif unit == "month":
        start = add_months(today, -n)
    elif unit == "quarter":
        start = add_months(today, -3 * n)
    else:
        start = add_months(today, -12 * n)
    span = unit if n == 1 else f"{n} {unit}s"
    return _Period(start, today + timedelta(days=1), f"in the last {span} (since {_fmt(start)})", used)


def find_dates(tokens: list[Token], today: date, taken: set[int]) -> list[DateMatch]:
    """Date expressions in the question, with the token spans they use (added to `taken`)."""
    found: list[DateMatch] = []
    i = 0
    n = len(tokens)
    while i < n:
        if i in taken:
            i += 1
            continue
        t = tokens[i].text
        match: DateMatch | None = None
        # ranges: between X and Y / from X to Y
        if t in ("between", "from"):
            p1 = _period_at(tokens, i + 1, today)
            if p1 is not None:
                k = i + 1 + p1.length
                if _text(tokens, k) in ("and", "to", "until", "through", "till"):
                    p2 = _period_at(tokens, k + 1, today)
                    if p2 is not None:
                        # "between March and May 2025": the first part borrows the second's year
                        start = p1.start
                        first_has_year = any(_year_at(tokens, k) is not None for k in range(i + 1, k))
                        first_has_year = first_has_year or bool(_ISO.match(tokens[i + 1].text))
                        if not first_has_year and tokens[i + 1].text in MONTHS:
                            start = start.replace(year=p2.start.year)
                            if start > p2.start:
                                start = start.replace(year=p2.start.year - 1)
                        label = f"from {_fmt(start)} to {_fmt(p2.end - timedelta(days=1))}"
                        match = DateMatch(i, k + 1 + p2.length, _span(start, p2.end, label))
        if match is None and t in ("since", "after", "from", "starting"):
            j = i + 1
            if t == "starting" and _text(tokens, j) in ("from", "in", "on"):
                j += 1
            p = _period_at(tokens, j, today) or _relative_at_safe(tokens, j, today)
            if p is not None and t == "from" and _text(tokens, j + p.length) not in ("on", "onwards", "onward"):
                # "loans from last month", "sales from 2025": that period itself
                match = DateMatch(i, j + p.length, DateRange(p.start, p.end, p.label))
            elif p is not None:
                start = p.end if t == "after" else p.start
                after_what = p.label.removeprefix("in ").removeprefix("on ")
                label = f"from {_fmt(start)} on" + (f" (after {after_what})" if t == "after" else "")
                last = j + p.length + (1 if _text(tokens, j + p.length) in ("on", "onwards", "onward") else 0)
                match = DateMatch(i, last, DateRange(start, None, label))
        if match is None and t in ("before", "until", "till", "through", "thru"):
            p = _period_at(tokens, i + 1, today)
            if p is not None:
                end = p.start if t == "before" else p.end
                match = DateMatch(i, i + 1 + p.length, DateRange(None, end, f"before {_fmt(end)}"))
        if match is None:
            r = _rolling_at(tokens, i, today)
            if r is not None:
                match = DateMatch(i, i + r.length, DateRange(r.start, r.end, r.label))
        if match is None:
            r = _relative_at(tokens, i, today)
            if r is not None:
                first = i - 1 if _text(tokens, i - 1) in ("in", "during", "for", "of") else i
                match = DateMatch(first, i + r.length, DateRange(r.start, r.end, r.label))
        if match is None:
            p = _period_at(tokens, i, today)
            # a bare number is a date only when it is a year that is not an amount ("over 2000 dollars")
            if (
                p is not None
                and tokens[i].is_number
                and (
                    _year_at(tokens, i) is None
                    or _text(tokens, i - 1) in AMOUNT_BEFORE
                    or _text(tokens, i + 1) in AMOUNT_AFTER
                )
            ):
                p = None
            if p is not None:
                first = i - 1 if _text(tokens, i - 1) in ("in", "during", "for", "on", "of") else i
                match = DateMatch(first, i + p.length, DateRange(p.start, p.end, p.label))
        if match is not None and not any(k in taken for k in range(match.first, match.last)):
            found.append(match)
            taken.update(range(match.first, match.last))
            i = match.last
        else:
            i += 1
    return found


def _relative_at_safe(tokens: list[Token], i: int, today: date) -> _Period | None:
    return _relative_at(tokens, i, today) if i < len(tokens) else None


def combine(matches: list[DateMatch]) -> DateRange | None:
    """All date expressions of a question narrow one another (their intersection)."""
    if not matches:
        return None
    start: date | None = None
    end: date | None = None
    labels = []
    for m in matches:
        r = m.range
        if r.start is not None and (start is None or r.start > start):
            start = r.start
        if r.end is not None and (end is None or r.end < end):
            end = r.end
        labels.append(r.label)
    return DateRange(start, end, ", ".join(labels))


def _grouped_before(tokens: list[Token], i: int) -> bool:
    """Whether a "by" / "per" opens the list of groups that token i continues ("by genre and …")."""
    for k in range(i - 1, max(-1, i - 5), -1):
        if tokens[k].text in ("by", "per"):
            return True
        if tokens[k].is_number or tokens[k].text in UNITS:
            return False
    return False


def find_bucket(tokens: list[Token], taken: set[int]) -> tuple[str | None, set[int]]:
    """The time bucket a question groups by: per/by/each/every month, monthly, over time, trend."""
    used: set[int] = set()
    for i, tok in enumerate(tokens):
        if i in taken:
            continue
        if tok.text in BUCKET_WORDS:
            return BUCKET_WORDS[tok.text], {i}
        if tok.text in ("month", "week", "day", "year", "quarter") and _text(tokens, i + 1) == "by":
            if _text(tokens, i + 2) == tok.text:  # "month by month"
                return tok.text, {i, i + 1, i + 2}
        if tok.text in UNITS and _text(tokens, i - 1) in ("per", "by", "each", "every", "a"):
            if _text(tokens, i - 1) == "a" and _text(tokens, i - 2) not in ("per",):
                continue
            first = i - 1
            if _text(tokens, i - 2) in ("for", "in", "on") and _text(tokens, i - 1) in ("each", "every"):
                first = i - 2
            if _text(tokens, i + 1) in ("and", ",") and _text(tokens, i - 1) in ("by", "per"):
                first = i  # "by quarter and genre": "by" also introduces what follows the "and"
            return UNITS[tok.text], set(range(first, i + 1))
        if tok.text in UNITS and _text(tokens, i - 1) in ("and", ",") and _grouped_before(tokens, i - 1):
            return UNITS[tok.text], {i}  # "by genre and quarter"
        if tok.text in ("over", "across") and _text(tokens, i + 1) == "time":
            used = {i, i + 1}
            return "month", used
        if tok.text in ("trend", "trends", "trending", "evolution", "timeline", "timeseries"):
            return "month", {i}
    return None, used
