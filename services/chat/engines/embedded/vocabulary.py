"""The generic English the parser knows: words that ask for a chart, a list, an aggregate, a
ranking, a comparison or a negation; the words that name money, quantities, prices and durations;
the column-name words that tell which column plays such a role; and filler to ignore. Nothing here
names a table, column or value of any particular database.
"""

from __future__ import annotations

from services.chat.engines.embedded.lexicon import GRAMMAR
from services.chat.engines.embedded.nl_dates import NUMBER_WORDS

CHART_WORDS = {"chart", "graph", "plot", "diagram", "visualization", "visualisation", "histogram", "viz"}
LIST_VERBS = {"show", "list", "display", "give", "find", "get", "fetch", "return", "see", "view", "print", "which"}
MONEY_WORDS = {
    "revenue",
    "revenues",
    "sales",
    "sale",
    "income",
    "turnover",
    "spend",
    "spending",
    "spent",
    "earnings",
    "earn",
    "earns",
    "earned",
    "money",
    "paid",
    "pay",
    "pays",
    "value",
    "worth",
    "billed",
    "bring",
    "brought",
    "generate",
    "generated",
    "generates",
    "gross",
    "dollars",
    "amount",
    "amounts",
    "totals",
}
# money words that name a measure well enough to label it ("total revenue (net_total)")
MONEY_LABELS = {"revenue", "sales", "income", "turnover", "spend", "spending", "earnings", "value", "worth", "amount"}
QUANTITY_WORDS = {"units", "unit", "quantity", "quantities", "qty", "pieces", "sold", "sell", "selling"}
PRICE_WORDS = {"price", "prices", "priced", "cost", "costs", "costing"}
DURATION_WORDS = {"duration", "durations", "stay", "stays", "length", "turnaround", "resolution", "lead"}
AGG_WORDS = {
    "total": "sum",
    "sum": "sum",
    "average": "avg",
    "avg": "avg",
    "mean": "avg",
    "typical": "avg",
    "minimum": "min",
    "min": "min",
    "maximum": "max",
    "max": "max",
}
# superlatives: (direction, meaning); meaning "measure" ranks by the measure that follows
SUPERLATIVES = {
    "most": (True, "measure"),
    "least": (False, "measure"),
    "fewest": (False, "measure"),
    "highest": (True, "measure"),
    "lowest": (False, "measure"),
    "largest": (True, "measure"),
    "biggest": (True, "measure"),
    "greatest": (True, "measure"),
    "smallest": (False, "measure"),
    "best": (True, "measure"),
    "worst": (False, "measure"),
    "top": (True, "measure"),
    "bottom": (False, "measure"),
    "cheapest": (False, "price"),
    "priciest": (True, "price"),
    "costliest": (True, "price"),
    "latest": (True, "recency"),
    "newest": (True, "recency"),
    "recent": (True, "recency"),
    "earliest": (False, "recency"),
    "oldest": (False, "age"),
    "youngest": (True, "age"),
    "longest": (True, "duration"),
    "shortest": (False, "duration"),
}
MAXMIN = {"highest": "max", "largest": "max", "biggest": "max", "greatest": "max", "lowest": "min", "smallest": "min"}
NEGATIONS = {
    "not",
    "non",
    "excluding",
    "except",
    "without",
    "exclude",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "never",
    "haven't",
    "hasn't",
    "hadn't",
    "didn't",
    "don't",
    "doesn't",
    "no",
    "none",
}
# comparison phrases by operator
# fmt: off
_COMPARATOR_PHRASES = {
    ">=": ["more than or equal to", "greater than or equal to", "at least", "no less than", ">="],
    "<=": ["less than or equal to", "at most", "no more than", "up to", "<="],
    ">": ["more than", "greater than", "higher than", "larger than", "bigger than", "over", "above", "exceeding",
          "exceeds", "exceed", ">"],
    "<": ["less than", "lower than", "smaller than", "fewer than", "cheaper than", "under", "below", "<"],
    "=": ["equal to", "equals", "exactly", "="],
}
# fmt: on
# (words, operator), longest first: "more than or equal to" is tried before "more than"
COMPARATORS: list[tuple[tuple[str, ...], str]] = sorted(
    ((tuple(phrase.split()), op) for op, phrases in _COMPARATOR_PHRASES.items() for phrase in phrases),
    key=lambda entry: -len(entry[0]),
)
PRICE_COMPARATORS = {("more", "expensive", "than"): ">", ("pricier", "than"): ">", ("cheaper", "than"): "<"}
GROUP_MARKERS = {"by", "per", "each", "every", "across"}
ORDER_VERBS = {"sorted", "sort", "ordered", "order", "ranked", "rank"}
# name words that make a column the natural money measure, best first
MONEY_NAMES = [
    ({"revenue", "sales", "amount", "total", "subtotal", "gross", "net"}, 3.0),
    (
        {"charge", "charges", "paid", "payment", "billed", "spend", "income", "value", "wage", "earnings", "fare"},
        2.0,
    ),
    ({"price", "cost", "rate"}, 1.0),
]
QUANTITY_NAMES = {"quantity", "qty", "units", "count", "volume", "pieces"}
DISCOUNT_NAMES = {"discount"}
END_NAMES = {
    "closed",
    "ended",
    "end",
    "finished",
    "resolved",
    "completed",
    "updated",
    "modified",
    "deleted",
    "discharged",
    "shipped",
    "delivered",
    "expires",
    "expiry",
    "expired",
    "due",
    "cancelled",
    "canceled",
    "until",
    "to",
}
# "average X per Y" averages per-Y totals when Y has more rows than this (else it is a breakdown by Y)
PER_ENTITY_MIN_ROWS = 50
# numeric columns that are averaged rather than summed when no aggregate is named
AVERAGED_NAMES = {
    "price",
    "cost",
    "rate",
    "wage",
    "age",
    "score",
    "rating",
    "percent",
    "pct",
    "ratio",
    "discount",
    "temperature",
    "weight",
    "height",
    "duration",
    "size",
    "level",
    "grade",
    "margin",
}
AGE_NAMES = {"birth", "born", "dob", "birthday", "birthdate"}
FILLER = GRAMMAR | {
    "did",
    "does",
    "do",
    "has",
    "have",
    "had",
    "got",
    "get",
    "make",
    "made",
    "happen",
    "happened",
    "take",
    "took",
    "place",
    "placed",
    "come",
    "came",
    "go",
    "went",
    "work",
    "works",
    "live",
    "lives",
    "belong",
    "belongs",
    "handle",
    "handled",
    "opened",
    "still",
    "yet",
    "currently",
    "so",
    "far",
    "ever",
    "overall",
    "altogether",
    "combined",
    "whole",
    "entire",
    "different",
    "distinct",
    "unique",
    "individual",
    "single",
    "new",
    "existing",
    "current",
    "registered",
    "recorded",
    "stored",
    "held",
    "hold",
    "contain",
    "contains",
    "break",
    "down",
    "breakdown",
    "split",
    "grouped",
    "group",
    "broken",
    "across",
    "compare",
    "comparison",
    "changed",
    "change",
    "evolved",
    "like",
    "look",
    "looks",
    "tell",
    "know",
    "about",
    "give",
    "dollars",
    "please",
    "kindly",
    "just",
    "also",
    "then",
    "them",
    "they",
    "he",
    "she",
    "him",
    "her",
    "any",
    "way",
    "time",
    "times",
    "ones",
    "one",
    "item",
    "there",
    "here",
    "out",
    "into",
    "now",
}


