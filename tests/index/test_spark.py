"""The Spark engine builds the same index as the local one (issue 8).

One Spark build in ``local[2]`` of a generated Zenodo-format file (with malformed rows,
one not UTF-8, planted in the middle, so they fall inside a later byte range) is compared
with a local build of the same file: identical artists, tracks, playlists and memberships, identical
malformed-row accounting, exact stored scores, and recall@10 >= 0.95 against exact.
The per-task scoring (``index.spark.tasks``) is also checked without Spark: one group's
exact scan equals the local exact engine. Skipped only when PySpark or Java is missing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from index.names import share_an_artist
from index.spark.session import SparkUnavailable, check_spark_available
from index.spark.split_ingest import parse_split, split_offsets

ROOT = Path(__file__).resolve().parents[2]
ROWS = 8000
PLANTED = [
    '"0123456789abcdef0123456789abcdef","Artist","Title","List","extra"',  # 5 fields
    '"not-a-user","Daft Punk","One More Time","x"',  # bad user id
    '"0123456789abcdef0123456789abcdef","Daft Punk","Rhythm Is A Dancer - Original 12"","Mix "/"',
    '"0123456789abcdef0123456789abcdef","Daft Punk","One More Time","Mix "/"',
    '"0123456789abcdef0123456789abcdef","DAFT  PUNK ","one more  time ","Mix "/"',
]

# A row written by a Windows program: not UTF-8, so malformed, and said to be (iconv hint).
LATIN1 = '"0123456789abcdef0123456789abcdef","Beyoncé","Déjà Vu","Été"\n'.encode("latin-1")


def _spark_or_skip() -> None:
    try:
        check_spark_available()
    except SparkUnavailable as exc:
        pytest.skip(f"Spark engine not testable here: {exc}")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """A synthetic Zenodo file with odd rows planted in its middle."""
    folder = tmp_path_factory.mktemp("spark")
    path = folder / "syn.csv"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_synthetic.py"),
            "--rows",
            str(ROWS),
            "--out",
            str(path),
            "--no-measure",
            "--seed",
            "3",
        ],
        check=True,
        capture_output=True,
    )
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    mid = len(lines) * 2 // 3
    planted = "".join(p + "\n" for p in PLANTED).encode() + LATIN1
    path.write_bytes("".join(lines[:mid]).encode() + planted + "".join(lines[mid:]).encode())
    return path


@pytest.fixture(scope="module")
def builds(dataset: Path, tmp_path_factory):
    """(local index, spark index, spark summary) of the same file."""
    _spark_or_skip()
    from index.build import build_index
    from index.spark.engine import spark_build
    from index.spark.session import get_session

    get_session("local[2]", shuffle_partitions=2)  # kept for the tests below

    folder = tmp_path_factory.mktemp("out")
    local = folder / "local.sqlite"
    build_index(dataset, local, method="exact", progress=False)
    spark = folder / "spark.sqlite"
    summary = spark_build(
        dataset,
        spark,
        master="local[2]",
        splits=3,
        shuffle_partitions=2,
        exact_below=60,  # low, so both the exact and the LSH path answer queries
        progress=False,
    )
    return local, spark, summary


def _meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT key, value FROM meta"))


def test_split_offsets_cut_only_at_record_starts(dataset: Path) -> None:
    data = dataset.read_bytes()
    offsets = split_offsets(dataset, 5)
    assert offsets[0] == 0 and offsets[-1] == len(data)
    assert offsets == sorted(set(offsets)) and len(offsets) > 3
    for cut in offsets[1:-1]:
        assert data[cut - 1 : cut] == b"\n"
        assert data[cut : cut + 1] == b'"' and data[cut + 33 : cut + 36] == b'","'


def test_ranges_together_see_every_row_once(dataset: Path) -> None:
    offsets = split_offsets(dataset, 4)
    parts = [parse_split(str(dataset), i, a, b) for i, (a, b) in enumerate(pairwise(offsets))]
    lines = dataset.read_bytes().count(b"\n")
    assert sum(p.lines for p in parts) == lines
    assert sum(p.rows + p.malformed for p in parts) == lines - 1  # minus the header
    assert sum(p.malformed for p in parts) == 3
    assert sum(p.not_utf8 for p in parts) == 1


def test_tables_identical_to_local_build(builds) -> None:
    from index.spark.compare import table_differences

    local, spark, _ = builds
    assert table_differences(local, spark) == {
        "artists": 0,
        "tracks": 0,
        "playlists": 0,
        "memberships": 0,
    }


def test_malformed_rows_counted_like_local(builds) -> None:
    local, spark, summary = builds
    lm, sm = _meta(local), _meta(spark)
    for key in (
        "rows_read",
        "rows_malformed",
        "malformed_lines",
        "duplicate_rows",
        "tracks",
        "playlists",
    ):
        assert sm[key] == lm[key], key
    assert int(sm["rows_malformed"]) == 3
    assert summary.corpus.report.rows_not_utf8 == 1  # the summary says how to convert
    assert summary.corpus.report.malformed_lines == [
        int(n) for n in lm["malformed_lines"].split(",")
    ]


def test_planted_spellings_merge_into_one_track(builds) -> None:
    _, spark, _ = builds
    with sqlite3.connect(spark) as c:
        rows = c.execute(
            "SELECT t.title, a.name, t.playlists FROM tracks t JOIN artists a USING (artist_id) "
            "WHERE lower(t.title) = 'one more time'"
        ).fetchall()
    assert rows == [("One More Time", "Daft Punk", 1)]


def test_recall_and_exact_scores(builds, dataset: Path) -> None:
    from index.build.exact import exact_neighbours
    from index.ingest import read_dataset
    from index.spark.compare import recall_at

    _, spark, _ = builds
    corpus = read_dataset(dataset, progress=False)
    exact = exact_neighbours(corpus.indptr, corpus.indices, corpus.n_playlists, progress=False)
    got = recall_at(spark, exact, corpus.indptr, corpus.indices)
    assert got.queries > 100
    assert got.recall >= 0.95
    assert got.max_score_error < 1e-9
    params = json.loads(_meta(spark)["engine_params"])
    assert 0 < params["lsh_queries"] < got.queries  # both paths were exercised


def test_neighbour_lists_are_well_formed(builds) -> None:
    """Ranks 1..n with the Jaccard top k first, then extras and artist rows; no song twice."""
    _, spark, _ = builds
    meta = _meta(spark)
    k, extras, artist = (int(meta[key]) for key in ("k", "extras", "artist_extras"))
    assert (extras, artist) == (20, 5)  # the defaults, as the local engine stores them
    with sqlite3.connect(spark) as c:
        bad_ranks = c.execute(
            "SELECT count(*) FROM (SELECT track_id, max(rank) m, count(*) n, "
            "count(DISTINCT neighbour_id) d FROM neighbours GROUP BY track_id) "
            "WHERE m != n OR d != n OR m > ?",
            (k + extras + artist,),
        ).fetchone()[0]
        self_links = c.execute(
            "SELECT count(*) FROM neighbours WHERE track_id = neighbour_id"
        ).fetchone()[0]
        # The top k holds the rows sharing min_shared playlists; a song with fewer than k
        # has its artist rows (which may share one) right after them.
        out_of_order = c.execute(
            "SELECT count(*) FROM neighbours a JOIN neighbours b "
            "ON a.track_id = b.track_id AND b.rank = a.rank + 1 AND b.rank <= ? "
            "WHERE a.shared >= 2 AND b.shared >= 2 "
            "AND (b.jaccard > a.jaccard OR (b.jaccard = a.jaccard AND b.shared > a.shared))",
            (k,),
        ).fetchone()[0]
        met_once = c.execute(
            "SELECT ta.name, na.name FROM neighbours n "
            "JOIN tracks t ON t.track_id = n.track_id JOIN artists ta ON ta.artist_id = t.artist_id "
            "JOIN tracks u ON u.track_id = n.neighbour_id "
            "JOIN artists na ON na.artist_id = u.artist_id WHERE n.shared < 2"
        ).fetchall()
        after_k = c.execute("SELECT count(*) FROM neighbours WHERE rank > ?", (k,)).fetchone()[0]
    assert (bad_ranks, self_links, out_of_order) == (0, 0, 0)
    assert met_once and all(share_an_artist(a, b) for a, b in met_once)  # only artist rows
    assert after_k > 0


def test_exact_spark_build_stores_the_local_rows(builds, dataset: Path, tmp_path) -> None:
    """With every query scanned exactly, the Spark index holds the local exact index's rows:
    each song's top k, its extras by shared playlists and its artist rows, scores included."""
    from index.spark.engine import spark_build

    local, _, _ = builds
    out = tmp_path / "spark-exact.sqlite"
    spark_build(
        dataset, out, method="exact", master="local[2]", splits=3, shuffle_partitions=2,
        progress=False,
    )  # fmt: skip
    query = "SELECT track_id, rank, neighbour_id, jaccard, shared FROM neighbours"
    with sqlite3.connect(local) as a, sqlite3.connect(out) as b:
        want = a.execute(f"{query} ORDER BY track_id, rank").fetchall()
        got = b.execute(f"{query} ORDER BY track_id, rank").fetchall()
    k = int(_meta(local)["k"])
    assert sum(r[1] > k for r in want) > 100  # the comparison covers extras and artist rows
    assert got == want
    for key in ("extras", "artist_extras", "k"):
        assert _meta(out)[key] == _meta(local)[key]


