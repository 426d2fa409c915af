"""Spotify links and album art for the songs in a reply: optional, cached, never slowing it.

Similarity always comes from our own index; Spotify only turns a song into an "open in
Spotify" link and its album art. With ``SPOTIFY_CLIENT_ID`` and ``SPOTIFY_CLIENT_SECRET``
set, :meth:`SpotifyLinks.lookup` returns what it can within a hard timeout (about 2 s) and
lets the rest finish in the background into the cache; without them it returns nothing,
instantly, and the bot works exactly the same. Credentials are read from the environment
and appear in no log line and no repr.

What lives where:

* :mod:`bot.spotify.links`: :class:`SpotifyLinks`, the async front the bot calls (timeouts,
  background jobs, one call per song however many replies ask), and :class:`SpotifyInfo`.
* :mod:`bot.spotify.resolve`: one song against Spotify, the job it becomes (a URI's track
  or a search) and how an answer or a failure is read, in a worker thread.
* :mod:`bot.spotify.matching`: pure functions: track ids and links, the search query, the
  artist and title rules that accept a result, the album image to show.
* :mod:`bot.spotify.client`: spotipy and ``requests`` (no retry on 429), shared client
  credentials, the rate-limit breaker, and the filter that keeps spotipy's logs out.
* :mod:`bot.spotify.cache`: answers remembered in the bot's SQLite database.

This module re-exports the names the rest of the bot and the tests use.
"""

from __future__ import annotations

from bot.spotify.cache import CachedLookup, SpotifyCache
from bot.spotify.client import (
    SPOTIFY_API_PREFIX,
    SPOTIFY_TOKEN_URL,
    retry_after_seconds,
)
from bot.spotify.links import HIT_TTL, MISS_TTL, SpotifyInfo, SpotifyLinks
from bot.spotify.matching import (
    artist_matches,
    pick_image,
    pick_match,
    search_query,
    spotify_track_id,
    title_matches,
    track_url,
)

__all__ = [
    "HIT_TTL",
    "MISS_TTL",
    "SPOTIFY_API_PREFIX",
    "SPOTIFY_TOKEN_URL",
    "CachedLookup",
    "SpotifyCache",
    "SpotifyInfo",
    "SpotifyLinks",
    "artist_matches",
    "pick_image",
    "pick_match",
    "retry_after_seconds",
    "search_query",
    "spotify_track_id",
    "title_matches",
    "track_url",
]
