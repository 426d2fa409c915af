"""The keyless services that name a linked song: YouTube, Spotify oEmbed, iTunes, Deezer.

Each :class:`LinkService` turns one :class:`~bot.links.parse.Link` into a
:class:`~bot.links.results.SongName` or a :class:`~bot.links.results.LinkFailure`, and
never raises: a reply must not break because a service is slow, down or odd.

* All of them share the one ``aiohttp.ClientSession`` the bot owns (connection reuse, one
  place to close), and each request has a hard timeout (2 s by default).
* Answers, "not found" included, are cached (:class:`~bot.links.cache.LinkCache`): a
  second paste of a link makes no request. Timeouts, rate limits and server errors are
  not cached.
* A 429 (or a service's own "slow down") pauses that service until its ``Retry-After``
  has passed; lookups meanwhile fail at once with ``rate_limited``.
* Bodies are read up to :data:`MAX_BODY` bytes and parsed by hand, whatever their
  Content-Type (iTunes answers JSON as ``text/javascript``).

Base URLs are constructor arguments (:class:`ServiceUrls`), so tests point them at the
fake in ``tests/support/fakelinks.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp

from bot.i18n import _
from bot.links.cache import CachedName, LinkCache
from bot.links.parse import SERVICE_NAMES, Link
from bot.links.results import TYPE_INSTEAD, LinkFailure, SongName, service_failure
from bot.links.video_title import song_from_video
from bot.spotify.client import retry_after_seconds

log = logging.getLogger("bot.links")

LOOKUP_TIMEOUT = 2.0  # seconds one request may take: a reply must answer within 3 s
MAX_BODY = 512 * 1024  # a track's JSON is a few kB; anything this big is not an answer
DEEZER_QUOTA_PAUSE = 5.0  # Deezer allows 50 requests per 5 s and sends no Retry-After
ITUNES_PAUSE = 60.0  # Apple allows about 20 lookups a minute, answers 403, no Retry-After

_NOT_FOUND = CachedName(None, None)
# What YouTube's oEmbed has answered, with HTTP 200, for private videos.
_YOUTUBE_REFUSALS = {b"Forbidden", b"Unauthorized", b"Not Found", b"Bad Request"}


@dataclass(frozen=True)
class ServiceUrls:
    """Where each service answers (the real ones by default; tests use a local fake)."""

    youtube_oembed: str = "https://www.youtube.com/oembed"
    spotify_oembed: str = "https://open.spotify.com/oembed"
    itunes_lookup: str = "https://itunes.apple.com/lookup"
    deezer_api: str = "https://api.deezer.com"


class LinkService:
    """One service's lookups: cached, within a timeout, paused after a 429, never raising.

    Subclasses say how one request is made (:meth:`fetch`) and, if needed, how the
    service's words become a song (:meth:`answer`).
    """

    service: ClassVar[str]

    def __init__(
        self,
        cache: LinkCache | None,
        *,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._timeout = timeout
        self._clock = clock
        self._paused_until = 0.0

    @property
    def name(self) -> str:
        return SERVICE_NAMES.get(self.service, self.service)

    @property
    def paused_for(self) -> float:
        """Seconds left in a rate-limit pause (0 when lookups run normally)."""
        return max(0.0, self._paused_until - self._clock())

    def cache_key(self, link: Link) -> str:
        return f"{self.service}:{link.id}"

    async def lookup(self, link: Link, timeout: float | None = None) -> SongName | LinkFailure:
        """The song ``link`` names, from the cache or one request of at most ``timeout`` s."""
        limit = self._timeout if timeout is None else min(timeout, self._timeout)
        key = self.cache_key(link)
        cached = await self._cache.get(key) if self._cache is not None else None
        if cached is not None:
            return self.answer(cached)
        if self.paused_for:
            return service_failure("rate_limited", self.service, self.paused_for)
        if limit <= 0:
            return service_failure("timeout", self.service)
        try:
            async with asyncio.timeout(limit):
                got = await self.fetch(link, limit)
        except TimeoutError:
            return service_failure("timeout", self.service)
        except (aiohttp.ClientError, OSError) as exc:
            log.debug("%s lookup %s failed: %s", self.name, key, type(exc).__name__)
            return service_failure("unavailable", self.service)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # a malformed body
            log.info("%s answered %s with something unreadable: %s", self.name, key, exc)
            return service_failure("unavailable", self.service)
        except Exception:  # a bug must cost a link, never a reply
            log.warning("%s lookup %s failed unexpectedly.", self.name, key, exc_info=True)
            return service_failure("unavailable", self.service)
        if isinstance(got, LinkFailure):
            if got.kind == "rate_limited":
                self._pause(got.retry_after or 0.0)
            return got
        if self._cache is not None:
            await self._cache.put_answer(key, got)
        return self.answer(got)

    def answer(self, name: CachedName) -> SongName | LinkFailure:
        """The result for a service's answer (what is cached is the service's own words)."""
        if name.title is None:
            return service_failure("not_found", self.service)
        return SongName(self.service, name.title, name.artist)

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        """One request: the service's names for ``link`` (title None: it has none)."""
        raise NotImplementedError

    def _pause(self, seconds: float) -> None:
        if not self.paused_for:
            log.warning(
                "%s rate limit reached: link lookups paused for %.0f s.", self.name, seconds
            )
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class HttpLinkService(LinkService):
    """A service reached with plain GETs on the bot's shared aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        cache: LinkCache | None,
        url: str,
        *,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(cache, timeout=timeout, clock=clock)
        self._session = session
        self._url = url.rstrip("/")

    async def get(
        self, url: str, params: Mapping[str, str] | None, timeout: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Status, headers and body (at most :data:`MAX_BODY` bytes) of one GET."""
        async with self._session.get(
            url,
            params=params,
            timeout=aiohttp.ClientTimeout(total=timeout),
            headers={"Accept": "application/json"},
            raise_for_status=False,  # statuses are answers here, whatever the session's default
        ) as resp:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > MAX_BODY:
                    raise ValueError(f"the answer is larger than {MAX_BODY} bytes")
                chunks.append(chunk)
            return resp.status, resp.headers, b"".join(chunks)

    def http_failure(
        self, status: int, headers: Mapping[str, str], not_found: tuple[int, ...] = (400, 404)
    ) -> CachedName | LinkFailure | None:
        """What a status other than 200 means: a rate limit (429), no such song (the
        service's ``not_found`` statuses, answered as the cached "not found"), or the
        service unavailable; None for 200."""
        if status == 429:
            wait = retry_after_seconds(headers, self._clock())
            return service_failure("rate_limited", self.service, wait)
        if status in not_found:
            return _NOT_FOUND
        if status != 200:
            return service_failure("unavailable", self.service)
        return None


