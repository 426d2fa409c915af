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

The mirror layout expected (as ListenBrainz publishes it, see its
``admin/create-dumps.sh``, ``listenbrainz/dumps/manager.py`` and
``docs/users/listenbrainz-dumps.rst``), under ``--mirror`` (default
https://data.metabrainz.org/pub/musicbrainz/listenbrainz/), each folder an HTML directory
listing (Apache or nginx style; only the ``<a href>`` links are read)::

    fullexport/listenbrainz-dump-<id>-<YYYYMMDD>-<HHMMSS>-full/
        listenbrainz-listens-dump-<id>-<YYYYMMDD>-<HHMMSS>-full.tar.zst   (.tar.xz in old dumps)
        listenbrainz-listens-dump-<…>-full.tar.zst.sha256 and .md5         (hex digest)
        listenbrainz-spark-dump-<…>-full.tar, listenbrainz-statistics-dump-…  (not fetched)
    fullexport/listenbrainz-dump-<id>-<YYYYMMDD>-<HHMMSS>-db/              (not fetched)
    incremental/listenbrainz-dump-<id>-<YYYYMMDD>-<HHMMSS>-incremental/
        listenbrainz-listens-dump-<id>-<…>-incremental.tar.zst, .sha256, .md5

Full listens dumps are made on the 1st and 15th of the month and end where the latest
incremental ended (same timestamp), so the incrementals to apply are those whose timestamp
is after the full dump's; ids are shared with the ``-db`` dumps and so have gaps. A folder
whose listens archive is not there yet (still uploading) ends the chain: an earlier full
dump is used instead, or the incrementals stop before it. A SHA-256 checksum is preferred
to MD5; a file without either is fetched unverified, with a warning.

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
import html.parser
import http.client
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

MIRROR = "https://data.metabrainz.org/pub/musicbrainz/listenbrainz/"
FULL_FOLDER = "fullexport/"
INCREMENTAL_FOLDER = "incremental/"
CHUNK = 1 << 20
BACKOFF = 2.0  # seconds before the first retry; doubled for each further one
USER_AGENT = "songsim-fetch-listenbrainz/1"
LOCK_NAME = ".fetch_listenbrainz.lock"

DUMP_FOLDER = re.compile(r"listenbrainz-dump-(\d+)-(\d{8})-(\d{6})-(full|incremental)")
ARCHIVE = re.compile(
    r"listenbrainz-listens-dump-(\d+)-(\d{8})-(\d{6})-(full|incremental)\.tar\.(zst|xz)"
)
DIGEST_LENGTH = {"sha256": 64, "md5": 32}


class FetchError(Exception):
    """A step failed; the message is one sentence saying what and what to do."""


class _Retry(Exception):
    """A transient failure inside one attempt (short body, server restarting)."""


@dataclass(frozen=True, order=True)
class Dump:
    """One dump, ordered by time: its folder or file name's timestamp, then its id."""

    stamp: str  # YYYYMMDDHHMMSS
    id: int
    kind: str  # "full" or "incremental"


@dataclass(frozen=True)
class Item:
    """One listens archive of the build: where it is on the mirror (if listed) and its checksum."""

    dump: Dump
    name: str
    url: str | None = None
    checksum_url: str | None = None
    algo: str | None = None


def parse_dump(name: str, pattern: re.Pattern = DUMP_FOLDER) -> Dump | None:
    match = pattern.fullmatch(name.rstrip("/"))
    if not match:
        return None
    dump_id, day, clock, kind = match.groups()[:4]
    return Dump(day + clock, int(dump_id), kind)


# --- HTTP -----------------------------------------------------------------------------------


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code in (408, 429)
    transient = (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException)
    return isinstance(exc, (*transient, _Retry))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
        return "no answer within the timeout"
    text = str(reason) or type(reason).__name__
    return text if not isinstance(exc, http.client.IncompleteRead) else "the connection dropped"


class Http:
    """Requests with a timeout each, and retries with backoff for what may pass."""

    def __init__(self, timeout: float, retries: int, log: TextIO) -> None:
        self.timeout, self.retries, self.log = timeout, retries, log

    def open(self, url: str, headers: dict[str, str] | None = None):
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
        return urllib.request.urlopen(request, timeout=self.timeout)

    def retrying(self, what: str, attempt, hint: str = "run again later"):
        """``attempt()`` until it succeeds, a non-transient error, or the retries run out."""
        for tries in range(self.retries + 1):
            try:
                return attempt()
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise FetchError(
                        f"the mirror has no {exc.url or what} (HTTP 404); check --mirror, or "
                        "run again later if the mirror is being updated."
                    ) from None
                if not _retryable(exc) or tries == self.retries:
                    raise self._failed(what, exc, tries, hint) from None
                self._wait(what, exc, tries)
            except (OSError, http.client.HTTPException, _Retry) as exc:
                if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
                    raise FetchError(
                        f"the disk is full ({what} stopped); free some space and {hint}."
                    ) from None
                if not _retryable(exc) or tries == self.retries:
                    raise self._failed(what, exc, tries, hint) from None
                self._wait(what, exc, tries)
        raise AssertionError("unreachable")

    def _wait(self, what: str, exc: BaseException, tries: int) -> None:
        pause = BACKOFF * 2**tries
        print(f"{what}: {_reason(exc)}; trying again in {pause:g} s", file=self.log)
        time.sleep(pause)

    def _failed(self, what: str, exc: BaseException, tries: int, hint: str) -> FetchError:
        count = f" after {tries + 1} tries" if tries else ""
        return FetchError(f"{what} failed{count} ({_reason(exc)}); {hint}.")

    def text(self, url: str) -> str:
        def attempt() -> str:
            with self.open(url) as response:
                charset = response.headers.get_content_charset() or "utf-8"
                return response.read().decode(charset, errors="replace")

        return self.retrying(f"reading {url}", attempt)


# --- directory listings ---------------------------------------------------------------------


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for key, value in attrs if key == "href" and value)


