"""Load a Spark build's Parquet tables into the SQLite index (atomic write).

The Spark job leaves one folder with four tables, each a Parquet dataset (a folder of
part files) with 0-based ids::

    tracks/       track INT, artist INT, title STRING, uri STRING[, mbid STRING, isrc STRING]
    artists/      artist INT, name STRING
    playlists/    playlist INT, name STRING[, date LONG]
    memberships/  track INT, playlist INT
    neighbours/   track INT, rank INT, neighbour INT, jaccard DOUBLE, shared INT

``neighbours`` holds each track's top k and its extras. The loader adds the songs sharing
a credited artist after them (:mod:`index.build.artist_rows`) from the memberships it reads
anyway: those cost the same-artist co-occurrences only (0.4 % of all pairs at full scale),
so the driver computes them here rather than in another Spark stage.

This loader needs only pyarrow (no JVM): it rebuilds the :class:`~index.corpus.Corpus`
and :class:`~index.corpus.NeighbourTable` the local engines produce and hands them to
``index.build.store.write_index``, so the file is byte-for-byte the same schema and the bot
serves it unchanged. For a catalogue too big for one SQLite file, the same Parquet
folder is the hand-off: any warehouse (DuckDB, BigQuery, Spark SQL) can serve
``neighbours`` joined to ``tracks``. The bracketed columns are optional: a track's
recording MBID and ISRC, a listening session's start (unix seconds; null for a playlist).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from index.build.artist_rows import with_artist_rows
from index.build.options import DEFAULTS, BuildOptions
from index.build.store import write_index
from index.corpus import Corpus, IngestReport, NeighbourTable

TABLES = ("tracks", "artists", "playlists", "memberships", "neighbours")


def _read(folder: Path, name: str, sort: list[str]):
    table = pq.read_table(folder / name)
    return table.sort_by([(c, "ascending") for c in sort])


def load_corpus(folder: str | Path, report: IngestReport) -> Corpus:
    """The Corpus stored in a Spark build's Parquet folder (ids checked to be dense)."""
    folder = Path(folder)
    tracks = _read(folder, "tracks", ["track"])
    artists = _read(folder, "artists", ["artist"])
    playlists = _read(folder, "playlists", ["playlist"])
    members = _read(folder, "memberships", ["track", "playlist"])
    for name, t, col in (
        ("tracks", tracks, "track"),
        ("artists", artists, "artist"),
        ("playlists", playlists, "playlist"),
    ):
        ids = t.column(col).to_numpy()
        if not np.array_equal(ids, np.arange(len(ids))):
            raise ValueError(
                f"{folder / name}: ids are not 0..n-1; the Parquet folder is incomplete."
            )
    n_tracks = tracks.num_rows
    dates = None
    if "date" in playlists.column_names and playlists.column("date").null_count < len(playlists):
        dates = playlists.column("date").fill_null(-1).to_numpy().astype(np.int64)
    m_track = members.column("track").to_numpy().astype(np.int64)
    indptr = np.zeros(n_tracks + 1, dtype=np.int64)
    np.cumsum(np.bincount(m_track, minlength=n_tracks), out=indptr[1:])
    return Corpus(
        artist_names=artists.column("name").to_pylist(),
        track_artist=tracks.column("artist").to_numpy().astype(np.int32),
        track_titles=tracks.column("title").to_pylist(),
        track_uris=tracks.column("uri").to_pylist(),
        playlist_names=playlists.column("name").to_pylist(),
        indptr=indptr,
        indices=members.column("playlist").to_numpy().astype(np.int32),
        report=report,
        track_mbids=_optional(tracks, "mbid"),
        track_isrcs=_optional(tracks, "isrc"),
        playlist_dates=dates,
    )


def _optional(table, name: str) -> list[str | None] | None:
    """A column's values, or None when the table lacks it or it holds no value."""
    if name not in table.column_names or table.column(name).null_count == len(table):
        return None
    return table.column(name).to_pylist()


def load_neighbours(folder: str | Path, params: dict[str, object] | None = None) -> NeighbourTable:
    """The neighbour table of a Spark build, sorted by (track, rank)."""
    t = _read(Path(folder), "neighbours", ["track", "rank"])
    return NeighbourTable(
        track=t.column("track").to_numpy().astype(np.int32),
        rank=t.column("rank").to_numpy().astype(np.int32),
        neighbour=t.column("neighbour").to_numpy().astype(np.int32),
        jaccard=t.column("jaccard").to_numpy().astype(np.float64),
        shared=t.column("shared").to_numpy().astype(np.int32),
        params=dict(params or {}),
    )


def load(
    folder: str | Path,
    report: IngestReport,
    options: BuildOptions = DEFAULTS,
    params: dict[str, object] | None = None,
) -> tuple[Corpus, NeighbourTable]:
    """The corpus and the whole neighbour table of a Spark build: its Parquet rows, then
    the artist rows ``options`` ask for (:func:`index.build.artist_rows.with_artist_rows`)."""
    corpus = load_corpus(folder, report)
    return corpus, with_artist_rows(load_neighbours(folder, params), corpus, options)


def load_into_sqlite(
    folder: str | Path,
    out: str | Path,
    meta: dict[str, object],
    report: IngestReport,
    *,
    options: BuildOptions = DEFAULTS,
    started: float | None = None,
) -> tuple[Corpus, NeighbourTable]:
    """Write the SQLite index ``out`` from a Spark build's Parquet ``folder`` (:func:`load`)."""
    corpus, table = load(folder, report, options)
    write_index(corpus, table, Path(out), meta, memberships=options.memberships, started=started)
    return corpus, table
