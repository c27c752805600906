"""PDF: the text of each page (pypdf), located by page number."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from services.common.errors import ApiError
from services.upload.parsers.chunking import ChunkWriter, Parsed, unreadable

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 1000
MAX_PAGE_CHARS = 100_000  # text indexed per page; a page of more (a text bomb) is cut there


def parse_pdf(path: Path, filename: str) -> Parsed:
    # An open file, not the path: given a path, pypdf reads the whole file into memory first;
    # given a file it seeks to the objects it needs (embedded images and attachments stay on disk).
    with path.open("rb") as fh:
        return _parse_pdf(fh, filename)


def _parse_pdf(fh: BinaryIO, filename: str) -> Parsed:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    out = Parsed()
    writer = ChunkWriter(out)
    try:
        reader = PdfReader(fh)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ApiError("INVALID_REQUEST", f"{filename}: the PDF is password-protected")
        pages = len(reader.pages)
    except ApiError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise unreadable(filename, "PDF", exc) from None
    if pages == 0:
        raise ApiError("INVALID_REQUEST", f"{filename}: the PDF has no pages")
    for number in range(min(pages, MAX_PDF_PAGES)):
        try:
            text = reader.pages[number].extract_text() or ""
        except MemoryError:
            raise  # the sandbox's memory limit: the parse stops here, keeping the pages before
        except Exception as exc:  # noqa: BLE001 - one unreadable page must not lose the others
            log.info("%s: page %d has no extractable text: %s", filename, number + 1, exc)
            continue
        if len(text) > MAX_PAGE_CHARS:
            text = text[:MAX_PAGE_CHARS]
            out.truncated = True
        writer.section(f"{filename}, page {number + 1} of {pages}")
        for line in text.splitlines():
            if not writer.add(line):
                return out
        writer.flush()  # the page's text leaves now: a limit hit on a later page does not lose it
    writer.flush()
    out.truncated = out.truncated or pages > MAX_PDF_PAGES
    return out
