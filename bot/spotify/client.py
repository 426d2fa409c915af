"""The blocking half: spotipy in worker threads, credentials, and the rate-limit breaker.

Spotify is never allowed to hold the bot up: spotipy runs on a ``requests`` session that
retries 5xx only and never sleeps for ``Retry-After``; a 429 trips :class:`RateLimitBreaker`,
which pauses every lookup until its ``Retry-After`` has passed (logged once, and once more
when links resume). Credentials appear in no log line and no repr: spotipy's own log
records (which include request headers) are dropped, and :class:`SpotifyHttp` hides them.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests
import spotipy
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from urllib3.util.retry import Retry

from bot.spotify.matching import SpotifyItem

# One logger for the whole package, named as before it was split into modules.
log = logging.getLogger("bot.spotify")

SPOTIFY_API_PREFIX = "https://api.spotify.com/v1/"
SPOTIFY_TOKEN_URL = "https://accounts.spotify.com/api/token"

SEARCH_LIMIT = 10  # development-mode apps get "400 Invalid limit" above 10
DEFAULT_PAUSE = 30.0  # seconds to pause when a 429 carries no usable Retry-After
REJECTED_ERRORS = {"invalid_client", "unauthorized_client"}  # OAuth errors: wrong credentials

_RETRY_STATUSES = (500, 502, 503, 504)


class SecretValue(Protocol):
    """A secret shown only on request: ``bot.settings.Secret``, pydantic's ``SecretStr``."""

    def get_secret_value(self) -> str: ...


def plain_secret(value: str | SecretValue | None) -> str | None:
    """A setting as a plain string (accepts pydantic-style ``SecretStr``); blank is None."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = value.get_secret_value()
    value = str(value).strip()
    return value or None


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


class SpotifyHttp:
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
        return f"<SpotifyHttp {self._api_prefix}>"

    def _client(self) -> spotipy.Spotify:
        # getattr with a default: a thread-local has no ``client`` until this thread sets one.
        client: spotipy.Spotify | None = getattr(self._local, "client", None)
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

    def search(self, query: str) -> list[SpotifyItem]:
        """The track items of one search (at most :data:`SEARCH_LIMIT`)."""
        found = self._client().search(q=query, type="track", limit=SEARCH_LIMIT) or {}
        return list((found.get("tracks") or {}).get("items") or [])

    def track(self, spotify_id: str) -> SpotifyItem:
        """One track object (``GET /tracks/{id}``)."""
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


class RateLimitBreaker:
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


def silence_spotipy() -> None:
    """Drop spotipy's own log records (idempotent: the filter is added once per logger)."""
    for name in ("spotipy.client", "spotipy.oauth2", "spotipy.util", "spotipy.cache_handler"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropSpotipyLogs) for f in logger.filters):
            logger.addFilter(_DropSpotipyLogs())
