"""Export: each file parses back (csv module, json, songsim's own playlist reader) to the
same songs, in order, with strangers' names escaped and spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

from bot.export import CSV_HEADER, export_files, export_name
from bot.playlists import read_playlist_file
from index.model import Track
from tests.support.bot_fixtures import make_track

OMT = "0DiWol3AO6WpXZgp0goxAV"
LUCKY = "2Foc5Q5nqNiosCNqttzHof"

SONGS = [
    make_track(1, "One More Time", "Daft Punk", uri=f"spotify:track:{OMT}"),
    make_track(2, 'Say "Hello", Goodbye', "Tyler, The Creator"),  # a looked-up link
    make_track(3, "Line\nbreak\r\nsong", "Björk"),  # no link at all
    make_track(4, '=HYPERLINK("http://evil.example","click")', "@admin"),
    make_track(5, "-1", "+44"),
]
LINKS = {2: f"https://open.spotify.com/track/{LUCKY}?si=abc", 5: "javascript:alert(1)"}
WHEN = datetime(2026, 1, 8, 17, 10, 47, tzinfo=UTC)


def export():
    return export_files(
        SONGS, "Songs like One More Time — Daft Punk", seeds=SONGS[:1], links=LINKS, created=WHEN
    )


def files() -> dict[str, bytes]:
    return {f.kind: f.data for f in export().files}


def test_three_files_named_after_the_seed() -> None:
    names = [f.filename for f in export().files]
    assert names == [
        "songsim-daft-punk-one-more-time-spotify-links.txt",
        "songsim-daft-punk-one-more-time.csv",
        "songsim-daft-punk-one-more-time.jspf",
    ]
    assert export_name([make_track(1, "Jóga", "Björk")]) == "songsim-bjork-joga"
    assert export_name([make_track(1, "…", "宇多田ヒカル")]) == "songsim-宇多田ヒカル"
    assert export_name(SONGS[:3]) == "songsim-mix-daft-punk-one-more-time"
    assert export_name([make_track(1, "../../etc/passwd", "\x00<>:|?*")]) == "songsim-etc-passwd"
    assert export_name([], "") == "songsim-songs"
    assert len(export_name([make_track(1, "x" * 500, "y")])) <= len("songsim-") + 60
    for name in names:
        assert re.fullmatch(r"[\w.-]+", name)


def test_links_file_lists_links_in_order_and_names_the_songs_without_one() -> None:
    text = files()["links"].decode()
    body = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert body == [
        f"https://open.spotify.com/track/{OMT}",
        f"https://open.spotify.com/track/{LUCKY}",  # the lookup's link, without ?si=
        "Björk - Line break song",
        '@admin - =HYPERLINK("http://evil.example","click")',
        "+44 - -1",  # "javascript:" is no Spotify link
    ]
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert header[0] == "# Songs like One More Time — Daft Punk"
    assert "# No Spotify link for 3; written as artist - title:" in header
    assert "#   Björk - Line break song" in header
    assert export().summary() == (
        "5 songs as Spotify links, CSV and JSPF; 3 have no Spotify link (listed by name instead)."
    )


def test_csv_parses_back_with_escaping_and_formula_guard() -> None:
    data = files()["csv"]
    assert not data.startswith(b"\xef\xbb\xbf")  # a BOM would stick to the first column name
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [
        ["Daft Punk", "One More Time", f"spotify:track:{OMT}"],
        ["Tyler, The Creator", 'Say "Hello", Goodbye', f"spotify:track:{LUCKY}"],
        ["Björk", "Line break song", ""],
        ["'@admin", '\'=HYPERLINK("http://evil.example","click")', ""],
        ["'+44", "'-1", ""],
    ]
    assert data.count(b"\r\n") == 6  # one record per line: no raw line break inside a cell


def test_jspf_structure() -> None:
    doc = json.loads(files()["jspf"])
    playlist = doc["playlist"]
    assert playlist["title"] == "Songs like One More Time — Daft Punk"
    assert playlist["creator"] == "songsim"
    assert datetime.fromisoformat(playlist["date"]) == WHEN
    tracks = playlist["track"]
    assert [(t["creator"], t["title"]) for t in tracks] == [
        ("Daft Punk", "One More Time"),
        ("Tyler, The Creator", 'Say "Hello", Goodbye'),
        ("Björk", "Line break song"),
        ("@admin", '=HYPERLINK("http://evil.example","click")'),
        ("+44", "-1"),
    ]
    # identifier is a list of URIs, per the JSPF spec, and only where the link is known.
    assert tracks[0]["identifier"] == [f"https://open.spotify.com/track/{OMT}"]
    assert tracks[1]["identifier"] == [f"https://open.spotify.com/track/{LUCKY}"]
    assert all("identifier" not in t for t in tracks[2:])
    assert set(tracks[0]) == {"creator", "title", "identifier"}


def test_every_file_reads_back_as_the_same_playlist() -> None:
    want = [("Daft Punk", "One More Time"), ("Tyler, The Creator", 'Say "Hello", Goodbye')]
    for f in export().files:
        result = read_playlist_file(f.data, f.filename)
        assert result.error is None and result.bad_lines == [], f.filename
        assert [s.spotify_uri for s in result.seeds][:2] == [
            f"spotify:track:{OMT}",
            f"spotify:track:{LUCKY}",
        ]
        assert len(result.seeds) == len(SONGS)
        if f.kind != "links":  # the links file names linked songs by link alone
            assert [(s.artist, s.title) for s in result.seeds][:2] == want
            assert (result.seeds[3].artist, result.seeds[4].title) == ("@admin", "-1")
        else:
            assert (result.seeds[2].artist, result.seeds[2].title) == ("Björk", "Line break song")


def test_no_songs_and_all_unlinked() -> None:
    empty = export_files([], "Nothing")
    assert empty.summary() == "There are no songs to export."
    assert json.loads(empty.files[2].data)["playlist"]["track"] == []
    one = export_files([Track(9, 1, "A", "B", 1)], "One")
    assert one.summary() == (  # not "as Spotify links" when there are none
        "1 song as CSV and JSPF; none has a Spotify link, so the links file lists them by name."
    )
    assert "Copy the links" not in one.files[0].data.decode()
