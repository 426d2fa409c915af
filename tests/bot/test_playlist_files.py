"""A playlist file as seeds: each format read as people's files write it, broken entries
counted with their line numbers, the 100-song cut, encodings, and files that are not
playlists at all (empty, binary, huge, hostile XML) answered with a sentence, never a crash.
"""

from __future__ import annotations

import json
import random

import pytest

from bot.playlists import (
    MAX_BYTES,
    MAX_SONGS,
    PlaylistFile,
    display_name,
    read_playlist_file,
    size_problem,
)
from bot.playlists.seeds import song_from_path

ONE_MORE_TIME = "0DiWol3AO6WpXZgp0goxAV"
GET_LUCKY = "2Foc5Q5nqNiosCNqttzHof"
BOHEMIAN = "7tFiyTwD0nx5a1eklYtX2J"


def songs(result: PlaylistFile) -> list[tuple[str | None, str | None]]:
    return [(s.artist, s.title) for s in result.seeds]


# --------------------------------------------------------------------------- Exportify CSV

EXPORTIFY = (
    '"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album URI","Album Name",'
    '"Album Artist URI(s)","Album Artist Name(s)","Album Release Date","Album Image URL",'
    '"Disc Number","Track Number","Track Duration (ms)","Track Preview URL","Explicit",'
    '"Popularity","ISRC","Added By","Added At"\n'
    f'"spotify:track:{ONE_MORE_TIME}","One More Time","spotify:artist:4tZwfgrHOc3mvqYlEYSvVi",'
    '"Daft Punk","spotify:album:2noRn2Aes5aoNVsU6iWThc","Discovery",'
    '"spotify:artist:4tZwfgrHOc3mvqYlEYSvVi","Daft Punk","2001-03-12",'
    '"https://i.scdn.co/image/ab67616d0000b273b33d46dfa2635a47eebf63b2","1","1","320357","",'
    '"false","79","GBDUW0000053","spotify:user:someone","2020-03-01T10:00:00Z"\n'
    f'"spotify:track:{GET_LUCKY}","Get Lucky (feat. Pharrell Williams and Nile Rodgers)",'
    '"spotify:artist:4tZwfgrHOc3mvqYlEYSvVi, spotify:artist:2RdwBSPQiwcmiDo9kixcl8",'
    '"Daft Punk, Pharrell Williams, Nile Rodgers","spotify:album:4m2880jivSbbyEGAKfITCa",'
    '"Random Access Memories","spotify:artist:4tZwfgrHOc3mvqYlEYSvVi","Daft Punk",'
    '"2013-05-20","","1","8","369626","","false","83","USQX91300108","",""\n'
    '"spotify:local:Tyler%2C+The+Creator:Flower+Boy:See+You+Again:180","See You Again","",'
    '"","","","","","","","0","0","180000","","false","0","","",""\n'
    f'"spotify:track:{BOHEMIAN}","","","Earth\\, Wind & Fire","","","","","","","1","1",'
    '"1","","false","1","","",""\n'
    '"","","","Nobody","","","","","","","0","0","0","","false","0","","",""\n'
)


def test_exportify_csv_reads_uris_names_and_counts_the_broken_row() -> None:
    result = read_playlist_file(EXPORTIFY.encode(), "Road trip.csv")
    assert result.format == "Exportify CSV"
    assert [s.spotify_uri for s in result.seeds] == [
        f"spotify:track:{ONE_MORE_TIME}",
        f"spotify:track:{GET_LUCKY}",
        None,
        f"spotify:track:{BOHEMIAN}",
    ]
    # The first credited artist is the one the index knows; a local file's names come from
    # its URI when its row has no artist.
    assert songs(result)[:3] == [
        ("Daft Punk", "One More Time"),
        ("Daft Punk", "Get Lucky (feat. Pharrell Williams and Nile Rodgers)"),
        ("Tyler, The Creator", "See You Again"),
    ]
    assert result.seeds[3].title is None and result.seeds[3].query.endswith(BOHEMIAN)
    assert result.seeds[0].line == 2 and result.seeds[0].query == "Daft Punk - One More Time"
    assert result.bad_lines == [6]
    assert result.read == 5
    assert result.summary() == "Read 4 songs from Road trip.csv; 1 line I couldn't read (line 6)."


