"""Words of a question and names of a schema, brought to comparable forms.

A question is lower-cased and split into tokens; each token has its singular forms (for table
names and data values) and a crude stem (for column names: "enrolled" ~ `enrolled_at`). The schema
lexicon maps word sequences to tables, columns and few-valued text columns' values; matching is
longest-first over the question's tokens. Nothing here knows any particular database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.chat.engines.schema import Column, Schema, Table

# --- tokens ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}-\d{1,2}(?![\d-])|\d{1,2}/\d{1,2}/\d{4}"
    r"|\d+(?:\.\d+)?%?|[a-z0-9]+(?:['\-][a-z0-9]+)*[+\-]?|[<>]=?|[=+]"
)
_IRREGULAR = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "sold": "sell",
    "spent": "spend",
    "paid": "pay",
    "bought": "buy",
    "born": "birth",
    "made": "make",
    "brought": "bring",
    "written": "write",
    "wrote": "write",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "held": "hold",
    "won": "win",
    "lost": "lose",
    "ran": "run",
    "grew": "grow",
    "feet": "foot",
    "data": "datum",
}
_PHRASES = [
    (re.compile(r"\bsign(?:ed|ing)?[\s-]+ups?\b|\bsignups\b"), "signup"),
    (re.compile(r"\blog(?:ged|ging)?[\s-]+ins?\b"), "login"),
    (re.compile(r"\be-mails?\b"), "email"),
    (re.compile(r"\b(?:year[\s-]+over[\s-]+year|yoy)\b"), "per year"),
    (re.compile(r"\b(?:month[\s-]+over[\s-]+month|mom)\b"), "per month"),
    (re.compile(r"\bbest[\s-]+selling\b|\btop[\s-]+selling\b"), "most sold"),
    (re.compile(r"\bworst[\s-]+selling\b"), "least sold"),
    (re.compile(r"\bdoughnut\b"), "donut"),
    (re.compile(r"\bvisuali[sz]e\b"), "chart"),
    (re.compile(r"\bhow\s+much\s+money\b"), "how much"),
]


@dataclass
class Token:
    text: str  # lower-cased as written
    start: int  # character offsets in the normalised question
    end: int
    forms: frozenset[str] = frozenset()  # the word and its singular forms
    stem: str = ""
    number: float | None = None

    @property
    def is_number(self) -> bool:
        return self.number is not None


def normalise(question: str) -> str:
    text = question.strip().lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(\d+(?:\.\d+)?)\s*k\b", lambda m: str(float(m.group(1)) * 1000).removesuffix(".0"), text)
    text = re.sub(r"[$€£]\s*(\d+(?:\.\d+)?)", r"\1 dollars", text)  # an amount, never a year
    text = re.sub(r"'s\b", "", text)
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    return text


def singular_forms(word: str) -> set[str]:
    forms = {word}
    if word in _IRREGULAR:
        forms.add(_IRREGULAR[word])
    if len(word) <= 3 or (not word[-1].isalpha() and word[-1] not in "+-"):
        return forms
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif word.endswith("ses"):
        forms.update({word[:-2], word[:-1], word[:-2] + "is"})  # statuses, bases, diagnoses
    elif word.endswith(("xes", "ches", "shes", "zes")):
        forms.add(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.add(word[:-1])
    if word.endswith("s-") or word.endswith("s+"):
        forms.add(word[:-2] + word[-1])
    if "-" in word[:-1] and word.endswith("s"):
        forms.add(word[:-1])  # check-ins -> check-in
    return forms


def plural(word: str) -> str:
    if word.endswith("is") and len(word) > 4:
        return word[:-2] + "es"  # thesis -> theses
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh", "z")):
        return word + "es"
    return word + "s"


_DOUBLE = re.compile(r"([bdfgklmnprstz])\1$")


def stem(word: str) -> str:
    """A crude stem: plural and verb endings off, so hire/hired/hiring/hires meet."""
    w = _IRREGULAR.get(word, word)
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("ses") and len(w) > 5:
        w = w[:-2] + "is" if w.endswith("oses") or w.endswith("yses") else w[:-1]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ied") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
        if _DOUBLE.search(w):
            w = w[:-1]
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if _DOUBLE.search(w):
            w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        number = None
        if re.fullmatch(r"\d+(?:\.\d+)?", word):
            number = float(word)
        tokens.append(
            Token(
                text=word,
                start=m.start(),
                end=m.end(),
                forms=frozenset(singular_forms(word)),
                stem=stem(word),
                number=number,
            )
        )
    return tokens


def shared_prefix(a: str, b: str) -> int:
    """How many leading characters two words share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def words_of(name: str) -> list[str]:
    """An identifier's words: snake_case, camelCase and spaces split, lower-cased."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def value_words(value: str) -> list[str]:
    """A data value's tokens, as the question tokenizer would produce them (no '&' or 'and')."""
    return [t.text for t in tokenize(normalise(value)) if t.text not in ("and", "&")]