def test_bucket_cap_pairs_queries_with_nearest_sizes(builds) -> None:
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from index.spark.neighbours import bucket_windows

    spark = SparkSession.getActiveSession()
    big = [(0, 7, s, s, s == 50) for s in range(2, 100)]  # one bucket of 98 classes
    small = [(1, 7, 1, 2, True), (1, 7, 2, 3, False), (1, 7, 3, 4, True)]  # cls, size
    lonely = [(2, 9, 5, 5, False), (2, 9, 6, 6, False)]  # no query: pairs nobody
    rows = spark.createDataFrame(
        big + small + lonely, "band INT, value LONG, cls INT, size INT, query BOOLEAN"
    )
    # As the signature tasks hand them over: per band, lists in no particular order.
    packed = rows.groupBy("band").agg(
        F.reverse(F.collect_list(F.struct("value", "cls", "size", "query"))).alias("r")
    )
    df = packed.select(
        "band", *(F.col(f"r.{c}").alias(c) for c in ("value", "cls", "size", "query"))
    )
    windows = bucket_windows(df, 10, 3)
    pairs = sorted(tuple(r) for r in windows.select("cls", F.explode("cands")).collect())
    from_big = [p for p in pairs if p[0] == 50]
    assert [c for _, c in from_big] == [c for c in range(45, 56) if c != 50]
    assert [p for p in pairs if p[0] != 50] == [(1, 2), (1, 3), (3, 1), (3, 2)]
    assert windows.count() == 3  # one row per (query, band)


