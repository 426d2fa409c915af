"""Parse one byte range of a Zenodo file with the local reader, and describe what it saw.

This runs inside Spark tasks. It does not re-implement any parsing or normalisation rule:
the range is read by :func:`index.ingest.zenodo.read_records` into a real
:class:`index.ingest.CorpusBuilder`, exactly as the local reader reads its file (or, on two
cores, its halves).
What comes out is the builder's state in a form the driver-side merge can combine
(``index.spark.ingest``): every local id keeps its creation order, so ``(split, local id)``
sorts in the order the local reader would first have met each track, artist, spelling
and playlist, which is what makes global ids identical to a local build's.

Ranges start at a record boundary (a line starting with ``"<32 hex>","``), the same rule
the local reader uses to cut its chunks, so no record (not even one whose field held a
line break) is split between two tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.ingest.files import open_bytes
from index.ingest.rows import CorpusBuilder
from index.ingest.zenodo import _Parser, read_records, record_start

KEY_SEP = "\x00"  # joins the parts of a playlist key; cannot occur in a valid UTF-8 field


def split_offsets(path: str | Path, n_splits: int) -> list[int]:
    """Byte offsets that cut ``path`` into about ``n_splits`` ranges at record starts.

    Returns ``[0, o1, ..., size]``. A cut is placed at the first record starting at or
    after ``i * size / n`` (:func:`index.ingest.zenodo.record_start`); cuts that land on the
    same record merge.
    """
    path = Path(path)
    size = path.stat().st_size
    offsets = [0]
    with open(path, "rb") as f:
        for i in range(1, max(n_splits, 1)):
            cut = record_start(f, max(size * i // n_splits, offsets[-1]))
            if cut is not None and offsets[-1] < cut < size:
                offsets.append(cut)
    offsets.append(size)
    return offsets


@dataclass
class SplitResult:
    """What one range held, in plain Python/numpy values (picklable, no Spark types).

    Local ids are positions in the range's own builder; ``lines`` is how many physical
    lines the range has, so the driver can turn local line numbers into file line numbers.
    """

    split: int
    lines: int
    rows: int
    malformed: int
    malformed_lines: list[int]
    malformed_examples: list[str]
    not_utf8: int  # of the malformed lines, those that are not UTF-8 (the summary's hint)
    artists: list[tuple[int, str]]  # (local artist id, normalised artist)
    tracks: list[tuple[int, int, str]]  # (local track id, local artist id, normalised title)
    raws: list[tuple[int, int, str, str, int]]  # (raw id, track id, title, artist spelling, rows)
    playlists: list[tuple[int, str, str, int]]  # (local playlist id, key, name, rows)
    pairs: np.ndarray  # int64 (n, 2): distinct (local track id, local playlist id)


def parse_split(path: str, split: int, start: int, end: int) -> SplitResult:
    """Run the local Zenodo reader over bytes ``[start, end)`` of ``path``."""
    builder = CorpusBuilder(path, "zenodo", strict=False)
    with open_bytes(path) as (stream, _, _):
        stream.seek(start)
        lines = read_records(stream, _Parser(builder), end)
    return _describe(builder, split, lines)


def playlist_key_text(key: object) -> str:
    """A reader's playlist key as one string (same key ⇔ same string)."""
    if isinstance(key, tuple):
        return KEY_SEP.join(_key_part(p) for p in key)
    return _key_part(key)


def _key_part(part: object) -> str:
    return part.decode("utf-8") if isinstance(part, bytes) else str(part)


