"""Date expressions of the embedded engine: explicit, relative to today, ranges, and amounts that
only look like years."""

from __future__ import annotations

from datetime import date

import pytest

from services.chat.engines.embedded.lexicon import normalise, tokenize
from services.chat.engines.embedded.nl_dates import combine, find_bucket, find_dates

TODAY = date(2026, 6, 15)


def _range(text: str, today: date = TODAY) -> tuple[date | None, date | None] | None:
    found = combine(find_dates(tokenize(normalise(text)), today, set()))
    return None if found is None else (found.start, found.end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orders in 2025", (date(2025, 1, 1), date(2026, 1, 1))),
        ("sales in March 2025", (date(2025, 3, 1), date(2025, 4, 1))),
        ("sales in march", (date(2026, 3, 1), date(2026, 4, 1))),  # the latest March
        ("sales in october", (date(2025, 10, 1), date(2025, 11, 1))),
        ("on 2025-03-04", (date(2025, 3, 4), date(2025, 3, 5))),
        ("in Q2 2025", (date(2025, 4, 1), date(2025, 7, 1))),
        ("last month", (date(2026, 5, 1), date(2026, 6, 1))),
        ("this month", (date(2026, 6, 1), date(2026, 6, 16))),
        ("last year", (date(2025, 1, 1), date(2026, 1, 1))),
        ("this year", (date(2026, 1, 1), date(2026, 6, 16))),
        ("last quarter", (date(2026, 1, 1), date(2026, 4, 1))),
        ("yesterday", (date(2026, 6, 14), date(2026, 6, 15))),
        ("in the last 30 days", (date(2026, 5, 16), date(2026, 6, 16))),
        ("over the past 6 months", (date(2025, 12, 15), date(2026, 6, 16))),
        ("in the past year", (date(2025, 6, 15), date(2026, 6, 16))),
        ("since January 2026", (date(2026, 1, 1), None)),
        ("after 2020", (date(2021, 1, 1), None)),
        ("before 2025", (None, date(2025, 1, 1))),
        ("between 2025-03-01 and 2025-03-31", (date(2025, 3, 1), date(2025, 4, 1))),
        ("between January and March 2027", (date(2027, 1, 1), date(2027, 4, 1))),
        ("from November to February 2026", (date(2025, 11, 1), date(2026, 3, 1))),
        ("orders from last month", (date(2026, 5, 1), date(2026, 6, 1))),
        ("year to date", (date(2026, 1, 1), date(2026, 6, 16))),
    ],
)
def test_date_expressions(text, expected) -> None:
    assert _range(text) == expected


@pytest.mark.parametrize("text", ["orders over $2,000", "more than 2000 units", "top 2025 customers", "the 5 biggest"])
def test_amounts_are_not_years(text) -> None:
    assert _range(text) is None


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("revenue per month", "month"),
        ("monthly revenue", "month"),
        ("orders by year", "year"),
        ("tickets each week", "week"),
        ("quarterly sales", "quarter"),
        ("daily orders", "day"),
        ("sales over time", "month"),
        ("revenue by region", None),
    ],
)
def test_time_buckets(text, bucket) -> None:
    assert find_bucket(tokenize(normalise(text)), set())[0] == bucket
