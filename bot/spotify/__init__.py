"""Spotify links and album art for the songs in a reply: optional, cached, never slowing it.

Similarity always comes from our own index; Spotify only turns a song into an "open in
Spotify" link and its album art. With ``SPOTIFY_CLIENT_ID`` and ``SPOTIFY_CLIENT_SECRET``
set, :meth:`SpotifyLinks.lookup` returns what it can within a hard timeout (about 2 s) and
lets the rest finish in the background into the cache; without them it returns nothing,
instantly, and the bot works exactly the same.

How each song is resolved:

* A ``spotify:track:`` URI from the index (Million Playlist Dataset) is the link, with no
  API call; album art costs one ``GET /tracks/{id}``.
* Otherwise one ``GET /search`` (``limit=10``, the most development-mode apps may ask
  for). A result is accepted only when its artist and title match ours (rapidfuzz on folded
  names, version suffixes such as "- Remastered 2011" ignored); a wrong link is worse than
  none, so no acceptable result means no link.
* Answers, "not found" included, are cached in the bot's SQLite database (30 days for hits,
  1 day for misses), so a restart repeats no lookup and a popular song costs one lookup.

Spotify is never allowed to hold the bot up: spotipy runs in a few worker threads, on a
``requests`` session that retries 5xx only and never sleeps for ``Retry-After``; a 429
pauses every lookup until its ``Retry-After`` has passed (a circuit breaker, logged once).
Credentials are read from the environment and appear in no log line and no repr.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import requests
import spotipy
from rapidfuzz import fuzz
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError
from urllib3.util.retry import Retry

from bot.spotify.cache import CachedLookup, SpotifyCache
from index.names import artist_key, base_title, fold, strip_versions

log = logging.getLogger(__name__)

SPOTIFY_API_PREFIX = "https://api.spotify.com/v1/"
SPOTIFY_TOKEN_URL = "https://accounts.spotify.com/api/token"

HIT_TTL = 30 * 24 * 3600.0  # a link, once right, stays right for a long time
MISS_TTL = 24 * 3600.0  # a song missing today may be added (or spelt our way) tomorrow
SEARCH_LIMIT = 10  # development-mode apps get "400 Invalid limit" above 10
MATCH_SCORE = 95.0  # rapidfuzz ratio (0-100) both artist and base title must reach
DEFAULT_PAUSE = 30.0  # seconds to pause when a 429 carries no usable Retry-After
IMAGE_WIDTH = 300  # album art closest to this width suits an embed thumbnail

_RETRY_STATUSES = (500, 502, 503, 504)
_REJECTED_ERRORS = {"invalid_client", "unauthorized_client"}
_SPOTIFY_ID = re.compile(
    r"^(?:spotify:track:|https?://open\.spotify\.com/(?:intl-\w+/)?track/)?([0-9A-Za-z]+)(?:\?.*)?$"
)


@dataclass(frozen=True)
class SpotifyInfo:
    """What a reply shows for one song: its Spotify link and, when known, its album art."""

    url: str
    image_url: str | None = None


class Song(Protocol):
    """The fields of ``index.reader.Track`` a lookup reads."""

    @property
    def track_id(self) -> int: ...
    @property
    def artist(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def spotify_uri(self) -> str | None: ...


# --- matching (pure functions) ----------------------------------------------------------------


def spotify_track_id(uri: str | None) -> str | None:
    """The track id in a ``spotify:track:…`` URI or an open.spotify.com link, else None."""
    if not uri:
        return None
    m = _SPOTIFY_ID.match(uri.strip())
    if not m or not (uri.startswith("spotify:track:") or "open.spotify.com" in uri):
        return None
    return m.group(1)


def track_url(spotify_id: str) -> str:
    """The public "open in Spotify" link of a track id."""
    return f"https://open.spotify.com/track/{spotify_id}"


def search_query(artist: str, title: str) -> str:
    """A field-filtered Spotify search for one song, without the title's version suffix."""
    clean = str.maketrans({'"': " ", ":": " "})
    return f"track:{strip_versions(title).translate(clean)} artist:{artist.translate(clean)}"


