"""What every command needs, opened once at start-up: the index, the user database, Spotify,
and the one HTTP session with the reader of pasted links (:mod:`bot.links`).

:class:`Services` is shared by the Discord cogs and the console. Index reads are synchronous
SQLite; :meth:`Services.read` runs them in a worker thread so a slow disk never stalls the
event loop. :meth:`Services.links_for` is the one place the Spotify hook is called.

The index can be replaced while the bot runs (a rebuild renames a new file over the old
one): :meth:`Services.reopen_index` opens the new file and swaps it in between two reads,
and closes the old one only once the reads still using it have finished. A file that cannot
be opened changes nothing: the bot keeps answering from the index it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from bot.settings import Settings
from bot.user_db import UserDB, UserDBError
from index.model import IndexStats, Track
from index.paths import demo_index_path

if TYPE_CHECKING:  # imported when first needed (see open_index, _make_links, open)
    import aiohttp

    from bot.links import LinkReader, ServiceUrls
    from bot.spotify import SpotifyInfo, SpotifyLinks
    from index.read.api import SongIndex

log = logging.getLogger(__name__)

LINK_TIMEOUT = 2.0  # seconds a reply waits for Spotify; slower lookups finish into the cache
INDEX_CHECK_INTERVAL = 30.0  # seconds between looks at the index file for a replacement

T = TypeVar("T")


class StartupError(Exception):
    """The bot cannot start; the message is one sentence saying what to fix."""


@dataclass
class Links:
    """Spotify links (track id → URL) and album art (track id → image URL) for one reply."""

    urls: dict[int, str] = field(default_factory=dict)
    images: dict[int, str] = field(default_factory=dict)


def uri_link(uri: str | None) -> str | None:
    """``spotify:track:ID`` → its open.spotify.com URL (no API call needed)."""
    if uri and uri.startswith("spotify:track:"):
        return "https://open.spotify.com/track/" + uri.rsplit(":", 1)[1]
    return None


class Services:
    """The index, the user database and the Spotify links, opened once at start-up."""

    def __init__(
        self,
        settings: Settings,
        index: SongIndex,
        user_db: UserDB,
        links: SpotifyLinks | None = None,
        *,
        http: aiohttp.ClientSession | None = None,
        link_reader: LinkReader | None = None,
    ) -> None:
        self.settings = settings
        self._index = index
        self.user_db = user_db
        self.links = links
        self.http = http  # the one aiohttp session every outside lookup shares
        self.link_reader = link_reader  # reads pasted links (None: only offline ones)
        # Bumped on every successful reopen: replies remember it, so a button pressed under
        # a list made from an older index (whose song ids mean other songs) is recognised.
        self.generation = 0
        self._index_stamp = file_stamp(settings.index_path)
        self._readers: dict[int, int] = {}  # id(index) → reads in flight
        self._retired: dict[int, SongIndex] = {}  # replaced indexes waiting for their last read
        self._reopen_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def index(self) -> SongIndex:
        """The index answering now (it may be replaced between two reads, see reopen_index)."""
        return self._index

    async def find_spotify_uri(self, uri: str) -> Track | None:
        """The song the index stores with this Spotify URI, read from the index answering now."""
        return await self.read(self.index.track_by_spotify_uri, uri)

    @classmethod
    async def open(
        cls, settings: Settings, *, spotify: bool = True, link_urls: ServiceUrls | None = None
    ) -> Services:
        """Open everything or raise :class:`StartupError` with one sentence.

        ``link_urls`` points the link reader's services elsewhere (tests use a local fake).
        """
        index = open_index(settings)
        try:
            user_db = await UserDB.open(settings.user_db_path)
        except UserDBError as exc:
            raise StartupError(str(exc)) from exc
        links = None
        if spotify:
            links = _make_links(settings)
            if links is not None:
                try:
                    await links.start()
                except Exception:  # Spotify must never stop the bot
                    log.exception("Spotify links could not start; replies go out without them.")
                    links = None
        from bot.seed_reading import open_link_reader

        http, reader = await open_link_reader(settings.user_db_path, spotify=links, urls=link_urls)
        return cls(settings, index, user_db, links, http=http, link_reader=reader)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.links is not None:
            try:
                await self.links.close()
            except Exception:
                log.exception("Closing Spotify links failed")
        if self.http is not None and self.link_reader is not None:
            from bot.seed_reading import close_link_reader

            await close_link_reader(self.http, self.link_reader)
        await self.user_db.close()
        for old in self._retired.values():
            _close_index(old)
        self._retired.clear()
        _close_index(self._index)

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one index read off the event loop.

        ``fn`` is usually a method of :attr:`index`; while it runs, that index stays open
        even if :meth:`reopen_index` swaps in a new one meanwhile.
        """
        # The index a bound method reads; other callables (functions) have no __self__.
        target = getattr(fn, "__self__", None)
        if target is not self._index and id(target) not in self._retired:
            target = self._index
        key = id(target)
        self._readers[key] = self._readers.get(key, 0) + 1
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        finally:
            left = self._readers[key] - 1
            if left:
                self._readers[key] = left
            else:
                del self._readers[key]
                retired = self._retired.pop(key, None)
                if retired is not None:
                    _close_index(retired)

    # --- reloading the index ----------------------------------------------------------------

    def index_file_changed(self) -> bool:
        """True when the index file is not the one last opened (replaced, touched or gone)."""
        return file_stamp(self.settings.index_path) != self._index_stamp

    async def reopen_index(self, reason: str = "asked to") -> bool:
        """Open the index file again and answer from it from now on.

        Reads already running finish on the old index, which is closed after the last of
        them. When the file cannot be opened (missing, truncated, not an index) the old
        index keeps answering, one log line says why, and False is returned.
        """
        async with self._reopen_lock:
            path = self.settings.index_path
            stamp = file_stamp(path)  # before opening: a later replacement is seen next time
            try:
                new = await asyncio.to_thread(_open_index_file, path)
            except Exception as exc:
                self._index_stamp = stamp  # say it once, not on every check of the same file
                songs = _songs(self._index)
                log.error(
                    "Could not reload the index (%s): %s Still answering from the previous "
                    "index (%s).",
                    reason,
                    _sentence(exc),
                    songs,
                )
                log.debug("Index reload failure", exc_info=exc)
                return False
            old, self._index = self._index, new
            self._index_stamp = stamp
            self.generation += 1
            if self._readers.get(id(old)):
                self._retired[id(old)] = old
            else:
                _close_index(old)
            log.info(
                "Reloaded the index from %s (%s): %s, built %s",
                path,
                reason,
                _songs(new),
                str(new.stats.built_at or "?")[:19],
            )
            return True

    def reopen_index_soon(self, reason: str) -> None:
        """Start :meth:`reopen_index` in the background (for a signal handler)."""
        self._keep(asyncio.ensure_future(self.reopen_index(reason)))

    def watch_index_file(self, interval: float = INDEX_CHECK_INTERVAL) -> None:
        """Every ``interval`` seconds, reopen the index if its file was replaced."""
        self._keep(asyncio.ensure_future(self._watch(interval)))

    async def _watch(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if self.index_file_changed():
                    await self.reopen_index("the file changed")
            except Exception:  # the watcher must outlive any one failure
                log.exception("Checking the index file for changes failed")

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stats(self) -> IndexStats:
        return self.index.stats

    async def links_for(self, tracks: Sequence[Track], *, art_for: int | None = None) -> Links:
        """Links for ``tracks``: from the index's Spotify URIs, then the Spotify lookup.

        This is the one call site of the Spotify hook; it returns within its timeout and a
        failure only means fewer links.
        """
        out = Links()
        unique = list({t.track_id: t for t in tracks}.values())
        for t in unique:
            url = uri_link(t.spotify_uri)
            if url:
                out.urls[t.track_id] = url
        if self.links is None or not unique:
            return out
        from bot.seed_reading import time_left  # less when a pasted link used the time

        try:
            kwargs = {"artwork_for": [art_for] if art_for is not None else []}
            found: Mapping[int, SpotifyInfo] = await self.links.lookup(
                unique, timeout=time_left(LINK_TIMEOUT), **kwargs
            )
        except Exception:
            log.exception("Spotify lookup failed; replying without links")
            return out
        for track_id, info in found.items():
            if info.url:
                out.urls[track_id] = info.url
            if info.image_url:
                out.images[track_id] = info.image_url
        return out


def is_demo_index(settings: Settings) -> bool:
    """True when no SONGSIM_INDEX was given, so the bot answers from the demo index."""
    return settings.index_path == demo_index_path()


def open_index(settings: Settings, *, build_demo: bool = True) -> SongIndex:
    """Open the read-only song index, or raise :class:`StartupError` saying how to get one.

    Without SONGSIM_INDEX the demo index is used, and built on first use (a few seconds),
    so a fresh install or container answers at once.
    """
    path = settings.index_path
    if not path.exists() and build_demo and is_demo_index(settings):
        log.info("No index yet: building the demo index at %s (first start only)", path)
        try:
            from index.build import ensure_demo_index

            ensure_demo_index()
        except Exception as exc:
            log.exception("Building the demo index failed")
            raise StartupError(
                f"Could not build the demo index at {path} ({exc}); set SONGSIM_INDEX to an "
                "index built with `songsim index build`."
            ) from exc
    if not path.exists():
        raise StartupError(
            f"No index at {path} — build one with `songsim index build DATASET -o {path}` "
            "or set SONGSIM_INDEX to an existing index file."
        )
    try:
        from index.read.api import IndexOpenError, SongIndex
    except ImportError as exc:  # pragma: no cover - only while the read path is missing
        raise StartupError("This songsim install has no index reader (index.read.api).") from exc
    try:
        return SongIndex.open(path)
    except IndexOpenError as exc:
        raise StartupError(str(exc)) from exc


def file_stamp(path: os.PathLike[str] | str) -> tuple[int, int, int, int] | None:
    """What identifies one version of a file: device, inode, mtime and size (None if gone)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _open_index_file(path: os.PathLike[str] | str) -> SongIndex:
    from index.read.api import SongIndex

    return SongIndex.open(path)


def _close_index(index: SongIndex) -> None:
    try:
        index.close()
    except Exception:
        log.exception("Closing an index failed")


def _songs(index: SongIndex) -> str:
    tracks = index.stats.tracks
    return f"{tracks:,} song{'' if tracks == 1 else 's'}"


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if text.endswith((".", "!", "?")) else text + "."


def _make_links(settings: Settings) -> SpotifyLinks | None:
    """The Spotify hook, or None when the module is missing or credentials are not set."""
    try:
        from bot.spotify import SpotifyLinks
    except ImportError:
        return None
    if not settings.spotify_enabled:
        return None
    return SpotifyLinks.from_settings(settings, settings.user_db_path)
