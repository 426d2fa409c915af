"""Fake link services on 127.0.0.1: YouTube oEmbed, Spotify oEmbed, iTunes lookup, Deezer.

One aiohttp app serves all four under a path prefix each (``/youtube/oembed``,
``/spotify/oembed``, ``/itunes/lookup``, ``/deezer/track/{id}``); :attr:`FakeLinks.urls`
points :class:`bot.links.ServiceUrls` at them. Answers have the real services' shapes:

* YouTube oEmbed: ``title``, ``author_name``, ``author_url``, ``html``... as JSON; a
  plain-text ``Not Found`` (404), ``Unauthorized`` (401, embedding turned off) or ``Bad
  Request`` (400, not a video URL).
* Spotify oEmbed: ``type: rich``, ``title`` (the track's name only, no artist),
  ``html``, ``iframe_url``, ``thumbnail_url``...; 404 for an unknown track.
* iTunes lookup: ``{"resultCount": N, "results": [...]}`` wrapped in newlines and served
  as ``text/javascript``; tracks have ``wrapperType: track``, ``kind: song``,
  ``artistName``, ``trackName``..., albums ``wrapperType: collection``; a song is found
  only in the stores (``country``) that sell it; 403 with an empty body when rate limited.
* Deezer: the full track object (``title``, ``title_short``, ``title_version``,
  ``artist: {name}``, ``album``...); errors as HTTP 200 with ``{"error": {"type",
  "message", "code"}}``: 800 "no data", 4 "Quota limit exceeded".

Switches: :meth:`FakeLinks.fail_next` queues a behaviour for a service's next requests
("429" with ``Retry-After``, "500", "malformed", "wrong_shape", "slow", plus "quota" for
Deezer, "forbidden" for iTunes, "refused" for YouTube's HTTP 200 "Forbidden");
:meth:`FakeLinks.set_delay` slows every answer. Every request is recorded in ``calls``.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from bot.links import ServiceUrls
from tests.support.fakelinks_bodies import deezer_track, itunes_album, itunes_track

SERVICES = ("youtube", "spotify", "itunes", "deezer")


@dataclass(frozen=True)
class Call:
    service: str
    path: str
    params: dict[str, str]


@dataclass
class _Mode:
    kind: str
    retry_after: float | None = None


@dataclass
class FakeLinks:
    """The fake services; ``async with FakeLinks() as fake`` runs it on a free port."""

    slow_seconds: float = 1.0  # how long a "slow" answer takes
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.videos: dict[str, tuple[str, str]] = {}
        self.unembeddable: set[str] = set()
        self.spotify_titles: dict[str, str] = {}
        self.itunes: dict[str, dict[str, Any]] = {}
        self.itunes_stores: dict[str, tuple[str, ...]] = {}
        self.deezer: dict[str, dict[str, Any]] = {}
        self._modes: dict[str, deque[_Mode]] = {s: deque() for s in SERVICES}
        self._delays: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._base = ""

    # --- catalogue ------------------------------------------------------------------------

    def add_video(self, video_id: str, title: str, channel: str, *, embeddable: bool = True):
        self.videos[video_id] = (title, channel)
        if not embeddable:
            self.unembeddable.add(video_id)

    def add_spotify(self, track_id: str, title: str) -> None:
        self.spotify_titles[track_id] = title

    def add_itunes(
        self,
        track_id: str,
        artist: str,
        title: str,
        *,
        album_id: str = "1440000000",
        stores: tuple[str, ...] = ("us",),
    ) -> None:
        self.itunes[track_id] = itunes_track(track_id, artist, title, album_id)
        self.itunes_stores[track_id] = stores
        self.itunes[album_id] = itunes_album(album_id, artist)
        self.itunes_stores[album_id] = stores

    def add_deezer(self, track_id: str, artist: str, title: str, version: str = "") -> None:
        self.deezer[track_id] = deezer_track(track_id, artist, title, version)

    # --- switches -------------------------------------------------------------------------

    def fail_next(
        self, service: str, kind: str, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer the next ``times`` requests to ``service`` with behaviour ``kind``."""
        assert service in SERVICES, service
        for _ in range(times):
            self._modes[service].append(_Mode(kind, retry_after))

    def set_delay(self, service: str, seconds: float) -> None:
        self._delays[service] = seconds

    def count(self, service: str | None = None) -> int:
        return sum(1 for c in self.calls if service is None or c.service == service)

    # --- addresses and life cycle -----------------------------------------------------------

    @property
    def urls(self) -> ServiceUrls:
        assert self._base, "FakeLinks is not running"
        return ServiceUrls(
            youtube_oembed=f"{self._base}/youtube/oembed",
            spotify_oembed=f"{self._base}/spotify/oembed",
            itunes_lookup=f"{self._base}/itunes/lookup",
            deezer_api=f"{self._base}/deezer",
        )

    async def start(self) -> FakeLinks:
        app = web.Application()
        app.router.add_get("/youtube/oembed", self._youtube)
        app.router.add_get("/spotify/oembed", self._spotify)
        app.router.add_get("/itunes/lookup", self._itunes)
        app.router.add_get("/deezer/track/{id}", self._deezer)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._base = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLinks:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- handlers -------------------------------------------------------------------------

    async def _begin(self, service: str, request: web.Request) -> web.Response | None:
        """Record the call, wait any delay, and answer a queued failure (else None)."""
        self.calls.append(Call(service, request.path, dict(request.query)))
        mode = self._modes[service].popleft() if self._modes[service] else None
        delay = self._delays.get(service, 0.0)
        if mode is not None and mode.kind == "slow":
            delay = max(delay, self.slow_seconds)
        if delay:
            await asyncio.sleep(delay)
        if mode is None or mode.kind == "slow":
            return None
        if mode.kind == "429":
            headers = {}
            if mode.retry_after is not None:
                headers["Retry-After"] = str(int(mode.retry_after))
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if mode.kind == "500":
            return web.Response(status=500, text="<html>Internal Server Error</html>")
        if mode.kind == "malformed":
            return web.Response(text='{"title": "Half an ans', content_type="application/json")
        if mode.kind == "wrong_shape":
            body = '[{"title": 3, "artist": null}]' if service != "deezer" else '{"title": null}'
            return web.Response(text=body, content_type="application/json")
        if mode.kind == "quota":  # Deezer: HTTP 200
            return _json(
                {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}
            )
        if mode.kind == "forbidden":  # iTunes' rate limit: 403, empty body
            return web.Response(status=403, body=b"")
        if mode.kind == "refused":  # YouTube once answered private videos so
            return web.Response(text="Forbidden", content_type="text/html")
        raise AssertionError(f"unknown fake mode {mode.kind!r}")

    async def _youtube(self, request: web.Request) -> web.Response:
        early = await self._begin("youtube", request)
        if early is not None:
            return early
        video = _youtube_id(request.query.get("url", ""))
        if video is None:
            return web.Response(status=400, text="Bad Request", content_type="text/html")
        if video in self.unembeddable:
            return web.Response(status=401, text="Unauthorized", content_type="text/html")
        if video not in self.videos:
            return web.Response(status=404, text="Not Found", content_type="text/html")
        title, channel = self.videos[video]
        handle = "".join(channel.split())
        return _json(
            {
                "title": title,
                "author_name": channel,
                "author_url": f"https://www.youtube.com/@{handle}",
                "type": "video",
                "height": 113,
                "width": 200,
                "version": "1.0",
                "provider_name": "YouTube",
                "provider_url": "https://www.youtube.com/",
                "thumbnail_height": 360,
                "thumbnail_width": 480,
                "thumbnail_url": f"https://i.ytimg.com/vi/{video}/hqdefault.jpg",
                "html": f'<iframe width="200" height="113" src="https://www.youtube.com/embed/{video}?feature=oembed" frameborder="0" allowfullscreen title="{title}"></iframe>',
            }
        )

    async def _spotify(self, request: web.Request) -> web.Response:
        early = await self._begin("spotify", request)
        if early is not None:
            return early
        path = urlsplit(request.query.get("url", "")).path.split("/")
        track = path[-1] if len(path) >= 3 and path[-2] == "track" else None
        if track is None or track not in self.spotify_titles:
            return web.Response(status=404, text="Not Found", content_type="text/html")
        title = self.spotify_titles[track]
        embed = f"https://open.spotify.com/embed/track/{track}?utm_source=oembed"
        return _json(
            {
                "html": f'<iframe style="border-radius: 12px" width="100%" height="152" title="Spotify Embed: {title}" frameborder="0" allowfullscreen allow="autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture" loading="lazy" src="{embed}"></iframe>',
                "iframe_url": embed,
                "width": 456,
                "height": 152,
                "version": "1.0",
                "provider_name": "Spotify",
                "provider_url": "https://spotify.com",
                "type": "rich",
                "title": title,
                "thumbnail_url": "https://image-cdn-ak.spotifycdn.com/image/ab67616d00001e02fake",
                "thumbnail_width": 300,
                "thumbnail_height": 300,
            }
        )

    async def _itunes(self, request: web.Request) -> web.Response:
        early = await self._begin("itunes", request)
        if early is not None:
            return early
        store = request.query.get("country", "us").lower()
        ids = [i for i in request.query.get("id", "").split(",") if i]
        results = [
            self.itunes[i] | {"country": store.upper()}
            for i in ids
            if i in self.itunes and store in self.itunes_stores[i]
        ]
        # Apple wraps the JSON in blank lines and calls it JavaScript.
        body = "\n\n\n" + json.dumps({"resultCount": len(results), "results": results}) + "\n\n\n"
        return web.Response(text=body, content_type="text/javascript", charset="utf-8")

    async def _deezer(self, request: web.Request) -> web.Response:
        early = await self._begin("deezer", request)
        if early is not None:
            return early
        track = self.deezer.get(request.match_info["id"])
        if track is None:
            return _json({"error": {"type": "DataException", "message": "no data", "code": 800}})
        return _json(track)


def _json(data: object, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(data), content_type="application/json")


def _youtube_id(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host == "youtu.be":
        return parts.path.strip("/") or None
    if host.endswith("youtube.com"):
        if parts.path == "/watch":
            return (parse_qs(parts.query).get("v") or [None])[0]
        bits = parts.path.strip("/").split("/")
        if len(bits) == 2 and bits[0] in ("shorts", "embed", "live"):
            return bits[1]
    return None
