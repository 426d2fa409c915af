"""Reading the Zenodo spotify_dataset.csv: its quirks must come out exactly right.

Hand-written lines here; the real 10k-row sample is checked in test_ingest_real.py.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from index.corpus import Corpus, DatasetError
from index.ingest import read_dataset
from index.ingest import zenodo as read_zenodo

HEADER = '"user_id", "artistname", "trackname", "playlistname"'
U1 = "9cc0cfd4d7d7885102480dd99e7a90d6"
U2 = "07f0fc3be95dcd878966b1f9572ff670"


def row(user: str, artist: str, title: str, playlist: str) -> str:
    """A line written the way the Zenodo file writes it (no escaping at all)."""
    return f'"{user}","{artist}","{title}","{playlist}"'


def write(tmp_path: Path, lines: list[str], name: str = "spotify_dataset.csv", **kw) -> Path:
    p = tmp_path / name
    text = "\n".join(lines) + "\n"
    p.write_bytes(text.encode(kw.get("encoding", "utf-8")))
    return p


def read(path: Path, **kw) -> Corpus:
    return read_dataset(path, progress=False, **kw)


def memberships(c: Corpus) -> set[tuple[str, str, str]]:
    """(artist, title, playlist name) for every stored membership: what a user would see."""
    out = set()
    for t in range(c.n_tracks):
        for p in c.playlists_of(t):
            out.add((c.artist_names[c.track_artist[t]], c.track_titles[t], c.playlist_names[p]))
    return out


def track_index(c: Corpus) -> dict[tuple[str, str], int]:
    return {(c.artist_names[c.track_artist[t]], c.track_titles[t]): t for t in range(c.n_tracks)}


def assert_csr_well_formed(c: Corpus) -> None:
    assert c.indptr.dtype == np.int64 and c.indices.dtype == np.int32
    assert len(c.indptr) == c.n_tracks + 1 and c.indptr[0] == 0
    assert c.indptr[-1] == len(c.indices)
    for t in range(c.n_tracks):
        ps = c.playlists_of(t)
        assert len(ps) > 0
        assert np.all(np.diff(ps) > 0), "playlist ids must be sorted and unique per track"
    assert c.indices.min() >= 0 and c.indices.max() < c.n_playlists
    assert c.track_artist.max() < c.n_artists


def test_raw_quotes_inside_fields_are_kept_verbatim(tmp_path: Path) -> None:
    serenade = 'Serenade No. 13 in G Major, K. 525 "Eine Kleine Nachtmusik": I: Allegro'
    p = write(
        tmp_path,
        [
            HEADER,
            row(U1, "Wolfgang Amadeus Mozart", serenade, "Classique"),
            row(U1, "SNAP!", 'Rhythm Is A Dancer - Original 12"', "Classique"),
            row(U1, "Glasvegas", "I Feel Wrong (Homosexuality, Pt. 1)", '"/'),
            row(U1, 'Matthew "Mdot" Finley', "Fire", '"/'),
            row(U1, "The Gaslight Anthem", '"45"', '"/'),
        ],
    )
    assert p.read_text().splitlines()[3].endswith(',""/"')  # the raw shape the issue describes
    c = read(p)
    assert c.report.rows_read == 5 and c.report.rows_malformed == 0
    assert memberships(c) == {
        ("Wolfgang Amadeus Mozart", serenade, "Classique"),
        ("SNAP!", 'Rhythm Is A Dancer - Original 12"', "Classique"),
        ("Glasvegas", "I Feel Wrong (Homosexuality, Pt. 1)", '"/'),
        ('Matthew "Mdot" Finley', "Fire", '"/'),
        ("The Gaslight Anthem", '"45"', '"/'),
    }
    assert c.playlist_names == ["Classique", '"/']
    assert c.report.format == "zenodo"


def test_backslash_is_a_literal_character(tmp_path: Path) -> None:
    c = read(write(tmp_path, [HEADER, row(U1, "AC\\DC", 'Back In Black \\"Live\\"', "Rock\\")]))
    assert memberships(c) == {("AC\\DC", 'Back In Black \\"Live\\"', "Rock\\")}


def test_a_playlist_is_user_and_name_and_repeats_count_once(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            row(U1, "Daft Punk", "One More Time", "Starred"),
            row(U1, "Daft Punk", "Aerodynamic", "Starred"),
            row(U1, "Daft Punk", "One More Time", "Starred"),  # repeat in the same playlist
            row(U2, "Daft Punk", "One More Time", "Starred"),  # same name, other user
            row(U1, "Daft Punk", "One More Time", "Starred "),  # name exactly as written
        ],
    )
    c = read(p)
    assert c.n_playlists == 3
    assert c.playlist_names == ["Starred", "Starred", "Starred "]
    t = track_index(c)
    assert c.playlists_of(t[("Daft Punk", "One More Time")]).tolist() == [0, 1, 2]
    assert c.playlists_of(t[("Daft Punk", "Aerodynamic")]).tolist() == [0]
    assert c.report.rows_read == 5
    assert c.report.duplicate_rows == 1
    assert_csr_well_formed(c)


def test_spellings_fold_into_one_track_shown_by_its_most_frequent_spelling(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            row(U1, "DAFT PUNK", "one more time", "a"),
            row(U1, " Daft Punk", "One More Time ", "b"),
            row(U1, "Daft Punk", "One  More Time", "c"),
            row(U1, "Daft Punk ", "One More Time", "d"),
            row(U1, "Ｄａｆｔ Ｐｕｎｋ", "Digital Love", "a"),
        ],
    )
    c = read(p)
    # "Daft Punk" is written 3 times once stripped; "One More Time" twice (b, d) and wins
    # over "One  More Time" and "one more time" (once each).
    assert c.artist_names == ["Daft Punk"]
    assert c.n_tracks == 2
    t = track_index(c)
    assert c.playlists_of(t[("Daft Punk", "One More Time")]).tolist() == [0, 1, 2, 3]
    assert ("Daft Punk", "Digital Love") in t


def test_display_ties_go_to_the_first_spelling_seen(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            row(U1, "the xx", "Intro", "a"),
            row(U1, "The xx", "INTRO", "b"),
            row(U1, "The XX", "intro", "c"),
        ],
    )
    c = read(p)
    assert c.artist_names == ["the xx"]
    assert c.track_titles == ["Intro"]


def test_empty_artist_is_kept_and_empty_title_is_malformed(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            row(U1, "", "07 - echoes", "Starred"),
            row(U1, "Muse", "", "Starred"),
            row(U1, "Muse", "   ", "Starred"),
        ],
    )
    c = read(p)
    assert memberships(c) == {("", "07 - echoes", "Starred")}
    assert c.report.rows_read == 3
    assert c.report.rows_malformed == 2
    assert c.report.malformed_lines == [3, 4]
    assert c.artist_names == [""]  # Muse only appeared on malformed rows


def test_malformed_rows_are_counted_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        HEADER,
        row(U1, "A", "ok one", "p"),  # line 2
        row(U1, "A", 'has "," inside', "p"),  # 3: five fields on '","' -> ambiguous
        '"nothex-nothex-nothex-nothex-123","A","B","p"',  # 4: not a user id
        f'"{U1}","A","only three fields"',  # 5
        row(U1, "A", "ok two", "p"),  # 6
        f'"{U1}","A","cut off","p',  # 7: no closing quote, next line starts a record
        row(U1, "A", "ok three", "p"),  # 8
    ]
    c = read(write(tmp_path, lines))
    r = c.report
    assert (r.rows_read, r.rows_malformed) == (7, 4)
    assert r.malformed_lines == [3, 4, 5, 7]
    assert r.malformed_examples[0] == lines[2]
    assert sorted(c.track_titles) == ["ok one", "ok three", "ok two"]


def test_strict_fails_on_the_first_bad_row_naming_line_and_row(tmp_path: Path) -> None:
    lines = [HEADER, row(U1, "A", "fine", "p"), row(U1, "A", 'x","y', "p"), row(U1, "A", "", "p")]
    with pytest.raises(DatasetError) as err:
        read(write(tmp_path, lines), strict=True)
    msg = str(err.value)
    assert "line 3" in msg and 'x","y' in msg
    assert "--strict" in msg


def test_a_field_with_a_line_break_is_joined(tmp_path: Path) -> None:
    lines = [
        HEADER,
        row(U1, "A", "first\nsecond", "p"),  # breaks before the closing quote of a field
        row(U1, "B", 'ends in a quote "\nthen more', "p"),  # line 1 of it ends with "
        row(U1, "C", "fine", "p"),
    ]
    c = read(write(tmp_path, lines))
    assert c.report.rows_read == 3 and c.report.rows_malformed == 0
    assert memberships(c) == {
        ("A", "first\nsecond", "p"),
        ("B", 'ends in a quote "\nthen more', "p"),
        ("C", "fine", "p"),
    }


def test_truncated_last_line_is_malformed(tmp_path: Path) -> None:
    p = tmp_path / "cut.csv"
    p.write_text(HEADER + "\n" + row(U1, "A", "t", "p") + "\n" + f'"{U1}","A","t2","p')
    c = read(p)
    assert (c.report.rows_read, c.report.rows_malformed) == (2, 1)
    assert c.report.malformed_lines == [3]


def test_invalid_utf8_line_is_counted_not_mangled(tmp_path: Path) -> None:
    p = tmp_path / "bytes.csv"
    good = row(U1, "Björk", "Jóga", "p").encode()
    bad = row(U1, "Bj", "x", "p").encode().replace(b"Bj", b"Bj\xf6rk")  # latin-1 byte
    p.write_bytes(b"\n".join([HEADER.encode(), good, bad, good]) + b"\n")
    c = read(p)
    assert (c.report.rows_read, c.report.rows_malformed) == (3, 1)
    assert c.report.malformed_lines == [3]
    assert memberships(c) == {("Björk", "Jóga", "p")}
    assert c.report.duplicate_rows == 1


def test_headerless_bom_crlf_blank_lines_and_repeated_header(tmp_path: Path) -> None:
    lines = [row(U1, "A", "t1", "p"), "", HEADER, row(U1, "B", "t2", "p") + " \t", "   "]
    lines.insert(1, HEADER.replace(", ", ","))  # the header without its spaces
    p = tmp_path / "odd.csv"
    p.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    c = read(p)
    assert c.report.format == "zenodo"
    assert (c.report.rows_read, c.report.rows_malformed) == (2, 0)
    assert memberships(c) == {("A", "t1", "p"), ("B", "t2", "p")}


def test_gzip_and_tiny_read_chunks_give_the_same_corpus(tmp_path: Path, monkeypatch) -> None:
    lines = [HEADER]
    for i in range(300):
        title = f"song {i % 37}" + ("\nwith a break" if i % 50 == 7 else "")
        lines.append(row(U1 if i % 3 else U2, f"artist {i % 11}", title, f"list {i % 13}"))
    lines.insert(120, row(U1, "bad", 'a","b', "p"))
    bad_line = "\n".join(lines[:120]).count("\n") + 2  # physical line, after joined breaks
    assert bad_line == 124
    plain = write(tmp_path, lines)
    packed = tmp_path / "spotify_dataset.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))

    ref = read(plain)
    monkeypatch.setattr(read_zenodo, "CHUNK_BYTES", 100)  # records straddle every boundary
    for c in (read(plain), read(packed)):
        assert memberships(c) == memberships(ref)
        assert c.report.rows_read == ref.report.rows_read == 301
        assert c.report.malformed_lines == ref.report.malformed_lines == [bad_line]
        assert c.track_titles == ref.track_titles
        assert c.playlist_names == ref.playlist_names
        assert np.array_equal(c.indptr, ref.indptr) and np.array_equal(c.indices, ref.indices)
    assert_csr_well_formed(ref)
    assert all(u is None for u in ref.track_uris)


def _two_halves_file(tmp_path: Path) -> tuple[Path, list[str]]:
    """600 rows with line breaks in fields and one bad row in each half."""
    lines = [HEADER]
    for i in range(600):
        title = f"song {i % 97}" + ("\nwith a break" if i % 50 == 7 else "")
        lines.append(row(U1 if i % 3 else U2, f"artist {i % 11}", title, f"list {i % 29}"))
    for at in (150, 480):
        lines.insert(at, row(U1, "bad", f'a","b{at}', "p"))
    return write(tmp_path, lines), lines


def test_a_large_file_read_on_two_cores_gives_what_reading_in_order_gives(
    tmp_path: Path, monkeypatch
) -> None:
    plain, lines = _two_halves_file(tmp_path)
    packed = tmp_path / "spotify_dataset.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ref = read(plain)  # small: read in order
    assert ref.report.rows_malformed == 2
    monkeypatch.setattr(read_zenodo, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(read_zenodo, "can_fork", lambda: True)
    splits: list[int | None] = []
    second_half = read_zenodo._second_half
    monkeypatch.setattr(
        read_zenodo, "_second_half", lambda *a: splits.append(second_half(*a)) or splits[-1]
    )
    c = read(plain)
    data = plain.read_bytes()
    assert splits[0] is not None and 0 < splits[0] < len(data)  # a second reader ran
    split_line = data[: splits[0]].count(b"\n") + 1
    assert ref.report.malformed_lines[0] < split_line < ref.report.malformed_lines[1]
    physical = data.decode().split("\n")
    for line, example in zip(c.report.malformed_lines, c.report.malformed_examples, strict=True):
        assert physical[line - 1] == example  # numbered as lines of the whole file
    assert c.report.malformed_lines == ref.report.malformed_lines
    assert c.report.malformed_examples == ref.report.malformed_examples
    assert (c.report.rows_read, c.report.duplicate_rows) == (
        ref.report.rows_read,
        ref.report.duplicate_rows,
    )
    assert c.track_titles == ref.track_titles and c.artist_names == ref.artist_names
    assert c.playlist_names == ref.playlist_names
    assert np.array_equal(c.track_artist, ref.track_artist)
    assert np.array_equal(c.indptr, ref.indptr) and np.array_equal(c.indices, ref.indices)

    assert memberships(read(packed)) == memberships(ref)
    assert splits[-1] is None  # a gzip stream is read in order
    with pytest.raises(DatasetError, match=f"line {ref.report.malformed_lines[0]} "):
        read(plain, strict=True)  # strict stops at the first bad row: read in order
    assert splits[-1] is None


def test_a_second_reader_that_dies_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    plain, _ = _two_halves_file(tmp_path)
    monkeypatch.setattr(read_zenodo, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(read_zenodo, "can_fork", lambda: True)
    monkeypatch.setattr(read_zenodo, "_read_tail", lambda *a: os._exit(3))
    with pytest.raises(DatasetError, match=r"second half stopped .*exit status 3"):
        read(plain)


def test_names_with_nul_and_line_breaks_survive_the_final_packing(tmp_path: Path) -> None:
    # Raw NUL bytes in a CSV are a damaged stretch (a malformed row); JSON writes them
    # on purpose ("\u0000"), and the names keep them through the packing.
    import json

    tracks = [{"artist_name": "Nul\x00Band", "track_name": "a\x00b"}]
    doc = {"playlists": [{"pid": 0, "name": "p\x00q", "tracks": tracks}]}
    doc["playlists"].append({"pid": 1, "name": "", "tracks": [{"track_name": "x"}]})
    (tmp_path / "mpd.slice.0-999.json").write_text(json.dumps(doc))
    c = read_dataset(tmp_path, progress=False)
    assert memberships(c) == {("Nul\x00Band", "a\x00b", "p\x00q"), ("", "x", "")}
    assert c.artist_names == ["Nul\x00Band", ""]
    assert c.playlist_names == ["p\x00q", ""]
    lines = [HEADER, row(U1, "Nul\x00Band", "a\x00b", "p\x00q"), row(U1, "", "x", "")]
    c = read(write(tmp_path, lines))
    assert c.report.rows_malformed == 1 and memberships(c) == {("", "x", "")}
