"""Insert neighbour rows into SQLite as JSON text that SQLite decodes itself.

``executemany`` makes a Python tuple and steps the statement once per row: about 1.1M rows/s
on one core, 40 s of a full-scale build's 42M rows. Here a numba kernel writes a batch as
one JSON object, ``{"track": [value, ...], ...}``, each value packing a row's neighbour,
shared count and union (``shared / jaccard``), and one ``INSERT ... SELECT`` over two
``json_each`` reads it: about twice as fast, with the same rows. ``rank`` is the position
in the track's list and ``jaccard`` is ``shared / union`` in SQLite's double division,
bit-equal to the build's own ``shared / (|A| + |B| - shared)``.

A batch whose rows do not round-trip (ranks not 1, 2, … per track, a union that does not
give back the stored score, more than 63 bits) goes through ``executemany`` instead, so
either way the table holds exactly the given rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

from index.build.json_text import json_lists

BATCH = 500_000  # rows per statement: about 10 MB of text
TUPLES_SQL = "INSERT INTO neighbours VALUES (?,?,?,?,?)"
JSON_SQL = (
    "INSERT INTO neighbours SELECT CAST(o.key AS INTEGER), i.key + 1, i.value >> :nshift,"
    " CAST((i.value >> :ushift) & :smask AS REAL) / (i.value & :umask),"
    " (i.value >> :ushift) & :smask"
    " FROM json_each(:rows) AS o, json_each(o.value) AS i"
)


def insert_neighbour_rows(
    conn: sqlite3.Connection, columns: list[np.ndarray], tick: Callable[[int], None]
) -> None:
    """Insert ``[track_id, rank, neighbour_id, jaccard, shared]`` rows, sorted by (track, rank).

    Batches end at a track's last row, so every list in a batch starts at rank 1.
    """
    track, rank, neighbour, jaccard, shared = columns
    n = len(track)
    start = 0
    while start < n:
        end = _batch_end(track, start, BATCH)
        sl = slice(start, end)
        packed = pack_rows(track[sl], rank[sl], neighbour[sl], jaccard[sl], shared[sl])
        if packed is None:
            _insert_tuples(conn, [c[sl] for c in columns])
        else:
            text, params = packed
            conn.execute(JSON_SQL, {"rows": text, **params})
        start = end
        tick(end)
    if n == 0:
        tick(0)


def pack_rows(
    track: np.ndarray,
    rank: np.ndarray,
    neighbour: np.ndarray,
    jaccard: np.ndarray,
    shared: np.ndarray,
) -> tuple[str, dict[str, int]] | None:
    """The batch as JSON text and the shifts that unpack it, or None if it would not round-trip."""
    if len(track) == 0:
        return None
    shared = shared.astype(np.int64)
    if not (jaccard > 0).all() or not (shared > 0).all() or not _ranks_count_up(track, rank):
        return None
    union = np.rint(shared / jaccard).astype(np.int64)
    if not np.array_equal(shared / union, jaccard):
        return None
    ubits = int(union.max()).bit_length()
    sbits = int(shared.max()).bit_length()
    if ubits + sbits + int(neighbour.max()).bit_length() > 63 or neighbour.min() < 0:
        return None
    value = (neighbour.astype(np.int64) << (ubits + sbits)) | (shared << ubits) | union
    text = json_lists(track.astype(np.int64), value)
    params = {
        "nshift": ubits + sbits,
        "ushift": ubits,
        "smask": (1 << sbits) - 1,
        "umask": (1 << ubits) - 1,
    }
    return text, params


def _batch_end(track: np.ndarray, start: int, size: int) -> int:
    """The end of the batch from ``start``: about ``size`` rows, never inside a track's list."""
    if start + size >= len(track):
        return len(track)
    end = int(np.searchsorted(track, track[start + size], side="left"))
    if end <= start:  # one list longer than ``size``
        end = int(np.searchsorted(track, track[start], side="right"))
    # Unsorted rows (not what a build makes) still move on; pack_rows turns them away.
    return end if end > start else start + size


def _ranks_count_up(track: np.ndarray, rank: np.ndarray) -> bool:
    """True when each track's rows are ranked 1, 2, 3, … in order (what ``i.key + 1`` gives)."""
    idx = np.arange(len(track))
    first = np.ones(len(track), dtype=bool)
    first[1:] = track[1:] != track[:-1]
    if (track[1:] < track[:-1]).any():
        return False
    run_start = np.maximum.accumulate(np.where(first, idx, 0))
    return bool(np.array_equal(rank, idx - run_start + 1))


def _insert_tuples(conn: sqlite3.Connection, columns: list[np.ndarray]) -> None:
    """The general path: one tuple per row (tolist keeps values as Python ints/floats)."""
    conn.executemany(TUPLES_SQL, zip(*(c.tolist() for c in columns), strict=True))
