"""Parsing in a separate process, with CPU-time, memory and wall-clock limits.

A file's parser (pypdf, openpyxl, Pillow) runs on data anyone can upload: a 21 KB PDF of pages full
of tiny empty text operators costs pypdf seconds of CPU per page. So `parse_isolated` runs
`parsers.parse` in a child process (`python -m services.upload.parsers.sandbox`) that sets its own
`RLIMIT_CPU` and `RLIMIT_AS` before reading the file, gets no secrets in its environment, and dies
with its parent. The child streams each chunk of text to the parent as soon as it is made (JSON
lines on stdout); the parent waits on the pipe with no thread of the shared pool, kills the child at
the wall-clock deadline or when the upload is cancelled, and so keeps what was extracted before a
limit stopped it.

What a limit means for the file (docs/api.md, SECURITY.md): a PDF or an image is stored with the text
extracted so far, its index ending with a chunk that says extraction stopped and why; a CSV or XLSX
is refused with 400 INVALID_REQUEST, since a table is read again whole when a turn uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers.chunking import Parsed, chunk_sink

log = logging.getLogger(__name__)

_ROOT = Path(__file__).resolve().parents[3]  # the directory holding the `services` package
_LINE_LIMIT = 8 * 1024 * 1024  # one chunk as a JSON line, with a long header (table columns)
_STDERR_TAIL = 4096


@dataclass(frozen=True)
class ParseLimits:
    cpu_seconds: int = 30
    memory_bytes: int = 1024 * 1024 * 1024
    wall_seconds: float = 60.0


def default_limits() -> ParseLimits:
    """UPLOAD_PARSE_CPU_SECONDS / UPLOAD_PARSE_MEMORY_BYTES / UPLOAD_PARSE_TIMEOUT_SECONDS."""
    from services.upload.settings import UploadSettings

    settings = UploadSettings()
    return ParseLimits(settings.parse_cpu_seconds, settings.parse_memory_bytes, settings.parse_timeout)


def _describe(stopped: str, limits: ParseLimits) -> str:
    return {
        "cpu": f"the parse used its {limits.cpu_seconds} s of CPU time",
        "memory": f"the parse reached its {limits.memory_bytes // (1024 * 1024)} MiB memory limit",
        "time": f"the parse ran for {limits.wall_seconds:g} s",
    }.get(stopped, "the parser stopped unexpectedly")


async def parse_isolated(path: Path, mime: str, filename: str, limits: ParseLimits | None = None) -> Parsed:
    """`parsers.parse(path, mime, filename)` in a child process held to `limits` (see the module doc)."""
    limits = limits or default_limits()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.upload.parsers.sandbox",
        str(path),
        mime,
        filename,
        json.dumps(asdict(limits)),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        limit=_LINE_LIMIT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    stderr = asyncio.ensure_future(_tail(proc.stderr))
    out = Parsed()
    finished: dict[str, Any] | None = None
    stopped = ""
    try:
        async with asyncio.timeout(limits.wall_seconds):
            async for line in proc.stdout:
                message = json.loads(line)
                if "chunk" in message:
                    out.chunks.append(message["chunk"])
                else:
                    finished = message
            await proc.wait()
    except TimeoutError:
        stopped = "time"
    except (ValueError, asyncio.LimitOverrunError):  # a line that is not ours: treat as a failed parse
        stopped = "failed"
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()  # the deadline, or the upload was cancelled: stop the CPU work now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 5)
    tail = ""
    with contextlib.suppress(TimeoutError):
        tail = await asyncio.wait_for(stderr, 2)  # the pipe closed with the process
    if finished is not None and "error" in finished:
        raise ApiError(finished["error"]["code"], finished["error"]["detail"])
    if finished is not None and finished.get("done"):
        out.truncated = bool(finished.get("truncated"))
        return out
    stopped = stopped or _why(proc.returncode, finished, tail)
    log.warning(
        "%s: parse stopped (%s) after %d chunks; exit %s; %s", filename, stopped, len(out.chunks), proc.returncode, tail
    )
    return _stopped(out, stopped, mime, filename, limits)


def _why(returncode: int | None, finished: dict[str, Any] | None, stderr: str) -> str:
    if finished is not None and finished.get("limit"):
        return str(finished["limit"])
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return "cpu"  # past the soft limit the kernel sends SIGXCPU, past the hard one SIGKILL
    if "MemoryError" in stderr:
        return "memory"
    return "failed"


def _stopped(out: Parsed, stopped: str, mime: str, filename: str, limits: ParseLimits) -> Parsed:
    reason = _describe(stopped, limits)
    if mime in (ct.CSV, ct.XLSX):
        raise ApiError(
            "INVALID_REQUEST",
            f"{filename}: the file could not be read within the limits of this server ({reason})",
        )
    out.truncated = True
    out.stopped = stopped
    out.chunks.append(
        f"{filename}: text extraction stopped early ({reason}); the file is stored whole, "
        "but only the text before this point is searchable."
    )
    return out


async def _tail(stream: asyncio.StreamReader) -> str:
    kept = b""
    while chunk := await stream.read(65536):
        kept = (kept + chunk)[-_STDERR_TAIL:]
    return kept.decode("utf-8", "replace").strip()


# --- the child ----------------------------------------------------------------------------------


def _confine(limits: ParseLimits) -> None:
    """Limits the kernel enforces on this process from now on; and die with the parent."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    path, mime, filename, raw_limits = argv
    _confine(ParseLimits(**json.loads(raw_limits)))
    from services.upload import parsers

    chunk_sink.set(lambda chunk: _emit({"chunk": chunk}))
    try:
        parsed = parsers.parse(Path(path), mime, filename)
    except ApiError as err:
        _emit({"error": {"code": err.code, "detail": err.detail}})
        return 0
    except MemoryError:
        with contextlib.suppress(MemoryError):
            _emit({"limit": "memory"})
        return 3
    _emit({"done": True, "truncated": parsed.truncated})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
