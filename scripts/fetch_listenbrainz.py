"""Fetch the newest ListenBrainz full listens dump and every incremental dump after it.

    python scripts/fetch_listenbrainz.py --dest data/listenbrainz
    python scripts/fetch_listenbrainz.py --dest data/listenbrainz --dry-run
    python scripts/fetch_listenbrainz.py --dest data/listenbrainz --incrementals-only
    songsim index build $(python scripts/fetch_listenbrainz.py --dest D --print-paths) -o new.sqlite

Only the listens archives are fetched (``listenbrainz-listens-dump-…``), not the Spark,
statistics or public database dumps published beside them. Each file goes to
``DEST/NAME.part`` first and is renamed to ``DEST/NAME`` only once it is whole and its
checksum matches, so a file with the final name is always complete; a run that is cut off
leaves the ``.part`` file, which the next run continues with an HTTP Range request (or
starts again when the server ignores Range). Files already in DEST are not fetched again.
At the end the archives to build from are written to standard output in build order (the
full dump first, then the incrementals, oldest first): with ``--print-paths`` one absolute
path per line and nothing else, for ``$(…)``; otherwise as a ready ``songsim index build``
command; after an error, nothing. Everything else (progress, the summary, errors) goes to
standard error. DEST should have no spaces in its path, since ``$(…)`` splits on them. Two
runs on one DEST at once are refused (a lock on ``DEST/.fetch_listenbrainz.lock``).

Without options a run re-bases on each new full dump (twice a month), which is what drops
deleted listens. ``--incrementals-only`` is a daily refresh without the large download: it
fetches no full dump, keeps the newest full dump already in DEST, and fetches the
incrementals newer than it. ListenBrainz keeps only
the last incrementals on the mirror (30 when this was written), so when the ones right
after that full dump are gone it says so and asks for a run without the option, which
fetches the newest full dump. ``--prune`` deletes the listens archives in DEST that the
newest full dump makes unnecessary (older full dumps and the incrementals they cover).

How the mirror is read: ``listenbrainz_mirror.py`` beside this script.

Every request has a timeout (``--timeout``); server errors (5xx, 429), timeouts and
dropped connections are retried ``--retries`` times with a doubling pause. Errors are one
sentence on standard error and exit status 1. Only the standard library is used, so it runs
before songsim is installed. The dumps are CC0 (public domain); see https://listenbrainz.org/data/.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import os
import re
import shutil
import sys
import time
import urllib.error
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from listenbrainz_mirror import (  # noqa: E402
    ARCHIVE,
    MIRROR,
    FetchError,
    Http,
    Item,
    _Retry,
    listing_names,
    parse_checksum,
    parse_dump,
    plan,
)

__all__ = ["listing_names", "main", "parse_checksum"]

CHUNK = 1 << 20
LOCK_NAME = ".fetch_listenbrainz.lock"


# --- downloading ----------------------------------------------------------------------------


def human(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


class Progress:
    """A bar redrawn in place on a terminal; elsewhere a line at each quarter."""

    def __init__(self, out: TextIO, label: str, total: int | None, done: int) -> None:
        self.out, self.label, self.total, self.done = out, label, total, done
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.start, self.start_bytes, self.drawn, self.quarter = time.monotonic(), done, 0.0, 0
        if total:
            self.quarter = done * 4 // total

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.tty and (now - self.drawn >= 0.1 or self.done == self.total):
            self.drawn = now
            self._draw((self.done - self.start_bytes) / max(now - self.start, 1e-6))
        elif not self.tty and self.total and self.done * 4 // self.total > self.quarter:
            self.quarter = self.done * 4 // self.total
            if self.quarter < 4:
                print(f"{self.label}: {25 * self.quarter}% of {human(self.total)}", file=self.out)

    def _draw(self, rate: float) -> None:
        """One line that fits the terminal, so that ``\r`` redraws it in place."""
        if self.total:
            percent = f"{100 * self.done // self.total:3d}%"
            size = f"{human(self.done)} of {human(self.total)}"
        else:
            percent, size = "", human(self.done)
        text = f"{percent} {size} {human(rate)}/s"
        columns = shutil.get_terminal_size((80, 24)).columns - 1
        width = min(30, columns - len(self.label) - len(text) - 4)
        bar = ""
        if self.total and width >= 5:
            filled = width * self.done // self.total
            bar = f" [{'#' * filled}{'.' * (width - filled)}]"
        line = f"{self.label}{bar} {text}"[:columns]
        print(f"\r{line}\x1b[K", end="", file=self.out, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=self.out)


def download(http: Http, item: Item, dest: Path, log: TextIO) -> int:
    """Fetch ``item`` into DEST via ``.part`` and verify it; the number of bytes received."""
    final = dest / item.name
    part = dest / f"{item.name}.part"
    expected = None
    if item.checksum_url and item.algo:
        text = http.text(item.checksum_url)
        expected = parse_checksum(text, item.name, item.algo)
        if expected is None:
            raise FetchError(f"{item.checksum_url} holds no {item.algo.upper()} digest.")
    else:
        print(f"Warning: the mirror has no checksum for {item.name}; not verified.", file=log)
    received = 0

    def attempt() -> None:
        nonlocal received
        have = part.stat().st_size if part.exists() else 0
        try:
            response = http.open(item.url, {"Range": f"bytes={have}-"} if have else None)
        except urllib.error.HTTPError as exc:
            if exc.code != 416 or not have:
                raise
            total = _content_range(exc.headers.get("Content-Range"))[1]
            if total != have:  # longer than the file on the mirror: start again
                part.unlink()
                raise _Retry("the partial file did not fit the mirror's") from None
            return  # the partial file already holds every byte
        with response:
            resumed = bool(have) and response.status == 206
            if resumed:
                first, total = _content_range(response.headers.get("Content-Range"))
                if first != have:  # not the bytes asked for: start again
                    part.unlink()
                    raise _Retry("the mirror answered with another part of the file")
            else:
                have = 0  # no Range support (or no partial file): from the start
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            if total is not None:
                _check_room(dest, item.name, total - have)
            if resumed:
                print(f"Resuming {item.name} at {human(have)}", file=log)
            progress = Progress(log, f"{item.dump.kind} {item.dump.stamp[:8]}", total, have)
            try:
                with part.open("ab" if resumed else "wb") as out:
                    while chunk := response.read(CHUNK):
                        _write(out, chunk, dest, item.name)
                        received += len(chunk)
                        progress.add(len(chunk))
            finally:
                progress.close()
        size = part.stat().st_size
        if total is not None and size < total:
            raise _Retry(f"the download stopped at {human(size)} of {human(total)}")

    http.retrying(
        f"downloading {item.name}",
        attempt,
        hint=f"run the same command again to resume from {part.name}",
    )
    if expected is not None:
        digest = _digest(part, item.algo)
        if digest != expected:
            part.unlink()
            raise FetchError(
                f"{item.name} is damaged: its {item.algo.upper()} is {digest} but the mirror's "
                f"checksum file says {expected}; the partial file was deleted, run again to "
                "download it afresh."
            )
    os.replace(part, final)
    return received


def _content_range(header: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) of ``bytes 100-199/1000`` or ``bytes */1000``."""
    match = re.fullmatch(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)", (header or "").strip())
    if not match:
        return None, None
    first, total = match.groups()
    return (int(first) if first else None), (int(total) if total.isdigit() else None)