# words that carry the question's logic (never "unknown")
KEYWORDS = (
    set(AGG_WORDS)
    | set(SUPERLATIVES)
    | set(MAXMIN)
    | {w for phrase, _ in COMPARATORS for w in phrase}
    | {"number", "count", "counts", "percentage", "percent", "proportion", "share", "fraction", "ratio"}
    | {"how", "many", "much", "describe", "expensive", "cheap", "common", "popular", "frequent", "volume"}
    | set(NUMBER_WORDS)
)
HAVE_WORDS = {"with", "has", "have", "had", "having"}
# fmt: off
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
    "9th": 9, "10th": 10,
}
# fmt: on
# leading words skipped when looking for the question's head noun
HEAD_SKIP = {
    "what",
    "which",
    "who",
    "how",
    "is",
    "are",
    "was",
    "were",
    "the",
    "a",
    "an",
    "show",
    "me",
    "list",
    "give",
    "tell",
    "find",
    "display",
    "get",
    "all",
    "our",
    "my",
    "of",
    "do",
    "does",
    "did",
    "there",
    "i",
    "can",
    "you",
    "please",
    "could",
    "would",
    "want",
    "to",
    "see",
    "let",
    "us",
    "need",
    "know",
    "whats",
    "what's",
}

# every word the interpretation steps read, for telling a content word it cannot place from one it knows
KNOWN_WORDS = frozenset(
    FILLER
    | KEYWORDS
    | NEGATIONS
    | HEAD_SKIP
    | LIST_VERBS
    | GROUP_MARKERS
    | ORDER_VERBS
    | HAVE_WORDS
    | CHART_WORDS
    | MONEY_WORDS
    | QUANTITY_WORDS
    | PRICE_WORDS
    | DURATION_WORDS
    | set(ORDINALS)
    | set(SUPERLATIVES)
    | set(MAXMIN)
    | set(AGG_WORDS)
    | {"recently", "expensive", "cheap", "popular", "common", "frequent", "long", "often"}
    | {"ascending", "descending", "asc", "desc"}
) - {"bar", "line", "pie", "donut", "area", "stacked"}  # chart words count only as part of a chart request
