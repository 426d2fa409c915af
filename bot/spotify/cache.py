"""Spotify lookups remembered in the bot's SQLite database, so a restart repeats none.

One table, ``spotify_cache``, in the bot's own writable database (never the read-only
index). Keys name what was looked up (a search for an artist and title, or one Spotify
track id); a row with ``url`` NULL records "not found". Every row carries an expiry time:
hits are kept long (Spotify links rarely change), misses short (the song may appear later).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spotify_cache (
    key TEXT PRIMARY KEY,
    url TEXT,
    image_url TEXT,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

# Stay well under SQLite's limit on bound parameters in one statement.
_CHUNK = 500


@dataclass(frozen=True)
class CachedLookup:
    """A remembered answer: ``url`` None means Spotify had no acceptable match."""

    url: str | None
    image_url: str | None


class SpotifyCache:
    """Async key → :class:`CachedLookup` store with per-row expiry (aiosqlite)."""

    def __init__(self, db_path: str | Path | None, clock: Callable[[], float] = time.time):
        # None keeps the cache in memory only (tests, or a bot without a writable folder).
        self._db_path = ":memory:" if db_path is None else str(db_path)
        self._clock = clock
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Create the table if needed and forget rows that have expired."""
        if self._db_path != ":memory:":
            Path(self._db_path).parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._db_path)
        # The bot writes its own tables to this file from another connection.
        await self._db.execute("PRAGMA busy_timeout = 5000")
        await self._db.execute(_SCHEMA)
        await self._db.execute("DELETE FROM spotify_cache WHERE expires_at <= ?", (self._clock(),))
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def get_many(self, keys: Iterable[str]) -> dict[str, CachedLookup]:
        """The unexpired rows among ``keys``; keys with no row are absent."""
        if self._db is None:
            return {}
        keys = list(dict.fromkeys(keys))
        now = self._clock()
        found: dict[str, CachedLookup] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT key, url, image_url FROM spotify_cache "
                f"WHERE key IN ({marks}) AND expires_at > ?"
            )
            async with self._db.execute(sql, (*chunk, now)) as cur:
                async for key, url, image_url in cur:
                    found[key] = CachedLookup(url, image_url)
        return found

    async def put(self, key: str, entry: CachedLookup, ttl_seconds: float) -> None:
        """Remember ``entry`` for ``ttl_seconds``, replacing any older answer."""
        if self._db is None:
            return
        await self._db.execute(
            "INSERT OR REPLACE INTO spotify_cache (key, url, image_url, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (key, entry.url, entry.image_url, self._clock() + ttl_seconds),
        )
        await self._db.commit()