def test_exact_scan_task_matches_local_kernel() -> None:
    """One task's exact scan of a query group equals the local exact engine's answer."""
    import numpy as np

    pa = pytest.importorskip("pyarrow", reason="the Spark extra (pyarrow) is not installed")
    from index.build.exact import exact_neighbours
    from index.spark.tasks import exact_scan_task

    rng = np.random.default_rng(5)
    n_tracks, n_pl = 300, 40
    member = rng.random((n_tracks, n_pl)) < rng.uniform(0.02, 0.3, n_pl)
    member[:, 0] |= rng.random(n_tracks) < 0.9  # one long playlist, skipped by the kernel
    # A private playlist per track makes every set distinct: one track per class.
    sets = [sorted([*np.flatnonzero(member[t]), n_pl + t]) for t in range(n_tracks)]
    indptr = np.zeros(n_tracks + 1, dtype=np.int64)
    np.cumsum([len(x) for x in sets], out=indptr[1:])
    indices = np.concatenate(sets).astype(np.int32)
    want = exact_neighbours(indptr, indices, n_pl + n_tracks, k=5, extras=3, progress=False)
    classes = [t for t in range(n_tracks) if len(sets[t]) >= 2]
    queries = classes[::7]
    rows = [(0, t, sets[t], []) for t in queries]
    for p in sorted({p for t in queries for p in sets[t]}):
        holders = [t for t in classes if p in sets[t]]
        rows.append((1, p, holders, [len(sets[t]) for t in holders]))
    batch = pa.record_batch(
        {
            "kind": pa.array([r[0] for r in rows], pa.int32()),
            "id": pa.array([r[1] for r in rows], pa.int32()),
            "a": pa.array([r[2] for r in rows], pa.list_(pa.int32())),
            "b": pa.array([r[3] for r in rows], pa.list_(pa.int32())),
        }
    )
    (out,) = list(exact_scan_task(iter([batch]), 5, 2, 3))
    columns = ("cls", "cand", "shared", "extra")
    got = sorted(zip(*(out.column(c).to_pylist() for c in columns), strict=True))
    # One track per class here, so the class extras are the tracks' extras (ranks 6..8).
    expected = [
        (t, n, s, r > 5)
        for t, r, n, s in zip(want.track, want.rank, want.neighbour, want.shared, strict=True)
        if t in set(queries)
    ]
    assert sum(row[3] for row in got) > len(queries)
    assert got == sorted(expected)


