"""The SQLite index file: schema v1, and a failed or killed build never replaces a good index."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.build.store import write_index
from index.corpus import Corpus, IngestReport, NeighbourTable

EXPECTED_COLUMNS = {
    "meta": ["key", "value"],
    "artists": ["artist_id", "name", "playlists"],
    "tracks": [
        "track_id",
        "artist_id",
        "title",
        "playlists",
        "spotify_uri",
        "recording_mbid",
        "isrc",
    ],
    "neighbours": ["track_id", "rank", "neighbour_id", "jaccard", "shared"],
    "playlists": ["playlist_id", "name", "date"],
    "memberships": ["track_id", "playlist_id"],
    "playlist_members": ["playlist_id", "track_id"],
}


def small_corpus(n_tracks: int = 4, title_prefix: str = "Song") -> Corpus:
    # track t is in playlists {0..t}: nested sets give known Jaccards.
    rows = [np.arange(t + 1, dtype=np.int32) for t in range(n_tracks)]
    indptr = np.zeros(n_tracks + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    return Corpus(
        artist_names=["Artist A", "Artist B"],
        track_artist=np.array([t % 2 for t in range(n_tracks)], dtype=np.int32),
        track_titles=[f"{title_prefix} {t}" for t in range(n_tracks)],
        track_uris=[None] * n_tracks,
        playlist_names=[f"Playlist {p}" for p in range(n_tracks)],
        indptr=indptr,
        indices=np.concatenate(rows),
        report=IngestReport(source="test", format="csv", rows_read=int(indptr[-1])),
    )


def small_table() -> NeighbourTable:
    return NeighbourTable(
        track=np.array([1, 1, 2], dtype=np.int32),
        rank=np.array([1, 2, 1], dtype=np.int32),
        neighbour=np.array([2, 3, 1], dtype=np.int32),
        jaccard=np.array([2 / 3, 2 / 4, 2 / 3]),
        shared=np.array([2, 2, 2], dtype=np.int32),
        params={"method": "exact"},
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_schema_v2_tables_columns_and_meta(tmp_path: Path) -> None:
    out = tmp_path / "idx.sqlite"
    write_index(small_corpus(), small_table(), out, {"method": "exact", "k": 30})
    conn = sqlite3.connect(out)
    for table, cols in EXPECTED_COLUMNS.items():
        got = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert got == cols, table
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "2"
    assert meta["tracks"] == "4" and meta["playlists"] == "4" and meta["artists"] == "2"
    # ids are 1-based in the file; track 2 (position 1) has neighbours 3 then 4.
    rows = conn.execute(
        "SELECT rank, neighbour_id, shared FROM neighbours WHERE track_id=2 ORDER BY rank"
    ).fetchall()
    assert rows == [(1, 3, 2), (2, 4, 2)]
    # tracks.playlists counts distinct playlists; artists.playlists any track of the artist.
    assert conn.execute("SELECT playlists FROM tracks WHERE track_id=4").fetchone() == (4,)
    assert dict(conn.execute("SELECT name, playlists FROM artists")) == {
        "Artist A": 3,
        "Artist B": 4,
    }
    assert conn.execute("SELECT COUNT(*) FROM memberships").fetchone() == (1 + 2 + 3 + 4,)


def test_no_memberships_leaves_tables_empty(tmp_path: Path) -> None:
    out = tmp_path / "idx.sqlite"
    write_index(small_corpus(), small_table(), out, {}, memberships=False)
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT COUNT(*) FROM memberships").fetchone() == (0,)
    assert conn.execute("SELECT value FROM meta WHERE key='memberships'").fetchone() == ("0",)


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failed_write_keeps_previous_index(tmp_path: Path, exc: BaseException) -> None:
    out = tmp_path / "idx.sqlite"
    write_index(small_corpus(), small_table(), out, {})
    before = digest(out)

    def explode(stage: str, done: int, total: int) -> None:
        if stage == "neighbours":
            raise exc

    with pytest.raises(type(exc)):
        write_index(small_corpus(title_prefix="Other"), small_table(), out, {}, progress=explode)
    assert digest(out) == before
    assert leftovers(tmp_path) == []


KILLED_WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_store import small_corpus, small_table
from index.build.store import write_index
def stall(stage, done, total):
    if stage == "neighbours":
        Path({ready!r}).write_text("x")
        time.sleep(60)
write_index(small_corpus(title_prefix="New"), small_table(), Path({out!r}), {{}}, progress=stall)
"""


def test_kill_9_mid_build_keeps_index_and_next_build_sweeps(tmp_path: Path) -> None:
    out = tmp_path / "idx.sqlite"
    write_index(small_corpus(), small_table(), out, {})
    before = digest(out)
    ready = tmp_path / "ready"
    code = KILLED_WRITER.format(tests=str(Path(__file__).parent), ready=str(ready), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, "writer died before reaching the neighbours table"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert digest(out) == before
    assert len(leftovers(tmp_path)) == 1  # kill -9 cannot clean up after itself ...
    write_index(small_corpus(), small_table(), out, {})
    assert leftovers(tmp_path) == []  # ... but the next build sweeps it


DISK_FULL_WRITER = """
import resource, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_store import small_corpus
from index.corpus import NeighbourTable
from index.build.store import write_index
import numpy as np
n = 200_000
table = NeighbourTable(track=np.zeros(n, np.int32), rank=np.arange(1, n + 1, dtype=np.int32),
                       neighbour=np.ones(n, np.int32), jaccard=np.full(n, 0.5), shared=np.full(n, 2, np.int32))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
try:
    write_index(small_corpus(title_prefix="Huge"), table, Path({out!r}), {{}})
except Exception as exc:
    print("FAILED:", type(exc).__name__)
    sys.exit(3)
"""


def test_disk_full_keeps_previous_index(tmp_path: Path) -> None:
    out = tmp_path / "idx.sqlite"
    write_index(small_corpus(), small_table(), out, {})
    before = digest(out)
    code = DISK_FULL_WRITER.format(tests=str(Path(__file__).parent), out=str(out))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert digest(out) == before
    assert leftovers(tmp_path) == []


def test_split_neighbour_write_stores_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    """From SPLIT_ROWS rows a forked child writes half the neighbour rows into a file of its
    own, copied in afterwards: the table is row for row what one writer stores, no file left."""
    from index.build import store

    def rows(out: Path) -> list[tuple]:
        with sqlite3.connect(out) as conn:
            return conn.execute("SELECT * FROM neighbours ORDER BY track_id, rank").fetchall()

    write_index(small_corpus(), small_table(), tmp_path / "one.sqlite", {"method": "exact"})
    monkeypatch.setattr(store, "SPLIT_ROWS", 1)
    write_index(small_corpus(), small_table(), tmp_path / "two.sqlite", {"method": "exact"})
    assert rows(tmp_path / "two.sqlite") == rows(tmp_path / "one.sqlite")
    assert len(rows(tmp_path / "two.sqlite")) == 3
    assert leftovers(tmp_path) == []
