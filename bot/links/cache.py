"""Names read from links, remembered in the bot's SQLite database so a link costs one call.

One table, ``link_cache``, in the bot's own writable database (the file that holds the
Spotify cache and the users' likes; never the read-only index). Keys name the lookup
(``youtube:VIDEO``, ``apple:us:TRACK``, ``deezer:TRACK``, ``spotify:TRACK``...); a row
with ``title`` NULL records "the service has no such song". Expiry follows the Spotify
cache's rules (:data:`bot.spotify.HIT_TTL`, 30 days, for names; :data:`MISS_TTL`, 1 day,
for "not found"): a link's song does not change, a missing one may appear. Failures that
say nothing about the link (timeouts, rate limits, server errors) are never stored.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.spotify.links import HIT_TTL, MISS_TTL

__all__ = ["HIT_TTL", "MISS_TTL", "CachedName", "LinkCache"]

log = logging.getLogger("bot.links")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS link_cache (
    key TEXT PRIMARY KEY,
    artist TEXT,
    title TEXT,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class CachedName:
    """A remembered answer in the service's own words; ``title`` None means "not found"."""

    artist: str | None
    title: str | None


class LinkCache:
    """Async key → :class:`CachedName` store with per-row expiry; errors only cost a call."""

    def __init__(
        self,
        db_path: str | Path | None,
        clock: Callable[[], float] = time.time,
        *,
        hit_ttl: float = HIT_TTL,
        miss_ttl: float = MISS_TTL,
    ) -> None:
        # None keeps the cache in memory only (tests, or a bot without a writable folder).
        self._db_path = ":memory:" if db_path is None else str(db_path)
        self._clock = clock
        self._hit_ttl = hit_ttl
        self._miss_ttl = miss_ttl
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Create the table if needed and forget expired rows; falls back to memory."""
        try:
            await self._connect(self._db_path)
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "Link cache at %s cannot be opened (%s); keeping it in memory for this run.",
                self._db_path,
                exc,
            )
            await self.close()
            await self._connect(":memory:")

    async def _connect(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(path)
        # The bot writes its other tables to this file from other connections.
        await self._db.execute("PRAGMA busy_timeout = 5000")
        await self._db.execute(_SCHEMA)
        await self._db.execute("DELETE FROM link_cache WHERE expires_at <= ?", (self._clock(),))
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            with contextlib.suppress(sqlite3.Error, ValueError):
                await db.close()

    async def get(self, key: str) -> CachedName | None:
        """The unexpired answer for ``key``, or None when nothing usable is stored."""
        if self._db is None:
            return None
        try:
            sql = "SELECT artist, title FROM link_cache WHERE key = ? AND expires_at > ?"
            async with self._db.execute(sql, (key, self._clock())) as cur:
                row = await cur.fetchone()
        except (sqlite3.Error, ValueError) as exc:  # ValueError: closed meanwhile
            log.debug("Link cache read failed: %s", exc)
            return None
        return CachedName(row[0], row[1]) if row else None

    async def put(self, key: str, entry: CachedName, ttl_seconds: float) -> None:
        """Remember ``entry`` for ``ttl_seconds``, replacing any older answer."""
        if self._db is None:
            return
        try:
            await self._db.execute(
                "INSERT OR REPLACE INTO link_cache (key, artist, title, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (key, entry.artist, entry.title, self._clock() + ttl_seconds),
            )
            await self._db.commit()
        except (sqlite3.Error, ValueError) as exc:
            log.debug("Link cache write failed: %s", exc)

    async def put_answer(self, key: str, entry: CachedName) -> None:
        """Remember a found name for the hit TTL (30 days), a "not found" for the miss TTL."""
        await self.put(key, entry, self._hit_ttl if entry.title is not None else self._miss_ttl)