def artist_matches(ours: str, theirs: Sequence[str]) -> bool:
    """True when our artist is one of Spotify's credited artists, or all of them together."""
    want = artist_key(ours)
    if not want or not theirs:
        return False
    forms = [artist_key(a) for a in theirs]
    if len(theirs) > 1:
        forms += [artist_key(" & ".join(theirs)), artist_key(", ".join(theirs))]
    return any(fuzz.ratio(want, f) >= MATCH_SCORE for f in forms if f)


def title_matches(ours: str, theirs: str) -> bool:
    """True when both titles name the same song once version suffixes are removed."""
    return fuzz.ratio(base_title(ours), base_title(theirs)) >= MATCH_SCORE


def pick_match(artist: str, title: str, items: Iterable[Mapping[str, Any]]) -> Mapping | None:
    """The search result that is our song, or None when no result is acceptable.

    Among acceptable results the one whose full title is closest to ours wins (so a live
    take is preferred for a live take), Spotify's order breaking ties.
    """
    best, best_score = None, -1.0
    want = fold(title)
    for item in items:
        if not item or not item.get("id"):
            continue
        names = [a.get("name") or "" for a in item.get("artists") or []]
        name = item.get("name") or ""
        if not (title_matches(title, name) and artist_matches(artist, names)):
            continue
        score = fuzz.ratio(want, fold(name))
        if score > best_score:
            best, best_score = item, score
    return best


def pick_image(item: Mapping[str, Any]) -> str | None:
    """The album image closest to :data:`IMAGE_WIDTH` pixels wide, if the album has any."""
    images = [i for i in (item.get("album") or {}).get("images") or [] if i.get("url")]
    if not images:
        return None
    return min(images, key=lambda i: abs((i.get("width") or IMAGE_WIDTH) - IMAGE_WIDTH))["url"]


def retry_after_seconds(headers: Mapping[str, str] | None, now: float) -> float:
    """Seconds a 429 asks us to wait: ``Retry-After`` as seconds or an HTTP date."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    if value:
        try:
            return max(1.0, float(value))
        except ValueError:
            try:
                return max(1.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    return DEFAULT_PAUSE


# --- the blocking half: spotipy in worker threads ------------------------------------------------


def _session() -> requests.Session:
    """A session that retries server errors briefly and never sleeps on ``Retry-After``.

    spotipy's default retries 429 too, sleeping for as long as ``Retry-After`` says (up to a
    day) and then losing the header; here a 429 reaches us at once, with its header.
    """
    retry = Retry(
        total=2,
        connect=1,
        read=False,
        status=2,
        backoff_factor=0.2,
        status_forcelist=_RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),
        respect_retry_after_header=False,
        # After the last retry hand back the 5xx itself, not a RetryError that spotipy
        # would report as a 429.
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _LockedCredentials(spotipy.SpotifyClientCredentials):
    """Client credentials shared by the worker threads: one token request at a time."""

    def __init__(self, *args: Any, token_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.OAUTH_TOKEN_URL = token_url
        self._token_lock = threading.Lock()

    def get_access_token(self, as_dict: bool = False, check_cache: bool = True) -> Any:
        with self._token_lock:
            return super().get_access_token(as_dict=as_dict, check_cache=check_cache)

    def __repr__(self) -> str:
        return "<SpotifyClientCredentials (hidden)>"


class _SpotifyHttp:
    """spotipy clients, one per worker thread (sessions are not shared), one shared token."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        api_prefix: str,
        token_url: str,
        request_timeout: float,
    ) -> None:
        self._auth = _LockedCredentials(
            client_id=client_id,
            client_secret=client_secret,
            requests_session=_session(),
            requests_timeout=request_timeout,
            cache_handler=MemoryCacheHandler(),  # never a .cache file on disk
            token_url=token_url,
        )
        self._api_prefix = api_prefix if api_prefix.endswith("/") else api_prefix + "/"
        self._timeout = request_timeout
        self._local = threading.local()
        self._sessions: list[requests.Session] = [self._auth._session]
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<_SpotifyHttp {self._api_prefix}>"

    def _client(self) -> spotipy.Spotify:
        client = getattr(self._local, "client", None)
        if client is None:
            session = _session()
            with self._lock:
                self._sessions.append(session)
            client = spotipy.Spotify(
                auth_manager=self._auth,
                requests_session=session,
                requests_timeout=self._timeout,
                retries=0,
                status_retries=0,
                backoff_factor=0,
            )
            client.prefix = self._api_prefix
            self._local.client = client
        return client

    def fetch_token(self) -> None:
        """Ask for a fresh token now: how credentials are checked at start-up."""
        self._auth.get_access_token(as_dict=False, check_cache=False)

    def search(self, query: str) -> list[dict]:
        found = self._client().search(q=query, type="track", limit=SEARCH_LIMIT) or {}
        return list((found.get("tracks") or {}).get("items") or [])

    def track(self, spotify_id: str) -> dict:
        return self._client().track(spotify_id) or {}

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()


