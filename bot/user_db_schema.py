"""The user database's schema, versioned: ordered migrations under ``PRAGMA user_version``.

The user database holds what people told the bot (likes, blocked artists, the lists
behind posted buttons, each server's settings) and must survive every upgrade. Its version
is SQLite's ``user_version`` header field; each entry
of :data:`MIGRATIONS` brings the file from the version before it to its own, in one
transaction with the version bump, so a crash mid-upgrade leaves the old version intact
and the next start runs it again. Files from before versioning (``user_version`` 0, with
or without a ``likes`` table) upgrade like any other: the first migration creates only
what is missing. The Spotify cache (:mod:`bot.spotify.cache`) keeps its own table in the
same file and is no part of this schema; a migration never touches it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# (version reached, statements). Append only: a released migration never changes.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,  # the likes table as it was before versioning
        (
            """CREATE TABLE IF NOT EXISTS likes(
                user_id INTEGER NOT NULL,
                track_id INTEGER NOT NULL,
                artist TEXT NOT NULL,
                title TEXT NOT NULL,
                liked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                PRIMARY KEY (user_id, track_id)
            )""",
        ),
    ),
    (
        2,  # per-user blocked artists: the name as given, and its folded key (one per user)
        (
            """CREATE TABLE IF NOT EXISTS blocks(
                user_id INTEGER NOT NULL,
                artist_key TEXT NOT NULL,
                artist TEXT NOT NULL,
                blocked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                PRIMARY KEY (user_id, artist_key)
            )""",
        ),
    ),
    (
        3,  # buttons that outlive restarts: lists too long for a custom id, songs' names
        (
            """CREATE TABLE IF NOT EXISTS saved_lists(
                list_key TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL,
                seeds TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                used_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
            )""",
            "CREATE INDEX IF NOT EXISTS saved_lists_user ON saved_lists(user_id)",
            # the names of songs buttons name by id, to find them again in a rebuilt index
            """CREATE TABLE IF NOT EXISTS button_songs(
                track_id INTEGER NOT NULL,
                song_check TEXT NOT NULL,
                artist TEXT NOT NULL,
                title TEXT NOT NULL,
                PRIMARY KEY (track_id, song_check)
            ) WITHOUT ROWID""",
        ),
    ),
    (
        4,  # per-server settings (/settings): one row per server that changed any, as JSON so
        # a new setting needs no migration (bot.server_settings reads missing keys as defaults)
        (
            """CREATE TABLE IF NOT EXISTS guild_settings(
                guild_id INTEGER PRIMARY KEY,
                settings TEXT NOT NULL DEFAULT '{}',
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
            )""",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class NewerSchemaError(sqlite3.DatabaseError):
    """The file was written by a newer songsim than this one."""


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0: before versioning, or a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; return the version it was at.

    Idempotent: an up-to-date file is only read. Each step runs in its own ``BEGIN
    IMMEDIATE`` transaction that re-reads the version, so two processes starting at once
    apply each step once. Raises :class:`NewerSchemaError` for a file from a newer release
    (rather than guess at tables it does not know).
    """
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"it has schema version {start}, written by a newer songsim (this one knows "
            f"up to {SCHEMA_VERSION}); upgrade songsim"
        )
    for version, statements in MIGRATIONS:
        if version <= start:
            continue
        saved = conn.isolation_level
        conn.isolation_level = None  # explicit transactions only
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if schema_version(conn) < version:  # another process may have got here first
                    for sql in statements:
                        conn.execute(sql)
                    conn.execute(f"PRAGMA user_version = {int(version)}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.isolation_level = saved
    return start


def migrate_file(path: Path) -> int:
    """:func:`migrate` the database file at ``path`` (created if missing)."""
    conn = sqlite3.connect(path, timeout=5.0)
    try:
        return migrate(conn)
    finally:
        conn.close()
