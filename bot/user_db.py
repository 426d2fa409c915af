"""The bot's own writable database (aiosqlite): what each user liked, the artists each
user blocked, the lists behind posted buttons that do not fit in a custom id, and each
server's settings (:mod:`bot.server_settings`, kept in memory).

The song index is read-only and replaced wholesale on a rebuild, so likes live here. Track
ids change when an index is rebuilt, so each like also keeps the artist and title it was
given for: :meth:`UserDB.likes` returns them and the caller re-finds songs whose id now
points elsewhere. Blocks are kept by name for the same reason, with the folded key
(:func:`index.names.block_key`) that makes "Beyoncé" and "beyonce" one block; answers
pass the names to :class:`index.model.Exclusions`. A saved list (:mod:`bot.custom_ids`) is
forgotten :data:`SAVED_LIST_DAYS` after its last use, at start-up; the names of the songs
buttons name by id are kept so a rebuilt index can find them again. The tables are created and upgraded by
:mod:`bot.user_db_schema`; other modules (the Spotify cache) add their own tables to the
same file. :mod:`bot.user_rows` finds everything kept about one user (``/privacy``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.i18n import _
from bot.server_settings import ServerSettingsStore
from bot.user_db_schema import migrate
from bot.user_rows import UserRows
from index.names import block_key

log = logging.getLogger(__name__)

MAX_LIKES = 500
MAX_BLOCKS = 200  # a list people read through with /blocks; more is a sign of a mistake
MAX_BLOCK_NAME = 100  # characters; artist names are far shorter
SAVED_LIST_DAYS = 90  # a saved list's buttons work this long after their last press
NAMED_MEMO = 100_000  # songs remembered as written before the memo starts again
SONGS_WRITE_DELAY = 2.0  # seconds the names of new songs under buttons wait to be written


class UserDBError(Exception):
    """The user database cannot be opened or written; the message says which file and why."""


@dataclass(frozen=True)
class Like:
    """One liked song, as it was named when liked."""

    track_id: int
    artist: str
    title: str
    liked_at: str


@dataclass(frozen=True)
class Block:
    """One blocked artist: the name as the user gave it, its folded key, and when."""

    name: str
    key: str
    blocked_at: str


def check_writable(path: Path) -> None:
    """Raise :class:`UserDBError` unless ``path`` can be created or written (synchronous)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserDBError(
            f"Cannot create the folder for the user database {path.parent} ({exc.strerror}); "
            "set SONGSIM_USER_DB to a writable path."
        ) from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise UserDBError(
            f"The user database {path} is not writable; fix its permissions or set "
            "SONGSIM_USER_DB to a writable path."
        )
    if not path.exists() and not os.access(path.parent, os.W_OK):
        raise UserDBError(
            f"Cannot create the user database in {path.parent} (folder not writable); "
            "set SONGSIM_USER_DB to a writable path."
        )
    try:
        conn = sqlite3.connect(path, timeout=5.0)
        try:
            migrate(conn)  # creates the tables, or upgrades an older file keeping its rows
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserDBError(
            f"The user database {path} cannot be used ({exc}); move it aside or set "
            "SONGSIM_USER_DB to another path."
        ) from exc


