"""A project's documents may also be plain text or Markdown: recognised by content (with the name or
the declaration deciding between a table and prose), checked as UTF-8 to the end, indexed by lines."""

from __future__ import annotations

import pytest

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers import parse

PROSE = b"Returns are accepted within 30 days.\nShipping is free over 50 euros, always.\n"


def test_text_is_a_document_type_only() -> None:
    assert ct.sniff_document(PROSE, complete=True, declared="", filename="notes.txt") == ct.TEXT
    assert ct.sniff_document(PROSE, complete=True, declared="text/markdown", filename="x") == ct.MARKDOWN
    assert ct.sniff_document(b"# Title\n\nText.\n", complete=True, declared="", filename="README.md") == ct.MARKDOWN
    with pytest.raises(ApiError) as refused:  # a chat upload stays one of the five types
        ct.sniff(PROSE, complete=True)
    assert refused.value.code == "UNSUPPORTED_MEDIA_TYPE"
    ct.check_declared("text/markdown", document=True)
    with pytest.raises(ApiError):
        ct.check_declared("text/markdown")


def test_the_name_decides_between_a_table_and_prose() -> None:
    delimited = b"a,b\n1,2\n3,4\n"
    assert ct.sniff_document(delimited, complete=True, declared="", filename="data.csv") == ct.CSV
    assert ct.sniff_document(delimited, complete=True, declared="", filename="data.txt") == ct.TEXT
    assert ct.sniff_document(delimited, complete=True, declared="text/csv", filename="data.txt") == ct.CSV
    # Prose named .csv is text, and then contradicts a CSV declaration.
    assert ct.sniff_document(PROSE, complete=True, declared="", filename="odd.csv") == ct.TEXT
    with pytest.raises(ApiError) as refused:
        ct.check_agrees(ct.TEXT, "text/csv")
    assert refused.value.code == "UNSUPPORTED_MEDIA_TYPE"
    with pytest.raises(ApiError) as binary:
        ct.sniff_document(b"\x00\x01\x02junk", complete=True, declared="", filename="x.txt")
    assert "UTF-8 text" in binary.value.detail
    assert ct.sniff_document(b"%PDF-1.4 ...", complete=False, declared="", filename="a.txt") == ct.PDF


def test_markdown_is_indexed_by_section_and_lines(tmp_path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Returns\n\nReturns are accepted within 30 days.\n\n## Shipping\nFree over 50 euros.\n")
    parsed = parse(path, ct.MARKDOWN, "notes.md")
    assert parsed.chunks == [
        "notes.md, section “Returns”, lines 1–3\n# Returns\nReturns are accepted within 30 days.",
        "notes.md, section “Shipping”, lines 5–6\n## Shipping\nFree over 50 euros.",
    ]
    plain = tmp_path / "notes.txt"
    plain.write_text("\n".join(f"line {i} " + "x" * 100 for i in range(1, 30)))
    chunks = parse(plain, ct.TEXT, "notes.txt").chunks
    assert chunks[0].startswith("notes.txt, lines 1–") and chunks[-1].split("\n")[0].endswith("29")
    assert all(len(c) <= 1200 + 40 for c in chunks)


def test_text_must_be_utf8_to_the_end(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine\n" * 10 + b"\xff\xfe broken\n")
    with pytest.raises(ApiError) as refused:
        parse(path, ct.TEXT, "bad.txt")
    assert refused.value.code == "UNSUPPORTED_MEDIA_TYPE" and "UTF-8" in refused.value.detail