def listing_names(page: str, folder_url: str) -> list[str]:
    """The entries of a directory listing: names directly inside ``folder_url``.

    Links are resolved against the folder, so relative (``name/``) and absolute
    (``/pub/…/name/``) links both count; the parent, sort links (``?C=N;O=D``) and links
    elsewhere are dropped. Folders keep their trailing ``/``.
    """
    parser = _Links()
    parser.feed(page)
    base = urllib.parse.urlsplit(folder_url)
    names: dict[str, None] = {}
    for href in parser.hrefs:
        link = urllib.parse.urlsplit(urllib.parse.urljoin(folder_url, href))
        if link.netloc != base.netloc or link.query or not link.path.startswith(base.path):
            continue
        name = urllib.parse.unquote(link.path[len(base.path) :])
        if name and "/" not in name.rstrip("/"):
            names[name] = None
    return list(names)


def list_dumps(http: Http, folder_url: str, kind: str) -> dict[Dump, str]:
    """The dumps of one kind in a mirror folder, by dump, with their folder's URL."""
    found = {}
    for name in listing_names(http.text(folder_url), folder_url):
        dump = parse_dump(name)
        if dump and dump.kind == kind:
            found[dump] = urllib.parse.urljoin(folder_url, name.rstrip("/") + "/")
    return found


def find_archive(http: Http, dump: Dump, folder_url: str) -> Item | None:
    """The dump folder's listens archive and checksum file, or None if it has none (yet)."""
    names = listing_names(http.text(folder_url), folder_url)
    archives = [n for n in names if (d := parse_dump(n, ARCHIVE)) and d.kind == dump.kind]
    if not archives:
        return None
    # The archive named like its folder first; .tar.zst (current) before .tar.xz (old dumps).
    archives.sort(key=lambda n: (parse_dump(n, ARCHIVE) != dump, not n.endswith(".zst")))
    name = archives[0]
    for algo in ("sha256", "md5"):
        if f"{name}.{algo}" in names:
            checksum = urllib.parse.urljoin(folder_url, urllib.parse.quote(f"{name}.{algo}"))
            break
    else:
        checksum = algo = None
    url = urllib.parse.urljoin(folder_url, urllib.parse.quote(name))
    return Item(parse_dump(name, ARCHIVE) or dump, name, url, checksum, algo)


