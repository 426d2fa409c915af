"""Generic CSV, MPD slices, Yes.com folders, and format detection."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index.corpus import Corpus, DatasetError
from index.ingest import FORMATS, detect_format, read_dataset


def read(path: Path, **kw) -> Corpus:
    return read_dataset(path, progress=False, **kw)


def memberships(c: Corpus) -> set[tuple[str, str, str]]:
    out = set()
    for t in range(c.n_tracks):
        for p in c.playlists_of(t):
            out.add((c.artist_names[c.track_artist[t]], c.track_titles[t], c.playlist_names[p]))
    return out


def uri_of(c: Corpus, artist: str, title: str) -> str | None:
    for t in range(c.n_tracks):
        if (c.artist_names[c.track_artist[t]], c.track_titles[t]) == (artist, title):
            return c.track_uris[t]
    raise KeyError((artist, title))


# --------------------------------------------------------------------------- generic CSV


@pytest.mark.parametrize(
    "header",
    [
        "playlist,artist,track",
        "playlist_name,artist_name,track_name",
        "PlaylistName,ArtistName,TrackName",
        '"Playlist Name","Artists","Title"',
        "playlistname,artists,song",
    ],
)
def test_csv_header_names_match_loosely(tmp_path: Path, header: str) -> None:
    p = tmp_path / "x.csv"
    p.write_text(f"{header}\nRoad trip,Queen,Don't Stop Me Now\nRoad trip,Toto,Africa\n")
    assert detect_format(p) == "csv"
    c = read(p)
    assert memberships(c) == {
        ("Queen", "Don't Stop Me Now", "Road trip"),
        ("Toto", "Africa", "Road trip"),
    }


def test_csv_columns_in_any_order_with_extra_columns_and_semicolons(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("pos;track;extra;artist;playlist\n1;Africa;x;Toto;Road trip\n")
    c = read(p)
    assert memberships(c) == {("Toto", "Africa", "Road trip")}


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_excel_sep_line_names_the_delimiter(tmp_path: Path, sep: str) -> None:
    """Excel writes "sep=;" before the header of a CSV it saves; that line was taken for a
    header naming no columns, and the file was refused."""
    rows = ["playlist|artist|track", "Road trip|Toto|Africa", "", "Road trip|Queen, Live|x y"]
    if sep != "|":  # "Queen, Live" holds a comma: quoted when "," is the delimiter
        rows = [r.replace("Queen, Live", '"Queen, Live"').replace("|", sep) for r in rows]
    p = tmp_path / "x.csv"
    p.write_bytes(("\ufeff" + "\r\n".join([f"sep={sep}", *rows, f"Mix{sep}A"]) + "\r\n").encode())
    assert detect_format(p) == "csv"
    c = read(p)
    assert memberships(c) == {("Toto", "Africa", "Road trip"), ("Queen, Live", "x y", "Road trip")}
    assert c.report.malformed_lines == [6]  # "Mix;A": line numbers count the sep= line


def test_excel_sep_line_before_a_header_in_another_delimiter_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("sep=;\nplaylist,artist,track\nRoad trip,Toto,Africa\n")
    with pytest.raises(DatasetError, match="cannot be read as a playlist CSV"):
        read(p, fmt="csv")


def test_csv_keeps_the_most_frequent_spotify_track_uri(tmp_path: Path) -> None:
    lines = [
        "playlist,artist,track,uri",
        "a,Toto,Africa,spotify:track:AAA",
        "b,Toto,Africa,spotify:track:BBB",
        "c,TOTO,africa,spotify:track:BBB",
        "d,Toto,Africa,spotify:local:Toto:Africa",  # local files are not tracks
        "a,Queen,Bohemian Rhapsody,spotify:track:Q1",
        "b,Queen,Bohemian Rhapsody,spotify:track:Q2",  # tie: first seen wins
        "a,Nobody,No Uri,",
    ]
    p = tmp_path / "x.csv"
    p.write_text("\n".join(lines) + "\n")
    c = read(p)
    assert uri_of(c, "Toto", "Africa") == "spotify:track:BBB"
    assert uri_of(c, "Queen", "Bohemian Rhapsody") == "spotify:track:Q1"
    assert uri_of(c, "Nobody", "No Uri") is None


def test_csv_playlist_id_and_owner_columns_make_the_identity(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text(
        "user_id,playlist_path,playlist_name,artist,track\n"
        "u1,Rock/Best,Best,Toto,Africa\n"
        "u1,Pop/Best,Best,Toto,Africa\n"
        "u2,Rock/Best,Best,Toto,Africa\n"
        "u1,Rock/Best,Best,Toto,Rosanna\n"
    )
    c = read(p)
    assert c.n_playlists == 3
    assert c.playlist_names == ["Best", "Best", "Best"]
    assert c.report.duplicate_rows == 0


def test_csv_malformed_rows_are_counted_with_physical_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text(
        "playlist,artist,track\n"
        'a,Toto,"Africa\n(multi-line title)"\n'  # lines 2-3, fine
        "a,Toto\n"  # 4: too few fields
        "a,,Untitled by nobody\n"  # 5: empty artist is fine
        "a,Toto,\n"  # 6: empty title
        ",Toto,Rosanna\n"  # 7: empty playlist
        "\n"  # blank: not a row
        "b,Toto,Africa\n"  # 9
    )
    c = read(p)
    r = c.report
    assert (r.rows_read, r.rows_malformed) == (6, 3)
    assert r.malformed_lines == [4, 6, 7]
    assert ("", "Untitled by nobody", "a") in memberships(c)
    assert ("Toto", "Africa\n(multi-line title)", "a") in memberships(c)
    with pytest.raises(DatasetError, match="line 4"):
        read(p, strict=True)


def test_csv_without_the_needed_columns_is_refused_with_a_sentence(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("name,artist\nfoo,bar\n")
    with pytest.raises(DatasetError, match="Cannot tell the format"):
        read(p)
    with pytest.raises(DatasetError, match="does not name a playlist"):
        read(p, fmt="csv")


def test_gzipped_csv_reads_like_the_plain_one(tmp_path: Path) -> None:
    text = "playlist,artist,track,track_uri\na,Toto,Africa,spotify:track:A\nb,Toto,Africa,\n"
    plain, packed = tmp_path / "x.csv", tmp_path / "x.csv.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    assert detect_format(packed) == "csv"
    a, b = read(plain), read(packed)
    assert memberships(a) == memberships(b)
    assert a.track_uris == b.track_uris == ["spotify:track:A"]


# --------------------------------------------------------------------------- MPD


def mpd_slice(first_pid: int, playlists: list[tuple[str | None, list[tuple[str, str, str]]]]):
    out = []
    for i, (name, tracks) in enumerate(playlists):
        pl = {
            "pid": first_pid + i,
            "num_tracks": len(tracks),
            "tracks": [
                {"pos": n, "artist_name": a, "track_name": t, "track_uri": u, "album_name": "x"}
                for n, (a, t, u) in enumerate(tracks)
            ],
        }
        if name is not None:
            pl["name"] = name
        out.append(pl)
    return {"info": {"slice": f"{first_pid}-{first_pid + 999}"}, "playlists": out}


def write_json(path: Path, doc: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def test_mpd_folder_reads_slices_in_pid_order_with_most_frequent_uri(tmp_path: Path) -> None:
    folder = tmp_path / "mpd"
    get_lucky = ("Daft Punk", "Get Lucky", "spotify:track:GL1")
    write_json(
        folder / "mpd.slice.1000-1999.json",
        mpd_slice(1000, [("chill", [get_lucky, ("Daft Punk", "Get Lucky", "spotify:track:GL2")])]),
    )
    write_json(
        folder / "mpd.slice.0-999.json",
        mpd_slice(
            0,
            [
                ("chill", [("Daft Punk", "Get Lucky", "spotify:track:GL2"), get_lucky]),
                (None, [("Daft Punk", "Get Lucky", "spotify:track:GL2"), get_lucky]),
            ],
        ),
    )
    assert detect_format(folder) == "mpd"
    c = read(folder)
    assert c.report.format == "mpd"
    assert c.playlist_names == ["chill", "mpd playlist 1", "chill"]  # pids 0, 1, 1000
    assert c.n_tracks == 1
    assert c.playlists_of(0).tolist() == [0, 1, 2]
    assert c.report.duplicate_rows == 3
    # GL2 appears three times, GL1 three times: tie -> first seen (slice 0-999 first).
    assert c.track_uris == ["spotify:track:GL2"]


def test_mpd_single_slice_file_and_data_subfolder(tmp_path: Path) -> None:
    doc = mpd_slice(0, [("x", [("A", "a", "spotify:track:1"), ("B", "b", "spotify:track:2")])])
    f = write_json(tmp_path / "mpd" / "data" / "mpd.slice.0-999.json", doc)
    assert detect_format(f) == "mpd"
    assert detect_format(tmp_path / "mpd") == "mpd"
    assert (
        memberships(read(f))
        == memberships(read(tmp_path / "mpd"))
        == {
            ("A", "a", "x"),
            ("B", "b", "x"),
        }
    )


def test_mpd_bad_track_entries_are_counted(tmp_path: Path) -> None:
    doc = mpd_slice(0, [("x", [("A", "a", "spotify:track:1"), ("B", "", "spotify:track:2")])])
    doc["playlists"][0]["tracks"].append({"artist_name": "C"})
    doc["playlists"][0]["tracks"].append("not an object")
    f = write_json(tmp_path / "mpd.slice.0-999.json", doc)
    c = read(f)
    assert (c.report.rows_read, c.report.rows_malformed) == (4, 3)
    assert c.report.malformed_lines == [2, 3, 4]
    assert "pid 0" in c.report.malformed_examples[0]
    # The summary says where, not a row number counted across every slice.
    assert c.report.first_malformed() == "mpd.slice.0-999.json: pid 0 track 1"  # its pos
    with pytest.raises(DatasetError, match="row 2"):
        read(f, strict=True)


# --------------------------------------------------------------------------- Yes.com


def write_yes(folder: Path, playlists: list[str], songs: list[tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ids = " ".join(str(1000 + i) for i in range(len(songs)))
    counts = " ".join("1" for _ in songs)
    (folder / "train.txt").write_text(
        f"{ids} \n{counts} \n" + "".join(line + " \n" for line in playlists)
    )
    (folder / "song_hash.txt").write_text(
        "".join(f"{i}\t{title}\t{artist}\n" for i, (title, artist) in enumerate(songs))
    )
    return folder


def test_yes_folder_unescapes_slashes_names_playlists_and_folds_repeats(tmp_path: Path) -> None:
    folder = write_yes(
        tmp_path / "yes",
        ["0 1 0", "1 2", "2 7 x"],
        [
            ("Gucci Time (w\\/ Swizz Beatz)", "Gucci Mane"),
            ("Halo", "Beyonc\u00e9"),
            ("Hurt", "AC\\/DC"),
        ],
    )
    assert detect_format(folder) == "yes"
    assert detect_format(folder / "train.txt") == "yes"
    c = read(folder)
    assert memberships(c) == {
        ("Gucci Mane", "Gucci Time (w/ Swizz Beatz)", "yes playlist 1"),
        ("Beyoncé", "Halo", "yes playlist 1"),
        ("Beyoncé", "Halo", "yes playlist 2"),
        ("AC/DC", "Hurt", "yes playlist 2"),
        ("AC/DC", "Hurt", "yes playlist 3"),
    }
    r = c.report
    assert r.duplicate_rows == 1
    assert (r.rows_read, r.rows_malformed) == (8, 2)  # ids 7 and x on line 5
    assert r.malformed_lines == [5, 5]


# --------------------------------------------------------------------------- detection


def test_detection_refuses_unknown_input_with_a_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello world\n")
    with pytest.raises(DatasetError, match=r"Cannot tell the format of .*--format"):
        detect_format(junk)
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    with pytest.raises(DatasetError, match="neither MPD slices"):
        detect_format(empty_dir)
    with pytest.raises(DatasetError, match="No such file"):
        read(tmp_path / "missing.csv")
    with pytest.raises(DatasetError, match="Unknown dataset format"):
        read(junk, fmt="parquet")
    assert set(FORMATS) == {"zenodo", "mpd", "csv", "yes", "listenbrainz"}


def test_format_override_beats_detection(tmp_path: Path) -> None:
    # A Zenodo-shaped file read as generic CSV: its header names user, artist, track and
    # playlist columns, so it reads (with csv-module quoting rules).
    p = tmp_path / "z.csv"
    p.write_text(
        '"user_id", "artistname", "trackname", "playlistname"\n'
        '"9cc0cfd4d7d7885102480dd99e7a90d6","Toto","Africa","p"\n'
    )
    assert detect_format(p) == "zenodo"
    c = read(p, fmt="csv")
    assert c.report.format == "csv"
    assert memberships(c) == {("Toto", "Africa", "p")}


def test_binary_files_and_yes_side_files_are_not_mistaken_for_datasets(tmp_path: Path) -> None:
    blob = tmp_path / "archive.tar.gz"
    blob.write_bytes(gzip.compress(b"LICENSE" + b"\x00" * 200 + b"0000664\x00"))
    with pytest.raises(DatasetError, match="not a UTF-8 text file"):
        detect_format(blob)
    folder = write_yes(tmp_path / "yes", ["0 1"], [("Halo", "Beyoncé"), ("Hurt", "Johnny Cash")])
    (folder / "tags.txt").write_text("115 173\n#\n")  # tag ids per song: not playlists
    with pytest.raises(DatasetError, match="Cannot tell the format"):
        detect_format(folder / "tags.txt")


def test_a_file_with_no_usable_rows_is_an_error_not_an_empty_index(tmp_path: Path) -> None:
    header_only = tmp_path / "empty.csv"
    header_only.write_text("playlist,artist,track\n")
    with pytest.raises(DatasetError, match="it holds a header line but no rows"):
        read(header_only)
    songs = tmp_path / "song_hash.txt"
    songs.write_text("0\tHalo\tBeyoncé\n1\tHurt\tJohnny Cash\n")
    with pytest.raises(
        DatasetError, match=r"no usable rows read as zenodo: 2 row\(s\), 2 malformed"
    ):
        read(songs, fmt="zenodo")


def test_a_truncated_gzip_file_is_a_dataset_error(tmp_path: Path) -> None:
    text = "playlist,artist,track\n" + "a,Toto,Africa\n" * 5000
    p = tmp_path / "x.csv.gz"
    p.write_bytes(gzip.compress(text.encode())[:-200])
    with pytest.raises(DatasetError, match="Cannot read"):
        read(p)


def test_a_slice_beside_its_own_gzip_is_read_once(tmp_path: Path, caplog) -> None:
    import gzip

    doc = mpd_slice(0, [("x", [("A", "a", "spotify:track:1"), ("B", "b", "spotify:track:2")])])
    plain = write_json(tmp_path / "mpd" / "mpd.slice.0-999.json", doc)
    plain.with_name(plain.name + ".gz").write_bytes(gzip.compress(plain.read_bytes()))
    c = read(tmp_path / "mpd")
    assert (c.n_playlists, c.report.rows_read, c.report.duplicate_rows) == (1, 2, 0)
    assert "both plain and gzipped" in caplog.text


def test_the_folder_above_the_unzipped_mpd_points_into_it(tmp_path: Path) -> None:
    doc = mpd_slice(0, [("x", [("A", "a", "spotify:track:1"), ("B", "b", "spotify:track:2")])])
    inner = tmp_path / "downloads" / "spotify_million_playlist_dataset"
    write_json(inner / "data" / "mpd.slice.0-999.json", doc)
    with pytest.raises(DatasetError, match=f"{inner} holds MPD slices: pass that folder"):
        detect_format(tmp_path / "downloads")
