"""The rows of an opened index file: tracks, artists, neighbours, memberships, postings.

One :class:`IndexFile` wraps one read-only SQLite connection; every query takes a lock, so
an instance can be shared by worker threads, and any number of processes can open the
same file at once. Names stay on disk: only the popularity→track map (4 bytes a track)
is held in memory, and its inverse once a rare song is asked for (another 4 bytes a track,
55 ms to build at 2.8M tracks), so a 2.8M-track index costs well under 100 MB of RSS.

Whether a file can be opened at all is :mod:`index.read.connect`'s question; what the rows
answer (resolve, autocomplete, neighbours, mixes) is :class:`index.read.api.SongIndex`'s,
built on this class by the modules beside it.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Self

import numpy as np

from index.model import Artist, IndexStats, PlaylistRef, Track
from index.names import mark_table
from index.read.connect import IndexOpenError, connect, damaged, unreadable
from index.read.present import one_version_each
from index.schema import (
    PLAYLIST_INDEX,
    PLAYLIST_MEMBERS,
    SCHEMA_VERSION,
    SPOTIFY_URI_ALIASES,
    SPOTIFY_URI_INDEX,
)

__all__ = ["SCAN_MAX_ROWS", "IndexFile", "IndexOpenError", "UnknownIdError"]

# Builds before index.schema.PLAYLIST_INDEX existed lack it: their memberships table is then
# scanned for a playlist's songs only up to this many rows (a few tens of ms), else skipped.
SCAN_MAX_ROWS = 300_000

_TRACK_COLUMNS = (
    "t.track_id, t.artist_id, a.name, t.title, t.playlists, t.spotify_uri "
    "FROM tracks t JOIN artists a ON a.artist_id = t.artist_id"
)


_SPOTIFY_TRACK = "spotify:track:"


class UnknownIdError(LookupError):
    """A track or artist id that is not in this index."""


class IndexFile:
    """A read-only index file and its rows. Create with :meth:`IndexFile.open` (or
    :meth:`SongIndex.open <index.read.api.SongIndex.open>` for the read API as well)."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, meta: dict[str, str], tables: set[str]
    ) -> None:
        self.path = path
        self.tables = frozenset(tables)
        self._conn = conn
        self._lock = threading.RLock()
        self.meta = meta
        with self._lock:
            blobs = conn.execute("SELECT track_ids FROM search_rank_track ORDER BY part").fetchall()
        # rank → track id, most popular first (see index.build.search_tables).
        self.rank_track = np.frombuffer(b"".join(b[0] for b in blobs), dtype=np.int32)
        self.n_tracks = int(meta.get("tracks", len(self.rank_track)))
        # The most popular track is rank 0: no table scan needed.
        top = int(self.rank_track[0]) if len(self.rank_track) else 0
        self.max_playlists = int(
            self._scalar("SELECT playlists FROM tracks WHERE track_id = ?", (top,)) or 1
        )
        self.stats = self._read_stats()
        with self._lock:
            self.sql_indexes = frozenset(
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
            )
        self._rank_of: np.ndarray | None = None  # track id → popularity rank, made on first use
        mark_table()  # build the accent table now, not inside the first user's query

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Self:
        """Open ``path`` read-only, or raise :class:`IndexOpenError` with a one-sentence fix."""
        path = Path(path)
        conn, meta, tables = connect(path)
        try:
            return cls(path, conn, meta, tables)
        except sqlite3.DatabaseError as exc:
            raise unreadable(path, exc) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- plumbing

    def query(self, sql: str, params: Sequence[object] | dict[str, object] = ()) -> list[tuple]:
        """Run one read query under the lock; a damaged file becomes :class:`IndexOpenError`."""
        try:
            with self._lock:
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise damaged(self.path, exc) from exc

    def has_table(self, name: str) -> bool:
        """Whether the index file has this table (optional tables of newer builds)."""
        return name in self.tables

    def _scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def read_postings(self, word_id: int, max_ranks: int | None = None) -> np.ndarray:
        """Popularity ranks of the tracks containing a word; the ``max_ranks`` best-known only."""
        try:
            with (
                self._lock,
                self._conn.blobopen("search_postings", "ranks", word_id, readonly=True) as blob,
            ):
                data = blob.read(-1 if max_ranks is None else 4 * max_ranks)
        except sqlite3.DatabaseError as exc:
            raise damaged(self.path, exc) from exc
        return np.frombuffer(data, dtype=np.int32)

    def _read_stats(self) -> IndexStats:
        m = self.meta
        k, min_shared = m.get("k"), m.get("min_shared", "")
        return IndexStats(
            tracks=int(m.get("tracks", 0)),
            artists=int(m.get("artists", 0)),
            playlists=int(m.get("playlists", 0)),
            built_at=m.get("built_at", ""),
            source=m.get("source", ""),
            method=m.get("method", ""),
            has_memberships=m.get("memberships") == "1",
            neighbours=self._neighbour_rows(),
            k=int(k) if k and k.isdigit() else None,
            min_shared=int(min_shared) if min_shared.isdigit() else 1,
            schema_version=int(m.get("schema_version", SCHEMA_VERSION)),
            path=str(self.path),
            meta=dict(m),
        )

    def _analyzed_rows(self, table: str) -> int | None:
        """Rows of ``table`` from ANALYZE's statistics (a count(*) would scan it), or None."""
        try:
            rows = self.query("SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", (table,))
        except IndexOpenError:
            return None
        return int(str(rows[0][0]).split()[0]) if rows and rows[0][0] else None

    def _neighbour_rows(self) -> int:
        """Stored neighbour rows (counted only when the build left no statistics)."""
        rows = self._analyzed_rows("neighbours")
        if rows is not None:
            return rows
        return int(self._scalar("SELECT count(*) FROM neighbours") or 0)

    # ----------------------------------------------------------------- rows

    def tracks(self, track_ids: Iterable[int]) -> dict[int, Track]:
        """Tracks by id (missing ids are left out)."""
        ids = list(dict.fromkeys(int(t) for t in track_ids))
        out: dict[int, Track] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(f"SELECT {_TRACK_COLUMNS} WHERE t.track_id IN ({marks})", chunk):
                out[row[0]] = Track(*row)
        return out

    def track(self, track_id: int) -> Track:
        """One track by id, or :class:`UnknownIdError`."""
        found = self.tracks([track_id]).get(int(track_id))
        if found is None:
            raise UnknownIdError(f"No track {track_id} in {self.path}.")
        return found

    def track_by_spotify_uri(self, uri: str) -> Track | None:
        """The track stored with this ``spotify:track:`` URI (or bare track id), else None.

        Only builds from data with URIs (the Million Playlist Dataset) store them. Builds
        with :data:`~index.schema.SPOTIFY_URI_INDEX` answer from it in well under a
        millisecond; older files scan ``tracks`` (about 0.15 s at 2.3M tracks, warm), and
        files without a single URI answer None at once after one check per opening. Each
        track keeps its most frequent URI; the song's other URIs (another release of it)
        are found through :data:`~index.schema.SPOTIFY_URI_ALIASES` where the build stored
        it (older files: not found here, and the caller resolves the link's names).
        """
        uri = uri.strip()
        if not uri.startswith(_SPOTIFY_TRACK):
            uri = _SPOTIFY_TRACK + uri
        if not uri[len(_SPOTIFY_TRACK) :].isalnum() or not self.has_spotify_uris:
            return None
        # Most playlists first: two differently spelt songs may have kept one URI.
        rows = self.query(
            f"SELECT {_TRACK_COLUMNS} WHERE t.spotify_uri = ? ORDER BY t.playlists DESC LIMIT 1",
            (uri,),
        )
        if not rows and SPOTIFY_URI_ALIASES in self.tables:  # another release of a song
            rows = self.query(
                f"SELECT {_TRACK_COLUMNS} WHERE t.track_id = "
                f"(SELECT track_id FROM {SPOTIFY_URI_ALIASES} WHERE spotify_uri = ?)",
                (uri,),
            )
        return Track(*rows[0]) if rows else None

    @functools.cached_property
    def has_spotify_uris(self) -> bool:
        """Whether any track has a Spotify URI (decided once per opened file)."""
        return bool(self.query("SELECT 1 FROM tracks WHERE spotify_uri IS NOT NULL LIMIT 1"))

    @property
    def has_uri_index(self) -> bool:
        """Whether the build stored the URI → track index (builds since pasted links)."""
        return SPOTIFY_URI_INDEX in self.sql_indexes

    def artist(self, artist_id: int) -> Artist:
        """One artist by id, or :class:`UnknownIdError`."""
        rows = self.query(
            "SELECT artist_id, name, playlists FROM artists WHERE artist_id = ?", (int(artist_id),)
        )
        if not rows:
            raise UnknownIdError(f"No artist {artist_id} in {self.path}.")
        return Artist(*rows[0])

    def artists(self, artist_ids: Iterable[int]) -> dict[int, Artist]:
        ids = list(dict.fromkeys(int(a) for a in artist_ids))
        out: dict[int, Artist] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT artist_id, name, playlists FROM artists WHERE artist_id IN ({marks})",
                chunk,
            ):
                out[row[0]] = Artist(*row)
        return out

    def artist_top_tracks(self, artist_id: int, *, limit: int = 10) -> list[Track]:
        """The artist's best-known songs (most playlists first), one version of each."""
        rows = self.query(
            f"SELECT {_TRACK_COLUMNS} WHERE t.artist_id = ? ORDER BY t.playlists DESC, t.track_id "
            "LIMIT ?",
            (int(artist_id), max(4 * limit, 50)),
        )
        return one_version_each([Track(*r) for r in rows])[:limit]

    def popularity_rank(self, track_ids: np.ndarray) -> np.ndarray:
        """Popularity rank of each track id (0 = in most playlists; ties by lower id).

        The inverse of :attr:`rank_track`, built on first use (4 bytes a track), so ordering
        thousands of playlist members by popularity needs no query.
        """
        with self._lock:
            if self._rank_of is None:
                rank_of = np.full(int(self.rank_track.max(initial=0)) + 1, -1, dtype=np.int32)
                rank_of[self.rank_track] = np.arange(len(self.rank_track), dtype=np.int32)
                self._rank_of = rank_of
        ids = np.asarray(track_ids, dtype=np.int64)
        ok = (ids >= 0) & (ids < len(self._rank_of))
        out = np.full(len(ids), len(self._rank_of), dtype=np.int64)  # unknown ids sort last
        out[ok] = self._rank_of[ids[ok]]
        out[out < 0] = len(self._rank_of)
        return out

    @functools.cached_property
    def can_list_playlists(self) -> bool:
        """Whether a playlist's songs can be read quickly: memberships are stored and either
        indexed by playlist (builds since the rare-song fallback) or few enough to scan.
        The file is read-only, so this is decided once per opened index."""
        if not self.stats.has_memberships or "memberships" not in self.tables:
            return False
        return (
            PLAYLIST_MEMBERS in self.tables
            or PLAYLIST_INDEX in self.sql_indexes
            or self._membership_rows() <= SCAN_MAX_ROWS
        )

    def playlists_of(self, track_ids: Iterable[int]) -> dict[int, list[int]]:
        """Playlist ids holding each track (tracks without stored memberships are left out)."""
        ids = list(dict.fromkeys(int(t) for t in track_ids))
        out: dict[int, list[int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for t, p in self.query(
                f"SELECT track_id, playlist_id FROM memberships WHERE track_id IN ({marks})", chunk
            ):
                out.setdefault(t, []).append(p)
        return out

    def playlist_members(self, playlist_ids: Sequence[int], per_playlist: int) -> list[np.ndarray]:
        """Track ids of each playlist, at most ``per_playlist`` of each (lowest ids first).

        Reads the ``playlist_members`` table (v2) or v1's ``memberships_by_playlist``
        index; an index built before either existed is scanned once for all the playlists,
        which :attr:`can_list_playlists` allows only when the table is small. Callers check
        :attr:`can_list_playlists` first.
        """
        pids = [int(p) for p in playlist_ids]
        if not pids:
            return []
        source = (
            PLAYLIST_MEMBERS
            if PLAYLIST_MEMBERS in self.tables
            else f"memberships INDEXED BY {PLAYLIST_INDEX}"
            if PLAYLIST_INDEX in self.sql_indexes
            else None
        )
        if source:
            # group_concat: one string per playlist instead of thousands of Python tuples
            sql = (
                f"SELECT group_concat(track_id) FROM (SELECT track_id FROM {source} "
                "WHERE playlist_id = ? ORDER BY track_id LIMIT ?)"
            )
            texts = [self.query(sql, (p, int(per_playlist)))[0][0] for p in pids]
            return [_int_list(t) for t in texts]
        marks = ",".join("?" * len(pids))
        rows = self.query(
            f"SELECT playlist_id, track_id FROM memberships WHERE playlist_id IN ({marks})", pids
        )
        found: dict[int, list[int]] = {}
        for p, t in rows:
            found.setdefault(p, []).append(t)
        return [np.sort(np.array(found.get(p, []), dtype=np.int64))[:per_playlist] for p in pids]

    def playlist_refs(self, playlist_ids: Iterable[int]) -> dict[int, PlaylistRef]:
        """How each playlist found is named: its stored name (whitespace folded; "" when
        names were not stored), or a listening session's day, never its listener."""
        return {p: _ref(name, day) for p, name, day in self._playlists(playlist_ids)}

    def _playlists(self, playlist_ids: Iterable[int]) -> list[tuple[int, str, str | None]]:
        """(id, stored name, session day or None) of each playlist found."""
        ids = list(dict.fromkeys(int(p) for p in playlist_ids))
        if not ids or "playlists" not in self.tables:
            return []
        marks = ",".join("?" * len(ids))
        day = "date" if self.stats.schema_version >= 2 else "NULL"
        sql = f"SELECT playlist_id, name, {day} FROM playlists WHERE playlist_id IN ({marks})"
        return self.query(sql, ids)

    def _membership_rows(self) -> int:
        """Stored membership rows, from ANALYZE's statistics or the build's row count."""
        rows = self._analyzed_rows("memberships")
        if rows is not None:
            return rows
        read = self.meta.get("rows_read", "")
        return int(read) if read.isdigit() else SCAN_MAX_ROWS + 1  # unknown: assume large

    def neighbour_rows(self, track_id: int) -> list[tuple[int, float, int]]:
        """Stored (neighbour_id, jaccard, shared) of a track, best first."""
        return self.query(
            "SELECT neighbour_id, jaccard, shared FROM neighbours WHERE track_id = ? ORDER BY rank",
            (int(track_id),),
        )


def _ref(name: object, day: str | None) -> PlaylistRef:
    """A stored playlist row as a :class:`PlaylistRef` (a session without a readable day
    keeps its stored name, "listening session")."""
    if day:
        try:
            return PlaylistRef(day=date.fromisoformat(day))
        except ValueError:
            pass
    return PlaylistRef(" ".join(str(name or "").split()))


def _int_list(text: str | None) -> np.ndarray:
    """The ids of a ``group_concat`` (None when the playlist has no stored songs)."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.array(text.split(","), dtype=np.int64)
