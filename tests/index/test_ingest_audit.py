"""Inputs and settings at their edges: the build finishes, or says in one sentence why not."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from index.build import build_index


def small_csv(path: Path) -> Path:
    """Five playlists over six songs: every song has neighbours at the defaults."""
    rows = ["playlist,artist,track"]
    for p in range(5):
        rows += [f"p{p},A,song {(p + t) % 6}" for t in range(3)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def neighbour_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM neighbours").fetchone()[0]


def test_counts_above_the_catalogue_build_as_if_they_were_its_size(tmp_path) -> None:
    """--k 2147483647 (or an extras count past int64) sized arrays by the request: 'ran out
    of memory' or numpy's 'Maximum allowed dimension exceeded' on a 15-row file."""
    data = small_csv(tmp_path / "p.csv")
    build_index(data, tmp_path / "all.sqlite", k=5, extras=5, artist_extras=5, progress=False)
    huge = {"k": 2**31 - 1, "extras": 10**20, "artist_extras": 2**63}
    build_index(data, tmp_path / "huge.sqlite", progress=False, **huge)
    assert neighbour_rows(tmp_path / "huge.sqlite") == neighbour_rows(tmp_path / "all.sqlite") > 0


def test_method_exact_takes_counts_above_the_catalogue_too(tmp_path) -> None:
    data = small_csv(tmp_path / "p.csv")
    build_index(data, tmp_path / "x.sqlite", method="exact", k=2**40, progress=False)
    assert neighbour_rows(tmp_path / "x.sqlite") > 0


@pytest.mark.parametrize("n_tracks", [0, 1, 2, 50])
def test_capped_options_never_go_below_their_least(n_tracks) -> None:
    from index.build.options import DEFAULTS, LEAST

    capped = DEFAULTS.capped(n_tracks)
    assert capped.k >= LEAST["k"] and capped.extras >= 0 and capped.artist_extras >= 0
    assert capped.k <= max(DEFAULTS.k, 1)


@pytest.mark.parametrize("force", [False, True])
def test_an_output_that_is_a_pipe_or_device_is_never_replaced(tmp_path, force) -> None:
    """'-o /dev/full' (or a FIFO) built and renamed the index over the device, as root."""
    from index.build.output import OutputRefused

    data = small_csv(tmp_path / "p.csv")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputRefused, match="device, pipe or socket"):
        build_index(data, fifo, progress=False, force=force)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert {p.name for p in tmp_path.iterdir()} == {"p.csv", "fifo"}


def _archives(tmp_path: Path) -> dict[str, Path]:
    """One CSV packed the ways people pack files: alone, and in tars."""
    import gzip
    import io
    import lzma
    import tarfile

    import zstandard

    data = small_csv(tmp_path / "p.csv").read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("playlists/p.csv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    tar_bytes = buf.getvalue()
    packed = {
        "p.csv.xz": lzma.compress(data),
        "p.csv.zst": zstandard.ZstdCompressor().compress(data),
        "p.tar": tar_bytes,
        "p.tar.xz": lzma.compress(tar_bytes),
        "p.tar.zst": zstandard.ZstdCompressor().compress(tar_bytes),
        "p.tar.gz": gzip.compress(tar_bytes),
    }
    out = {}
    for name, blob in packed.items():
        out[name] = tmp_path / name
        out[name].write_bytes(blob)
    return out


@pytest.mark.parametrize("name", ["p.csv.xz", "p.csv.zst"])
def test_one_compressed_csv_says_to_decompress_it(tmp_path, name) -> None:
    """It said 'is a xz archive but no ListenBrainz listens file could be read from it: it
    is truncated or corrupt, or holds something else' of a sound .csv.xz."""
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    with pytest.raises(DatasetError) as exc:
        read_dataset(_archives(tmp_path)[name], progress=False)
    text = str(exc.value)
    assert "decompress it first" in text and "corrupt" not in text and "\n" not in text


@pytest.mark.parametrize("name", ["p.tar", "p.tar.xz", "p.tar.zst", "p.tar.gz"])
def test_a_tar_of_csv_files_says_to_unpack_it(tmp_path, name) -> None:
    """A .tar.gz said 'its first line holds NUL bytes', a .tar/.tar.xz 'truncated or
    corrupt, or holds something else'."""
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    with pytest.raises(DatasetError) as exc:
        read_dataset(_archives(tmp_path)[name], progress=False)
    text = str(exc.value)
    assert "tar archive" in text and f"tar -xf {name}" in text, text
    assert "corrupt" not in text and "NUL" not in text and "\n" not in text
    if name != "p.tar.gz":
        assert "playlists/p.csv" in text


