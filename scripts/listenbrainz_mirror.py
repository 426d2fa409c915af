"""The ListenBrainz mirror as ``fetch_listenbrainz.py`` reads it: its folders, the dumps in
them, and which archives a build needs (the plan). Standard library only.

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
"""

from __future__ import annotations

import errno
import html.parser
import http.client
import re
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
BACKOFF = 2.0  # seconds before the first retry; doubled for each further one
USER_AGENT = "songsim-fetch-listenbrainz/1"

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
