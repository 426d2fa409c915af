"""The Spark engine reads ListenBrainz dump folders like the local engine (executors only).

A small full dump and an incremental dump after it are written to a temporary folder:
a few dozen listeners (ids and a name-only one, so users rank numerically then by name),
sessions that run across two month files and across the two dumps, gaps of exactly
1800 s (same session) and 1801 s (a new one), recording MBIDs on some listens only
(untagged listens join the MBID their name carries most; a tie goes to the smallest),
spelling variants, Spotify ids and ISRCs, and malformed lines. Both engines build it; the
tables must be identical row for row, the malformed lines counted alike, and the Spark
build's neighbours recall@10 ≥ 0.95 of exact with exact stored scores. The Spark build
runs with the driver's reader switched off: the dump can only have been read by the
executors. A Zenodo file beside a dump (mixed formats) is read by the driver, and must
give the local build's tables too. Skipped only when PySpark or Java is missing.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.spark.session import SparkUnavailable, check_spark_available

T0 = int(datetime(2023, 1, 30, 12, tzinfo=UTC).timestamp())
FULL_CUTOFF = int(datetime(2023, 1, 31, 6, tzinfo=UTC).timestamp())  # incremental dump after
MBID_A = "aaaaaaaa-0000-4000-8000-000000000001"
MBID_B = "bbbbbbbb-0000-4000-8000-000000000002"
MBID_LIVE = "cccccccc-0000-4000-8000-000000000003"
MALFORMED = [
    "{not json",
    '{"user_id": 5, "listened_at": 1675000000, "track_metadata": {"artist_name": "X"}}',
    '{"user_id": 5, "listened_at": "yesterday", '
    '"track_metadata": {"artist_name": "X", "track_name": "Y"}}',
    '{"user_id": 5, "listened_at": 1675000000, '
    '"track_metadata": {"artist_name": "  ", "track_name": "Y"}}',
]


def _spark_or_skip() -> None:
    try:
        check_spark_available()
    except SparkUnavailable as exc:
        pytest.skip(f"Spark engine not testable here: {exc}")


def _listen(user: object, ts: int, artist: str, title: str, **extra: object) -> dict:
    tm: dict = {"artist_name": artist, "track_name": title}
    info = {k: v for k, v in extra.items() if k in ("spotify_id", "isrc", "recording_mbid")}
    if info:
        tm["additional_info"] = info
    if "mapped" in extra:
        tm["mbid_mapping"] = {"recording_mbid": extra["mapped"]}
    out: dict = {"listened_at": ts, "track_metadata": tm}
    if isinstance(user, int):
        out["user_id"], out["user_name"] = user, f"user{user}"
    else:
        out["user_name"] = user
    return out


def _catalogue(rng: random.Random) -> list[list[tuple[str, str, dict]]]:
    """Songs in taste groups; each song is a list of ways its listens are written."""
    groups = []
    for g in range(6):
        songs = []
        for s in range(25):
            artist, title = f"Artist {g}-{s % 5}", f"Song {g}.{s}"
            ways = [(artist, title, {})]
            if s % 4 == 0:  # spelling variants of one song
                ways.append((f" {artist.upper()} ", f"{title.lower()}  ", {}))
            if s % 7 == 0:
                sid = f"{g:02d}{s:02d}" + "x" * 18
                isrc = f"us-ab{g}-23-{s:05d}"
                ways.append((artist, title, {"spotify_id": f"spotify:track:{sid}", "isrc": isrc}))
            songs.append(ways)
        groups.append(songs)
    # One song tagged on some listens only.
    groups[0][1] = [
        ("Daft Punk", "One More Time", {"mapped": MBID_B}),
        ("Daft Punk", "One More Time", {}),
        ("DAFT PUNK", "one more time", {"recording_mbid": MBID_B.upper()}),
    ]
    return groups


def _write_dump(root: Path) -> tuple[Path, Path]:
    """(full dump folder, incremental dump folder) of the module doc's listens."""
    rng = random.Random(7)
    groups = _catalogue(rng)
    users: list[object] = [*rng.sample(range(3, 400), 34), "zoe", "adam"]
    listens = []
    for n, user in enumerate(users):
        likes = groups[n % len(groups)] + rng.sample(groups[(n + 1) % len(groups)], 6)
        t = T0 + rng.randrange(0, 3600 * 6)
        for _ in range(rng.randrange(8, 14)):
            for _ in range(rng.randrange(3, 9)):
                ways = rng.choice(likes)
                artist, title, extra = ways[rng.randrange(len(ways))]
                listens.append(_listen(user, t, artist, title, **extra))
                t += rng.randrange(30, 400)
            t += rng.choice([1801, 1800 * 3, 3600 * 5])
    # Planted gaps: 1800 s keeps a session, 1801 s starts one (user 1 is nobody else).
    for i, at in enumerate((0, 1800, 3601)):
        listens.append(_listen(1, T0 + 100 + at, "Artist 0-0", f"Song 0.{i}"))
    # Sessions that start in the same second are numbered by user: ids, then names.
    for i, user in enumerate([250, "zoe", 31, "Adam", 7, "adam"]):
        listens += [
            _listen(user, T0 - 86400 + 60 * j, "Artist 3-0", f"Song 3.{i + j}") for j in (0, 1)
        ]
    # A session across the month boundary and one across the two dumps.
    jan31 = int(datetime(2023, 1, 31, 23, 50, tzinfo=UTC).timestamp())
    listens += [_listen(2, jan31 + 300 * i, "Artist 1-1", f"Song 1.{i}") for i in range(5)]
    listens += [
        _listen(2, FULL_CUTOFF - 600 + 300 * i, "Artist 2-2", f"Song 2.{i}") for i in range(5)
    ]
    # One name, two recordings in a tie (2 listens each): its untagged listen, in another
    # session, joins the smaller MBID although the other was met first.
    first = [
        _listen(1, T0 + 9000 + 60 * i, "Tied", "Twice", mapped=m)
        for i, m in enumerate((MBID_LIVE, MBID_A, MBID_LIVE, MBID_A))
    ]
    first.append(_listen(1, T0 + 20000, "Tied", "Twice", recording_mbid="not-an-mbid"))
    full, incr = root / "full", root / "incr"
    files: dict[Path, list[str]] = {}
    for listen in listens:
        when = datetime.fromtimestamp(listen["listened_at"], UTC)
        dump = full if listen["listened_at"] < FULL_CUTOFF else incr
        path = dump / "listens" / str(when.year) / f"{when.month}.listens"
        files.setdefault(path, []).append(json.dumps(listen))
    for k, (path, lines) in enumerate(sorted(files.items())):
        rng.shuffle(lines)  # sessions must not depend on the order of lines
        if k == 0:
            lines[:0] = [json.dumps(listen) for listen in first]
        at = len(lines) // 2
        lines[at:at] = MALFORMED[k % len(MALFORMED) :: 2]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return full, incr


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(inputs, local index, Spark index) of the dump pair."""
    _spark_or_skip()
    from index.build import build_index
    from index.spark.engine import spark_build
    from index.spark.session import get_session

    get_session("local[2]", shuffle_partitions=2)
    inputs = list(_write_dump(tmp_path_factory.mktemp("dump")))
    folder = tmp_path_factory.mktemp("out")
    local, spark, pq = folder / "local.sqlite", folder / "spark.sqlite", folder / "parquet"
    build_index(inputs, local, method="exact", progress=False)

    def refuse(*args, **kwargs):
        raise AssertionError("the driver read the dump: executors must")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("index.spark.engine.read_dataset", refuse)
        spark_build(
            inputs,
            spark,
            master="local[2]",
            shuffle_partitions=2,
            exact_below=60,  # low, so both the exact and the LSH path answer queries
            parquet_dir=pq,
            progress=False,
        )
    return inputs, local, spark, pq


def _meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT key, value FROM meta"))


def test_tables_identical_to_local_build(builds) -> None:
    from index.spark.compare import table_differences

    _, local, spark, _ = builds
    assert set(table_differences(local, spark).values()) == {0}
    with sqlite3.connect(local) as c:
        sessions = c.execute("SELECT count(*) FROM playlists").fetchone()[0]
    assert sessions > 300


def test_malformed_lines_counted_like_local(builds) -> None:
    _, local, spark, _ = builds
    lm, sm = _meta(local), _meta(spark)
    for key in ("rows_read", "rows_malformed", "malformed_lines", "duplicate_rows", "tracks"):
        assert sm[key] == lm[key], key
    for key in ("source", "sources", "sessions", "session_gap"):  # schema v2's, when there
        assert sm.get(key) == lm.get(key), key
    assert int(sm["rows_malformed"]) == 5
    assert sm["engine_params"].count('"splits": 3')  # a task per listens file


def test_mbids_isrcs_and_session_starts_like_local(builds) -> None:
    """What schema v2 stores beside the v1 tables: per song its MBID and ISRC, per
    session its start (compared on the Parquet hand-off, whatever the schema)."""
    import numpy as np

    from index.ingest import read_dataset
    from index.spark.load import load_corpus

    inputs, _, _, pq = builds
    want = read_dataset(inputs, progress=False)
    got = load_corpus(pq, want.report)
    assert got.track_mbids == want.track_mbids
    assert got.track_isrcs == want.track_isrcs
    assert np.array_equal(got.playlist_dates, want.playlist_dates)
    assert got.track_mbids.count(MBID_B) == 1  # tagged and untagged "One More Time" are one
    assert {MBID_A, MBID_LIVE} <= set(got.track_mbids)  # one name, two recordings


def test_recall_and_exact_scores(builds) -> None:
    from index.build.exact import exact_neighbours
    from index.ingest import read_dataset
    from index.spark.compare import recall_at

    inputs, _, spark, _ = builds
    corpus = read_dataset(inputs, progress=False)
    exact = exact_neighbours(corpus.indptr, corpus.indices, corpus.n_playlists, progress=False)
    got = recall_at(spark, exact, corpus.indptr, corpus.indices)
    assert got.queries > 100
    assert got.recall >= 0.95
    assert got.max_score_error < 1e-9
    assert 0 < json.loads(_meta(spark)["engine_params"])["lsh_queries"] < got.queries


def test_mixed_inputs_are_read_by_the_driver_like_local(builds, tmp_path) -> None:
    """A Zenodo file beside a dump folder: the driver reads both (``read_dataset``), and
    the songs they share merge as in a local build; playlists come before sessions."""
    from index.build import build_index
    from index.spark.compare import table_differences
    from index.spark.engine import spark_build

    inputs, *_ = builds
    csv = tmp_path / "playlists.csv"
    rows = ['"user_id","artistname","trackname","playlistname"']
    for p in range(12):
        for s in range(p % 4, p % 4 + 6):
            rows.append(f'"{p % 3:032x}","Artist 2-{s % 5}","Song 2.{s}","Mix {p}"')
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mixed = [csv, inputs[1]]
    local, spark = tmp_path / "local.sqlite", tmp_path / "spark.sqlite"
    build_index(mixed, local, method="exact", progress=False)
    spark_build(
        mixed, spark, method="exact", master="local[2]", shuffle_partitions=2, progress=False
    )
    assert set(table_differences(local, spark).values()) == {0}
    with sqlite3.connect(spark) as c:
        kinds = dict(c.execute("SELECT date IS NULL, count(*) FROM playlists GROUP BY 1"))
        first_session = c.execute("SELECT min(playlist_id) FROM playlists WHERE date IS NOT NULL")
        assert first_session.fetchone()[0] == 13
    assert kinds[1] == 12 and kinds[0] > 50
    assert _meta(spark)["format"] == _meta(local)["format"] == "zenodo+listenbrainz"
