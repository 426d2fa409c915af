"""Where ListenBrainz listens live: dump folders, dump archives and users' exports.

A listens dump is ``<dump>/listens/<YYYY>/<M>.listens`` (one JSON listen per line),
published as ``.tar.zst`` (older dumps ``.tar.xz``); a user's export is a ``.zip`` of
``listens/<YYYY>/<M>.jsonl``, or (older) one JSON array. :func:`listen_members` yields
each file's byte stream in month order (archives: in the archive's order, which for
ListenBrainz's own dumps is month order), decompressing on the fly: nothing is unpacked
to disk. Archives are recognised by their magic bytes, not their names.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import re
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from index.corpus import DatasetError
from index.ingest.files import GZIP_MAGIC, XZ_MAGIC, ZIP_MAGIC, ZSTD_MAGIC

MONTH_FILE_RE = re.compile(r"(?:^|/)listens/(\d{4})/(\d{1,2})\.(?:listens|jsonl)$")
LISTEN_SUFFIXES = (".listens", ".jsonl")


def archive_kind(path: Path) -> str | None:
    """ "xz", "zst", "gz", "tar" or "zip" for an archive (by content), else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        return None
    if head.startswith(XZ_MAGIC):
        return "xz"
    if head.startswith(ZSTD_MAGIC):
        return "zst"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(GZIP_MAGIC):
        return "gz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def month_order(name: str) -> tuple[int, int, str]:
    """Sort key of a listens file: (year, month), then the name."""
    m = MONTH_FILE_RE.search(name.replace("\\", "/"))
    return (int(m.group(1)), int(m.group(2)), name) if m else (0, 0, name)


def folder_files(folder: Path) -> list[Path]:
    """The listens files under ``folder``, in month order (``[]`` when there are none)."""
    found = [
        p
        for suffix in LISTEN_SUFFIXES
        for p in folder.rglob(f"*{suffix}")
        if p.is_file() and MONTH_FILE_RE.search(p.relative_to(folder).as_posix())
    ]
    if not found:
        found = [p for p in folder.glob("*.listens") if p.is_file()]
    return sorted(found, key=lambda p: month_order(p.relative_to(folder).as_posix()))


def is_listen_member(name: str) -> bool:
    return bool(MONTH_FILE_RE.search(name)) or name.endswith(".listens")


# Decompressing in a separate process lets it run on another core while this one parses.
TOOLS = {"xz": ["xz", "-dc", "-T0"], "zst": ["zstd", "-dcq"], "gz": ["gzip", "-dc"]}


@contextlib.contextmanager
def _decompressed(path: Path, kind: str) -> Iterator[tuple[BinaryIO, Callable[[], int]]]:
    """A stream of an archive's tar bytes, and how many bytes of the file were read.

    The system's ``xz``/``zstd``/``gzip`` tool decompresses when installed (on another
    core, reading the file through the same descriptor, so its offset is the progress);
    otherwise the Python libraries do it here.
    """
    raw = open(path, "rb")  # noqa: SIM115 - closed below
    proc = None
    try:
        tool = TOOLS.get(kind)
        if tool and shutil.which(tool[0]):
            proc = subprocess.Popen(
                tool, stdin=raw, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1 << 20
            )
            yield proc.stdout, lambda: os.lseek(raw.fileno(), 0, os.SEEK_CUR)
            proc.stdout.close()
            _, err = proc.communicate()
            if proc.returncode not in (0, -13):  # -13: SIGPIPE when we stopped early
                why = err.decode("utf-8", "replace").strip().splitlines()
                raise DatasetError(
                    f"{path} is truncated or corrupt ({why[-1] if why else tool[0]}); "
                    "download it again."
                )
            return
        if kind == "xz":
            stream: BinaryIO = lzma.LZMAFile(raw)  # noqa: SIM115 - closed with raw
        elif kind == "zst":
            import zstandard

            stream = zstandard.ZstdDecompressor().stream_reader(raw, read_size=1 << 20)
        elif kind == "gz":
            import gzip

            stream = gzip.GzipFile(fileobj=raw)
        else:
            stream = raw
        yield stream, raw.tell
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        raw.close()