def test_exportify_artist_with_escaped_comma_stays_one_name() -> None:
    text = (
        '"Track URI","Track Name","Artist URI(s)","Artist Name(s)"\n'
        f'"spotify:track:{BOHEMIAN}","September","a, b","Earth\\, Wind & Fire, Someone"\n'
    )
    [seed] = read_playlist_file(text.encode(), "x.csv").seeds
    assert seed.artist == "Earth, Wind & Fire"


def test_other_csv_headers_delimiters_and_quoted_newlines() -> None:
    semicolons = (
        "Title;Artist;Album\n"
        '"Bohemian Rhapsody";Queen;A Night at the Opera\n'
        '"Hello,\nGoodbye";The Beatles;\n'
        ";;only an album\n"
        "Wonderwall;Oasis;x\n"
    )
    result = read_playlist_file(semicolons.encode(), "export.csv")
    assert result.format == "CSV"
    assert songs(result) == [
        ("Queen", "Bohemian Rhapsody"),
        ("The Beatles", "Hello, Goodbye"),
        ("Oasis", "Wonderwall"),
    ]
    # A quoted field spanning two lines: numbers still point at where each row starts.
    assert [s.line for s in result.seeds] == [2, 3, 6]
    assert result.bad_lines == [5]
    tunemymusic = f"Track name,Artist name,Album,Playlist name,Type,ISRC,Spotify - id\nOne More Time,Daft Punk,Discovery,Mix,Playlist,,{ONE_MORE_TIME}\n"
    [seed] = read_playlist_file(tunemymusic.encode(), "tmm.csv").seeds
    assert seed.spotify_uri == f"spotify:track:{ONE_MORE_TIME}"


def test_csv_without_a_known_header_says_which_columns_it_needs() -> None:
    result = read_playlist_file(b"Daft Punk,One More Time\nQueen,Bohemian Rhapsody\n", "a.csv")
    assert result.seeds == [] and result.error is not None
    assert "Track Name" in result.summary() and "Artist" in result.summary()


# --------------------------------------------------------------------------- M3U

M3U = """#EXTM3U
#PLAYLIST:Friday
#EXTINF:320,Daft Punk - One More Time
/home/me/Music/Daft Punk/Discovery/01 - One More Time.flac
#EXTINF:-1 tvg-name="a, b" group-title="x",Queen - Bohemian Rhapsody
http://radio.example/stream.mp3
#EXTINF:210,Around the World
/home/me/Music/Daft Punk/Homework/07 Around the World.mp3
C:\\Users\\me\\Music\\50 Cent - In Da Club.mp3
/home/me/Music/track01.mp3
https://open.spotify.com/track/{uri}?si=abc
#EXTINF:abc
#EXTINF:200,Motörhead - Ace of Spades
../Metal/Motörhead/Ace of Spades/01 Ace of Spades.mp3
""".replace("{uri}", GET_LUCKY)


def test_extended_m3u_names_paths_urls_and_broken_lines() -> None:
    result = read_playlist_file(M3U.encode(), "friday.m3u8")
    assert result.format == "M3U"
    assert songs(result) == [
        ("Daft Punk", "One More Time"),
        ("Queen", "Bohemian Rhapsody"),
        ("Daft Punk", "Around the World"),  # title from #EXTINF, artist from the folders
        ("50 Cent", "In Da Club"),  # a band named for a number keeps it
        (None, None),  # the Spotify link
        ("Motörhead", "Ace of Spades"),
    ]
    assert result.seeds[1].link == "http://radio.example/stream.mp3"
    assert result.seeds[4].spotify_uri == f"spotify:track:{GET_LUCKY}"
    assert result.seeds[0].line == 3  # where its #EXTINF is
    assert result.bad_lines == [10, 12]
    assert {b.line: b.text for b in result.bad_examples} == {
        10: "/home/me/Music/track01.mp3",
        12: "#EXTINF:abc",
    }
    assert result.summary() == (
        "Read 6 songs from friday.m3u8; 2 lines I couldn't read (lines 10, 12)."
    )


