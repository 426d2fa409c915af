"""The bot's own writable database (aiosqlite): what each user liked, the artists each user
blocked, and each server's settings (:mod:`bot.server_settings`, kept in memory).

The song index is read-only and replaced wholesale on a rebuild, so likes live here. Track
ids change when an index is rebuilt, so each like also keeps the artist and title it was
given for: :meth:`UserDB.likes` returns them and the caller re-finds songs whose id now
points elsewhere. Blocks are kept by name for the same reason, with the folded key
(:func:`index.names.block_key`) that makes "Beyoncé" and "beyonce" one block; answers
pass the names to :class:`index.model.Exclusions`. The tables are created and upgraded by
:mod:`bot.user_db_schema`; other modules (the Spotify cache) add their own tables to the
same file. :meth:`UserDB.forget_user` is ``/privacy delete``: everything kept about one user.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.server_settings import ServerSettingsStore
from bot.user_db_schema import migrate
from index.names import block_key

MAX_LIKES = 500
MAX_BLOCKS = 200  # a list people read through with /blocks; more is a sign of a mistake
MAX_BLOCK_NAME = 100  # characters; artist names are far shorter


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


class UserDB:
    """Per-user likes and blocked artists in a small SQLite file, opened once and shared by
    every command."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
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
        except sqlite3.Error as exc:
            raise UserDBError(
                f"The user database {path} cannot be used ({exc}); set SONGSIM_USER_DB to "
                "another path."
            ) from exc
        db = cls(conn, path)
        await db.servers.load()
        return db

    async def close(self) -> None:
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

    # ---------------------------------------------------------------- a user's data

    async def user_tables(self) -> list[str]:
        """Every table with a ``user_id`` column: where rows about a user can be.

        Read from the file rather than listed here, so a table a later migration adds is
        covered by ``/privacy`` (shown, exported, deleted) without anyone remembering to.
        """
        async with self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ) as cur:
            names = [str(row[0]) for row in await cur.fetchall()]
        tables = []
        for name in names:
            async with self._conn.execute(f'PRAGMA table_info("{name}")') as cur:
                if any(col[1] == "user_id" for col in await cur.fetchall()):
                    tables.append(name)
        return tables

    async def user_rows(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Every row keyed to ``user_id``, table by table (for ``/privacy export``)."""
        out: dict[str, list[dict[str, object]]] = {}
        for table in await self.user_tables():
            async with self._conn.execute(
                f'SELECT * FROM "{table}" WHERE user_id=?', (user_id,)
            ) as cur:
                columns = [d[0] for d in cur.description]
                out[table] = [dict(zip(columns, row, strict=True)) for row in await cur.fetchall()]
        return out

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete every row keyed to ``user_id`` in one transaction; the count per table."""
        counts: dict[str, int] = {}
        try:
            for table in await self.user_tables():
                cur = await self._conn.execute(f'DELETE FROM "{table}" WHERE user_id=?', (user_id,))
                counts[table] = cur.rowcount
            await self._conn.commit()
        except BaseException:
            await self._conn.rollback()
            raise
        return counts


def _block_name(artist_name: str) -> tuple[str, str]:
    """The name as it will be shown (spaces collapsed) and its key, or InvalidArtistName."""
    name = " ".join(str(artist_name).split())
    if not name:
        raise InvalidArtistName("Name the artist to block, for example `/block artist Drake`.")
    if len(name) > MAX_BLOCK_NAME:
        raise InvalidArtistName(
            f"That artist name is {len(name)} characters long; names of at most "
            f"{MAX_BLOCK_NAME} characters can be blocked."
        )
    return name, block_key(name)


class LikeLimitReached(Exception):
    """The user has as many likes as the bot keeps."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"You can keep at most {limit} liked songs; /unlike some first.")
        self.limit = limit


class BlockLimitReached(Exception):
    """The user has blocked as many artists as the bot keeps."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You can block at most {limit} artists; /unblock some first (/blocks lists them)."
        )
        self.limit = limit


class InvalidArtistName(ValueError):
    """A name that cannot be blocked (empty, or longer than any artist's); the message
    says what to type instead."""