def _duration(seconds: float) -> str:
    """ "45 s", "12 min", "3.5 h": how long a pause is, in words a log reader takes in."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Breaker:
    """Pauses all lookups until a 429's ``Retry-After`` has passed; says so once."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0
        self._announced_resume = True

    def remaining(self) -> float:
        return max(0.0, self._until - self._clock())

    def trip(self, seconds: float) -> None:
        now = self._clock()
        with self._lock:
            was_open = self._until > now
            self._until = max(self._until, now + seconds)
            self._announced_resume = False
            until = self._until
        if not was_open:
            stamp = time.strftime("%H:%M:%S UTC", time.gmtime(until))
            log.warning(
                "Spotify rate limit reached (429): Spotify links paused for %s, until %s; "
                "replies go out without links meanwhile.",
                _duration(seconds),
                stamp,
            )

    def note_resumed(self) -> None:
        """Log once that links are back, the first time a lookup finds the pause over."""
        with self._lock:
            if self._announced_resume or self._until > self._clock():
                return
            self._announced_resume = True
        log.info("Spotify links resumed after the rate-limit pause.")


class _DropSpotipyLogs(logging.Filter):
    """spotipy logs request headers (the credentials) at DEBUG and every 404/429 at ERROR.

    SpotifyLinks logs each event itself, once and without secrets, so spotipy's own records
    are dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _silence_spotipy() -> None:
    for name in ("spotipy.client", "spotipy.oauth2", "spotipy.util", "spotipy.cache_handler"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropSpotipyLogs) for f in logger.filters):
            logger.addFilter(_DropSpotipyLogs())


@dataclass(frozen=True)
class _Job:
    """One thing to ask Spotify: a search for (artist, title), or one track's album art."""

    key: str
    artist: str = ""
    title: str = ""
    spotify_id: str | None = None


def _job_for(song: Song) -> _Job:
    sid = spotify_track_id(song.spotify_uri)
    if sid:
        return _Job(key=f"track:{sid}", spotify_id=sid)
    # Keyed by names, not by track id: ids change when the index is rebuilt, names do not.
    return _Job(
        key=f"search:{artist_key(song.artist)}\x1f{fold(song.title)}",
        artist=song.artist,
        title=song.title,
    )


def _secret(value: Any) -> str | None:
    """A setting as a plain string (accepts pydantic-style ``SecretStr``); blank is None."""
    if value is None:
        return None
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    value = str(value).strip()
    return value or None


# --- the async half: what the bot calls ------------------------------------------------------------


