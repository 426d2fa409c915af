"""The async front the bot calls: :class:`SpotifyLinks`, links and art within a timeout.

:meth:`SpotifyLinks.lookup` returns what it can within a hard timeout (about 2 s) and lets
the rest finish in the background into the cache; without credentials it returns nothing,
instantly. Each song becomes a :class:`~bot.spotify.resolve.Job`; equal jobs share one
cache row and, while running, one task (so one call per song however many replies ask).
Answers, "not found" included, are cached in the bot's SQLite database (30 days for hits,
1 day for misses), so a restart repeats no lookup and a popular song costs one lookup.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from spotipy.exceptions import SpotifyOauthError

from bot.spotify.cache import CachedLookup, SpotifyCache
from bot.spotify.client import (
    REJECTED_ERRORS,
    SPOTIFY_API_PREFIX,
    SPOTIFY_TOKEN_URL,
    RateLimitBreaker,
    SecretValue,
    SpotifyHttp,
    plain_secret,
    silence_spotipy,
)
from bot.spotify.matching import SpotifyItem, track_url
from bot.spotify.resolve import Job, Resolver, job_for
from index.model import Track

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("bot.spotify")  # the package's one logger (see bot.spotify.client)

HIT_TTL = 30 * 24 * 3600.0  # a link, once right, stays right for a long time
MISS_TTL = 24 * 3600.0  # a song missing today may be added (or spelt our way) tomorrow


@dataclass(frozen=True)
class SpotifyInfo:
    """What a reply shows for one song: its Spotify link and, when known, its album art."""

    url: str
    image_url: str | None = None


class SpotifyLinks:
    """Spotify links and album art for the bot, or nothing at all when it has no credentials.

    Build with :meth:`from_settings`, :meth:`from_env`, :meth:`create` or :meth:`disabled`;
    ``await start()`` once, ``await lookup(songs)`` per reply, ``await close()`` at exit.
    """

    def __init__(
        self,
        http: SpotifyHttp | None,
        db_path: str | Path | None,
        *,
        off_reason: str = "",
        concurrency: int = 4,
        hit_ttl: float = HIT_TTL,
        miss_ttl: float = MISS_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Use the class methods; this takes an already built HTTP half."""
        self._db_path = db_path
        self._off_reason = off_reason
        self._concurrency = max(1, concurrency)
        self._hit_ttl = hit_ttl
        self._miss_ttl = miss_ttl
        self._clock = clock
        self._breaker = RateLimitBreaker(clock)
        self._resolver = Resolver(http, self._breaker, clock) if http is not None else None
        self._cache: SpotifyCache | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: dict[str, asyncio.Task[CachedLookup | None]] = {}

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        client_id: str | SecretValue | None,
        client_secret: str | SecretValue | None,
        db_path: str | Path | None,
        *,
        api_prefix: str = SPOTIFY_API_PREFIX,
        token_url: str = SPOTIFY_TOKEN_URL,
        request_timeout: float = 5.0,
        concurrency: int = 4,
        hit_ttl: float = HIT_TTL,
        miss_ttl: float = MISS_TTL,
        clock: Callable[[], float] = time.time,
    ) -> SpotifyLinks:
        """Links from these credentials, caching in ``db_path`` (None: in memory only).

        Missing credentials give a disabled instance that says why at :meth:`start`.
        ``api_prefix`` and ``token_url`` point spotipy elsewhere (tests use a local fake);
        ``request_timeout`` bounds each HTTP request of the background work, while the
        timeout of :meth:`lookup` bounds how long a reply waits.
        """
        client_id, client_secret = plain_secret(client_id), plain_secret(client_secret)
        if not (client_id and client_secret):
            if client_id or client_secret:
                missing = "SPOTIFY_CLIENT_SECRET" if client_id else "SPOTIFY_CLIENT_ID"
                reason = f"{missing} is not set, so Spotify links are off; set both to add them."
            else:
                reason = "Spotify links are off (set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to add them)."
            return cls(None, None, off_reason=reason)
        silence_spotipy()
        http = SpotifyHttp(
            client_id,
            client_secret,
            api_prefix=api_prefix,
            token_url=token_url,
            request_timeout=request_timeout,
        )
        return cls(
            http,
            db_path,
            concurrency=concurrency,
            hit_ttl=hit_ttl,
            miss_ttl=miss_ttl,
            clock=clock,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, db_path: str | Path | None, **kwargs: Any
    ) -> SpotifyLinks:
        """Links from ``settings.spotify_client_id`` / ``settings.spotify_client_secret``."""
        return cls.create(
            settings.spotify_client_id,
            settings.spotify_client_secret,
            db_path,
            **kwargs,
        )

    @classmethod
    def from_env(
        cls, db_path: str | Path | None, environ: Mapping[str, str] | None = None, **kwargs: Any
    ) -> SpotifyLinks:
        """Links from ``SPOTIFY_CLIENT_ID`` and ``SPOTIFY_CLIENT_SECRET`` in the environment."""
        env = os.environ if environ is None else environ
        return cls.create(
            env.get("SPOTIFY_CLIENT_ID"), env.get("SPOTIFY_CLIENT_SECRET"), db_path, **kwargs
        )

    @classmethod
    def disabled(cls, reason: str = "") -> SpotifyLinks:
        """No links: every lookup returns ``{}`` at once, without touching the network."""
        return cls(None, None, off_reason=reason)

    def __repr__(self) -> str:
        state = "on" if self.enabled else "off"
        if self.enabled and self._breaker.remaining():
            state = f"paused {self._breaker.remaining():.0f}s"
        return f"<SpotifyLinks {state}>"

    # --- state --------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """True while lookups may reach Spotify (credentials given and not rejected)."""
        return self._resolver is not None and not self._resolver.rejected

    @property
    def paused_for(self) -> float:
        """Seconds left in a rate-limit pause (0 when lookups run normally)."""
        return self._breaker.remaining()

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self, timeout: float = 5.0) -> None:
        """Open the cache and check the credentials once (a rejected secret turns links off)."""
        if self._resolver is None:
            if self._off_reason:
                log.info("%s", self._off_reason)
            return
        if self._pool is not None:
            return
        self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="spotify")
        self._cache = SpotifyCache(self._db_path, clock=self._clock)
        try:
            await self._cache.open()
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "Spotify cache at %s cannot be opened (%s); keeping it in memory for this run.",
                self._db_path,
                exc,
            )
            self._cache = SpotifyCache(None, clock=self._clock)
            await self._cache.open()
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(
                loop.run_in_executor(self._pool, self._resolver.check_credentials), timeout
            )
        except SpotifyOauthError as exc:
            if exc.error in REJECTED_ERRORS:
                self._resolver.reject(exc)
            else:
                log.warning(
                    "Spotify token request failed at start-up (%s); will try again per reply.",
                    exc.error or "no reason given",
                )
        except (TimeoutError, requests.RequestException) as exc:
            log.warning(
                "Spotify could not be reached at start-up (%s); will try again per reply.",
                type(exc).__name__,
            )
        else:
            log.info("Spotify links on (credentials accepted).")

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until background lookups have finished and been cached (at most ``timeout``)."""
        tasks = list(self._inflight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def close(self, grace: float = 0.0) -> None:
        """Stop: lookups still running after ``grace`` seconds are dropped, not cached."""
        if grace > 0:
            await self.drain(grace)
        for task in list(self._inflight.values()):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        self._inflight.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._resolver is not None:
            self._resolver.close()
        if self._cache is not None:
            await self._cache.close()
            self._cache = None

    async def __aenter__(self) -> SpotifyLinks:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- lookups ------------------------------------------------------------------------------

    async def lookup(
        self,
        songs: Iterable[Track],
        timeout: float = 2.0,
        *,
        artwork_for: Collection[int] | None = None,
    ) -> dict[int, SpotifyInfo]:
        """Links (and art) for ``songs``, keyed by ``track_id``; songs without one are absent.

        Returns within ``timeout`` seconds whatever happens: lookups not finished by then
        carry on in the background and land in the cache for the next reply. Songs with a
        Spotify URI in the index always get their link at once; their album art needs one
        API call, made only for ``track_id`` in ``artwork_for`` (None: every song). Pass the
        seed's id when only the seed's art is shown, to spend one call instead of ten.
        """
        if not self.enabled or self._pool is None:
            return {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        self._breaker.note_resumed()

        result: dict[int, SpotifyInfo] = {}
        wanted: dict[str, tuple[Job, list[Track]]] = {}
        for song in songs:
            job = job_for(song)
            if job.spotify_id:
                result[song.track_id] = SpotifyInfo(track_url(job.spotify_id))
                if artwork_for is not None and song.track_id not in artwork_for:
                    continue
            wanted.setdefault(job.key, (job, []))[1].append(song)
        if not wanted:
            return result

        cached: dict[str, CachedLookup] = {}
        if self._cache is not None:
            try:
                async with asyncio.timeout_at(deadline):
                    cached = await self._cache.get_many(wanted)
            except TimeoutError:
                return result
        answers: dict[str, CachedLookup | None] = dict(cached)

        missing = [job for key, (job, _) in wanted.items() if key not in cached]
        if missing and not self._breaker.remaining():
            tasks = {job.key: self._resolve_in_background(job) for job in missing}
            done, _pending = await asyncio.wait(
                tasks.values(), timeout=max(0.0, deadline - loop.time())
            )
            for key, task in tasks.items():
                if task in done and not task.cancelled() and task.exception() is None:
                    answers[key] = task.result()

        for key, answer in answers.items():
            if answer is None:
                continue
            job, key_songs = wanted[key]
            for song in key_songs:
                if job.spotify_id:
                    result[song.track_id] = SpotifyInfo(track_url(job.spotify_id), answer.image_url)
                elif answer.url:
                    result[song.track_id] = SpotifyInfo(answer.url, answer.image_url)
        return result

    async def track_object(self, spotify_id: str, timeout: float = 2.0) -> SpotifyItem | None:
        """Spotify's track object for a pasted link (one ``GET /tracks/{id}``), within ``timeout``.

        ``{}`` when Spotify has no such track; None when links are off or paused, or the
        call failed or took too long (it then finishes in its thread, unused). Nothing is
        cached here: :mod:`bot.links` caches the names it reads from the object.
        """
        if not self.enabled or self._pool is None or self._resolver is None:
            return None
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self._pool, self._resolver.fetch_track, spotify_id)
        try:
            return await asyncio.wait_for(call, max(0.0, timeout))
        except TimeoutError:
            return None
        except Exception:  # a bug or an odd response must cost a link, never a reply
            log.warning("Spotify track %r failed unexpectedly.", spotify_id, exc_info=True)
            return None

    def _resolve_in_background(self, job: Job) -> asyncio.Task[CachedLookup | None]:
        """The task answering ``job``: joined if one is already running (one call per song)."""
        task = self._inflight.get(job.key)
        if task is None:
            task = asyncio.create_task(self._resolve(job), name=f"spotify {job.key}")
            self._inflight[job.key] = task
            task.add_done_callback(lambda t, key=job.key: self._forget(key, t))
        return task

    def _forget(self, key: str, task: asyncio.Task) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]

    async def _resolve(self, job: Job) -> CachedLookup | None:
        """Ask Spotify in a worker thread, then cache the answer (None: ask again later)."""
        assert self._pool is not None and self._resolver is not None
        # The reply that started this task read the cache before it found no task in flight;
        # on a busy loop another reply's task for this song may have finished in between.
        # That answer was cached before its task left ``_inflight``, so look once more.
        if self._cache is not None:
            try:
                cached = await self._cache.get_many([job.key])
            except (sqlite3.Error, ValueError):  # ValueError: cache closed meanwhile
                cached = {}
            if job.key in cached:
                return cached[job.key]
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._pool, self._resolver.fetch, job)
        except Exception:  # a bug or an odd response must cost a link, never a reply
            log.warning("Spotify lookup %r failed unexpectedly.", job.key, exc_info=True)
            return None
        if answer is not None and self._cache is not None:
            ttl = self._hit_ttl if answer.url else self._miss_ttl
            try:
                await self._cache.put(job.key, answer, ttl)
            except (sqlite3.Error, ValueError) as exc:  # ValueError: cache closed meanwhile
                log.debug("Spotify cache write failed: %s", exc)
        return answer