# --- the schema lexicon ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str  # "table", "column" or "value"
    table: str
    column: str = ""
    value: str = ""
    weight: float = 1.0  # how strongly the words name it (full name > head word)


@dataclass
class Entry:
    words: tuple[str, ...]
    targets: list[Target] = field(default_factory=list)


# Words that carry no identity of their own inside names (`author_id` is about authors).
_NAME_NOISE = {"id", "ids", "no", "num", "nbr", "code", "key", "fk", "pk", "ref", "tbl", "dim", "fact"}
# Words of the question's grammar that never name schema objects on their own.
GRAMMAR = {
    "a",
    "an",
    "the",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "per",
    "with",
    "from",
    "and",
    "or",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "how",
    "many",
    "much",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "show",
    "list",
    "give",
    "me",
    "tell",
    "find",
    "get",
    "display",
    "all",
    "each",
    "every",
    "any",
    "top",
    "bottom",
    "most",
    "least",
    "total",
    "sum",
    "average",
    "avg",
    "mean",
    "count",
    "number",
    "min",
    "max",
    "minimum",
    "maximum",
    "last",
    "this",
    "next",
    "past",
    "previous",
    "month",
    "months",
    "year",
    "years",
    "day",
    "days",
    "week",
    "weeks",
    "quarter",
    "quarters",
    "today",
    "yesterday",
    "than",
    "more",
    "less",
    "over",
    "under",
    "above",
    "below",
    "between",
    "there",
    "our",
    "we",
    "us",
    "my",
    "their",
    "its",
    "it",
    "that",
    "those",
    "these",
    "as",
    "chart",
    "graph",
    "plot",
    "bar",
    "line",
    "pie",
    "donut",
    "area",
    "stacked",
    "not",
    "no",
    "without",
    "since",
    "before",
    "after",
    "until",
    "highest",
    "lowest",
    "largest",
    "smallest",
    "biggest",
    "first",
    "so",
    "far",
    "up",
    "table",
    "tables",
    "row",
    "rows",
    "record",
    "records",
    "column",
    "columns",
    "field",
    "fields",
    "value",
    "values",
    "data",
    "database",
    "please",
    "can",
    "you",
    "could",
    "would",
    "i",
    "want",
    "see",
    "other",
    "some",
    "only",
    "one",
    "single",
    "new",
}


