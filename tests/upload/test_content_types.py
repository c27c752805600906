"""The type of a file comes from its content; a specific declared type must agree (docs/api.md)."""

from __future__ import annotations

import pytest

from services.common.errors import ApiError
from services.upload import content_types as ct
from tests.upload.samples import csv_bytes, jpeg_bytes, pdf_bytes, png_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf_bytes(), ct.PDF),
        (png_bytes(), ct.PNG),
        (jpeg_bytes(), ct.JPEG),
        (xlsx_bytes(), ct.XLSX),
        (csv_bytes(), ct.CSV),
        (csv_bytes(bom=True), ct.CSV),
        (b"a;b;c\n1;2;3\n", ct.CSV),
        (b"a\tb\n1\t2", ct.CSV),
        ('name,city\nJosé,"Zürich, CH"\n'.encode(), ct.CSV),
        (b'a,b\n"two\nlines",2\n', ct.CSV),
    ],
)
def test_content_decides(data: bytes, expected: str) -> None:
    assert ct.sniff(data, complete=True) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"just some prose, with a comma\nand a second line without one\n",  # inconsistent column count
        b"one column\nonly\n",
        "name,city\nJosé,Zürich\n".encode("latin-1"),  # not UTF-8
        b"GIF89a\x01\x00\x01\x00",
        b"\x00\x01\x02binary,stuff\n",
        b"PK\x05\x06" + b"\x00" * 18,  # an empty zip is no workbook
    ],
)
def test_other_content_is_unsupported(data: bytes) -> None:
    with pytest.raises(ApiError) as info:
        ct.sniff(data, complete=True)
    assert info.value.code == "UNSUPPORTED_MEDIA_TYPE"


def test_empty_file_is_refused() -> None:
    with pytest.raises(ApiError) as info:
        ct.sniff(b"", complete=True)
    assert info.value.code == "INVALID_REQUEST" and "empty" in info.value.detail


def test_a_prefix_cut_mid_character_or_mid_row_still_reads_as_csv() -> None:
    data = ("ville,pays\n" + "Zürich,Suisse\n" * 5000).encode()
    cut = data[: ct.SNIFF_BYTES]
    assert cut[-1] >= 0x80 or not cut.endswith(b"\n")  # the window ends inside a row
    assert ct.sniff(cut, complete=False) == ct.CSV


@pytest.mark.parametrize("declared", ["", "application/octet-stream", "APPLICATION/OCTET-STREAM; charset=binary"])
def test_generic_declarations_never_contradict(declared: str) -> None:
    for detected in ct.ALLOWED:
        ct.check_declared(declared)
        ct.check_agrees(detected, declared)


@pytest.mark.parametrize(
    ("detected", "declared"),
    [
        (ct.CSV, "text/csv"),
        (ct.CSV, "text/plain; charset=utf-8"),
        (ct.CSV, "application/vnd.ms-excel"),  # what Windows browsers send for .csv
        (ct.XLSX, ct.XLSX),
        (ct.JPEG, "image/jpg"),
        (ct.PNG, "image/png"),
        (ct.PDF, "application/pdf"),
    ],
)
def test_compatible_declarations(detected: str, declared: str) -> None:
    ct.check_agrees(detected, declared)


@pytest.mark.parametrize(
    ("detected", "declared"),
    [(ct.PNG, "application/pdf"), (ct.PDF, "image/png"), (ct.CSV, "image/jpeg"), (ct.JPEG, "text/csv")],
)
def test_contradicting_declarations_are_415(detected: str, declared: str) -> None:
    with pytest.raises(ApiError) as info:
        ct.check_agrees(detected, declared)
    assert info.value.code == "UNSUPPORTED_MEDIA_TYPE" and declared in info.value.detail


def test_a_declared_type_outside_the_five_is_refused_before_any_byte() -> None:
    with pytest.raises(ApiError) as info:
        ct.check_declared("application/json")
    assert info.value.code == "UNSUPPORTED_MEDIA_TYPE"