class SpotifyLinks:
    """Spotify links and album art for the bot, or nothing at all when it has no credentials.

    Build with :meth:`from_settings`, :meth:`from_env`, :meth:`create` or :meth:`disabled`;
    ``await start()`` once, ``await lookup(songs)`` per reply, ``await close()`` at exit.
    """

    def __init__(
        self,
        http: _SpotifyHttp | None,
        db_path: str | Path | None,
        *,
        off_reason: str = "",
        concurrency: int = 4,
        hit_ttl: float = HIT_TTL,
        miss_ttl: float = MISS_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Use the class methods; this takes an already built HTTP half."""
        self._http = http
        self._db_path = db_path
        self._off_reason = off_reason
        self._concurrency = max(1, concurrency)
        self._hit_ttl = hit_ttl
        self._miss_ttl = miss_ttl
        self._clock = clock
        self._breaker = _Breaker(clock)
        self._cache: SpotifyCache | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: dict[str, asyncio.Task[CachedLookup | None]] = {}
        self._rejected = False

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        client_id: str | None,
        client_secret: str | None,
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
        client_id, client_secret = _secret(client_id), _secret(client_secret)
        if not (client_id and client_secret):
            if client_id or client_secret:
                missing = "SPOTIFY_CLIENT_SECRET" if client_id else "SPOTIFY_CLIENT_ID"
                reason = f"{missing} is not set, so Spotify links are off; set both to add them."
            else:
                reason = "Spotify links are off (set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to add them)."
            return cls(None, None, off_reason=reason)
        _silence_spotipy()
        http = _SpotifyHttp(
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
        cls, settings: Any, db_path: str | Path | None, **kwargs: Any
    ) -> SpotifyLinks:
        """Links from ``settings.spotify_client_id`` / ``settings.spotify_client_secret``."""
        return cls.create(
            getattr(settings, "spotify_client_id", None),
            getattr(settings, "spotify_client_secret", None),
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
        return self._http is not None and not self._rejected

    @property
    def paused_for(self) -> float:
        """Seconds left in a rate-limit pause (0 when lookups run normally)."""
        return self._breaker.remaining()

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self, timeout: float = 5.0) -> None:
        """Open the cache and check the credentials once (a rejected secret turns links off)."""
        if self._http is None:
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
                loop.run_in_executor(self._pool, self._http.fetch_token), timeout
            )
        except SpotifyOauthError as exc:
            if exc.error in _REJECTED_ERRORS:
                self._reject(exc)
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
        if self._http is not None:
            self._http.close()
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
        songs: Iterable[Song],
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
        wanted: dict[str, tuple[_Job, list[Song]]] = {}
        for song in songs:
            job = _job_for(song)
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

    def _resolve_in_background(self, job: _Job) -> asyncio.Task[CachedLookup | None]:
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

    async def _resolve(self, job: _Job) -> CachedLookup | None:
        """Ask Spotify in a worker thread, then cache the answer (None: ask again later)."""
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._pool, self._fetch, job)
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

    def _fetch(self, job: _Job) -> CachedLookup | None:
        """Runs in a worker thread: one API call; None when the answer is unknown for now."""
        assert self._http is not None
        if self._rejected or self._breaker.remaining():
            return None
        try:
            if job.spotify_id:
                item = self._http.track(job.spotify_id)
                return CachedLookup(track_url(job.spotify_id), pick_image(item))
            item = pick_match(
                job.artist, job.title, self._http.search(search_query(job.artist, job.title))
            )
            if item is None:
                return CachedLookup(None, None)
            return CachedLookup(track_url(item["id"]), pick_image(item))
        except SpotifyException as exc:
            if exc.http_status == 429:
                self._breaker.trip(retry_after_seconds(exc.headers, self._clock()))
            elif exc.http_status in (400, 404) and job.spotify_id:
                # The index's URI names no track Spotify knows (any more): link, no art.
                return CachedLookup(None, None)
            else:
                log.debug("Spotify lookup %r failed with HTTP %s.", job.key, exc.http_status)
            return None
        except SpotifyOauthError as exc:
            if exc.error in _REJECTED_ERRORS:
                self._reject(exc)
            else:
                log.debug("Spotify token request failed: %s", exc.error)
            return None
        except requests.RequestException as exc:
            log.debug("Spotify lookup %r failed: %s", job.key, type(exc).__name__)
            return None

    def _reject(self, exc: SpotifyOauthError) -> None:
        if self._rejected:
            return
        self._rejected = True
        log.error(
            "Spotify rejected the credentials (%s): running without Spotify links. Check "
            "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (Spotify dashboard → your app → Settings).",
            exc.error,
        )