def tar_members(path: Path, kind: str) -> Iterator[tuple[str, BinaryIO, Callable[[], int]]]:
    """(name, stream, bytes of the archive read so far) of each listens file in a tar."""
    with _decompressed(path, kind) as (stream, done):
        try:
            tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - a stream
        except (tarfile.TarError, OSError, EOFError, lzma.LZMAError) as exc:
            raise DatasetError(f"{path} is not a readable tar archive ({exc}).") from exc
        for member in tar:
            if member.isfile() and is_listen_member(member.name):
                f = tar.extractfile(member)
                if f is not None:
                    yield member.name, f, done


def zip_members(path: Path) -> Iterator[tuple[str, BinaryIO, Callable[[], int]]]:
    """The same for a user's export (.zip), members in month order."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(f"{path} is not a readable zip file ({exc}).") from exc
    with zf:
        infos = sorted(
            (i for i in zf.infolist() if not i.is_dir() and is_listen_member(i.filename)),
            key=lambda i: month_order(i.filename),
        )
        done = 0
        for info in infos:
            with zf.open(info) as f:
                yield info.filename, f, lambda d=done: d
            done += info.compress_size


def archive_has_listens(path: Path, kind: str) -> bool:
    """True when an archive holds a listens file (reads only up to the first one)."""
    try:
        if kind == "zip":
            return any(is_listen_member(n) for n in zip_names(path))
        for _ in tar_members(path, kind):
            return True
    except (DatasetError, tarfile.TarError, OSError, EOFError, lzma.LZMAError):
        return False
    except Exception:  # zstandard.ZstdError and friends: not ours to read
        return False
    return False


def no_listens_message(path: Path, kind: str) -> str:
    """Why an archive of ``kind`` that gave no listens file cannot be read: damaged, one
    compressed file (a ``.csv.xz``), or a tar of something else (names a few members)."""
    if kind == "zip":
        return (
            f"{path} is a zip file naming ListenBrainz listens files it cannot give: it is "
            "truncated or corrupt; download it again."
        )
    damaged = (
        f"{path} is {_A_KIND.get(kind, kind)} archive but no ListenBrainz listens file (listens/YYYY/M.listens) "
        "could be read from it: it is truncated or corrupt; download it again."
    )
    names: list[str] = []
    try:
        head, whole = _inflated(path, kind) if kind != "tar" else (b"", True)
        if not whole:
            return damaged
        if kind != "tar" and head[257:262] != b"ustar":
            tool = {"xz": "unxz -k", "zst": "unzstd"}.get(kind, "")
            return (
                f"{path} is one {kind}-compressed file, not a tar archive of ListenBrainz "
                f"listens; decompress it first ({tool} {path.name}) and pass the file it "
                "gives, or recompress that with gzip, which is read as it is."
            )
        with open(path, "rb") as raw, tarfile.open(fileobj=_unpacked(raw, kind), mode="r|") as t:
            names = [m.name for m in t if m.isfile()]
    except Exception:  # noqa: BLE001 - lzma, zstd and tar errors alike: a damaged archive
        return damaged
    shown = ", ".join(names[:2]) + (f" and {len(names) - 2:,} more" if len(names) > 2 else "")
    return (
        f"{path} is a tar archive holding no ListenBrainz listens file (listens/YYYY/M.listens)"
        f"{', but ' + shown if names else ', nothing at all'}; unpack it (tar -xf "
        f"{path.name}) and pass the dataset file or folder inside."
    )


_A_KIND = {"xz": "an xz", "zst": "a zstd", "tar": "a tar"}


def _decompressor(kind: str):
    if kind == "xz":
        return lzma.LZMADecompressor()
    import zstandard

    return zstandard.ZstdDecompressor().decompressobj()


def _inflated(path: Path, kind: str, keep: int = 512) -> tuple[bytes, bool]:
    """The first ``keep`` bytes ``path`` decompresses to, and whether every stream in it
    (xz and zstd files may hold several) ran to its end: false for a truncated file,
    which the zstd library reads as silently short."""
    head, d, pending = b"", _decompressor(kind), False
    with open(path, "rb") as raw:
        while chunk := raw.read(1 << 20):
            while chunk:
                out = d.decompress(chunk)
                head += out[: max(keep - len(head), 0)]
                pending = True
                chunk = b""
                if d.eof:
                    chunk, d, pending = d.unused_data, _decompressor(kind), False
    return head, not pending


def _unpacked(raw: BinaryIO, kind: str) -> BinaryIO:
    """``raw`` decompressed by the Python libraries (a plain tar as it is)."""
    if kind == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    if kind == "zst":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return raw


def zip_names(path: Path) -> list[str]:
    """Every name in a zip's directory ([] when it cannot be read as a zip)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
