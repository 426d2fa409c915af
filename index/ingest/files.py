"""Reading dataset files, for every reader: gzip-transparent opening, sniffing, progress.

A ``.gz`` file is recognised by its magic bytes, not its name, and read as if it were
plain; progress counts bytes on disk so a bar is right for both. Readers decode lines with
:func:`text_lines`, which counts an undecodable line instead of failing the read.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from index.corpus import DatasetError
from index.progress import Progress, progress
from index.schema import SQLITE_MAGIC

if TYPE_CHECKING:
    from index.ingest.rows import CorpusBuilder

SNIFF_BYTES = 1 << 16
# Magic bytes of the packed files people pass (sniffed here and by listen_files).
GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ZIP_MAGIC = b"PK\x03\x04"
NUL_WHY = "it holds NUL bytes, which no name does; the file is damaged there"
"""Why a text row with a NUL byte is malformed (a name never holds one)."""


@contextlib.contextmanager
def open_bytes(path: str | Path) -> Iterator[tuple[BinaryIO, Callable[[], int], int]]:
    """Open ``path`` for binary reading, gunzipping if it is gzip.

    Yields ``(stream, bytes_done, bytes_total)``: ``bytes_done()`` is the position in the
    file on disk (compressed bytes for .gz), so progress bars are right for both.
    Anything that cannot be read as a text dataset (a folder, a pipe, a damaged .gz, UTF-16
    text, a zip or another binary file) raises :class:`DatasetError` with one sentence,
    here or from the ``with`` body when the stream fails mid-read.
    """
    path = Path(path)
    check_regular_file(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, wrapped by gzip when needed
    except OSError as exc:
        raise DatasetError(f"Cannot open {path}: {exc.strerror or exc}.") from exc
    gzipped = False
    try:
        total = os.fstat(raw.fileno()).st_size
        magic = raw.read(2)
        raw.seek(0)
        gzipped = magic == GZIP_MAGIC
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        _check_text(path, _peek(stream, gzipped), gzipped)
        try:
            yield stream, raw.tell, total
        except READ_ERRORS as exc:  # truncated or corrupt .gz, I/O error mid-read
            raise read_error(path, exc, gzipped) from exc
    except READ_ERRORS as exc:  # the same, while peeking at the first bytes
        raise read_error(path, exc, gzipped) from exc
    finally:
        raw.close()


READ_ERRORS = (OSError, EOFError, zlib.error)
"""What reading a (possibly gzipped) file can raise: gzip.BadGzipFile is an OSError, a
truncated .gz an EOFError, a damaged deflate stream a zlib.error (not an OSError)."""


def read_error(path: Path, exc: BaseException, gzipped: bool) -> DatasetError:
    """One sentence for a failed read of ``path``."""
    if gzipped and not (isinstance(exc, OSError) and exc.errno is not None):
        return DatasetError(
            f"Cannot read {path}: it is a damaged or truncated gzip file ({exc}); "
            "download or compress it again."
        )
    if isinstance(exc, OSError) and exc.strerror:
        return DatasetError(f"Cannot read {path}: {exc.strerror}.")
    return DatasetError(f"Cannot read {path}: {exc}.")


def check_regular_file(path: Path) -> None:
    """Raise :class:`DatasetError` unless ``path`` is a file that can be read twice.

    A dataset is read once to detect its format and again to read it, so a named pipe or
    a device (``<(zcat ...)``, ``/dev/stdin``) cannot work, and opening a pipe with no
    writer would block for ever.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise DatasetError(f"Cannot open {path}: {_why_missing(path, exc)}.") from exc
    if stat.S_ISDIR(mode):
        raise DatasetError(
            f"{path} is a folder where a dataset file was expected; pass the file itself "
            "(a folder is read only as MPD slices or a Yes.com set)."
        )
    if not stat.S_ISREG(mode):
        raise DatasetError(
            f"{path} is not a regular file (a pipe, socket or device); a dataset is read "
            "twice (once to detect its format), so save it to a file and pass that."
        )


