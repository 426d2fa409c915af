"""Per-user blocked artists in the user database, and its versioned schema: a database
from before versioning upgrades keeping every like, and the Spotify cache beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import user_db_schema
from bot.spotify.cache import CachedLookup, SpotifyCache
from bot.user_db import (
    MAX_BLOCK_NAME,
    MAX_BLOCKS,
    BlockLimitReached,
    InvalidArtistName,
    UserDB,
    UserDBError,
)
from bot.user_db_schema import SCHEMA_VERSION

ALICE, BOB = 111, 222

# The user database as songsim created it before schema versions (user_version 0).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS likes(
    user_id INTEGER NOT NULL,
    track_id INTEGER NOT NULL,
    artist TEXT NOT NULL,
    title TEXT NOT NULL,
    liked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (user_id, track_id)
);
"""
OLD_LIKES = [
    (ALICE, 7, "Daft Punk", "One More Time", "2024-01-02T03:04:05Z"),
    (ALICE, 9, "Beyoncé", "Halo", "2024-02-03T04:05:06Z"),
    (BOB, 7, "Daft Punk", "One More Time", "2024-03-04T05:06:07Z"),
]


@pytest.fixture()
async def db(tmp_path: Path):
    opened = await UserDB.open(tmp_path / "user.sqlite")
    yield opened
    await opened.close()


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def tables_of(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


# ------------------------------------------------------------------ blocks


async def test_block_list_and_unblock(db: UserDB) -> None:
    assert await db.blocks(ALICE) == []
    assert await db.block_artist(ALICE, "Drake") is True
    assert await db.block_artist(ALICE, "  Simon   &  Garfunkel ") is True
    blocks = await db.blocks(ALICE)
    assert [b.name for b in blocks] == ["Simon & Garfunkel", "Drake"]  # latest first
    assert [b.key for b in blocks] == ["garfunkel | simon", "drake"]
    assert all(b.blocked_at.endswith("Z") for b in blocks)
    assert await db.blocks(BOB) == []  # one list per user
    assert await db.unblock_artist(ALICE, "drake") is True
    assert await db.unblock_artist(ALICE, "Drake") is False  # already gone
    assert [b.name for b in await db.blocks(ALICE)] == ["Simon & Garfunkel"]


async def test_spellings_that_fold_alike_are_one_block(db: UserDB) -> None:
    assert await db.block_artist(ALICE, "Beyoncé") is True
    for same in ("beyonce", "BEYONCÉ", " Beyonce "):
        assert await db.block_artist(ALICE, same) is False
    assert [(b.name, b.key) for b in await db.blocks(ALICE)] == [("Beyoncé", "beyonce")]
    assert await db.unblock_artist(ALICE, "BEYONCE") is True
    assert await db.blocks(ALICE) == []


async def test_the_block_list_is_capped_with_a_clear_message(db: UserDB) -> None:
    for i in range(MAX_BLOCKS):
        assert await db.block_artist(ALICE, f"Artist {i}")
    with pytest.raises(BlockLimitReached, match=f"at most {MAX_BLOCKS} artists.*/unblock"):
        await db.block_artist(ALICE, "One Too Many")
    assert await db.block_artist(ALICE, "artist 3") is False  # already there: no error
    assert await db.block_count(ALICE) == MAX_BLOCKS
    assert await db.block_artist(BOB, "One Too Many") is True  # another user's list
    await db.unblock_artist(ALICE, "Artist 0")
    assert await db.block_artist(ALICE, "One Too Many") is True


async def test_names_that_cannot_be_blocked_say_what_to_type(db: UserDB) -> None:
    for empty in ("", "   "):
        with pytest.raises(InvalidArtistName, match="/block artist"):
            await db.block_artist(ALICE, empty)
    with pytest.raises(InvalidArtistName, match=f"at most {MAX_BLOCK_NAME} characters"):
        await db.block_artist(ALICE, "x" * (MAX_BLOCK_NAME + 1))
    assert await db.unblock_artist(ALICE, "  ") is False
    assert await db.blocks(ALICE) == []
    # A name without letters is still an artist ("!!!"), blocked as written.
    assert await db.block_artist(ALICE, "!!!") is True
    assert await db.block_artist(ALICE, "!!") is True
    assert [b.key for b in await db.blocks(ALICE)] == ["!!", "!!!"]


async def test_blocks_and_likes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    first = await UserDB.open(path)
    await first.block_artist(ALICE, "Drake")
    await first.like(ALICE, 5, "Daft Punk", "Around the World")
    await first.close()
    again = await UserDB.open(path)
    try:
        assert [b.name for b in await again.blocks(ALICE)] == ["Drake"]
        assert [like.track_id for like in await again.likes(ALICE)] == [5]
    finally:
        await again.close()


# ------------------------------------------------------------------ schema versions


def write_old_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.executemany("INSERT INTO likes VALUES (?,?,?,?,?)", OLD_LIKES)
    assert version_of(path) == 0


async def test_a_database_from_before_versions_upgrades_keeping_every_like(
    tmp_path: Path,
) -> None:
    path = tmp_path / "user.sqlite"
    write_old_database(path)
    cache = SpotifyCache(path)  # the Spotify cache's table lives in the same file
    await cache.open()
    await cache.put("track:abc", CachedLookup("https://open.spotify.com/track/abc", None), 3600)
    await cache.close()

    for opening in range(2):  # opening twice is idempotent
        db = await UserDB.open(path)
        try:
            likes = await db.likes(ALICE)
            assert [(lk.track_id, lk.artist, lk.title, lk.liked_at) for lk in likes] == [
                (9, "Beyoncé", "Halo", "2024-02-03T04:05:06Z"),
                (7, "Daft Punk", "One More Time", "2024-01-02T03:04:05Z"),
            ]
            assert [lk.track_id for lk in await db.likes(BOB)] == [7]
            assert await db.block_artist(ALICE, "Drake") is (opening == 0)
            assert [b.name for b in await db.blocks(ALICE)] == ["Drake"]
        finally:
            await db.close()
        assert version_of(path) == SCHEMA_VERSION
        assert {"likes", "blocks", "spotify_cache"} <= tables_of(path)

    cache = SpotifyCache(path)
    await cache.open()
    try:
        found = await cache.get_many(["track:abc"])
        assert found["track:abc"].url == "https://open.spotify.com/track/abc"
    finally:
        await cache.close()


async def test_a_new_database_starts_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = await UserDB.open(path)
    await db.close()
    assert version_of(path) == SCHEMA_VERSION
    assert {"likes", "blocks"} <= tables_of(path)


async def test_a_database_from_a_newer_songsim_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    write_old_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(UserDBError, match="newer songsim.*SONGSIM_USER_DB"):
        await UserDB.open(path)
    assert version_of(path) == SCHEMA_VERSION + 1
    assert "blocks" not in tables_of(path)


def test_a_failed_migration_leaves_the_old_version_and_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "user.sqlite"
    write_old_database(path)
    broken = (
        *user_db_schema.MIGRATIONS,
        (SCHEMA_VERSION + 1, ("CREATE TABLE half_done(x)", "THIS IS NOT SQL")),
    )
    monkeypatch.setattr(user_db_schema, "MIGRATIONS", broken)
    monkeypatch.setattr(user_db_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(sqlite3.OperationalError):
        user_db_schema.migrate_file(path)
    # The steps before the broken one are kept; the broken one left nothing behind.
    assert version_of(path) == SCHEMA_VERSION
    assert "half_done" not in tables_of(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM likes").fetchone()[0] == len(OLD_LIKES)
    monkeypatch.undo()
    assert user_db_schema.migrate_file(path) == SCHEMA_VERSION  # nothing left to do


def test_migrations_are_in_order_and_end_at_the_schema_version() -> None:
    versions = [v for v, _ in user_db_schema.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == SCHEMA_VERSION