class UserDB(UserRows):
    """Per-user likes and blocked artists in a small SQLite file, opened once and shared by
    every command."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._named: set[tuple[int, str]] = set()  # songs remember_songs has written
        self._pending: dict[tuple[int, str], tuple[int, str, str, str]] = {}
        self._write_soon: asyncio.TimerHandle | None = None
        self._writing: asyncio.Future[None] | None = None
        self._names: aiosqlite.Connection | None = None  # writes remember_songs' names
        self.servers = ServerSettingsStore(conn)  # loaded by open()

    @classmethod
    async def open(cls, path: Path) -> UserDB:
        """Open (creating or upgrading if needed) the database at ``path``; raise
        :class:`UserDBError`."""
        path = Path(path)
        check_writable(path)  # also brings the schema up to date (bot.user_db_schema)
        try:
            conn = await aiosqlite.connect(path)
            # WAL lets the Spotify cache and the likes share the file without blocking reads.
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.commit()
            db = cls(conn, path)
            await db.forget_old_lists()
            await db.servers.load()
        except sqlite3.Error as exc:
            raise UserDBError(
                f"The user database {path} cannot be used ({exc}); set SONGSIM_USER_DB to "
                "another path."
            ) from exc
        return db

    async def close(self) -> None:
        if self._writing is not None:
            await asyncio.gather(self._writing, return_exceptions=True)
        await self.write_songs()
        if self._names is not None:
            await self._names.close()
        await self._conn.close()

    async def like(self, user_id: int, track_id: int, artist: str, title: str) -> bool:
        """Remember that ``user_id`` likes the song; False when it was already liked.

        Raises :class:`LikeLimitReached` when the user already has :data:`MAX_LIKES`.
        """
        async with self._conn.execute(
            "SELECT 1 FROM likes WHERE user_id=? AND track_id=?", (user_id, track_id)
        ) as cur:
            if await cur.fetchone():
                return False
        if await self.count(user_id) >= MAX_LIKES:
            raise LikeLimitReached(MAX_LIKES)
        await self._conn.execute(
            "INSERT INTO likes(user_id, track_id, artist, title) VALUES (?,?,?,?)",
            (user_id, track_id, artist, title),
        )
        await self._conn.commit()
        return True

    async def unlike(self, user_id: int, track_id: int) -> bool:
        """Forget a like; False when the song was not liked."""
        cur = await self._conn.execute(
            "DELETE FROM likes WHERE user_id=? AND track_id=?", (user_id, track_id)
        )
        await self._conn.commit()
        return cur.rowcount > 0

    async def likes(self, user_id: int) -> list[Like]:
        """The user's likes, most recent first."""
        async with self._conn.execute(
            "SELECT track_id, artist, title, liked_at FROM likes WHERE user_id=? "
            "ORDER BY rowid DESC",
            (user_id,),
        ) as cur:
            return [Like(*row) for row in await cur.fetchall()]

    async def count(self, user_id: int) -> int:
        async with self._conn.execute(
            "SELECT count(*) FROM likes WHERE user_id=?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def replace_track_id(self, user_id: int, old: int, new: int) -> None:
        """Re-point a like at a song's id in a rebuilt index (keeps its time)."""
        await self._conn.execute(
            "UPDATE OR IGNORE likes SET track_id=? WHERE user_id=? AND track_id=?",
            (new, user_id, old),
        )
        await self._conn.commit()

    # ---------------------------------------------------------------- blocked artists

    async def block_artist(self, user_id: int, artist_name: str) -> bool:
        """Hide ``artist_name`` from every answer to ``user_id``; False when already blocked
        (under any spelling that folds alike: "Beyoncé" and "beyonce" are one block).

        Raises :class:`InvalidArtistName` for an empty or overlong name and
        :class:`BlockLimitReached` when the user already has :data:`MAX_BLOCKS`.
        """
        name, key = _block_name(artist_name)
        async with self._conn.execute(
            "SELECT 1 FROM blocks WHERE user_id=? AND artist_key=?", (user_id, key)
        ) as cur:
            if await cur.fetchone():
                return False
        if await self.block_count(user_id) >= MAX_BLOCKS:
            raise BlockLimitReached(MAX_BLOCKS)
        await self._conn.execute(
            "INSERT INTO blocks(user_id, artist_key, artist) VALUES (?,?,?)", (user_id, key, name)
        )
        await self._conn.commit()
        return True

    async def unblock_artist(self, user_id: int, artist_name: str) -> bool:
        """Show the artist again (any spelling that folds alike); False when not blocked."""
        try:
            _, key = _block_name(artist_name)
        except InvalidArtistName:
            return False
        cur = await self._conn.execute(
            "DELETE FROM blocks WHERE user_id=? AND artist_key=?", (user_id, key)
        )
        await self._conn.commit()
        return cur.rowcount > 0

    async def blocks(self, user_id: int) -> list[Block]:
        """The user's blocked artists, most recent first."""
        async with self._conn.execute(
            "SELECT artist, artist_key, blocked_at FROM blocks WHERE user_id=? ORDER BY rowid DESC",
            (user_id,),
        ) as cur:
            return [Block(*row) for row in await cur.fetchall()]

    async def block_count(self, user_id: int) -> int:
        async with self._conn.execute(
            "SELECT count(*) FROM blocks WHERE user_id=?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # ---------------------------------------------------------------- lists behind buttons

    async def save_list(self, key: str, user_id: int, seeds: str, note: str) -> None:
        """Keep a list whose buttons cannot carry it (a file's mix) under ``key``."""
        await self._conn.execute(
            "INSERT INTO saved_lists(list_key, user_id, seeds, note) VALUES (?,?,?,?) "
            "ON CONFLICT(list_key) DO UPDATE SET used_at=excluded.used_at",
            (key, user_id, seeds, note),
        )
        await self._conn.commit()

    async def saved_list(self, key: str, user_id: int) -> tuple[str, str] | None:
        """``(seeds, note)`` of ``user_id``'s list ``key``; None once it is forgotten."""
        async with self._conn.execute(
            "SELECT seeds, note FROM saved_lists WHERE list_key=? AND user_id=?", (key, user_id)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        await self._conn.execute(
            "UPDATE saved_lists SET used_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE list_key=?",
            (key,),
        )
        await self._conn.commit()
        return str(row[0]), str(row[1])

    def remember_songs(self, songs: Iterable[tuple[int, str, str, str]]) -> None:
        """Keep ``(track id, check, artist, title)`` of songs buttons name, so a rebuilt
        index that numbers them anew can find them by name.

        Written once per song, a moment later and many in one transaction
        (:data:`SONGS_WRITE_DELAY`), so a reply never waits for the disk; :meth:`close`
        writes what is left.
        """
        for song in songs:
            key = (song[0], song[1])
            if key not in self._named:
                self._pending[key] = song
        if self._pending and self._write_soon is None:
            loop = asyncio.get_running_loop()
            self._write_soon = loop.call_later(SONGS_WRITE_DELAY, self._start_writing)

    def _start_writing(self) -> None:
        self._write_soon = None
        self._writing = asyncio.ensure_future(self.write_songs())

    async def write_songs(self) -> None:
        """Write the songs :meth:`remember_songs` was given (and not yet written)."""
        if self._write_soon is not None:
            self._write_soon.cancel()
            self._write_soon = None
        songs, self._pending = list(self._pending.values()), {}
        if not songs:
            return
        try:
            if self._names is None:  # its own connection and thread: a slow disk write
                self._names = await aiosqlite.connect(self.path)  # never holds up a read
                await self._names.execute("PRAGMA busy_timeout=5000")
            await self._names.executemany(
                "INSERT OR IGNORE INTO button_songs(track_id, song_check, artist, title) "
                "VALUES (?,?,?,?)",
                songs,
            )
            await self._names.commit()
        except sqlite3.Error:
            log.warning("Could not keep the names of %d songs under buttons", len(songs))
            return
        if len(self._named) > NAMED_MEMO:
            self._named.clear()
        self._named.update((s[0], s[1]) for s in songs)

    async def song_name(self, track_id: int, check: str) -> tuple[str, str] | None:
        """``(artist, title)`` of a song a button named, if it was remembered."""
        pending = self._pending.get((track_id, check))
        if pending is not None:
            return pending[2], pending[3]
        async with self._conn.execute(
            "SELECT artist, title FROM button_songs WHERE track_id=? AND song_check=?",
            (track_id, check),
        ) as cur:
            row = await cur.fetchone()
        return (str(row[0]), str(row[1])) if row else None

    async def forget_old_lists(self, days: int = SAVED_LIST_DAYS) -> int:
        """Forget saved lists nobody used for ``days`` days; how many went."""
        cur = await self._conn.execute(
            "DELETE FROM saved_lists WHERE used_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)",
            (f"-{int(days)} days",),
        )
        await self._conn.commit()
        return cur.rowcount


def _block_name(artist_name: str) -> tuple[str, str]:
    """The name as it will be shown (spaces collapsed) and its key, or InvalidArtistName."""
    name = " ".join(str(artist_name).split())
    if not name:
        raise InvalidArtistName(_("Name the artist to block, for example `/block artist Drake`."))
    if len(name) > MAX_BLOCK_NAME:
        raise InvalidArtistName(
            _(
                "That artist name is {length} characters long; names of at most "
                "{limit} characters can be blocked.",
                length=len(name),
                limit=MAX_BLOCK_NAME,
            )
        )
    return name, block_key(name)


class LikeLimitReached(Exception):
    """The user has as many likes as the bot keeps."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("You can keep at most {limit} liked songs; /unlike some first.", limit=limit)
        )
        self.limit = limit


class BlockLimitReached(Exception):
    """The user has blocked as many artists as the bot keeps."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            _(
                "You can block at most {limit} artists; /unblock some first (/blocks lists them).",
                limit=limit,
            )
        )
        self.limit = limit


class InvalidArtistName(ValueError):
    """A name that cannot be blocked (empty, or longer than any artist's); the message
    says what to type instead."""
