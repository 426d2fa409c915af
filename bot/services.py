"""What every command needs, opened once at start-up: the index, the user database, Spotify.

:class:`Services` is shared by the Discord cogs and the console. Index reads are synchronous
SQLite; :meth:`Services.read` runs them in a worker thread so a slow disk never stalls the
event loop. :meth:`Services.links_for` is the one place the Spotify hook is called.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.settings import Settings
from bot.user_db import UserDB, UserDBError
from index.paths import demo_index_path

log = logging.getLogger(__name__)

LINK_TIMEOUT = 2.0  # seconds a reply waits for Spotify; slower lookups finish into the cache

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

    def __init__(self, settings: Settings, index: Any, user_db: UserDB, links: Any = None) -> None:
        self.settings = settings
        self.index = index
        self.user_db = user_db
        self.links = links

    @classmethod
    async def open(cls, settings: Settings, *, spotify: bool = True) -> Services:
        """Open everything or raise :class:`StartupError` with one sentence."""
        index = open_index(settings)
        try:
            user_db = await UserDB.open(settings.user_db_path)
        except UserDBError as exc:
            raise StartupError(str(exc)) from exc
        links = None
        if spotify:
            links = _make_links(settings)
            start = getattr(links, "start", None)
            if start is not None:
                try:
                    await start()
                except Exception:  # Spotify must never stop the bot
                    log.exception("Spotify links could not start; replies go out without them.")
                    links = None
        return cls(settings, index, user_db, links)

    async def close(self) -> None:
        close = getattr(self.links, "close", None)
        if close is not None:
            try:
                await close()
            except Exception:
                log.exception("Closing Spotify links failed")
        await self.user_db.close()
        idx_close = getattr(self.index, "close", None)
        if idx_close is not None:
            idx_close()

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one index read off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def stats(self) -> Any:
        return self.index.stats

    async def links_for(self, tracks: Sequence[Any], *, art_for: int | None = None) -> Links:
        """Links for ``tracks``: from the index's Spotify URIs, then the Spotify lookup.

        This is the one call site of the Spotify hook; it returns within its timeout and a
        failure only means fewer links.
        """
        out = Links()
        unique = list({t.track_id: t for t in tracks}.values())
        for t in unique:
            url = uri_link(getattr(t, "spotify_uri", None))
            if url:
                out.urls[t.track_id] = url
        if self.links is None or not unique:
            return out
        try:
            kwargs = {"artwork_for": [art_for] if art_for is not None else []}
            found: Mapping[int, Any] = await self.links.lookup(
                unique, timeout=LINK_TIMEOUT, **kwargs
            )
        except Exception:
            log.exception("Spotify lookup failed; replying without links")
            return out
        for track_id, info in found.items():
            if getattr(info, "url", None):
                out.urls[track_id] = info.url
            if getattr(info, "image_url", None):
                out.images[track_id] = info.image_url
        return out


def is_demo_index(settings: Settings) -> bool:
    """True when no SONGSIM_INDEX was given, so the bot answers from the demo index."""
    return settings.index_path == demo_index_path()


def open_index(settings: Settings, *, build_demo: bool = True) -> Any:
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
        from index.reader import IndexOpenError, SongIndex
    except ImportError as exc:  # pragma: no cover - only while the read path is missing
        raise StartupError("This songsim install has no index reader (index.reader).") from exc
    try:
        return SongIndex.open(path)
    except IndexOpenError as exc:
        raise StartupError(str(exc)) from exc


def _make_links(settings: Settings) -> Any:
    """The Spotify hook, or None when the module is missing or credentials are not set."""
    try:
        from bot.spotify import SpotifyLinks
    except ImportError:
        return None
    if not settings.spotify_enabled:
        return None
    return SpotifyLinks.from_settings(settings, settings.user_db_path)
