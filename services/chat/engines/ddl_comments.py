"""The comments written in a SQLite `CREATE TABLE` statement, the only place SQLite keeps them
(it has no COMMENT syntax; `sqlite_master.sql` stores the statement as written, from CREATE to
its closing parenthesis).

Where a comment (`-- …` or `/* … */`) stands decides what it describes:
- on the `CREATE TABLE … (` line, or on lines of its own before the first column: the table;
- on a column definition's line (after the definition, before or after its comma): that column;
- on lines of its own between two column definitions: the column below;
- on lines of its own after the last column: the table.
Comments on table constraints (PRIMARY KEY (…), FOREIGN KEY …) are ignored, and so is the text of
string literals and quoted names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CONSTRAINT_WORDS = {"constraint", "primary", "foreign", "unique", "check"}
_CLOSING = {'"': '"', "`": "`", "[": "]"}


@dataclass
class _Segment:
    """One comma-separated part of the column list: a column definition or a table constraint."""

    code: list[str] = field(default_factory=list)
    last_line: int = -1  # line of its last character of code (or of its comma)
    comments: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return any(c.strip() for c in self.code)


@dataclass
class DdlComments:
    table: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def ddl_comments(create_sql: str) -> DdlComments:
    """The table's and each column's comments in `create_sql` (several are joined with "; ")."""
    sql = create_sql or ""
    table_notes: list[str] = []
    segments: list[_Segment] = []
    pending: list[str] = []  # comments on lines of their own, waiting for the column below
    depth = 0
    open_line = -1
    header: list[str] = []  # the code before the column list
    line = 0
    line_has_code = False
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch == "\n":
            line += 1
            line_has_code = False
            i += 1
            continue
        if sql.startswith("--", i) or sql.startswith("/*", i):
            end = sql.find("\n", i) if ch == "-" else sql.find("*/", i + 2)
            end = n if end < 0 else end
            body = sql[i + 2 : end].strip()
            own_line = not line_has_code
            line += sql.count("\n", i, end)
            i = end if ch == "-" else end + 2
            if body:
                _place(body, own_line, line, depth, open_line, segments, pending, table_notes)
            continue
        if ch in ("'", '"', "`", "["):
            close = _CLOSING.get(ch, "'")
            end = i + 1
            while end < n:
                if sql[end] == close:
                    if close in ("'", '"', "`") and sql.startswith(close * 2, end):
                        end += 2
                        continue
                    break
                end += 1
            text = sql[i : end + 1]
            line += text.count("\n")
            i = end + 1
            _code(text, depth, segments, header, line)
            _attach(pending, segments, depth)
            line_has_code = True
            continue
        line_has_code = line_has_code or not ch.isspace()
        if ch == "(":
            depth += 1
            if depth == 1:
                if re.search(r"\bas\b", "".join(header), re.IGNORECASE):
                    return DdlComments()  # CREATE TABLE … AS SELECT: no column list
                open_line = line
                segments.append(_Segment())
                i += 1
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                table_notes.extend(pending)
                pending = []
                break
        elif ch == "," and depth == 1:
            segments[-1].last_line = line
            segments.append(_Segment())
            i += 1
            continue
        _code(ch, depth, segments, header, line)
        _attach(pending, segments, depth)
        i += 1
    out = DdlComments(table="; ".join(table_notes))
    for seg in segments:
        name = _column_name("".join(seg.code))
        if name and seg.comments:
            out.columns[name] = "; ".join(seg.comments)
    return out


def _code(text: str, depth: int, segments: list[_Segment], header: list[str], line: int) -> None:
    if depth == 0:
        header.append(text)
    elif segments:
        segments[-1].code.append(text)
        if text.strip():
            segments[-1].last_line = line


def _attach(pending: list[str], segments: list[_Segment], depth: int) -> None:
    """Comments on lines of their own describe the definition (or its part) below them."""
    if depth >= 1 and pending and segments[-1].started:
        segments[-1].comments.extend(pending)
        pending.clear()


def _place(
    body: str,
    own_line: bool,
    line: int,
    depth: int,
    open_line: int,
    segments: list[_Segment],
    pending: list[str],
    table_notes: list[str],
) -> None:
    if depth == 0:  # before the column list (or after it, which SQLite does not keep)
        table_notes.append(body)
        return
    current = segments[-1]
    if current.started and not own_line:
        current.comments.append(body)  # after a definition that has no comma (yet)
    elif len(segments) > 1 and segments[-2].last_line == line and not own_line:
        segments[-2].comments.append(body)  # after a definition and its comma
    elif len(segments) == 1 and not current.started and (line == open_line or own_line):
        table_notes.append(body)  # on the CREATE line, or heading the column list
    else:
        pending.append(body)  # for the code below it: the next column, or the table at the end


def _column_name(code: str) -> str:
    text = code.strip()
    if not text:
        return ""
    if text[0] in _CLOSING:
        close = _CLOSING[text[0]]
        end = text.find(close, 1)
        return text[1:end] if end > 0 else ""
    first = re.match(r"[^\s(]+", text)
    if first is None or first.group(0).lower() in _CONSTRAINT_WORDS:
        return ""
    return first.group(0)
