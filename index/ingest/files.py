"""Reading dataset files, for every reader: gzip-transparent opening, sniffing, progress.

A ``.gz`` file is recognised by its magic bytes, not its name, and read as if it were
plain; progress counts bytes on disk so a bar is right for both. Readers decode lines with
:func:`text_lines`, which counts an undecodable line instead of failing the read.
"""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from index.corpus import DatasetError
from index.progress import Progress, progress

SNIFF_BYTES = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"


@contextlib.contextmanager
def open_bytes(path: str | Path) -> Iterator[tuple[BinaryIO, Callable[[], int], int]]:
    """Open ``path`` for binary reading, gunzipping if it is gzip.

    Yields ``(stream, bytes_done, bytes_total)``: ``bytes_done()`` is the position in the
    file on disk (compressed bytes for .gz), so progress bars are right for both.
    """
    path = Path(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, wrapped by gzip when needed
    except OSError as exc:
        raise DatasetError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    try:
        total = path.stat().st_size
        magic = raw.read(2)
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if magic == GZIP_MAGIC else raw
        try:
            yield stream, raw.tell, total
        except (OSError, EOFError) as exc:  # truncated or corrupt .gz, I/O error mid-read
            raise DatasetError(f"Cannot read {path}: {exc}.") from exc
    finally:
        raw.close()


def read_head(path: str | Path, n: int = SNIFF_BYTES) -> str:
    """The first ``n`` (decompressed) bytes of a file as text, BOM removed, for sniffing."""
    with open_bytes(path) as (f, _, _):
        try:
            data = f.read(n)
        except (OSError, EOFError) as exc:
            raise DatasetError(f"Cannot read {path}: {exc}.") from exc
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def make_progress(total: int, desc: str, enabled: bool) -> Progress:
    """Progress over bytes on disk: a bar on a terminal, a few lines elsewhere, or nothing."""
    return progress(total, desc, bytes_=True, enabled=enabled)


def text_lines(
    stream: BinaryIO, on_bad: Callable[[int, str], None], tick: Callable[[], None] | None = None
) -> Iterator[str]:
    """Decode a binary stream line by line as UTF-8 (BOM dropped), for line-based readers.

    A line that is not valid UTF-8 is passed to ``on_bad(line_no, shown)`` and replaced
    by an empty line, so it is counted instead of crashing the read or being mangled.
    """
    for n, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            on_bad(n, raw.decode("utf-8", errors="backslashreplace").rstrip("\r\n"))
            line = "\n"
        if n == 1:
            line = line.removeprefix("\ufeff")
        if tick is not None and n % 8192 == 0:
            tick()
        yield line