class Lexicon:
    """Word sequences naming the schema's tables, columns and values, for longest-first matching."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.entries: dict[tuple[str, ...], list[Target]] = {}
        self.max_len = 1
        # stems of each column's meaningful words, for loose matches ("enrolled" ~ enrolled_at)
        self.column_stems: dict[tuple[str, str], set[str]] = {}
        # the words of every table and column name, for telling a derived word ("invoiced") from an unknown one
        self.name_words: set[str] = set()
        for table in schema.tables.values():
            self._add_table(table)
            for col in table.columns:
                self._add_column(table, col)

    def _add(self, words: list[str] | tuple[str, ...], target: Target) -> None:
        key = tuple(words)
        if not key:
            return
        bucket = self.entries.setdefault(key, [])
        for i, existing in enumerate(bucket):
            if (existing.kind, existing.table, existing.column, existing.value) == (
                target.kind,
                target.table,
                target.column,
                target.value,
            ):
                if target.weight > existing.weight:
                    bucket[i] = target
                return
        bucket.append(target)
        self.max_len = max(self.max_len, len(key))

    def _add_table(self, table: Table) -> None:
        words = [w for w in words_of(table.name) if w not in _NAME_NOISE] or words_of(table.name)
        self.name_words.update(w for w in words if len(w) >= 3)
        target = Target("table", table.name, weight=3.0)
        for variant in _number_variants(words):
            self._add(variant, target)
        if len(words) > 1:  # the head noun alone: "loans" for library_loans
            head = Target("table", table.name, weight=1.5)
            for variant in _number_variants(words[-1:]):
                self._add(variant, head)

    def _add_column(self, table: Table, col: Column) -> None:
        fk = table.fk_for(col.name)
        words = words_of(col.name)
        meaningful = [w for w in words if w not in _NAME_NOISE]
        if fk is not None or col.primary_key:
            # a key column stands for the table it points to; it is not a measure or a dimension
            return
        if not meaningful:
            return
        self.name_words.update(w for w in meaningful if len(w) >= 3)
        self.column_stems[(table.name, col.name)] = {stem(w) for w in meaningful}
        target = Target("column", table.name, col.name, weight=3.0)
        for variant in _number_variants(meaningful):
            self._add(variant, target)
        table_words = set(words_of(table.name)) | {f for w in words_of(table.name) for f in singular_forms(w)}
        if len(meaningful) > 1:
            # each word of a multi-word name alone is a weaker mention ("type" for seat_type),
            # except words that just repeat the table's name
            for i, word in enumerate(meaningful):
                if word in GRAMMAR or word in table_words or len(word) < 3:
                    continue
                weight = 2.0 if i == len(meaningful) - 1 else 1.2
                for variant in _number_variants([word]):
                    self._add(variant, Target("column", table.name, col.name, weight=weight))
        if col.values:
            for value in col.values:
                vw = value_words(value)
                if not vw or len(vw) > 8:
                    continue
                if len(vw) == 1 and (vw[0] in GRAMMAR or len(vw[0]) < 2 or vw[0].isdigit()):
                    continue
                target = Target("value", table.name, col.name, value=value, weight=4.0)
                self._add(vw, target)
                self._add([*vw[:-1], plural(vw[-1])], target)

    def match(self, words: list[str]) -> list[Target]:
        return self.entries.get(tuple(words), [])

    def split_negations(self, text: str) -> str:
        """'unresolved' → 'not resolved', 'unpaid' → 'not paid' when the rest names a column or a value
        (so the negation reaches it); other un- words ("unique", "united") stay as they are."""

        def split(m: re.Match[str]) -> str:
            rest = m.group(1)
            s = stem(rest)
            named = self.match([rest]) or any(s in stems for stems in self.column_stems.values())
            return f"not {rest}" if named else m.group(0)

        return re.sub(r"\bun([a-z]{4,})\b", split, text)

    def names_word(self, word: str) -> bool:
        """Whether `word` is a form of a word of a table or column name: "borrowed" (borrowings),
        "repairing" (repaired_at)."""
        s = stem(word)
        for name in self.name_words:
            if stem(name) == s:
                return True
            shared = shared_prefix(name, word)
            if shared >= 6 or (shared >= 5 and shared >= min(len(name), len(word)) - 3):
                return True
        return False


def _number_variants(words: list[str]) -> list[tuple[str, ...]]:
    """The words with the last one singular and plural."""
    if not words:
        return []
    last = words[-1]
    forms = {last, plural(last), *singular_forms(last)}
    return [(*words[:-1], f) for f in sorted(forms)]