def _why_missing(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link that loops back on itself"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"it is a symbolic link to {os.readlink(path)}, which does not exist"
    return exc.strerror or str(exc)


def missing_path_message(path: Path) -> str:
    """The sentence for a dataset path that does not exist (a broken link says so)."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT or path.is_symlink():
            return f"Cannot open {path}: {_why_missing(path, exc)}."
    return f"No such file or folder: {path}."


def _peek(stream: BinaryIO, gzipped: bool, n: int = 4096) -> bytes:
    """The stream's first bytes, leaving its position at the start."""
    if gzipped:
        return stream.peek(n)[:n]  # type: ignore[attr-defined]
    data = stream.read(n)
    stream.seek(0)
    return data


# Leading bytes of files people pass by mistake, and what to do instead.
_NOT_TEXT = (
    (ZIP_MAGIC, "a zip archive; unzip it and pass the file or folder inside"),
    (SQLITE_MAGIC, "an SQLite file (an index?); pass the dataset it was built from"),
    (b"BZh", "a bzip2 file; decompress it (bunzip2) or recompress it with gzip"),
    (XZ_MAGIC, "an xz file; decompress it (unxz) or recompress it with gzip"),
    (ZSTD_MAGIC, "a zstd file; decompress it (unzstd) or recompress it with gzip"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it and pass the file inside"),
)
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def iconv_example(name: str, encoding: str) -> str:
    """The command that converts the file ``name`` from ``encoding`` to UTF-8."""
    path = Path(name)
    return f"iconv -f {encoding} -t UTF-8 {path.name} > {path.stem}-utf8{path.suffix}"


def not_utf8_why(name: str) -> str:
    """Why one line of ``name`` is malformed when it is not UTF-8 (for --strict)."""
    return (
        f"it is not valid UTF-8; if all of {Path(name).name} is Windows-1252 or Latin-1, "
        f"convert it first, e.g. {iconv_example(name, 'WINDOWS-1252')}"
    )


def count_not_utf8(builder: CorpusBuilder, line_no: int, raw: str) -> None:
    """Count a line of the input being read that is not UTF-8 as malformed, remembering
    why: the summary and the no-rows error then say how to convert the file."""
    rep = builder.report
    name = builder.label or rep.source
    rep.not_utf8_source = rep.not_utf8_source or name
    rep.rows_not_utf8 += 1
    builder.malformed(line_no, raw, not_utf8_why(name))


def not_utf8_note(rows: int, name: str, every: bool) -> str:
    """What to do about ``rows`` lines of ``name`` that are not UTF-8 (``every``: all of
    its rows): an 8-bit encoding, Windows-1252 or Latin-1 most often, is what people have."""
    what = f"{rows:,} of them are" if not every else "they are"
    hint = f"convert it first, e.g. {iconv_example(name, 'WINDOWS-1252')}"
    if every:
        return f"{what} not UTF-8 text (Windows-1252 or Latin-1?); {hint}."
    return (
        f"{what} not UTF-8 text (Windows-1252 or Latin-1?); if all of {Path(name).name} is "
        f"in that encoding, {hint}."
    )


def _check_text(path: Path, head: bytes, gzipped: bool) -> None:
    """Refuse, in one sentence, a file that is not UTF-8 text (judged by its first bytes).

    Every reader expects UTF-8 (an MPD slice is JSON, which is UTF-8 too); UTF-16 text
    would otherwise be read as garbage with NUL bytes in every name.
    """
    inside = " (inside the gzip)" if gzipped else ""
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            raise DatasetError(
                f"{path} is not a UTF-8 text file: it is {encoding} text{inside}; convert it "
                f"first, e.g. {iconv_example(path.name, encoding)}."
            )
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise DatasetError(f"{path} is not a dataset file: it is {what}.")
    if head[257:262] == b"ustar":
        raise DatasetError(
            f"{path} is not a dataset file: it is a tar archive{inside}; unpack it "
            f"(tar -xf {path.name}) and pass the dataset file or folder inside."
        )
    if b"\x00" in head.split(b"\n", 1)[0]:
        raise DatasetError(
            f"{path} is not a UTF-8 text file: its first line holds NUL bytes (binary data, "
            "or UTF-16 text without a byte-order mark)."
        )


def read_head(path: str | Path, n: int = SNIFF_BYTES) -> str:
    """The first ``n`` (decompressed) bytes of a file as text, BOM removed, for sniffing."""
    with open_bytes(path) as (f, _, _):
        data = f.read(n)
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def file_size(path: Path) -> int:
    """Size of ``path`` on disk, or :class:`DatasetError` when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError as exc:
        raise DatasetError(f"Cannot open {path}: {_why_missing(path, exc)}.") from exc


def make_progress(total: int, desc: str, enabled: bool) -> Progress:
    """Progress over bytes on disk: a bar on a terminal, a few lines elsewhere, or nothing."""
    return progress(total, desc, bytes_=True, enabled=enabled)


def follow(bar: Progress, done: Callable[[], int]) -> Callable[[], None]:
    """A tick that moves ``bar`` on to the bytes ``done()`` reports read so far (call it
    after each chunk or line: the reader's own position, compressed bytes for a .gz)."""
    last = 0

    def tick() -> None:
        nonlocal last
        now = done()
        bar.update(now - last)
        last = now

    return tick


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