@pytest.mark.parametrize("name", ["p.tar.xz", "p.tar.zst", "p.csv.zst"])
def test_a_cut_short_archive_is_called_truncated(tmp_path, name) -> None:
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    path = _archives(tmp_path)[name]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        read_dataset(path, progress=False)


def _rows(n: int, playlist: str = "p") -> list[str]:
    return [f"{playlist}{i % 5},Artist {i % 3},Song {i % 7}" for i in range(n)]


@pytest.mark.parametrize("where", ["first row", "middle", "before a quoted name"])
def test_a_quote_never_closed_costs_its_own_row_only(tmp_path, where) -> None:
    """A stray opening quote made the csv module read every later line into one field:
    1,000 rows after it were lost with 'malformed: 0'."""
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    before = _rows(0 if where == "first row" else 40)
    after = _rows(1000, "q")
    if where == "before a quoted name":  # a later quote closes the stray one
        after[500] = 'q1,"Guns N\' Roses",Paradise City'
    path = tmp_path / "p.csv"
    lines = ["playlist,artist,track", *before, 'p0,A,"oops', *after]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = read_dataset(path, progress=False)
    r = corpus.report
    assert (r.rows_read, r.rows_malformed) == (len(before) + 1 + len(after), 1)
    assert r.malformed_lines == [len(before) + 2]
    assert corpus.n_playlists == (10 if before else 5)
    with pytest.raises(DatasetError, match=f"line {len(before) + 2} .*quote"):
        read_dataset(path, strict=True, progress=False)


def test_a_quoted_name_over_two_lines_is_still_one_row(tmp_path) -> None:
    from index.ingest import read_dataset

    path = tmp_path / "p.csv"
    rows = ["playlist;artist;track", '"road\ntrip";A;"say ""hi"""', '"road\ntrip";B;x', "two;A;x"]
    path.write_text("\n".join([*rows, "two;B;x"]) + "\n", encoding="utf-8")
    corpus = read_dataset(path, progress=False)
    assert (corpus.report.rows_read, corpus.report.rows_malformed) == (4, 0)
    assert sorted(corpus.playlist_names) == ["road\ntrip", "two"]
    assert 'say "hi"' in corpus.track_titles


def header_and_row(fmt: str) -> tuple[str, str]:
    """A header line and a row template (``{p}``, ``{a}``, ``{t}``) in ``fmt``."""
    if fmt == "csv":
        return "playlist,artist,track", "{p},{a},{t}"
    user = "0" * 32
    return (
        '"user_id", "artistname", "trackname", "playlistname"',
        f'"{user}","{{a}}","{{t}}","{{p}}"',
    )


@pytest.mark.parametrize("fmt", ["csv", "zenodo"])
def test_a_row_with_nul_bytes_is_counted_malformed(tmp_path, fmt) -> None:
    """A damaged stretch (NUL bytes inside a row) was read as part of a name: 'x\\x00y' was a
    song of its own, 'malformed: 0'."""
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    head, row = header_and_row(fmt)
    lines = [head] + [row.format(p=f"p{i % 3}", a="A", t=f"t{i % 4}") for i in range(12)]
    lines[3] = lines[3].replace("t", "t\x00\x00", 1)
    lines[6] = lines[6].replace("p", "\x00p", 1)
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = read_dataset(path, fmt, progress=False)
    r = corpus.report
    assert (r.rows_read, r.rows_malformed, r.malformed_lines) == (12, 2, [4, 7])
    assert not any("\x00" in t for t in corpus.track_titles + corpus.playlist_names)
    assert all("\x00" not in e and "\\0" in e for e in r.malformed_examples)
    with pytest.raises(DatasetError, match="line 4 .*NUL bytes"):
        read_dataset(path, fmt, strict=True, progress=False)


def _listen(artist: str, title: str, at: int) -> str:
    import json

    meta = {"artist_name": artist, "track_name": title}
    return json.dumps({"listened_at": at, "user_id": 1, "track_metadata": meta})