def _describe(b: CorpusBuilder, split: int, lines: int) -> SplitResult:
    rep = b.report
    artist_keys = list(b._artist_ids)  # insertion order = local artist id
    tracks = [(tid, aid, ntitle) for (aid, ntitle), tid in b._track_ids.items()]
    spellings = list(b._artist_spellings)
    n_rows = len(b.row_raw)
    row_raw = np.frombuffer(b.row_raw, dtype=np.int32) if n_rows else np.zeros(0, np.int32)
    row_pl = np.frombuffer(b.row_playlist, dtype=np.int32) if n_rows else np.zeros(0, np.int32)
    raw_rows = np.bincount(row_raw, minlength=len(b.raw_titles))
    raws = [
        (r, int(b.raw_track[r]), b.raw_titles[r], spellings[b.raw_artist_spelling[r]], int(n))
        for r, n in enumerate(raw_rows.tolist())
    ]
    pl_rows = np.bincount(row_pl, minlength=len(b.playlist_names)).tolist()
    playlists = [
        (pid, playlist_key_text(key), b.playlist_names[pid], pl_rows[pid])
        for key, pid in b.playlist_ids.items()
    ]
    raw_track = (
        np.frombuffer(b.raw_track, dtype=np.int32) if len(b.raw_track) else np.zeros(0, np.int32)
    )
    width = max(len(b.playlist_names), 1)
    flat = np.unique(raw_track[row_raw].astype(np.int64) * width + row_pl)
    pairs = (
        np.stack([flat // width, flat % width], axis=1) if flat.size else np.zeros((0, 2), np.int64)
    )
    return SplitResult(
        split=split,
        lines=lines,
        rows=n_rows,
        malformed=rep.rows_malformed,
        malformed_lines=list(rep.malformed_lines),
        malformed_examples=list(rep.malformed_examples),
        not_utf8=rep.rows_not_utf8,
        artists=list(enumerate(artist_keys)),
        tracks=tracks,
        raws=raws,
        playlists=playlists,
        pairs=pairs,
    )


def write_part(folder: str | Path, name: str, tag: str, part: int, columns: dict) -> None:
    """One task's rows of table ``name``, as ``folder/name/part-NNNNN.parquet``, each row
    tagged with its task (column ``tag`` = ``part``) for the driver's merge."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(folder) / name
    target.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(columns.values())))
    table = pa.table({tag: pa.array(np.full(n, part, dtype=np.int32)), **columns})
    pq.write_table(table, target / f"part-{part:05d}.parquet")


def write_split_tables(result: SplitResult, folder: str | Path) -> tuple:
    """Write a range's tables as Parquet under ``folder/<table>/`` (columnar: no per-row
    pickling between Python and the JVM); return its report part for the driver."""
    import pyarrow as pa

    s = result.split
    i32 = pa.int32()

    def col(values, kind=i32):
        return pa.array(values, kind)

    def write(name: str, columns: dict) -> None:
        write_part(folder, name, "split", s, columns)

    write(
        "artist",
        {
            "aid": col([a for a, _ in result.artists]),
            "akey": col([k for _, k in result.artists], pa.string()),
        },
    )
    t = result.tracks
    write(
        "track",
        {
            "tid": col([x[0] for x in t]),
            "aid": col([x[1] for x in t]),
            "ntitle": col([x[2] for x in t], pa.string()),
        },
    )
    r = result.raws
    write(
        "raw",
        {
            "rid": col([x[0] for x in r]),
            "tid": col([x[1] for x in r]),
            "title": col([x[2] for x in r], pa.string()),
            "spelling": col([x[3] for x in r], pa.string()),
            "rows": col([x[4] for x in r], pa.int64()),
        },
    )
    p = result.playlists
    write(
        "playlist",
        {
            "pid": col([x[0] for x in p]),
            "pkey": col([x[1] for x in p], pa.string()),
            "name": col([x[2] for x in p], pa.string()),
            "rows": col([x[3] for x in p], pa.int64()),
        },
    )
    write(
        "pair",
        {
            "tid": pa.array(result.pairs[:, 0].astype(np.int32)),
            "pid": pa.array(result.pairs[:, 1].astype(np.int32)),
        },
    )
    return (
        s,
        result.lines,
        result.rows,
        result.malformed,
        result.malformed_lines,
        result.malformed_examples,
        result.not_utf8,
    )