class YouTubeOEmbed(HttpLinkService):
    """YouTube's public oEmbed (no key): a video's title and channel, read as a song."""

    service = "youtube"

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        video = f"https://www.youtube.com/watch?v={link.id}"
        status, headers, body = await self.get(self._url, {"url": video, "format": "json"}, timeout)
        # 400 bad id, 401 embedding turned off, 403 private, 404 removed.
        failure = self.http_failure(status, headers, not_found=(400, 401, 403, 404))
        if failure is not None:
            return failure
        if body.strip() in _YOUTUBE_REFUSALS:  # a refusal sent with 200
            return _NOT_FOUND
        data = _object(body)
        return CachedName(_text(data, "author_name", required=False), _text(data, "title"))

    def answer(self, name: CachedName) -> SongName | LinkFailure:
        if name.title is None:
            return service_failure("not_found", self.service)
        song = song_from_video(name.title, name.artist or "")
        if song is None:
            message = _(
                "I couldn't tell which song that YouTube video plays; {instead}.",
                instead=_(TYPE_INSTEAD),
            )
            return LinkFailure("not_found", self.service, message)
        return SongName(self.service, song.title, song.artist)


class SpotifyOEmbed(HttpLinkService):
    """Spotify's keyless oEmbed: a track's title only (it names no artist)."""

    service = "spotify"

    def cache_key(self, link: Link) -> str:
        return f"spotify-oembed:{link.id}"

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        track = f"https://open.spotify.com/track/{link.id}"
        status, headers, body = await self.get(self._url, {"url": track}, timeout)
        failure = self.http_failure(status, headers)
        if failure is not None:
            return failure
        data = _object(body)
        # Spotify documents no author for tracks; should one appear, it is the artist.
        return CachedName(_text(data, "author_name", required=False), _text(data, "title"))


class ITunesLookup(HttpLinkService):
    """Apple's public iTunes lookup (no key) by track id, in the link's store country."""

    service = "apple"

    def cache_key(self, link: Link) -> str:
        return f"apple:{link.region or ''}:{link.id}"

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        params = {"id": str(link.id)}
        if link.region:
            params["country"] = link.region  # a song only sold in Japan is unknown in the US
        status, headers, body = await self.get(self._url, params, timeout)
        if status == 403:  # Apple's answer to too many requests (no Retry-After)
            return service_failure("rate_limited", self.service, ITUNES_PAUSE)
        failure = self.http_failure(status, headers)
        if failure is not None:
            return failure
        data = _object(body)
        results = data["results"]
        if not isinstance(results, list):
            raise TypeError("results is not a list")
        tracks = [r for r in results if isinstance(r, dict) and r.get("wrapperType") == "track"]
        exact = [r for r in tracks if str(r.get("trackId")) == str(link.id)]
        if not (exact or tracks):
            return _NOT_FOUND  # resultCount 0, or the id is an album's
        item = (exact or tracks)[0]
        return CachedName(_text(item, "artistName", required=False), _text(item, "trackName"))


class DeezerTrack(HttpLinkService):
    """Deezer's public track endpoint (no key); errors come as HTTP 200 with an ``error``."""

    service = "deezer"

    async def fetch(self, link: Link, timeout: float) -> CachedName | LinkFailure:
        status, headers, body = await self.get(f"{self._url}/track/{link.id}", None, timeout)
        failure = self.http_failure(status, headers, not_found=(404,))
        if failure is not None:
            return failure
        data = _object(body)
        error = data.get("error")
        if error is not None:
            code = error.get("code") if isinstance(error, dict) else None
            if code == 800:  # DataException "no data": no such track
                return _NOT_FOUND
            if code == 4:  # "Quota limit exceeded"
                return service_failure("rate_limited", self.service, DEEZER_QUOTA_PAUSE)
            return service_failure("unavailable", self.service)
        # title_short leaves out the version ("(Remastered)"), which the index spells its own way.
        title = _text(data, "title_short", required=False) or _text(data, "title")
        artist = data.get("artist")
        name = _text(artist, "name", required=False) if isinstance(artist, dict) else None
        return CachedName(name, title)


def _object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; ValueError or TypeError when it is not one."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise TypeError("the answer is not a JSON object")
    return data


def _text(data: Mapping[str, Any], field: str, *, required: bool = True) -> str | None:
    """A non-empty string field, tidied; missing or blank: None, or KeyError if required."""
    value = data.get(field)
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    if required:
        raise KeyError(f"no {field!r} in the answer")
    return None
