"""The front the bot calls: :class:`LinkReader` turns a pasted link into a seed song.

``await reader.read(text)`` is None when ``text`` holds no link (read it as typed text),
else a :class:`LinkSeed`:

* ``seed.track``: a Spotify link whose URI the index stores (MPD builds), found offline
  when ``find_uri`` is given;
* ``seed.spotify_uri`` alone: a Spotify link not yet looked up in the index (no
  ``find_uri``); look it up, then ``await reader.names(seed)`` if it is not there;
* ``seed.query``: "artist - title" (or a title, ``seed.title_only``) to resolve as usual,
  from the link's path (Last.fm) or one service lookup (YouTube, Apple, Deezer, Spotify);
* ``seed.failure``: nothing usable; ``seed.failure.message`` is the sentence to send.

A read never raises and takes at most ``timeout`` seconds (2 s by default) in all,
however many services it asks; ``seed.note`` carries an extra sentence worth showing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from bot.i18n import N_, _
from bot.links.cache import LinkCache
from bot.links.parse import SERVICE_NAMES, Link, UnsupportedLink, find_link
from bot.links.results import LinkFailure, SongName, service_failure
from bot.links.services import (
    LOOKUP_TIMEOUT,
    DeezerTrack,
    ITunesLookup,
    LinkService,
    ServiceUrls,
    SpotifyOEmbed,
    YouTubeOEmbed,
)
from bot.links.spotify_api import SpotifyApiNames
from index.model import Track

if TYPE_CHECKING:
    from bot.spotify import SpotifyLinks

__all__ = ["FindUri", "LinkReader", "LinkSeed"]

log = logging.getLogger("bot.links")

FindUri = Callable[[str], Awaitable[Track | None]]
"""Looks a ``spotify:track:`` URI up in the index (e.g. ``services.read(index.track_by_spotify_uri, uri)``)."""

TITLE_ONLY_NOTE = N_(
    "Spotify's public link preview gives only the song's title, so I looked it up by title; "
    "with SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET set I'd read the artist too."
)
BUSY_NOTE = N_(
    "Spotify couldn't tell me the artist just now, so I looked the song up by its title alone."
)
NO_CREDENTIALS_NOTE = N_(
    "Setting SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET lets me read Spotify links to songs "
    "the index doesn't hold."
)


@dataclass(frozen=True)
class LinkSeed:
    """What a pasted link says the song is (see the module docstring)."""

    service: str  # "spotify", "youtube", "apple", "deezer", "lastfm"; "" for other sites
    url: str
    spotify_uri: str | None = None
    track: Track | None = None
    artist: str | None = None
    title: str | None = None
    failure: LinkFailure | None = None
    note: str | None = None
    source: str = "link"  # how the seed was read, for `songsim ask --json` and logs

    @property
    def query(self) -> str | None:
        """ "artist - title" (or the title alone) to resolve like typed text, if any."""
        if not self.title:
            return None
        return f"{self.artist} - {self.title}" if self.artist else self.title

    @property
    def title_only(self) -> bool:
        """True when only the title is known: a match by title alone may be another song."""
        return bool(self.title) and not self.artist

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES.get(self.service, "that site")


class LinkReader:
    """Reads pasted links: parsing, the services' lookups and their cache, in one place.

    ``session`` is the bot's one aiohttp session (the reader never closes it); ``db_path``
    the bot's writable SQLite file for the cache (None: memory). ``spotify`` (started
    :class:`~bot.spotify.SpotifyLinks`) names Spotify tracks with the bot's credentials;
    without it, or while it is off, Spotify's keyless oEmbed gives the title alone.
    ``await start()`` once (or ``async with``), ``await close()`` at exit.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        db_path: str | Path | None = None,
        *,
        spotify: SpotifyLinks | None = None,
        urls: ServiceUrls | None = None,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        urls = urls or ServiceUrls()
        self.timeout = timeout
        self.cache = LinkCache(db_path, clock)
        kw = {"timeout": timeout, "clock": clock}
        self.youtube = YouTubeOEmbed(session, self.cache, urls.youtube_oembed, **kw)
        self.spotify_oembed = SpotifyOEmbed(session, self.cache, urls.spotify_oembed, **kw)
        self.itunes = ITunesLookup(session, self.cache, urls.itunes_lookup, **kw)
        self.deezer = DeezerTrack(session, self.cache, urls.deezer_api, **kw)
        self.spotify_api = (
            SpotifyApiNames(spotify, self.cache, timeout=timeout) if spotify is not None else None
        )
        self._by_service: dict[str, LinkService] = {
            "youtube": self.youtube,
            "apple": self.itunes,
            "deezer": self.deezer,
        }

    async def start(self) -> None:
        await self.cache.open()

    async def close(self) -> None:
        await self.cache.close()

    async def __aenter__(self) -> LinkReader:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- reading ---------------------------------------------------------------------------

    async def read(self, text: str, *, find_uri: FindUri | None = None) -> LinkSeed | None:
        """The seed a link in ``text`` names; None when ``text`` holds no link."""
        link = find_link(text)
        if link is None:
            return None
        return await self.read_link(link, find_uri=find_uri)

    async def read_link(
        self, link: Link | UnsupportedLink, *, find_uri: FindUri | None = None
    ) -> LinkSeed:
        """The seed one parsed link names (within :attr:`timeout`; never raises)."""
        try:
            async with asyncio.timeout(self.timeout + 0.5):  # a last guard; lookups stop sooner
                return await self._read(link, find_uri)
        except TimeoutError:
            service = link.service or ""
            return LinkSeed(service, link.url, failure=service_failure("timeout", service))
        except Exception:  # the reply must go out whatever happened here
            log.exception("Reading the link %r failed unexpectedly.", link.url)
            service = link.service or ""
            return LinkSeed(service, link.url, failure=service_failure("unavailable", service))

    async def names(self, seed: LinkSeed) -> LinkSeed:
        """For a Spotify seed whose URI the index lacks: the song's names from Spotify.

        With working credentials one ``GET /tracks/{id}`` gives artist and title; else (or
        when that fails for now) the keyless oEmbed gives the title, with a note saying so.
        """
        if not seed.spotify_uri or seed.query or seed.failure:
            return seed
        link = Link("spotify", seed.url, id=seed.spotify_uri.rsplit(":", 1)[-1])
        try:
            async with asyncio.timeout(self.timeout + 0.5):
                return await self._spotify_names(link)
        except TimeoutError:
            return replace(seed, failure=service_failure("timeout", "spotify"))
        except Exception:
            log.exception("Reading the Spotify link %r failed unexpectedly.", seed.url)
            return replace(seed, failure=service_failure("unavailable", "spotify"))

    async def _read(self, link: Link | UnsupportedLink, find_uri: FindUri | None) -> LinkSeed:
        if isinstance(link, UnsupportedLink):
            failure = LinkFailure(link.kind, link.service, link.message)
            return LinkSeed(link.service or "", link.url, failure=failure)
        if link.service == "lastfm":
            return LinkSeed("lastfm", link.url, artist=link.artist, title=link.title)
        if link.service == "spotify":
            seed = LinkSeed("spotify", link.url, spotify_uri=link.spotify_uri)
            if find_uri is None:
                return seed
            try:
                track = await find_uri(str(link.spotify_uri))
            except Exception:  # the index failing here must not cost the link
                log.exception("Looking up %s in the index failed.", link.spotify_uri)
                track = None
            if track is not None:
                return replace(seed, track=track)
            return await self._spotify_names(link)
        service = self._by_service[link.service]
        return _seed(link, await service.lookup(link, self.timeout))

    async def _spotify_names(self, link: Link) -> LinkSeed:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        api = self.spotify_api
        if api is not None and api.enabled:
            got = await api.lookup(link, self.timeout)
            if isinstance(got, SongName) or got.kind == "not_found":
                return _seed(link, got)
            # Rate limited, slow or down: the title from oEmbed is better than nothing.
        got = await self.spotify_oembed.lookup(link, max(0.0, deadline - loop.time()))
        credentials = api is not None and api.enabled
        if isinstance(got, LinkFailure):
            if credentials or got.kind == "not_found":
                return _seed(link, got)
            return replace(_seed(link, got), note=_(NO_CREDENTIALS_NOTE))
        seed = _seed(link, got)
        if not seed.title_only:
            return seed
        return replace(seed, note=_(BUSY_NOTE if credentials else TITLE_ONLY_NOTE))


def _seed(link: Link, got: SongName | LinkFailure) -> LinkSeed:
    seed = LinkSeed(link.service, link.url, spotify_uri=link.spotify_uri)
    if isinstance(got, LinkFailure):
        return replace(seed, failure=got)
    return replace(seed, artist=got.artist, title=got.title)
