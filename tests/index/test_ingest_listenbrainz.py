"""ListenBrainz listens: sessions, identity by MBID, several inputs, archives, exports.

Every dump here is written by the test, line by line, so each expected value can be read
off the listens above it.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import sqlite3
import tarfile
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
import zstandard

from bot.i18n.labels import playlist_name
from index.build import build_index
from index.corpus import DatasetError
from index.ingest import detect_format, read_dataset
from index.model import PlaylistRef
from index.read.api import SongIndex
from index.spark.compare import table_differences

MBID_A = "aaaaaaaa-0000-4000-8000-000000000001"
MBID_B = "bbbbbbbb-0000-4000-8000-000000000002"
MBID_C = "cccccccc-0000-4000-8000-000000000003"
T0 = 1_740_960_000  # 2025-03-03 00:00:00 UTC


def listen(
    ts: int | float | str,
    user: str,
    artist: str,
    title: str,
    mbid: str | None = None,
    *,
    where: str = "mapping",
    key: str = "listened_at",
    **info: object,
) -> str:
    tm: dict[str, object] = {
        "artist_name": artist,
        "track_name": title,
        "additional_info": dict(info),
    }
    if mbid and where == "mapping":
        tm["mbid_mapping"] = {"recording_mbid": mbid, "recording_name": title}
    elif mbid:
        tm["additional_info"]["recording_mbid"] = mbid  # type: ignore[index]
    return json.dumps(
        {key: ts, "user_id": zlib.crc32(user.encode()), "user_name": user, "track_metadata": tm}
    )


def write_dump(root: Path, months: dict[tuple[int, int], list[str]], kind: str = "full") -> Path:
    """A dump folder like ListenBrainz's: <dump>/listens/<YYYY>/<M>.listens."""
    dump = root / f"listenbrainz-listens-dump-1-20250401-000000-{kind}"
    for (year, month), lines in months.items():
        f = dump / "listens" / str(year) / f"{month}.listens"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("".join(line + "\n" for line in lines))
    return dump


