"""The corpus half of an index file: artists, tracks, playlists, memberships, search tables.

It needs only the ingested corpus, so a build writes it while neighbours are computed
(:mod:`index.build.parallel_write`): the tables made from the corpus's names first, in the
build's own process, then the rest in a forked one. :mod:`index.build.store` writes the
neighbour half and makes the whole file appear atomically.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from index.arrays import give_back_free_memory, unique_in_place
from index.build.json_text import json_array
from index.build.search_tables import create_search_tables
from index.corpus import Corpus
from index.schema import (
    PLAYLIST_MEMBERS,
    SCHEMA,
    SPOTIFY_URI_ALIASES,
    SPOTIFY_URI_ALIASES_SCHEMA,
    SPOTIFY_URI_INDEX,
)

BATCH = 200_000


def connect_for_writing(path: Path) -> sqlite3.Connection:
    """A connection tuned for one bulk writer and no concurrent readers (the file is private)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA temp_store=MEMORY")
    # Rows go in in key order, so a B-tree insert touches only its rightmost pages: 32 MiB
    # writes as fast as 256 MiB did, and two writers run beside the build's peak.
    conn.execute("PRAGMA cache_size=-32768")
    return conn


def session_days(corpus: Corpus) -> Iterator[str | None]:
    """Each playlist's ``date`` column: a listening session's day (UTC), else None."""
    if corpus.playlist_dates is None:
        return itertools.repeat(None, corpus.n_playlists)
    days = corpus.playlist_dates.astype("datetime64[s]").astype("datetime64[D]").astype(str)
    return (
        d if s >= 0 else None
        for d, s in zip(days.tolist(), corpus.playlist_dates.tolist(), strict=True)
    )


def artist_playlist_counts(corpus: Corpus) -> np.ndarray:
    """Number of distinct playlists holding at least one track by each artist."""
    counts = corpus.track_playlist_counts
    artist_of_membership = np.repeat(corpus.track_artist.astype(np.int64), counts)
    artist_of_membership *= max(corpus.n_playlists, 1)
    artist_of_membership += corpus.indices
    pairs = unique_in_place(artist_of_membership)
    return np.bincount(pairs // max(corpus.n_playlists, 1), minlength=corpus.n_artists)


def write_corpus_tables(
    path: Path, corpus: Corpus, *, memberships: bool = True, progress=None
) -> None:
    """First half of a build's file: schema, artists, tracks, playlists, memberships, search.

    Needs only the corpus, so the build writes it while neighbours are computed: the tables
    made from the corpus's Python strings first (:func:`write_name_tables`, in the build's
    own process), the rest beside the scan (:func:`write_array_tables`, in a second one).
    """
    write_name_tables(path, corpus, memberships=memberships, progress=progress)
    write_array_tables(path, corpus, memberships=memberships, progress=progress)


def write_name_tables(
    path: Path, corpus: Corpus, *, memberships: bool = True, progress=None
) -> None:
    """Schema, artists, tracks and playlists: every table read from the corpus's names.

    A forked process reading a name writes to its reference count, which copies the page
    it lives on: writing these in a child copied most of the corpus's names (about 0.5 GB
    at 30M listens) beside the scan's lists. Written before the fork, the child reads only
    arrays.
    """
    tick = progress or (lambda *a: None)
    conn = connect_for_writing(path)
    try:
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        a_counts = artist_playlist_counts(corpus)
        conn.executemany(
            "INSERT INTO artists VALUES (?,?,?)",
            zip(
                range(1, corpus.n_artists + 1), corpus.artist_names, a_counts.tolist(), strict=True
            ),
        )
        tick("artists", corpus.n_artists, corpus.n_artists)

        rows = zip(
            range(1, corpus.n_tracks + 1),
            (corpus.track_artist + 1).tolist(),
            corpus.track_titles,
            corpus.track_playlist_counts.tolist(),
            corpus.track_uris,
            corpus.track_mbids or itertools.repeat(None, corpus.n_tracks),
            corpus.track_isrcs or itertools.repeat(None, corpus.n_tracks),
            strict=True,
        )
        conn.executemany("INSERT INTO tracks VALUES (?,?,?,?,?,?,?)", rows)
        tick("tracks", corpus.n_tracks, corpus.n_tracks)

        if memberships:
            conn.executemany(
                "INSERT INTO playlists VALUES (?,?,?)",
                zip(
                    range(1, corpus.n_playlists + 1),
                    corpus.playlist_names,
                    session_days(corpus),
                    strict=True,
                ),
            )
            tick("playlists", corpus.n_playlists, corpus.n_playlists)
        conn.execute("COMMIT")
    finally:
        conn.close()
    # The build's lists come next: what these rows' temporaries freed goes back to the
    # system, not kept for later.
    give_back_free_memory()


def write_array_tables(
    path: Path, corpus: Corpus, *, memberships: bool = True, progress=None
) -> None:
    """Memberships both ways, the link index and the search tables, after
    :func:`write_name_tables`: from the corpus's arrays and the tables already written."""
    tick = progress or (lambda *a: None)
    conn = connect_for_writing(path)
    try:
        conn.execute("BEGIN")
        if memberships:
            pairs = np.repeat(
                np.arange(1, corpus.n_tracks + 1, dtype=np.int64), corpus.track_playlist_counts
            )
            pairs <<= 32
            pairs |= corpus.indices.astype(np.int64) + 1  # (track, playlist), in key order
            n = len(pairs)
            _insert_pairs(conn, "memberships", pairs, lambda done: tick("memberships", done, n))
            # The same pairs by playlist, for the rare-song fallback: swapped and sorted, so
            # they too go in in key order.
            low = pairs & 0xFFFFFFFF  # swapped in place: one 8-byte copy, not three
            pairs >>= 32
            low <<= 32
            pairs |= low
            del low
            pairs.sort()
            _insert_pairs(
                conn, PLAYLIST_MEMBERS, pairs, lambda done: tick("playlist members", done, n)
            )
            del pairs
            give_back_free_memory()

        # A pasted Spotify link finds its track without a scan (about 45 bytes a track),
        # whichever of the song's URIs it has.
        conn.execute(
            f"CREATE INDEX {SPOTIFY_URI_INDEX} ON tracks(spotify_uri) WHERE spotify_uri IS NOT NULL"
        )
        if corpus.uri_aliases:
            conn.execute(SPOTIFY_URI_ALIASES_SCHEMA)
            conn.executemany(
                f"INSERT INTO {SPOTIFY_URI_ALIASES} VALUES (?,?)",
                ((uri, t + 1) for t, uri in sorted(corpus.uri_aliases, key=lambda a: a[1])),
            )
        create_search_tables(conn)
        tick("search tables", 1, 1)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _insert_pairs(conn: sqlite3.Connection, table: str, pairs: np.ndarray, tick) -> None:
    """Insert (a << 32 | b) pairs as rows (a, b), in batches decoded by SQLite itself.

    ``json_each`` over one text of numbers is about twice as fast as ``executemany`` here,
    since no Python tuple is made per row (25M rows at 30M listens), and the text is written
    by a compiled kernel (:mod:`index.build.json_text`).
    """
    sql = f"INSERT INTO {table} SELECT value >> 32, value & 4294967295 FROM json_each(?)"
    for start in range(0, len(pairs), BATCH * 5):
        chunk = pairs[start : start + BATCH * 5]
        conn.execute(sql, (json_array(chunk),))
        tick(start + len(chunk))
    if len(pairs) == 0:
        tick(0)
