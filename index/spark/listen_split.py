"""Read one ListenBrainz ``.listens`` file with the local reader, inside a Spark task.

Nothing about a listen is parsed or normalised here: the file goes through
:class:`index.ingest.listen_lines.ListenReader` into a real
:class:`index.ingest.rows.CorpusBuilder`, exactly as the local engine reads it, and this
module writes that builder's state as
Parquet tables for the driver-side merge (:mod:`index.spark.listen_ingest`). Local ids
keep their creation order, so ``(file, local id)`` sorts the way the local reader, going
through the same files in the same order, would first have met each spelling, song name
and artist; that is what makes the merged ids equal to a local build's.

Tables (one part file per listens file, each row tagged with the file's index ``f``)::

    spell   f, rid, nid, aid, akey, ntitle, title, spelling, mbid, rows
    listen  f, rid, uname, unum, utext, ts   (the listener: a number, else a name)
    uri     f, rid, value, n, pos      (Spotify URIs; ``pos``: first pair in the file)
    isrc    f, rid, value, n, pos
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.ingest.assemble import as_array
from index.ingest.listen_lines import ListenReader
from index.ingest.rows import CorpusBuilder
from index.spark.split_ingest import write_part

FORMAT = "listenbrainz"
TABLES = ("spell", "listen", "uri", "isrc")
INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True)
class ListenFile:
    """One listens file of one input, as a task receives it."""

    f: int  # position among every listens file of the build, in reading order
    source: int  # which input (0-based) the file belongs to
    source_name: str  # that input's name, as the local build names it
    path: str  # the file, at a path every executor can read
    label: str  # its name inside the input (``listens/2020/1.listens``)


@dataclass
class FilePart:
    """What a file gave, beside its tables: its listens, malformed lines, newest time."""

    f: int
    source: int
    listens: int
    malformed: int
    malformed_lines: list[int]
    malformed_examples: list[str]
    newest: int | None


def read_listen_file(job: ListenFile) -> CorpusBuilder:
    """The builder the local reader fills from ``job``'s file (module doc)."""
    builder = CorpusBuilder(job.source_name, FORMAT, strict=False)
    builder.start_input(job.source_name, FORMAT)
    # The local reader names an input's default listener by the inputs read so far.
    reader = ListenReader(builder, default_user="\x00export:" + str(job.source + 1))
    with open(job.path, "rb") as stream:
        reader.read_lines(stream, job.label, lambda: 0)
    return builder


def user_key(key: object) -> tuple[bool, int, str]:
    """A listener's key as (is a name, number, name): equal keys give equal triples in
    every file, and the triples sort as the local build ranks users (ids numerically,
    then names)."""
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    if isinstance(key, int) and -INT64_MAX <= key <= INT64_MAX:
        return False, int(key), ""
    return True, 0, key if isinstance(key, str) else str(key)


def _value_pairs(
    raw: np.ndarray, val: np.ndarray, texts: list[str]
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Distinct (raw, value) pairs: raw ids, value texts, counts, first positions."""
    if not len(raw):
        return np.zeros(0, np.int32), [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = int(val.max()) + 1
    key = raw.astype(np.int64) * width + val
    uniq, first, count = np.unique(key, return_index=True, return_counts=True)
    vals = (uniq % width).tolist()
    return (uniq // width).astype(np.int32), [texts[v] for v in vals], count, first


def write_listen_tables(job: ListenFile, folder: str | Path) -> FilePart:
    """Read ``job``'s file and write its tables under ``folder/<table>/``; return its part."""
    import pyarrow as pa

    b = read_listen_file(job)
    f = job.f

    def write(name: str, columns: dict) -> None:
        write_part(folder, name, "f", f, columns)

    n_raw = len(b.raw_titles)
    listen_raw = as_array(b.listen_raw)
    raw_track, raw_artist = as_array(b.raw_track), as_array(b.raw_artist)
    artist_keys = list(b._artist_ids)  # insertion order = local artist id
    ntitles = [""] * len(b._track_ids)
    for (_aid, ntitle), tid in b._track_ids.items():
        ntitles[tid] = ntitle
    spellings = list(b._artist_spellings)
    mbids = list(b.mbid_ids)
    write(
        "spell",
        {
            "rid": pa.array(np.arange(n_raw, dtype=np.int32)),
            "nid": pa.array(raw_track),
            "aid": pa.array(raw_artist),
            "akey": pa.array([artist_keys[a] for a in raw_artist.tolist()], pa.string()),
            "ntitle": pa.array([ntitles[t] for t in raw_track.tolist()], pa.string()),
            "title": pa.array(b.raw_titles, pa.string()),
            "spelling": pa.array(
                [spellings[s] for s in as_array(b.raw_artist_spelling).tolist()], pa.string()
            ),
            "mbid": pa.array(
                [mbids[m] if m >= 0 else None for m in as_array(b.raw_mbid).tolist()], pa.string()
            ),
            "rows": pa.array(np.bincount(listen_raw, minlength=n_raw).astype(np.int64)),
        },
    )
    keys = [user_key(k) for k in b.user_ids]  # local user id -> key
    user = as_array(b.listen_user)
    ts = as_array(b.listen_ts, np.int64)
    write(
        "listen",
        {
            "rid": pa.array(listen_raw),
            "uname": pa.array(np.array([k[0] for k in keys], dtype=bool)[user]),
            "unum": pa.array(np.array([k[1] for k in keys], dtype=np.int64)[user]),
            # Names repeat per listen; dictionary-encoded, Parquet stores each once.
            "utext": pa.DictionaryArray.from_arrays(
                pa.array(user), pa.array([k[2] for k in keys], pa.string())
            ).cast(pa.string()),
            "ts": pa.array(ts),
        },
    )
    for name, raw, val, texts in (
        ("uri", b.uri_raw, b.uri_val, b.uris),
        ("isrc", b.isrc_raw, b.isrc_val, b.isrcs),
    ):
        rid, values, count, first = _value_pairs(as_array(raw), as_array(val), texts)
        write(
            name,
            {
                "rid": pa.array(rid),
                "value": pa.array(values, pa.string()),
                "n": pa.array(count.astype(np.int64)),
                "pos": pa.array(first.astype(np.int64)),
            },
        )
    rep = b.report
    return FilePart(
        f=f,
        source=job.source,
        listens=len(ts),
        malformed=rep.rows_malformed,
        malformed_lines=list(rep.malformed_lines),
        malformed_examples=list(rep.malformed_examples),
        newest=int(ts.max()) if len(ts) else None,
    )