def tar_of(folder: Path, out: Path, compress: str) -> Path:
    """The folder as ListenBrainz publishes it: one archive, months in order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for f in sorted(folder.rglob("*.listens"), key=lambda p: (int(p.parent.name), int(p.stem))):
            tar.add(f, arcname=f"{folder.name}/{f.relative_to(folder).as_posix()}")
    data = buf.getvalue()
    if compress == "xz":
        import lzma

        data = lzma.compress(data)
    elif compress == "zst":
        data = zstandard.ZstdCompressor().compress(data)
    out.write_bytes(data)
    return out


def songs(corpus) -> list[tuple[str, str]]:
    return [
        (corpus.artist_names[a], t)
        for a, t in zip(corpus.track_artist, corpus.track_titles, strict=True)
    ]


def sessions(corpus) -> list[set[str]]:
    """Each session as its set of song titles, in session order."""
    out: list[set[str]] = [set() for _ in range(corpus.n_playlists)]
    for t in range(corpus.n_tracks):
        for p in corpus.playlists_of(t):
            out[p].add(corpus.track_titles[t])
    return out


# ---------------------------------------------------------------------- sessions


def test_a_gap_of_exactly_30_minutes_continues_a_session_and_one_second_more_ends_it(
    tmp_path: Path,
) -> None:
    dump = write_dump(
        tmp_path,
        {
            (2025, 3): [
                listen(T0, "ann", "A", "one"),
                listen(T0 + 1800, "ann", "A", "two"),  # exactly 30 min: same session
                listen(T0 + 1800 + 1801, "ann", "A", "three"),  # 30 min 1 s: a new one
                listen(T0 + 1800 + 1801 + 60, "ann", "A", "one"),  # a repeat counts once
            ]
        },
    )
    c = read_dataset(dump, progress=False)
    assert sessions(c) == [{"one", "two"}, {"three", "one"}]
    assert c.playlist_dates.tolist() == [T0, T0 + 3601]
    assert c.report.duplicate_rows == 0 and c.report.rows_read == 4


def test_sessions_run_across_month_files_and_users_never_share_one(tmp_path: Path) -> None:
    feb_end = 1_740_787_200 - 600  # 2025-02-28 23:50 UTC
    dump = write_dump(
        tmp_path,
        {
            (2025, 2): [
                listen(feb_end, "ann", "A", "late"),
                listen(feb_end + 100, "bob", "B", "x"),
            ],
            (2025, 3): [
                listen(feb_end + 1200, "ann", "A", "early"),
                listen(feb_end + 1300, "bob", "B", "y"),
            ],
        },
    )
    c = read_dataset(dump, progress=False)
    assert sorted(map(sorted, sessions(c))) == [["early", "late"], ["x", "y"]]


def test_sessions_join_a_full_dump_and_the_incremental_after_it(tmp_path: Path) -> None:
    lines = [listen(T0 + 60 * i, "ann", "A", f"song {i % 4}") for i in range(10)]
    lines += [listen(T0 + 86_400 + 60 * i, "bob", "A", f"song {i % 3}") for i in range(6)]
    whole = write_dump(tmp_path / "whole", {(2025, 3): lines})
    full = write_dump(tmp_path / "split", {(2025, 3): lines[:7]}, "full")
    incr = write_dump(tmp_path / "split", {(2025, 3): lines[7:]}, "incremental")
    a, b = tmp_path / "whole.sqlite", tmp_path / "split.sqlite"
    build_index(whole, a, progress=False, min_shared=1, min_playlists=1)
    build_index([full, incr], b, progress=False, min_shared=1, min_playlists=1)
    assert table_differences(a, b) == {
        t: 0 for t in ("artists", "tracks", "playlists", "memberships")
    }
    with sqlite3.connect(b) as conn:
        assert conn.execute("SELECT count(*) FROM playlists").fetchone() == (2,)  # not 3
        got = conn.execute("SELECT * FROM neighbours ORDER BY 1, 2").fetchall()
    with sqlite3.connect(a) as conn:
        assert conn.execute("SELECT * FROM neighbours ORDER BY 1, 2").fetchall() == got


# ---------------------------------------------------------------------- identity


def test_listens_without_an_mbid_join_the_mbid_their_spelling_carries_most(tmp_path: Path) -> None:
    dump = write_dump(
        tmp_path,
        {
            (2025, 3): [
                listen(T0, "ann", "Daft Punk", "One More Time", MBID_B),
                listen(T0 + 10, "ann", "daft punk", "one more  time"),  # no MBID: joins B
                listen(T0 + 20, "bob", "Daft Punk", "One More Time", MBID_A, where="info"),
                listen(T0 + 30, "bob", "Daft Punk", "One More Time", MBID_B),
                listen(T0 + 40, "cat", "Daft Punk", "One More Time (Live)", MBID_C),
                listen(T0 + 50, "cat", "Air", "La Femme d'Argent"),  # never an MBID: by name
                listen(T0 + 60, "cat", "AIR", "la femme d'argent"),
            ]
        },
    )
    c = read_dataset(dump, progress=False)
    assert songs(c) == [
        ("Daft Punk", "One More Time"),
        ("Daft Punk", "One More Time"),
        ("Daft Punk", "One More Time (Live)"),
        ("Air", "La Femme d'Argent"),
    ]
    assert c.track_mbids == [MBID_B, MBID_A, MBID_C, None]
    assert c.track_playlist_counts.tolist() == [2, 1, 1, 1]  # B: ann's and bob's sessions


def test_an_artist_credit_merged_away_by_mbid_names_no_other_artist(tmp_path: Path) -> None:
    """ "Daft Punk feat. X" listens join the recording credited to Daft Punk; that spelling
    must not become the name of another artist (here Air, made just before it)."""
    lines = [listen(T0, "ann", "Air", "Sexy Boy")]
    lines += [listen(T0 + 10 + i, "ann", "Daft Punk feat. X", "Song", MBID_A) for i in range(2)]
    lines += [listen(T0 + 20 + i, "bob", "Daft Punk", "Song", MBID_A) for i in range(3)]
    c = read_dataset(write_dump(tmp_path, {(2025, 3): lines}), progress=False)
    assert songs(c) == [("Air", "Sexy Boy"), ("Daft Punk", "Song")]
    assert c.artist_names == ["Air", "Daft Punk"]


def test_a_tie_between_mbids_goes_to_the_smallest(tmp_path: Path) -> None:
    dump = write_dump(
        tmp_path,
        {
            (2025, 3): [
                listen(T0, "ann", "X", "Song", MBID_B),
                listen(T0 + 9000, "ann", "X", "Song", MBID_A),
                listen(T0 + 18000, "ann", "x", "song"),
            ]
        },
    )
    c = read_dataset(dump, progress=False)
    untagged_session = 2
    (track,) = [t for t in range(c.n_tracks) if untagged_session in c.playlists_of(t)]
    assert c.track_mbids[track] == MBID_A


def test_a_zenodo_file_and_a_dump_build_one_catalogue_merged_by_identity(tmp_path: Path) -> None:
    csv = tmp_path / "spotify_dataset.csv"
    user = "9cc0cfd4d7d7885102480dd99e7a90d6"
    csv.write_text(
        '"user_id", "artistname", "trackname", "playlistname"\n'
        f'"{user}","Daft Punk","One More Time","Starred"\n'
        f'"{user}","Air","Sexy Boy","Starred"\n'
    )
    dump = write_dump(
        tmp_path,
        {
            (2025, 3): [
                listen(T0, "ann", "Daft Punk", "One More Time", MBID_A),
                listen(T0 + 5, "ann", "Air", "Kelly Watch the Stars"),
            ]
        },
    )
    c = read_dataset([csv, dump], progress=False)
    assert songs(c) == [
        ("Daft Punk", "One More Time"),
        ("Air", "Sexy Boy"),
        ("Air", "Kelly Watch the Stars"),
    ]
    assert c.track_mbids == [MBID_A, None, None]
    assert c.track_playlist_counts.tolist() == [2, 1, 1]  # the playlist and the session
    assert [s.format for s in c.report.sources] == ["zenodo", "listenbrainz"]
    assert c.playlist_names[0] == "Starred" and c.playlist_dates.tolist() == [-1, T0]


# ---------------------------------------------------------------------- malformed


BAD_LINES = [
    "not json at all",
    '{"listened_at": 1740960000, "track_metadata": {"artist_name": "", "track_name": "x"}}',
    '{"listened_at": 1740960000, "track_metadata": {"artist_name": "A"}}',
    '{"listened_at": "1740960000", "track_metadata": {"artist_name": "A", "track_name": "x"}}',
    '{"listened_at": 1740960000.5, "track_metadata": {"artist_name": "A", "track_name": "x"}}',
    '{"listened_at": true, "track_metadata": {"artist_name": "A", "track_name": "x"}}',
    "[1, 2, 3]",
    '{"listened_at": 1740960000, "track_metadata": {"artist_name": "A", "track_name": "x"',
]


def test_malformed_lines_are_counted_with_their_line_and_the_rest_is_read(tmp_path: Path) -> None:
    good = [listen(T0 + i, "ann", "A", f"s{i}") for i in range(3)]
    lines = [good[0], *BAD_LINES, good[1], good[2]]
    dump = write_dump(tmp_path, {(2025, 3): lines})
    c = read_dataset(dump, progress=False)
    assert c.report.rows_malformed == len(BAD_LINES)
    assert c.report.malformed_lines == list(range(2, 2 + len(BAD_LINES)))
    assert c.report.malformed_examples[0].startswith("listens/2025/3.listens: not json")
    assert c.n_tracks == 3 and c.report.rows_read == 3 + len(BAD_LINES)
    with pytest.raises(DatasetError, match=r"listens/2025/3.listens: line 2 is not a valid row"):
        read_dataset(dump, strict=True, progress=False)


def test_odd_but_valid_listens_are_read(tmp_path: Path) -> None:
    """Types ListenBrainz does not promise in optional fields never lose a listen."""
    lines = [
        listen(T0, "ann", "A", "int time"),
        listen(float(T0 + 1), "ann", "A", "export float time"),  # users' exports
        listen(T0 + 2, "ann", "A", "timestamp key", key="timestamp"),  # current dumps
        json.dumps(
            {
                "listened_at": T0 + 3,
                "track_metadata": {
                    "artist_name": "A",
                    "track_name": "info is text",
                    "additional_info": "?",
                },
            }
        ),
        json.dumps(
            {
                "listened_at": T0 + 4,
                "user_id": [1],
                "track_metadata": {
                    "artist_name": "A",
                    "track_name": "odd user",
                    "mbid_mapping": {"recording_mbid": 7},
                },
            }
        ),
        listen(
            T0 + 5,
            "ann",
            "A",
            "links",
            isrc="gbduw0000059",
            spotify_id="https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV",
        ),
        "",
    ]
    c = read_dataset(write_dump(tmp_path, {(2025, 3): lines}), progress=False)
    assert c.report.rows_malformed == 0 and c.n_tracks == 6
    links = c.track_titles.index("links")
    assert c.track_isrcs[links] == "GBDUW0000059"
    assert c.track_uris[links] == "spotify:track:0DiWol3AO6WpXZgp0goxAV"


# ---------------------------------------------------------------------- archives and exports


def _sample_dump(tmp_path: Path) -> Path:
    months = {}
    for m in (1, 2, 11):
        months[(2025, m)] = [
            listen(
                T0 + m * 3_000_000 + 40 * i,
                f"user{i % 3}",
                f"Artist {i % 5}",
                f"Song {i % 11}",
                MBID_A if i % 7 == 0 else None,
            )
            for i in range(60)
        ]
    months[(2025, 2)].insert(5, "{broken")
    return write_dump(tmp_path, months)


@pytest.mark.parametrize("tools", [True, False], ids=["system-tools", "python-libraries"])
@pytest.mark.parametrize("compress", ["xz", "zst", "gz"])
def test_an_archive_builds_the_same_index_as_its_folder(
    tmp_path: Path, compress: str, tools: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not tools:
        monkeypatch.setattr("index.ingest.listen_files.TOOLS", {})
    dump = _sample_dump(tmp_path)
    archive = tar_of(dump, tmp_path / f"dump.tar.{compress}", compress)
    assert detect_format(archive) == detect_format(dump) == "listenbrainz"
    a, b = tmp_path / "folder.sqlite", tmp_path / "archive.sqlite"
    build_index(dump, a, progress=False)
    build_index(archive, b, progress=False)
    assert table_differences(a, b) == {
        t: 0 for t in ("artists", "tracks", "playlists", "memberships")
    }
    with sqlite3.connect(a) as ca, sqlite3.connect(b) as cb:
        q = "SELECT * FROM neighbours ORDER BY 1, 2"
        assert ca.execute(q).fetchall() == cb.execute(q).fetchall()
        meta = "SELECT value FROM meta WHERE key IN ('rows_malformed', 'sessions')"
        assert ca.execute(meta).fetchall() == cb.execute(meta).fetchall()


@pytest.mark.parametrize("tools", [True, False], ids=["system-tools", "python-libraries"])
def test_a_truncated_archive_ends_in_one_sentence(
    tmp_path: Path, tools: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not tools:
        monkeypatch.setattr("index.ingest.listen_files.TOOLS", {})
    dump = _sample_dump(tmp_path)
    for compress in ("xz", "zst"):
        archive = tar_of(dump, tmp_path / f"d.tar.{compress}", compress)
        cut = tmp_path / f"cut.tar.{compress}"
        cut.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
        with pytest.raises(DatasetError, match="truncated or corrupt") as exc:
            read_dataset(cut, progress=False)
        assert "\n" not in str(exc.value)


def test_a_users_export_reads_as_zip_json_array_or_payload(tmp_path: Path) -> None:
    rows = [
        {
            "listened_at": float(T0 + 60 * i),
            "track_metadata": {"artist_name": "A", "track_name": f"t{i % 3}"},
        }
        for i in range(6)
    ]
    zpath = tmp_path / "export.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("listens/2025/3.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
        z.writestr("feedback.jsonl", "")
    array = tmp_path / "listens.json"
    array.write_text(json.dumps(rows))
    payload = tmp_path / "import.json"
    payload.write_text(json.dumps({"listen_type": "import", "payload": rows}))
    for path in (zpath, array, payload):
        assert detect_format(path) == "listenbrainz"
        c = read_dataset(path, progress=False)
        assert c.n_playlists == 1 and c.n_tracks == 3, path.name  # one user, one session


# ---------------------------------------------------------------------- what reaches the index


def test_the_index_never_holds_a_user_and_why_names_a_session_by_its_day(tmp_path: Path) -> None:
    dump = write_dump(
        tmp_path,
        {
            (2025, 3): [
                listen(T0 + 3600 * 10 + i, "secret-listener-name", "A", f"s{i % 2}")
                for i in range(4)
            ]
        },
    )
    out = tmp_path / "lb.sqlite"
    build_index(dump, out, progress=False, min_shared=1, min_playlists=1)
    assert b"secret-listener-name" not in out.read_bytes()
    idx = SongIndex.open(out)
    why = idx.why(1, 2)
    assert why.shared == 1 and why.examples == [PlaylistRef(day=date(2025, 3, 3))]
    assert [playlist_name(p) for p in why.examples] == ["a listening session on 3 March 2025"]
    assert "ListenBrainz listens up to 2025-03-03, CC0" in "\n".join(
        __import__("index.sources", fromlist=["describe"]).describe(idx.stats.meta)
    )
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT date FROM playlists").fetchall() == [("2025-03-03",)]
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
            "2",
        )


# ---------------------------------------------------------------------- how the files are read


def _corpus_facts(c) -> tuple:
    return (
        songs(c),
        c.track_mbids,
        c.track_isrcs,
        c.track_uris,
        c.playlist_dates.tolist(),
        c.indptr.tolist(),
        c.indices.tolist(),
        c.report.rows_malformed,
        c.report.malformed_lines,
        c.report.malformed_examples,
    )


def test_reading_month_files_on_several_cores_gives_the_sequential_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    months = {}
    for m in range(1, 7):
        months[(2024, m)] = [
            listen(
                1_704_067_200 + m * 2_600_000 + 50 * i,
                f"user{(i * m) % 5}",
                f"Artist {i % 4}",
                f"Song {(i * m) % 13}",
                MBID_A if (i + m) % 9 == 0 else None,
                isrc="GBDUW0000059" if i % 17 == 0 else None,
                spotify_id="spotify:track:0DiWol3AO6WpXZgp0goxAV" if i % 19 == 0 else None,
            )
            for i in range(80)
        ]
        months[(2024, m)].insert(m, '{"listened_at": "bad"}')
    dump = write_dump(tmp_path, months)
    from index.ingest import listen_parallel

    monkeypatch.setattr(listen_parallel, "workers_for", lambda files, total: 1)
    one = _corpus_facts(read_dataset(dump, progress=False))
    monkeypatch.setattr(listen_parallel, "workers_for", lambda files, total: 3)
    monkeypatch.setattr(
        "index.ingest.listenbrainz.workers_for", lambda files, total: 3, raising=True
    )
    three = _corpus_facts(read_dataset(dump, progress=False))
    assert three == one
    assert one[7] == 6
    # With --strict the first bad line in file order stops the build, whichever reader
    # met one first.
    with pytest.raises(DatasetError, match=r"listens/2024/1.listens: line 2 is not a valid"):
        read_dataset(dump, strict=True, progress=False)
    # Readers still waiting for their turn, and any still reading, are gone with the error.
    assert multiprocessing.active_children() == []


def test_block_boundaries_inside_lines_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = _sample_dump(tmp_path)
    whole = _corpus_facts(read_dataset(dump, progress=False))
    from index.ingest import listen_lines

    for size in (7, 64, 333):
        monkeypatch.setattr(listen_lines, "BLOCK_BYTES", size)
        assert _corpus_facts(read_dataset(dump, progress=False)) == whole, size
    assert whole[7] == 1 and whole[8] == [6]  # the broken line, numbered within its file


def test_the_build_command_takes_several_inputs_and_a_session_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    lines = [listen(T0 + 600 * i, "ann", "A", f"s{i % 3}") for i in range(6)]
    full = write_dump(tmp_path / "a", {(2025, 3): lines[:3]}, "full")
    incr = write_dump(tmp_path / "b", {(2025, 3): lines[3:]}, "incremental")
    out = tmp_path / "out" / "lb.sqlite"
    assert main(["index", "build", str(full), str(incr), "-o", str(out), "--quiet"]) == 0
    assert "listening sessions: 1," in capsys.readouterr().out  # 10-minute gaps: one session
    assert (
        main(
            [
                "index",
                "build",
                str(full),
                str(incr),
                "-o",
                str(out),
                "--quiet",
                "--session-gap",
                "300",
            ]
        )
        == 0
    )
    assert "listening sessions: 6," in capsys.readouterr().out
    with sqlite3.connect(out) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["session_gap"] == "300" and meta["source"] == f"{full.name} + {incr.name}"
    assert [s["name"] for s in json.loads(meta["sources"])] == [full.name, incr.name]