def parse_checksum(text: str, name: str, algo: str) -> str | None:
    """The digest in a checksum file: a bare digest, or ``digest  name`` lines (md5sum style)."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    named = [r[0] for r in rows if len(r) >= 2 and r[-1].lstrip("*") == name]
    token = (named or [r[0] for r in rows] or [""])[0].lower()
    return token if re.fullmatch(f"[0-9a-f]{{{DIGEST_LENGTH[algo]}}}", token) else None


# --- the plan -------------------------------------------------------------------------------


def local_archives(dest: Path) -> dict[Dump, Path]:
    """The complete listens archives in DEST (``.part`` files are not complete)."""
    found = {}
    for path in dest.iterdir() if dest.is_dir() else ():
        dump = parse_dump(path.name, ARCHIVE)
        if dump and path.is_file() and (dump not in found or path.name.endswith(".zst")):
            found[dump] = path
    return found


def plan(http: Http, mirror: str, dest: Path, incrementals_only: bool, log: TextIO) -> list[Item]:
    """The archives to build from, in build order: one full dump, then its incrementals."""
    have = local_archives(dest)
    if incrementals_only:
        fulls = sorted(d for d in have if d.kind == "full")
        if not fulls:
            raise FetchError(
                f"there is no full listens dump in {dest} yet; run once without "
                "--incrementals-only to fetch the newest one."
            )
        full = Item(fulls[-1], have[fulls[-1]].name)
    else:
        full = _newest_full(http, mirror + FULL_FOLDER, log)

    incrementals = list_dumps(http, mirror + INCREMENTAL_FOLDER, "incremental")
    after = full.dump.stamp  # the full dump holds every incremental up to its own timestamp
    local = {d for d in have if d.kind == "incremental" and d.stamp > after}
    chain = sorted(local | {d for d in incrementals if d.stamp > after})
    needed = [d for d in chain if d not in local]
    # The mirror keeps only its latest incrementals: the one before the first we need must
    # still be listed (or be in DEST), else some in between were dropped before we got them.
    if needed and not any(d < needed[0] for d in incrementals):
        since = max([after, *(d.stamp for d in local if d < needed[0])])
        message = (
            f"the mirror no longer lists the incremental dumps right after {since[:8]} (its "
            f"oldest is {min(incrementals).stamp[:8]}), so some listens would be missing"
        )
        if incrementals_only:
            raise FetchError(
                f"{message}; run without --incrementals-only to fetch the newest full dump."
            )
        print(f"Warning: {message}.", file=log)

    items = [full]
    for dump in chain:
        item = (
            Item(dump, have[dump].name)
            if dump in local
            else find_archive(http, dump, incrementals[dump])
        )
        if item is None:
            print(
                f"{incrementals[dump]} has no listens archive yet (still being uploaded?); "
                "stopping before it, run again later for it and the ones after.",
                file=log,
            )
            break
        items.append(item)
    return items


def _newest_full(http: Http, folder_url: str, log: TextIO) -> Item:
    fulls = list_dumps(http, folder_url, "full")
    for dump in sorted(fulls, reverse=True):
        item = find_archive(http, dump, fulls[dump])
        if item is not None:
            return item
        print(f"{fulls[dump]} has no listens archive (yet); using the one before.", file=log)
    raise FetchError(
        f"no full listens dump found at {folder_url} (looked for listenbrainz-dump-<id>-<date>-"
        "<time>-full/ folders holding a listenbrainz-listens-dump-…-full.tar.zst); check --mirror."
    )


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