def test_m3u_in_windows_1252_and_latin_1() -> None:
    text = "#EXTM3U\n#EXTINF:200,Beyoncé - Halo\nhalo.mp3\n#EXTINF:1,Motörhead – Ace\na.mp3\n"
    result = read_playlist_file(text.encode("cp1252"), "old.m3u")
    assert result.encoding == "cp1252"
    assert songs(result) == [("Beyoncé", "Halo"), ("Motörhead", "Ace")]
    # 0x81 is no Windows-1252 character: Latin-1 reads every byte.
    latin = "#EXTM3U\n#EXTINF:1,Sigur Rós - Hoppípolla\nx.mp3\n".encode("latin-1") + b"\x81\n"
    result = read_playlist_file(latin, "old.m3u")
    assert result.encoding == "latin-1"
    assert songs(result)[0] == ("Sigur Rós", "Hoppípolla")


def test_plain_m3u_of_paths_is_detected_by_name() -> None:
    result = read_playlist_file(b"Music\\Queen - Bohemian Rhapsody.mp3\n", "list.m3u")
    assert result.format == "M3U" and songs(result) == [("Queen", "Bohemian Rhapsody")]


# --------------------------------------------------------------------------- XSPF and JSPF

XSPF = f"""<?xml version="1.0" encoding="UTF-8"?>
<playlist version="1" xmlns="http://xspf.org/ns/0/">
  <title>Friday</title>
  <trackList>
    <track>
      <location>file:///music/Daft%20Punk/Discovery/01%20One%20More%20Time.mp3</location>
      <creator>Daft Punk</creator>
      <title>One More Time</title>
      <album>Discovery</album>
      <duration>320000</duration>
    </track>
    <track><location>https://open.spotify.com/track/{GET_LUCKY}</location></track>
    <track><album>Only an album</album></track>
    <track>
      <location>file:///C:/Music/Queen%20-%20Bohemian%20Rhapsody.mp3</location>
    </track>
    <track><creator>AC/DC</creator><title>T.N.T. &amp; "more"</title></track>
  </trackList>
</playlist>
"""


def test_xspf_tracks_with_names_links_and_paths() -> None:
    result = read_playlist_file(b"\n  " + XSPF.encode(), "friday.xspf")
    assert result.format == "XSPF" and result.unit == "track"
    assert songs(result) == [
        ("Daft Punk", "One More Time"),
        (None, None),
        ("Queen", "Bohemian Rhapsody"),
        ("AC/DC", 'T.N.T. & "more"'),
    ]
    assert result.seeds[1].spotify_uri == f"spotify:track:{GET_LUCKY}"
    assert result.bad_lines == [3]
    assert result.summary() == "Read 4 songs from friday.xspf; 1 track I couldn't read (track 3)."


@pytest.mark.parametrize(
    "xml",
    [
        # "billion laughs": entities expanding to gigabytes
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><playlist>&b;</playlist>',
        # an external entity reading a local file
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<playlist><trackList><track><title>&x;</title></track></trackList></playlist>",
    ],
)
def test_xml_with_a_dtd_is_refused(xml: str) -> None:
    result = read_playlist_file(xml.encode(), "evil.xspf")
    assert result.seeds == [] and "DTD" in result.summary()


def test_broken_and_foreign_xml_say_what_is_wrong() -> None:
    broken = read_playlist_file(XSPF[:400].encode(), "cut.xspf")
    assert broken.error and "not valid XML (line" in broken.summary()
    svg = read_playlist_file(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "a.xspf")
    assert svg.error and "not an XSPF playlist" in svg.summary()


LISTENBRAINZ = {
    "playlist": {
        "title": "Weekly Exploration",
        "creator": "listenbrainz",
        "identifier": "https://listenbrainz.org/playlist/7f3b9e6c-0000-4000-8000-000000000000",
        "date": "2026-01-05T00:00:00+00:00",
        "extension": {"https://musicbrainz.org/doc/jspf#playlist": {"public": True}},
        "track": [
            {
                "title": "One More Time",
                "creator": "Daft Punk",
                "identifier": "https://musicbrainz.org/recording/0d7f0f1c-0000-4000-8000-0000",
                "extension": {"https://musicbrainz.org/doc/jspf#track": {"added_by": "x"}},
            },
            {
                "creator": "Daft Punk",
                "identifier": [f"https://open.spotify.com/track/{GET_LUCKY}"],
            },
            {"album": "nothing to go on"},
            "not a track",
            {
                "title": "Bohemian Rhapsody",
                "creator": "Queen",
                "location": ["https://www.youtube.com/watch?v=fJ9rUzIMcZQ"],
            },
        ],
    }
}


