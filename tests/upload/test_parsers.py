"""Whole-file checks and text extraction of each allowed type, and refusals of broken files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload import parsers
from services.upload.parsers import chunking
from services.upload.parsers.xlsx import XLSX_CONTENT_TYPE
from tests.upload.samples import csv_bytes, jpeg_bytes, pdf_bytes, png_bytes, xlsx_bytes


def _parse(tmp_path: Path, name: str, data: bytes, mime: str) -> parsers.Parsed:
    path = tmp_path / "staged.part"  # the service stages files without their extension
    path.write_bytes(data)
    return parsers.parse(path, mime, name)


def _refusal(tmp_path: Path, name: str, data: bytes, mime: str) -> ApiError:
    with pytest.raises(ApiError) as info:
        _parse(tmp_path, name, data, mime)
    assert info.value.detail.startswith(name + ":"), info.value.detail  # says which file
    return info.value


def test_pdf_text_by_page(tmp_path: Path) -> None:
    parsed = _parse(tmp_path, "report.pdf", pdf_bytes(["Revenue by region", "North led"], pages=2), ct.PDF)
    assert len(parsed.chunks) == 2
    assert parsed.chunks[0].startswith("report.pdf, page 1 of 2\n") and "North led" in parsed.chunks[0]
    assert "Page 2" in parsed.chunks[1]


def test_csv_rows_are_chunked_under_their_header(tmp_path: Path) -> None:
    parsed = _parse(tmp_path, "units.csv", csv_bytes(200, bom=True), ct.CSV)
    assert len(parsed.chunks) > 1 and not parsed.truncated
    for chunk in parsed.chunks:
        assert chunk.startswith("units.csv, lines ") and "columns: region | product | units" in chunk
        assert len(chunk) <= chunking.CHUNK_CHARS + 200
    text = "\n".join(parsed.chunks)
    assert "Region 1 | Widget 199 | 1393" in text and "\ufeff" not in text


def test_csv_checked_to_the_last_row(tmp_path: Path) -> None:
    ragged = csv_bytes(5000) + b"one,two\n"
    err = _refusal(tmp_path, "ragged.csv", ragged, ct.CSV)
    assert err.code == "UNSUPPORTED_MEDIA_TYPE" and "line 5002 has 2 fields where the header has 3" in err.detail
    latin = csv_bytes(3000) + "Zürich,x,y\n".encode("latin-1")
    err = _refusal(tmp_path, "latin.csv", latin, ct.CSV)
    assert err.code == "UNSUPPORTED_MEDIA_TYPE" and "UTF-8" in err.detail


def test_xlsx_sheets_and_rows(tmp_path: Path) -> None:
    rows = [["region", "revenue"]] + [[f"Region {i}", i * 10] for i in range(150)]
    parsed = _parse(tmp_path, "book.xlsx", xlsx_bytes(rows, sheet="Q3"), ct.XLSX)
    assert parsed.chunks[0].startswith("book.xlsx, sheet 'Q3', rows 2–")
    assert "columns: region | revenue" in parsed.chunks[0]
    assert "Region 149 | 1490" in "\n".join(parsed.chunks)


def test_malformed_xlsx_and_pdf_are_clear_refusals(tmp_path: Path) -> None:
    cut = xlsx_bytes()[:1500]
    err = _refusal(tmp_path, "cut.xlsx", cut, ct.XLSX)
    assert err.code == "INVALID_REQUEST" and "not a readable XLSX workbook" in err.detail
    err = _refusal(tmp_path, "broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", ct.PDF)
    assert err.code == "INVALID_REQUEST" and "not a readable PDF" in err.detail


def test_xlsx_with_broken_sheet_xml(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # XML cut in the middle
            target.writestr(info.filename, data)
    err = _refusal(tmp_path, "half.xlsx", out.getvalue(), ct.XLSX)
    assert err.code == "INVALID_REQUEST"


def test_a_zip_that_is_not_a_workbook_is_415(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    err = _refusal(tmp_path, "letter.xlsx", out.getvalue(), ct.XLSX)
    assert err.code == "UNSUPPORTED_MEDIA_TYPE" and "not an XLSX workbook" in err.detail


def test_zip_bomb_is_refused_before_openpyxl(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", XLSX_CONTENT_TYPE.decode())
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))  # compresses ~1000:1
    assert len(out.getvalue()) < 200 * 1024
    err = _refusal(tmp_path, "bomb.xlsx", out.getvalue(), ct.XLSX)
    assert err.code == "INVALID_REQUEST" and "zip bomb" in err.detail


def test_png_caption_is_factual(tmp_path: Path) -> None:
    data = png_bytes((120, 40), (200, 30, 30), title="Q3 revenue", description="Bar chart of revenue")
    (caption,) = _parse(tmp_path, "chart.png", data, ct.PNG).chunks
    assert caption.startswith("chart.png: PNG image, 120×40 pixels, colour; landscape orientation")
    assert "red (#" in caption and "white (#ffffff" in caption
    assert "Title: Q3 revenue" in caption and "Description: Bar chart of revenue" in caption


def test_jpeg_caption_reads_exif(tmp_path: Path) -> None:
    (caption,) = _parse(tmp_path, "photo.jpg", jpeg_bytes((60, 90), description="Team offsite"), ct.JPEG).chunks
    assert "JPEG image, 60×90 pixels" in caption and "portrait orientation" in caption
    assert "blue" in caption and "Description: Team offsite" in caption


def test_broken_images_are_refused(tmp_path: Path) -> None:
    err = _refusal(tmp_path, "cut.png", png_bytes()[:60], ct.PNG)
    assert err.code == "INVALID_REQUEST" and "not a readable PNG image" in err.detail
    err = _refusal(tmp_path, "cut.jpg", jpeg_bytes()[:100], ct.JPEG)
    assert err.code == "INVALID_REQUEST"


def test_the_index_budget_truncates_but_the_whole_csv_is_still_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(chunking, "MAX_INDEXED_CHARS", 5000)
    parsed = _parse(tmp_path, "big.csv", csv_bytes(3000), ct.CSV)
    assert parsed.truncated and sum(len(c) for c in parsed.chunks) < 5000 + chunking.CHUNK_CHARS * 2
    err = _refusal(tmp_path, "big.csv", csv_bytes(3000) + b"x\n", ct.CSV)
    assert "line 3002" in err.detail


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_a_csv_reads_back_as_the_table_it_was_parsed_as(tmp_path: Path, delimiter: str) -> None:
    data = (
        delimiter.join(["department", "spend"])
        + "\n"
        + delimiter.join(["Sales, EMEA", "120.5"]).replace(
            "Sales, EMEA", '"Sales, EMEA"' if delimiter == "," else "Sales, EMEA"
        )
        + "\n"
    )
    path = tmp_path / "staged.part"
    path.write_bytes(data.encode())
    assert parsers.parse(path, ct.CSV, "spend.csv").chunks  # accepted as CSV
    assert list(parsers.read_rows(path, ct.CSV, "spend.csv")) == [["department", "spend"], ["Sales, EMEA", "120.5"]]