def _check_room(dest: Path, name: str, needed: int) -> None:
    free = shutil.disk_usage(dest).free
    if needed > free:
        raise FetchError(
            f"not enough disk space in {dest} for {name}: it needs {human(needed)} more and "
            f"{human(free)} is free; free some space and run again (the download resumes)."
        )


def _write(out, chunk: bytes, dest: Path, name: str) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise FetchError(
                f"the disk holding {dest} is full ({name} is not complete); free some space "
                "and run again to resume."
            ) from None
        raise FetchError(f"could not write {name} in {dest} ({exc.strerror or exc}).") from None


def _digest(path: Path, algo: str) -> str:
    digest = hashlib.new(algo, usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def prune(dest: Path, keep: list[Item], log: TextIO) -> None:
    """Delete the listens archives (and ``.part`` files) the build's full dump makes unneeded."""
    full = keep[0].dump  # incrementals up to its timestamp are inside it
    names = {item.name for item in keep}
    for path in sorted(dest.iterdir()):
        dump = parse_dump(path.name.removesuffix(".part"), ARCHIVE)
        if dump and dump.stamp <= full.stamp and path.name not in names:
            print(f"Deleting {path.name} (before {keep[0].name})", file=log)
            path.unlink()


@contextlib.contextmanager
def locked(dest: Path):
    """One run at a time per DEST (two would write the same ``.part`` file)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with (dest / LOCK_NAME).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise FetchError(
                f"another fetch is already running in {dest}; wait for it to end."
            ) from None
        yield


# --- the command ----------------------------------------------------------------------------


def run(args: argparse.Namespace, out: TextIO, log: TextIO) -> list[Path]:
    mirror = args.mirror if args.mirror.endswith("/") else args.mirror + "/"
    dest = Path(os.path.abspath(args.dest))  # as given: a symlinked path stays as mounted
    http = Http(args.timeout, args.retries, log)
    if args.dry_run:
        for item in plan(http, mirror, dest, args.incrementals_only, log):
            state = "have " if (dest / item.name).exists() else "fetch"
            print(
                f"{state} {dest / item.name}" + (f"  <- {item.url}" if state == "fetch" else ""),
                file=out,
            )
        return []
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create {dest} ({exc.strerror or exc}).") from None
    started = time.monotonic()
    fetched = received = 0
    with locked(dest):
        items = plan(http, mirror, dest, args.incrementals_only, log)
        for item in items:
            if (dest / item.name).exists():
                continue
            print(f"Fetching {item.name} from {item.url}", file=log)
            began = time.monotonic()
            got = download(http, item, dest, log)
            fetched, received = fetched + 1, received + got
            print(
                f"Fetched {item.name} ({human(got)} in {time.monotonic() - began:.0f} s)", file=log
            )
        if args.prune:
            prune(dest, items, log)
    paths = [dest / item.name for item in items]
    print(
        f"Done: {fetched} file{'s' if fetched != 1 else ''} fetched ({human(received)} in "
        f"{time.monotonic() - started:.1f} s), {len(items) - fetched} already here; "
        f"{len(items)} archive{'s' if len(items) != 1 else ''} to build from "
        f"(full dump {items[0].dump.stamp[:8]}, newest {items[-1].dump.stamp[:8]}).",
        file=log,
    )
    if args.print_paths:
        print("\n".join(str(p) for p in paths), file=out)
    else:
        print(
            f"Next: songsim index build {' '.join(map(str, paths))} -o neighbours.sqlite", file=out
        )
    return paths


def main(
    argv: list[str] | None = None, out: TextIO | None = None, log: TextIO | None = None
) -> int:
    out, log = out or sys.stdout, log or sys.stderr
    parser = argparse.ArgumentParser(
        description="Fetch the newest ListenBrainz full listens dump and the incremental dumps "
        "after it, and print their paths in build order."
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=Path("data/listenbrainz"),
        help="folder for the archives (default ./data/listenbrainz)",
    )
    parser.add_argument("--mirror", default=MIRROR, help=f"mirror base URL (default {MIRROR})")
    parser.add_argument(
        "--incrementals-only",
        action="store_true",
        help="fetch no full dump: only the incrementals after the newest full "
        "dump already in --dest (a refresh without the large download)",
    )
    parser.add_argument(
        "--print-paths",
        action="store_true",
        help="print only the archives' paths, one a line, in build order",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="delete archives in --dest older than the full dump used",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be fetched; download nothing"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for any answer from the mirror (default 60)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=4,
        help="retries for server errors and dropped connections (default 4)",
    )
    args = parser.parse_args(argv)
    try:
        run(args, out, log)
    except FetchError as exc:
        print(f"fetch_listenbrainz: {exc}", file=log)
        return 1
    except KeyboardInterrupt:
        print("fetch_listenbrainz: interrupted; run the same command again to resume.", file=log)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