def test_jspf_as_listenbrainz_writes_it() -> None:
    result = read_playlist_file(json.dumps(LISTENBRAINZ).encode(), "weekly.jspf")
    assert result.format == "JSPF" and result.unit == "track"
    assert songs(result) == [
        ("Daft Punk", "One More Time"),
        (None, None),
        ("Queen", "Bohemian Rhapsody"),
    ]
    assert result.seeds[0].link is None  # a MusicBrainz id is not a place to listen
    assert result.seeds[1].spotify_uri == f"spotify:track:{GET_LUCKY}"
    assert result.seeds[2].link == "https://www.youtube.com/watch?v=fJ9rUzIMcZQ"
    assert result.bad_lines == [3, 4]
    assert "2 tracks I couldn't read (tracks 3, 4)" in result.summary()


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (b'{"playlist": {"title": "x", "track": [', "not valid JSON (line 1"),
        (b'{"name": "x", "songs": []}', "not a JSPF playlist"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_is_not_jspf(data: bytes, expect: str) -> None:
    result = read_playlist_file(data, "x.json")
    assert result.seeds == [] and expect in result.summary()


# --------------------------------------------------------------------------- plain text

TEXT = f"""# Songs for Friday
Daft Punk - One More Time
1. Queen – Bohemian Rhapsody
* The Beatles—Hey Jude
<https://open.spotify.com/track/{GET_LUCKY}?si=0123abcd>
spotify:track:{ONE_MORE_TIME}
https://open.spotify.com/intl-de/track/{BOHEMIAN}
https://www.youtube.com/watch?v=dQw4w9WgXcQ
https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M

just some words
Nirvana\tSmells Like Teen Spirit
"""


def test_text_songs_links_and_unknown_lines() -> None:
    result = read_playlist_file(TEXT.encode(), "friday.txt")
    assert result.format == "text file"
    assert songs(result)[:3] == [
        ("Daft Punk", "One More Time"),
        ("Queen", "Bohemian Rhapsody"),
        ("The Beatles", "Hey Jude"),
    ]
    assert [s.spotify_uri for s in result.seeds[3:6]] == [
        f"spotify:track:{GET_LUCKY}",
        f"spotify:track:{ONE_MORE_TIME}",
        f"spotify:track:{BOHEMIAN}",
    ]
    assert result.seeds[3].link == f"https://open.spotify.com/track/{GET_LUCKY}"
    assert result.seeds[6].link == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert songs(result)[7] == ("Nirvana", "Smells Like Teen Spirit")
    assert result.bad_lines == [9, 11]  # the comment and the blank line are not counted
    assert "playlist link, not a song" in result.bad_examples[0].reason
    assert result.summary() == (
        "Read 8 songs from friday.txt; 2 lines I couldn't read (lines 9, 11)."
    )


def test_only_unknown_lines_explains_what_to_write() -> None:
    result = read_playlist_file(b"hello\nworld\nfoo\nbar\nbaz\nqux\nquux\n", "notes.txt")
    assert result.seeds == []
    assert result.summary().startswith(
        "I found no songs in notes.txt: 7 lines I couldn't read "
        "(lines 1, 2, 3, 4, 5 and 2 more). Attach"
    )
    assert len(result.bad_examples) == 3 and result.bad_count == 7


# --------------------------------------------------------------------------- limits


def test_more_than_100_songs_are_cut_and_counted() -> None:
    text = "".join(f"Artist {i} - Song {i}\n" for i in range(1, 131)) + "oops\n"
    result = read_playlist_file(text.encode(), "long.txt")
    assert len(result.seeds) == MAX_SONGS and result.cut and result.left_out == 30
    assert result.seeds[-1].title == "Song 100"
    assert result.summary() == (
        "Read 100 songs from long.txt (the first 100; 30 more left out); "
        "1 line I couldn't read (line 131)."
    )


def test_boms_and_utf16() -> None:
    csv_bom = b"\xef\xbb\xbf" + EXPORTIFY.encode()
    assert read_playlist_file(csv_bom, "a.csv").format == "Exportify CSV"
    text = "Björk - Jóga\r\nSigur Rós - Hoppípolla\r\n"
    utf16 = read_playlist_file(text.encode("utf-16"), "notepad.txt")
    assert utf16.encoding == "utf-16"
    assert songs(utf16) == [("Björk", "Jóga"), ("Sigur Rós", "Hoppípolla")]
    xspf16 = read_playlist_file(XSPF.replace("UTF-8", "UTF-16").encode("utf-16"), "a.xspf")
    assert len(xspf16.seeds) == 4


@pytest.mark.parametrize("data", [b"", b"\n\n   \r\n", b"\xef\xbb\xbf\n"])
def test_empty_files(data: bytes) -> None:
    result = read_playlist_file(data, "empty.txt")
    assert result.seeds == [] and result.summary().startswith("empty.txt is empty.")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 100,
        b"Artist - Title\n\x00\x00\x00\x01binary",
        bytes(range(1, 32)) * 50,
    ],
)
def test_binary_files(data: bytes) -> None:
    result = read_playlist_file(data, "photo.png")
    assert result.seeds == [] and result.summary().startswith("photo.png is not a text playlist.")