def test_a_folder_names_the_datasets_it_does_not_read(tmp_path, caplog) -> None:
    """A CSV and an MPD slice beside a .listens file were dropped without a word: the folder
    was read as ListenBrainz listens only."""
    import gzip
    import json
    import logging

    from index.ingest import read_dataset

    folder = tmp_path / "mixed"
    folder.mkdir()
    listens = [_listen("A", f"t{i % 3}", 1_600_000_000 + 60 * i) for i in range(6)]
    (folder / "2025.listens").write_text("\n".join(listens) + "\n")
    small_csv(folder / "playlists.csv")
    slice_ = {"playlists": [{"pid": 0, "tracks": [{"artist_name": "A", "track_name": "x"}]}]}
    (folder / "other.json.gz").write_bytes(gzip.compress(json.dumps(slice_).encode()))
    (folder / "README.md").write_text("# my data\n")
    with caplog.at_level(logging.WARNING):
        corpus = read_dataset(folder, progress=False)
    assert corpus.report.rows_read == 6
    (line,) = [r.getMessage() for r in caplog.records if "not read" in r.getMessage()]
    assert "other.json.gz, playlists.csv in it are not read" in line and "README" not in line


def test_a_folder_of_csv_files_names_them(tmp_path) -> None:
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    for name in ("a.csv", "b.csv"):
        small_csv(tmp_path / name)
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(DatasetError, match=r"It holds a\.csv, b\.csv: pass them as files\."):
        read_dataset(tmp_path, progress=False)


def test_mpd_twins_warn_once_and_are_not_called_unread(tmp_path, caplog) -> None:
    import gzip
    import json
    import logging

    from index.ingest import read_dataset

    slice_ = {"playlists": [{"pid": 0, "tracks": [{"artist_name": "A", "track_name": "x"}]}]}
    plain = tmp_path / "mpd.slice.0-999.json"
    plain.write_text(json.dumps(slice_))
    plain.with_name(plain.name + ".gz").write_bytes(gzip.compress(plain.read_bytes()))
    with caplog.at_level(logging.WARNING):
        read_dataset(tmp_path, progress=False)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("both plain and gzipped" in m for m in messages) == 1, messages
    assert not any("not read" in m for m in messages)


def test_holdout_takes_counts_above_the_catalogue(tmp_path) -> None:
    """`songsim index holdout --build-k 2147483647` (or --k, --extras past the song count)
    ended in a numpy MemoryError traceback or 'Maximum allowed dimension exceeded'."""
    import random

    from index.ingest import read_dataset
    from index.quality.holdout import evaluate

    rnd = random.Random(3)
    rows = ["playlist,artist,track"]
    for p in range(200):
        rows += [f"p{p},A{t % 9},t{t}" for t in rnd.sample(range(120), 8)]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    corpus = read_dataset(path, progress=False)
    huge = {"build_k": 2**31 - 1, "k": 10**11, "extras": 10**20, "artist_extras": 2**63}
    report = evaluate(corpus, dataset="p.csv", methods=("exact",), likes=0, **huge)
    assert report.markdown()


@pytest.mark.parametrize("shape", ["lines", "array", "payload"])
def test_listens_saved_with_a_utf8_bom_lose_nothing(tmp_path, shape) -> None:
    """A BOM made line 1 of a .listens file malformed, and a JSON array of listens one
    malformed row: 'has no usable rows read as listenbrainz'."""
    import json

    from index.ingest import read_dataset

    listens = [_listen("A", f"t{i % 3}", 1_600_000_000 + 60 * i) for i in range(6)]
    if shape == "lines":
        text, name = "\n".join(listens) + "\n", "2025.listens"
    elif shape == "array":
        text, name = "[" + ",".join(listens) + "]", "listens.json"
    else:
        text = json.dumps({"payload": [json.loads(x) for x in listens]})
        name = "import.json"
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    corpus = read_dataset(path, progress=False)
    assert (corpus.report.rows_read, corpus.report.rows_malformed) == (6, 0)
    assert corpus.n_tracks == 3


def test_a_folder_that_cannot_be_listed_is_a_dataset_error(tmp_path, monkeypatch) -> None:
    """A PermissionError listing an input folder escaped as an OSError, which the command
    line reports as 'could not write OUT.sqlite: Permission denied'."""
    import pathlib

    from index.corpus import DatasetError
    from index.ingest import read_dataset

    folder = tmp_path / "locked"
    folder.mkdir()
    real = pathlib.Path.iterdir

    def iterdir(self):
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "iterdir", iterdir)
    with pytest.raises(DatasetError, match=r"Cannot read .*locked: Permission denied\."):
        read_dataset(folder, progress=False)


