"""One song against Spotify: what to ask, and how the answer (or the failure) is read.

* A ``spotify:track:`` URI from the index (Million Playlist Dataset) is the link, with no
  API call; album art costs one ``GET /tracks/{id}``.
* Otherwise one ``GET /search`` (``limit=10``, the most development-mode apps may ask
  for), accepted only through :func:`bot.spotify.matching.pick_match`.

:class:`Resolver` makes that one blocking call (it runs in a worker thread) and turns it
into a :class:`CachedLookup`, or None when the answer is unknown for now (rate limit, server
error, network): only a real answer is cached. It also owns the "credentials rejected"
state, since a rejected secret can surface on any call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import requests
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from bot.spotify.cache import CachedLookup
from bot.spotify.client import (
    REJECTED_ERRORS,
    RateLimitBreaker,
    SpotifyHttp,
    retry_after_seconds,
)
from bot.spotify.matching import (
    SpotifyItem,
    pick_image,
    pick_match,
    search_query,
    spotify_track_id,
    track_url,
)
from index.model import Track
from index.names import artist_key, fold

log = logging.getLogger("bot.spotify")  # the package's one logger (see bot.spotify.client)


@dataclass(frozen=True)
class Job:
    """One thing to ask Spotify: a search for (artist, title), or one track's album art."""

    key: str
    artist: str = ""
    title: str = ""
    spotify_id: str | None = None


def job_for(track: Track) -> Job:
    """What ``track`` needs from Spotify, keyed so equal questions share one call and row."""
    sid = spotify_track_id(track.spotify_uri)
    if sid:
        return Job(key=f"track:{sid}", spotify_id=sid)
    # Keyed by names, not by track id: ids change when the index is rebuilt, names do not.
    return Job(
        key=f"search:{artist_key(track.artist)}\x1f{fold(track.title)}",
        artist=track.artist,
        title=track.title,
    )


class Resolver:
    """Answers a :class:`Job` with one API call (none once rejected or while paused)."""

    def __init__(
        self, http: SpotifyHttp, breaker: RateLimitBreaker, clock: Callable[[], float]
    ) -> None:
        self._http = http
        self._breaker = breaker
        self._clock = clock
        self.rejected = False

    def check_credentials(self) -> None:
        """Ask for a fresh token (blocking); raises what spotipy raises."""
        self._http.fetch_token()

    def close(self) -> None:
        self._http.close()

    def fetch(self, job: Job) -> CachedLookup | None:
        """Runs in a worker thread: one API call; None when the answer is unknown for now."""
        if self.rejected or self._breaker.remaining():
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
            if exc.error in REJECTED_ERRORS:
                self.reject(exc)
            else:
                log.debug("Spotify token request failed: %s", exc.error)
            return None
        except requests.RequestException as exc:
            log.debug("Spotify lookup %r failed: %s", job.key, type(exc).__name__)
            return None

    def fetch_track(self, spotify_id: str) -> SpotifyItem | None:
        """Runs in a worker thread: one ``GET /tracks/{id}`` for a pasted link.

        The track object; ``{}`` when Spotify has no such track; None when the answer is
        unknown for now (rejected, paused, rate limited, a server or network error).
        """
        if self.rejected or self._breaker.remaining():
            return None
        try:
            return dict(self._http.track(spotify_id) or {})
        except SpotifyException as exc:
            if exc.http_status == 429:
                self._breaker.trip(retry_after_seconds(exc.headers, self._clock()))
            elif exc.http_status in (400, 404):
                return {}
            else:
                log.debug("Spotify track %r failed with HTTP %s.", spotify_id, exc.http_status)
            return None
        except SpotifyOauthError as exc:
            if exc.error in REJECTED_ERRORS:
                self.reject(exc)
            return None
        except requests.RequestException as exc:
            log.debug("Spotify track %r failed: %s", spotify_id, type(exc).__name__)
            return None

    def reject(self, exc: SpotifyOauthError) -> None:
        """Turn links off for good, saying why once (the secret itself is never logged)."""
        if self.rejected:
            return
        self.rejected = True
        log.error(
            "Spotify rejected the credentials (%s): running without Spotify links. Check "
            "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (Spotify dashboard → your app → Settings).",
            exc.error,
        )