def test_huge_files_are_refused_before_and_after_download() -> None:
    huge = b"Daft Punk - One More Time\n" * (MAX_BYTES // 20)
    result = read_playlist_file(huge, "huge.txt")
    assert result.seeds == [] and "up to 1 MB" in result.summary()
    assert size_problem("huge.txt", 3_500_000) == (
        "huge.txt is 3.5 MB; I read playlist files up to 1 MB. Attach a shorter export "
        "(a mix uses the first 100 songs) or split the file."
    )
    assert size_problem("ok.txt", 5_000) is None


def test_file_names_are_shown_without_folders_or_control_characters() -> None:
    assert display_name("../../etc/\x00evil\u202e\n.csv") == "evil.csv"
    assert display_name("C:\\Users\\me\\list.m3u") == "list.m3u"
    assert display_name("") == "your file"
    assert len(display_name("a" * 500 + ".txt")) == 60


def test_garbage_and_truncated_files_never_raise() -> None:
    rng = random.Random(17)
    samples = [EXPORTIFY, M3U, XSPF, json.dumps(LISTENBRAINZ), TEXT]
    names = ["a.csv", "a.m3u", "a.xspf", "a.jspf", "a.txt", "a", None]
    for sample in samples:
        data = sample.encode()
        for cut in range(0, len(data), 53):
            result = read_playlist_file(data[:cut], rng.choice(names))
            summary = result.summary()
            assert summary.startswith("Read ") == bool(result.seeds)
    for _ in range(200):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        result = read_playlist_file(blob, rng.choice(names))
        assert isinstance(result.summary(), str)


def test_a_text_list_starting_with_a_bracket_is_not_taken_for_json() -> None:
    result = read_playlist_file(b"[2019] Daft Punk - One More Time\nQueen - Bohemian Rhapsody\n")
    assert result.format == "text file" and len(result.seeds) == 2


def test_a_bug_in_a_reader_costs_one_reply_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(lines: list[str]) -> None:
        raise ValueError("bug")

    monkeypatch.setattr("bot.playlists.read_text", broken)
    result = read_playlist_file(b"Daft Punk - One More Time\n", "a.txt")
    assert result.seeds == [] and result.summary().startswith("Something went wrong reading a.txt")
    assert "bug" in caplog.text


@pytest.mark.parametrize(
    ("path", "song"),
    [
        ("/m/Daft Punk/Discovery/01 - One More Time.mp3", ("Daft Punk", "One More Time")),
        ("/m/Daft Punk/Discovery/1-01. One More Time.flac", ("Daft Punk", "One More Time")),
        ("/m/x/12 - Daft Punk - One More Time.mp3", ("Daft Punk", "One More Time")),
        ("D:\\Music\\311 - Amber.mp3", ("311", "Amber")),
        ("D:\\Music\\50 Cent - In Da Club.mp3", ("50 Cent", "In Da Club")),
        ("file:///m/Sigur%20R%C3%B3s%20-%20Hopp%C3%ADpolla.ogg", ("Sigur Rós", "Hoppípolla")),
        ("/home/me/Music/track01.mp3", (None, None)),
    ],
)
def test_songs_named_by_file_paths(path: str, song: tuple[str | None, str | None]) -> None:
    assert song_from_path(path) == song