def test_spotify_links_in_a_uri_column_are_kept_as_uris(tmp_path) -> None:
    """A CSV whose uri column holds Share-menu links (open.spotify.com/track/ID?si=...)
    lost every one: only 'spotify:track:' text was kept, so no song had a Spotify link."""
    from index.ingest import read_dataset

    a, b = "4uLU6hMCjMI75M1A2tKUQC", "7ouMYWpwJ422jRcDASZB7P"
    rows = [
        "playlist,artist,track,uri",
        f"p1,A,x,https://open.spotify.com/track/{a}?si=0123abcd",
        f"p1,B,y,https://open.spotify.com/intl-de/track/{b}",
        f"p2,A,x,spotify:track:{a}",
        "p2,B,y,https://open.spotify.com/album/1ATL5GLyefJaxhQzSPVrLX",
        "p2,C,z,https://open.spotify.com/track/short",
    ]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    corpus = read_dataset(path, progress=False)
    uris = dict(zip(corpus.track_titles, corpus.track_uris, strict=True))
    assert uris == {"x": f"spotify:track:{a}", "y": f"spotify:track:{b}", "z": None}


def test_a_quoted_name_over_two_lines_missing_a_field_is_one_malformed_row(tmp_path) -> None:
    from index.ingest import read_dataset

    path = tmp_path / "p.csv"
    rows = ["playlist,artist,track", '"road\ntrip",A', "p1,A,x", "p1,B,y", "p2,A,x"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = read_dataset(path, progress=False).report
    assert (r.rows_read, r.rows_malformed, r.malformed_lines) == (4, 1, [2])


@pytest.mark.parametrize("fmt", ["csv", "zenodo"])
def test_blank_lines_before_the_header_are_skipped(tmp_path, fmt) -> None:
    """'Cannot tell the format of p.csv: its first line is ''' for a file that begins
    with an empty line; line numbers still count the blank lines."""
    from index.ingest import read_dataset

    head, row = header_and_row(fmt)
    lines = ["", " ", head] + [row.format(p=f"p{i % 2}", a="A", t=f"t{i % 3}") for i in range(6)]
    lines[5] = row.format(p="p0", a="A", t=" ")  # line 6: no track name
    path = tmp_path / "p.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    corpus = read_dataset(path, progress=False)
    assert corpus.report.sources[0].format == fmt
    assert (corpus.report.rows_read, corpus.report.malformed_lines) == (6, [6])


def test_malformed_rows_of_several_files_name_the_file(tmp_path) -> None:
    """'first at line(s) 4, 5, 7' mixed line 4 of one file with lines 5 and 7 of another:
    a dump's month files, or several inputs, gave no way to tell which."""
    from index.ingest import read_dataset

    month = tmp_path / "dump" / "listens" / "2025"
    month.mkdir(parents=True)
    good = [_listen("A", f"t{i % 3}", 1_600_000_000 + 60 * i) for i in range(4)]
    (month / "1.listens").write_text("\n".join([*good[:2], "junk", *good[2:]]) + "\n")
    (month / "2.listens").write_text("\n".join(["bad", *good, "worse"]) + "\n")
    dump = read_dataset(tmp_path / "dump", progress=False).report
    assert dump.rows_malformed == 3
    assert dump.first_malformed() == "listens/2025/1.listens: line(s) 3"

    a, b = small_csv(tmp_path / "a.csv"), small_csv(tmp_path / "b.csv")
    b.write_text(b.read_text() + "p9,A\nq9,B\n")
    a.write_text(a.read_text().replace("p1,A,song 1", "p1,A,", 1))
    assert read_dataset([a, b], progress=False).report.first_malformed() == "a.csv: line(s) 5"
    assert read_dataset([b, a], progress=False).report.first_malformed() == (
        "b.csv: line(s) 17, 18"
    )


def test_a_file_of_blank_lines_is_not_called_empty(tmp_path) -> None:
    from index.corpus import DatasetError
    from index.ingest import read_dataset

    path = tmp_path / "p.csv"
    path.write_text("\n \n\t\n")
    with pytest.raises(DatasetError, match="it holds only blank lines"):
        read_dataset(path, progress=False)
    path.write_bytes(b"")
    with pytest.raises(DatasetError, match="it is empty"):
        read_dataset(path, progress=False)