def test_rerank_task_keeps_the_top_k_by_jaccard_then_extras_by_shared() -> None:
    """The LSH path's re-rank: each query's candidates scored exactly, the top k by
    (Jaccard, shared, id), then the m best others by (shared, Jaccard, id)."""
    import numpy as np

    pa = pytest.importorskip("pyarrow", reason="the Spark extra (pyarrow) is not installed")
    from index.spark.tasks import rerank_task

    rng = np.random.default_rng(7)
    n_sets, n_pl, k, m = 150, 25, 5, 4
    sets = [
        sorted(rng.choice(n_pl, rng.integers(2, 14), replace=False).tolist()) for _ in range(n_sets)
    ]
    queries = list(range(0, n_sets, 11))
    cands = {q: sorted(set(rng.choice(n_sets, 40, replace=False).tolist()) - {q}) for q in queries}
    rows = [(0, q, sets[q], cands[q]) for q in queries]
    rows += [(1, c, sets[c], []) for c in sorted({c for q in queries for c in cands[q]})]
    batch = pa.record_batch(
        {
            "kind": pa.array([r[0] for r in rows], pa.int32()),
            "id": pa.array([r[1] for r in rows], pa.int32()),
            "a": pa.array([r[2] for r in rows], pa.list_(pa.int32())),
            "b": pa.array([r[3] for r in rows], pa.list_(pa.int32())),
        }
    )
    out = pa.Table.from_batches(list(rerank_task(iter([batch]), k, 2, m)))
    got = sorted(
        zip(*(out.column(c).to_pylist() for c in ("cls", "cand", "shared", "extra")), strict=True)
    )
    expected = []
    for q in queries:
        scored = []
        for c in cands[q]:
            s = len(set(sets[q]) & set(sets[c]))
            if s >= 2:
                scored.append((c, s, s / (len(sets[q]) + len(sets[c]) - s)))
        top = sorted(scored, key=lambda x: (-x[2], -x[1], x[0]))[:k]
        rest = sorted(set(scored) - set(top), key=lambda x: (-x[1], -x[2], x[0]))[:m]
        expected += [(q, c, s, False) for c, s, _ in top] + [(q, c, s, True) for c, s, _ in rest]
    assert sum(row[3] for row in expected) > len(queries)  # the case has extras to find
    assert got == sorted(expected)


def test_cli_engine_spark_builds_the_same_tracks(dataset: Path, builds, tmp_path) -> None:
    """`songsim index build --engine spark` is the same engine, reached from the command line."""
    from bot.cli import main

    local, _, _ = builds
    out = tmp_path / "cli-spark.sqlite"
    args = ["index", "build", str(dataset), "-o", str(out), "--engine", "spark", "--quiet"]
    assert main([*args, "--master", "local[2]"]) == 0
    with sqlite3.connect(local) as a, sqlite3.connect(out) as b:
        query = "SELECT track_id, artist_id, title, playlists FROM tracks ORDER BY track_id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
