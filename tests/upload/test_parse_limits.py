"""Parsing in a separate process with CPU, memory and wall-clock limits (issue #11, finding 3).

The attack: a ~21 KB PDF whose pages are full of tiny empty text operators costs pypdf seconds of CPU
per page. Parsed in the sandbox it is stopped at its limit, stored with what was extracted and a
closing chunk saying so; a cancelled upload kills the parser; the shared thread pool stays free.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import time
from pathlib import Path

import pytest

from services.common.database import run_sync
from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.ingest import extract
from services.upload.parsers.pdf import MAX_PAGE_CHARS, parse_pdf
from services.upload.parsers.sandbox import ParseLimits, parse_isolated
from tests.upload.samples import big_csv, pdf_from_streams
from tests.waiting import wait_until

MB = 1024 * 1024


TEXT_PAGE = b"BT /F1 12 Tf 72 720 Td 14 TL (Quarterly revenue grew in the North region) Tj T* ET"
EMPTY_TEXT_OPERATORS = b"BT /F1 1 Tf " + b"() Tj " * 200_000 + b"ET"  # 1.2 MB that compress to ~2 KB


def attack_pdf(tmp_path: Path, *, text_first: bool = False) -> Path:
    streams = [EMPTY_TEXT_OPERATORS] * 10
    if text_first:
        streams = [TEXT_PAGE, TEXT_PAGE, *streams]
    path = tmp_path / "attack.pdf"
    path.write_bytes(pdf_from_streams(streams))
    return path


def test_the_attack_pdf_is_small_and_costs_pypdf_seconds_of_cpu(tmp_path: Path) -> None:
    path = attack_pdf(tmp_path)
    assert 15_000 < path.stat().st_size < 25_000
    from pypdf import PdfReader

    started = time.process_time()
    with path.open("rb") as fh:
        PdfReader(fh).pages[0].extract_text()
    assert time.process_time() - started > 0.5  # one page of ten; the file would take them all in-process


async def test_the_parse_stops_at_its_cpu_limit_and_the_file_says_so(tmp_path: Path) -> None:
    parsed = await parse_isolated(
        attack_pdf(tmp_path, text_first=True), ct.PDF, "attack.pdf", ParseLimits(1, 1 << 30, 60)
    )
    assert parsed.stopped == "cpu" and parsed.truncated
    assert "Quarterly revenue grew in the North region" in parsed.chunks[0]  # the pages before the limit
    assert parsed.chunks[-1].startswith("attack.pdf: text extraction stopped early (the parse used its 1 s of CPU")


async def test_the_parse_stops_at_its_wall_clock_deadline(tmp_path: Path) -> None:
    parsed = await parse_isolated(attack_pdf(tmp_path), ct.PDF, "attack.pdf", ParseLimits(60, 1 << 30, 1.0))
    assert parsed.stopped == "time" and "the parse ran for 1 s" in parsed.chunks[-1]


async def test_the_parse_stops_at_its_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"  # 88 KB: one 60 MB content stream of ten million operators
    path.write_bytes(pdf_from_streams([TEXT_PAGE, b"BT /F1 1 Tf " + b"() Tj " * 10_000_000 + b"ET"]))
    parsed = await parse_isolated(path, ct.PDF, "bomb.pdf", ParseLimits(60, 256 * MB, 60))
    assert parsed.stopped == "memory" and "256 MiB memory limit" in parsed.chunks[-1]
    assert "Quarterly revenue" in parsed.chunks[0]


async def test_a_table_that_hits_a_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(big_csv(4 * MB))
    with pytest.raises(ApiError) as info:
        await parse_isolated(path, ct.CSV, "big.csv", ParseLimits(60, 1 << 30, 0.05))
    assert info.value.code == "INVALID_REQUEST" and "within the limits of this server" in info.value.detail
    ok = await parse_isolated(path, ct.CSV, "big.csv", ParseLimits(60, 1 << 30, 60))
    assert ok.chunks and not ok.stopped  # the same file within the limits


async def test_refusals_and_results_cross_the_process_boundary(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf")
    with pytest.raises(ApiError) as info:
        await parse_isolated(broken, ct.PDF, "broken.pdf")
    assert info.value.code == "INVALID_REQUEST" and "broken.pdf: not a readable PDF" in info.value.detail
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf_from_streams([TEXT_PAGE]))
    assert (await parse_isolated(good, ct.PDF, "good.pdf")).chunks == parse_pdf(good, "good.pdf").chunks


def test_text_is_capped_per_page(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_from_streams([b"BT /F1 12 Tf 72 720 Td (" + b"word " * 60_000 + b") Tj ET", TEXT_PAGE]))
    parsed = parse_pdf(path, "long.pdf")
    first_page = [c for c in parsed.chunks if "page 1 of 2" in c]
    assert parsed.truncated and sum(len(c.split("\n", 1)[1]) for c in first_page) <= MAX_PAGE_CHARS
    assert any("page 2 of 2" in c and "Quarterly revenue" in c for c in parsed.chunks)  # the next page still counts


def _sandbox_children() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"services.upload.parsers.sandbox" in command:
            found.append(int(entry.name))
    return found


def _running(pids: list[int]) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


async def test_a_cancelled_upload_kills_its_parser(tmp_path: Path) -> None:
    task = asyncio.ensure_future(parse_isolated(attack_pdf(tmp_path), ct.PDF, "a.pdf", ParseLimits(60, 1 << 30, 60)))
    children = await asyncio.to_thread(wait_until, _sandbox_children, "the parser process to start")
    task.cancel()  # what the gRPC call's cancellation does to the UploadFile handler
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _running(children)  # killed and reaped, not left running


def test_the_shared_thread_pool_stays_free_while_a_file_is_parsed(tmp_path: Path, monkeypatch) -> None:
    """With a single worker thread (the pool every database call shares), other work still runs."""
    monkeypatch.setenv("UPLOAD_PARSE_CPU_SECONDS", "2")
    path = attack_pdf(tmp_path)

    async def scenario() -> tuple[bool, float]:
        asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        parse = asyncio.ensure_future(extract(path, ct.PDF, "a.pdf", None))
        await asyncio.sleep(0.5)  # the parse is under way
        started = time.monotonic()
        await run_sync(lambda: None)  # e.g. a database call of another request
        waited = time.monotonic() - started
        other_finished_first = not parse.done()
        await parse
        return other_finished_first, waited

    other_finished_first, waited = asyncio.run(scenario())
    assert other_finished_first, f"the other call waited {waited:.1f} s for the parse"
