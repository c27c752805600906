"""What a file is, decided by its content (docs/api.md), and whether a declared type agrees.

`sniff` looks at the first bytes only (magic numbers, or text that reads as delimited UTF-8), so
a wrong file is refused before anything is sent to storage. The structure of the whole file is
checked afterwards by `services.upload.parsers` (an XLSX is a zip whose `[Content_Types].xml`
declares a spreadsheetml workbook; a CSV keeps one column count to its last row).

A project's documents (`sniff_document`) may also be UTF-8 text that is not a table: plain text,
or Markdown when declared or named so. Between a table and text, which are both text, the name and
the declaration decide (`notes.txt` stays text even with commas on every line); the content still
has to be UTF-8 text.
"""

from __future__ import annotations

import codecs
import csv
import io

from services.common.errors import ApiError

PDF = "application/pdf"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
ALLOWED = (PDF, CSV, XLSX, PNG, JPEG)
UPLOAD_TYPE = {
    PDF: "document",
    CSV: "document",
    XLSX: "document",
    TEXT: "document",
    MARKDOWN: "document",
    PNG: "image",
    JPEG: "image",
}
NAMES = {
    PDF: "a PDF",
    CSV: "a CSV file",
    XLSX: "an XLSX workbook",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    TEXT: "plain text",
    MARKDOWN: "Markdown text",
}
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt", ".text", *MARKDOWN_SUFFIXES)

# Bytes looked at before anything is stored. Enough for a few CSV lines; magic numbers need far less.
SNIFF_BYTES = 64 * 1024
CSV_DELIMITERS = (",", ";", "\t", "|")

# A declaration that says nothing about the content (curl -F files=@x sends application/octet-stream).
GENERIC_DECLARATIONS = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# Declared types that agree with each detected type: the canonical one plus what real clients send
# (browsers on Windows declare .csv as application/vnd.ms-excel; CSV is plain text; XLSX is a zip).
COMPATIBLE = {
    PDF: {PDF, "application/x-pdf", "application/acrobat"},
    CSV: {
        CSV,
        "application/csv",
        "text/comma-separated-values",
        "text/x-csv",
        "application/x-csv",
        "text/x-comma-separated-values",
        "text/tab-separated-values",
        "text/plain",
        "application/vnd.ms-excel",
    },
    XLSX: {XLSX, "application/zip", "application/x-zip-compressed", "application/vnd.ms-excel"},
    PNG: {PNG, "image/x-png"},
    JPEG: {JPEG, "image/jpg", "image/pjpeg"},
    TEXT: {TEXT},
    MARKDOWN: {MARKDOWN, "text/x-markdown", TEXT},
}
_KNOWN_DECLARATIONS = set().union(*(COMPATIBLE[t] for t in ALLOWED))
_DOCUMENT_DECLARATIONS = set().union(*COMPATIBLE.values())


def normalise_declared(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def check_declared(declared: str, *, document: bool = False) -> None:
    """Refuse at once a specific declaration no allowed type could satisfy (e.g. application/json);
    `document`: for a project's document, which may also be text."""
    declared = normalise_declared(declared)
    known = _DOCUMENT_DECLARATIONS if document else _KNOWN_DECLARATIONS
    if declared not in GENERIC_DECLARATIONS and declared not in known:
        kinds = "PDF, CSV, XLSX, text, Markdown, PNG or JPEG" if document else "PDF, CSV, XLSX, PNG or JPEG"
        raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"Declared type {declared} is not accepted: upload {kinds} files")


def check_agrees(detected: str, declared: str) -> None:
    declared = normalise_declared(declared)
    if declared in GENERIC_DECLARATIONS or declared in COMPATIBLE[detected]:
        return
    raise ApiError(
        "UNSUPPORTED_MEDIA_TYPE",
        f"The file was declared as {declared} but its content is {NAMES[detected]}",
    )


def sniff(prefix: bytes, *, complete: bool) -> str:
    """The allowed type the first bytes show, or UNSUPPORTED_MEDIA_TYPE.

    `complete` says the prefix is the whole file (so its last line is not cut short).
    """
    if not prefix:
        raise ApiError("INVALID_REQUEST", "The file is empty")
    if prefix.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if prefix.startswith(b"\xff\xd8\xff"):
        return JPEG
    # The PDF header may follow a little junk (readers accept it within the first kilobyte).
    if b"%PDF-" in prefix[:1024]:
        return PDF
    if prefix.startswith(b"PK\x03\x04"):
        return XLSX  # a zip: parsers.xlsx.check_xlsx_archive decides whether it is a workbook
    if looks_like_csv(prefix, complete=complete):
        return CSV
    raise ApiError(
        "UNSUPPORTED_MEDIA_TYPE",
        "The file's content is not PDF, CSV (UTF-8 delimited text), XLSX, PNG or JPEG",
    )


def sniff_document(prefix: bytes, *, complete: bool, declared: str, filename: str) -> str:
    """A project document's type: one a chat upload may have, or UTF-8 text (plain or Markdown)."""
    declared = normalise_declared(declared)
    name = filename.lower()
    markdown = declared in ("text/markdown", "text/x-markdown") or name.endswith(MARKDOWN_SUFFIXES)
    text_type = MARKDOWN if markdown else TEXT
    try:
        detected = sniff(prefix, complete=complete)
    except ApiError as err:
        if err.code != "UNSUPPORTED_MEDIA_TYPE":
            raise
        if _decode_prefix(prefix, complete=complete) is None:
            raise ApiError(
                "UNSUPPORTED_MEDIA_TYPE", "The file's content is not PDF, CSV, XLSX, UTF-8 text, PNG or JPEG"
            ) from None
        return text_type
    named_text = markdown or (name.endswith(TEXT_SUFFIXES) and declared not in COMPATIBLE[CSV] - {TEXT})
    # Named or declared as text: delimited-looking lines stay prose (magic numbers still win).
    return text_type if detected == CSV and named_text else detected


def _decode_prefix(prefix: bytes, *, complete: bool) -> str | None:
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    try:
        # final=False tolerates a multi-byte character cut at the end of the prefix.
        text = decoder.decode(prefix, final=complete)
    except UnicodeDecodeError:
        return None
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x1a\x1b\x7f"):
        return None
    return text


def detect_delimiter(sample: str, *, drop_last: bool = False) -> str | None:
    """The delimiter that splits every row of `sample` into the same number (≥ 2) of fields.

    `drop_last` ignores the last row (a sample cut inside a quoted multi-line field).
    """
    for delimiter in CSV_DELIMITERS:
        rows = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if drop_last and len(rows) > 1:
            rows.pop()
        if rows and min(rows) == max(rows) >= 2:
            return delimiter
    return None


def looks_like_csv(prefix: bytes, *, complete: bool) -> bool:
    text = _decode_prefix(prefix, complete=complete)
    if text is None:
        return False
    if not complete:
        # Only whole lines: the last one may be cut in the middle of a field.
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut <= 0:
            # A first line longer than the prefix: decide on what there is, the full check follows.
            return any(d in text for d in CSV_DELIMITERS)
        text = text[:cut]
    try:
        return detect_delimiter(text, drop_last=not complete) is not None
    except csv.Error:
        return False
