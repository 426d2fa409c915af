"""Reading links out of what people write (no network): every form the bot accepts.

What a user notices: a pasted link is read as the song it points at, whatever the
decoration around it (other words, Discord's <...>, markdown, a full stop); a playlist,
an album or another site gets a sentence saying what to do instead; and text without a
link is left to the usual "artist - title" reading.
"""

from __future__ import annotations

import pytest

from bot.links import Link, UnsupportedLink, find_link, find_links

SID = "4uLU6hMCjMI75M1A2tKUQC"  # a 22-character Spotify track id
VID = "dQw4w9WgXcQ"  # an 11-character YouTube video id


@pytest.mark.parametrize(
    "text",
    [
        f"https://open.spotify.com/track/{SID}",
        f"https://open.spotify.com/track/{SID}?si=1a2b3c4d5e6f7a8b",
        f"https://open.spotify.com/track/{SID}?si=abc&context=spotify%3Aplaylist%3A37i9",
        f"https://open.spotify.com/intl-de/track/{SID}",
        f"https://open.spotify.com/intl-pt/track/{SID}?si=x",
        f"http://open.spotify.com/track/{SID}/",
        f"open.spotify.com/track/{SID}",
        f"https://open.spotify.com/embed/track/{SID}",
        f"https://play.spotify.com/track/{SID}",
        f"spotify:track:{SID}",
        f"<https://open.spotify.com/track/{SID}?si=abc>",
        f"similar to this <https://open.spotify.com/intl-fr/track/{SID}?si=abc> please!",
        f"this one: https://open.spotify.com/track/{SID}.",
        f"**https://open.spotify.com/track/{SID}**",
        f"[my song](https://open.spotify.com/track/{SID})",
        f"||https://open.spotify.com/track/{SID}||",
        f"spotify:track:{SID}, thanks",
    ],
)
def test_spotify_track_links_in_every_form(text: str) -> None:
    link = find_link(text)
    assert isinstance(link, Link)
    assert (link.service, link.id) == ("spotify", SID)
    assert link.spotify_uri == f"spotify:track:{SID}"
    assert "<" not in link.url and not link.url.endswith((".", ">", ")", "*", "|", ","))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=x", "playlist"),
        ("https://open.spotify.com/intl-de/playlist/37i9dQZF1DXcBWIGoYBM5M", "playlist"),
        ("spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", "playlist"),
        ("spotify:user:spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", "playlist"),
        ("https://open.spotify.com/user/someone/playlist/37i9dQZF1DXcBWIGoYBM5M", "playlist"),
        ("https://open.spotify.com/album/4m2880jivSbbyEGAKfITCa", "album"),
        ("spotify:album:4m2880jivSbbyEGAKfITCa", "album"),
        ("https://open.spotify.com/artist/4tZwfgrHOc3mvqYlEYSvVi", "artist"),
        ("https://spotify.link/AbCdEf123", "short_link"),
        ("https://open.spotify.com/track/4uLU6hMC", "broken"),
        ("https://open.spotify.com/track/", "broken"),  # the id cut off
        ("spotify:track:", "broken"),
        ("spotify:track:abc", "broken"),
        ("https://open.spotify.com/episode/7makk4oTQel546B0PZlDM5", "other"),
    ],
)
def test_spotify_links_that_are_not_one_song(text: str, kind: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert (link.kind, link.service) == (kind, "spotify")
    assert "artist - title" in link.message or "Exportify" in link.message


def test_a_spotify_playlist_points_to_the_export_and_mix() -> None:
    link = find_link("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M")
    assert isinstance(link, UnsupportedLink)
    assert "February 2026" in link.message
    assert "Exportify" in link.message and "/mix" in link.message


@pytest.mark.parametrize(
    ("text", "artist", "title"),
    [
        ("https://www.last.fm/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("https://www.last.fm/music/AC%2FDC/_/Back+in+Black", "AC/DC", "Back in Black"),
        ("https://www.last.fm/music/Guns+N%27+Roses/_/Sweet+Child+O%27+Mine", "Guns N' Roses",
         "Sweet Child O' Mine"),
        ("https://www.last.fm/music/%2B44/_/When+Your+Heart+Stops+Beating", "+44",
         "When Your Heart Stops Beating"),
        ("https://www.last.fm/music/Beyonc%C3%A9/_/Halo", "Beyoncé", "Halo"),
        ("https://www.last.fm/music/Simon+%26+Garfunkel/_/The+Boxer", "Simon & Garfunkel",
         "The Boxer"),
        ("https://www.last.fm/music/Daft+Punk/_/Get+Lucky+(feat.+Pharrell+Williams)",
         "Daft Punk", "Get Lucky (feat. Pharrell Williams)"),
        ("(https://www.last.fm/music/Daft+Punk/_/Get+Lucky+(Radio+Edit))", "Daft Punk",
         "Get Lucky (Radio Edit)"),
        ("https://www.last.fm/de/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("https://www.lastfm.de/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("https://last.fm/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("www.last.fm/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("last.fm/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("https://www.lastfm.com.br/music/Daft+Punk/_/Get+Lucky", "Daft Punk", "Get Lucky"),
        ("https://www.last.fm/music/Daft+Punk/_/Get+Lucky/+lyrics", "Daft Punk", "Get Lucky"),
        ("https://www.last.fm/music/Daft+Punk/Random+Access+Memories/Get+Lucky", "Daft Punk",
         "Get Lucky"),
        ("https://www.last.fm/music/+noredirect/Daft+Punk/_/Get+Lucky", "Daft Punk",
         "Get Lucky"),
        ("<https://www.last.fm/music/Daft%20Punk/_/Get%20Lucky>", "Daft Punk", "Get Lucky"),
    ],
)  # fmt: skip
def test_lastfm_track_links_name_the_song_in_their_path(text: str, artist: str, title: str):
    link = find_link(text)
    assert isinstance(link, Link)
    assert (link.service, link.artist, link.title) == ("lastfm", artist, title)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://www.last.fm/music/Daft+Punk", "artist"),
        ("https://www.last.fm/music/Daft+Punk/+similar", "artist"),
        ("https://www.last.fm/music/Daft+Punk/Random+Access+Memories", "album"),
        ("https://www.last.fm/music/Daft+Punk/Random+Access+Memories/+wiki", "album"),
        ("https://www.last.fm/user/rj", "other"),
    ],
)
def test_lastfm_links_that_are_not_one_song(text: str, kind: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert (link.kind, link.service) == (kind, "lastfm")


@pytest.mark.parametrize(
    "text",
    [
        f"https://www.youtube.com/watch?v={VID}",
        f"https://youtube.com/watch?v={VID}&t=42s",
        f"https://www.youtube.com/watch?feature=share&v={VID}",
        f"https://m.youtube.com/watch?v={VID}",
        f"https://music.youtube.com/watch?v={VID}&list=RDAMVM{VID}",
        f"https://youtu.be/{VID}",
        f"https://youtu.be/{VID}?si=AbCdEfGh&t=10",
        f"https://www.youtube.com/shorts/{VID}",
        f"https://www.youtube.com/embed/{VID}",
        f"https://www.youtube.com/live/{VID}?feature=shared",
        f"https://www.youtube-nocookie.com/embed/{VID}",
        f"youtu.be/{VID}",
        f"www.youtube.com/watch?v={VID}",
        f"<https://youtu.be/{VID}> this slaps",
    ],
)
def test_youtube_and_youtube_music_links(text: str) -> None:
    link = find_link(text)
    assert isinstance(link, Link)
    assert (link.service, link.id) == ("youtube", VID)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://www.youtube.com/playlist?list=PL1234567890", "playlist"),
        ("https://music.youtube.com/playlist?list=OLAK5uy_abc", "playlist"),
        ("https://www.youtube.com/@DaftPunk", "artist"),
        ("https://www.youtube.com/channel/UC_kRDKYrUlrbtrSiyu5Tflg", "artist"),
        ("https://music.youtube.com/browse/MPREb_abcdef", "album"),
        ("https://www.youtube.com/watch?v=tooShort", "broken"),
        ("https://www.youtube.com/watch", "broken"),
        ("https://www.youtube.com/feed/trending", "other"),
    ],
)
def test_youtube_links_that_are_not_one_song(text: str, kind: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert (link.kind, link.service) == (kind, "youtube")


@pytest.mark.parametrize(
    ("text", "track", "region"),
    [
        ("https://music.apple.com/us/album/get-lucky-feat-pharrell-williams/617154241?i=617154366",
         "617154366", "us"),
        ("https://music.apple.com/gb/album/get-lucky/617154241?i=617154366&l=en", "617154366", "gb"),
        ("https://music.apple.com/album/617154241?i=617154366", "617154366", None),
        ("https://music.apple.com/jp/song/get-lucky/617154366", "617154366", "jp"),
        ("https://music.apple.com/us/song/617154366", "617154366", "us"),
        ("https://itunes.apple.com/us/album/get-lucky/id617154241?i=617154366&uo=4", "617154366",
         "us"),
        ("https://geo.music.apple.com/fr/album/_/617154241?i=617154366&app=music", "617154366",
         "fr"),
        ("https://music.apple.com/us/music-video/get-lucky/1440000001", "1440000001", "us"),
    ],
)  # fmt: skip
def test_apple_music_and_itunes_links(text: str, track: str, region: str | None) -> None:
    link = find_link(text)
    assert isinstance(link, Link)
    assert (link.service, link.id, link.region) == ("apple", track, region)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://music.apple.com/us/album/random-access-memories/617154241", "album"),
        ("https://music.apple.com/us/playlist/todays-hits/pl.f4d106fed2bd41149aaacabb233eb5eb",
         "playlist"),
        ("https://music.apple.com/us/artist/daft-punk/5468295", "artist"),
        ("https://music.apple.com/us/album/x/617154241?i=abc", "broken"),
        ("https://music.apple.com/us/browse", "other"),
    ],
)  # fmt: skip
def test_apple_links_that_are_not_one_song(text: str, kind: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert (link.kind, link.service) == (kind, "apple")


@pytest.mark.parametrize(
    "text",
    [
        "https://www.deezer.com/track/67238735",
        "https://www.deezer.com/fr/track/67238735",
        "https://www.deezer.com/en/track/67238735?utm_source=deezer&utm_content=track-67238735",
        "https://deezer.com/us/track/67238735",
        "deezer.com/track/67238735",
    ],
)
def test_deezer_track_links(text: str) -> None:
    link = find_link(text)
    assert isinstance(link, Link)
    assert (link.service, link.id) == ("deezer", "67238735")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://deezer.page.link/AbCdEf", "short_link"),
        ("https://link.deezer.com/s/30abcdef", "short_link"),
        ("https://www.deezer.com/fr/album/6575789", "album"),
        ("https://www.deezer.com/playlist/908622995", "playlist"),
        ("https://www.deezer.com/artist/27", "artist"),
        ("https://www.deezer.com/track/abc", "broken"),
    ],
)
def test_deezer_links_that_are_not_one_song(text: str, kind: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert (link.kind, link.service) == (kind, "deezer")


@pytest.mark.parametrize(
    "text",
    [
        "https://soundcloud.com/daftpunk/get-lucky",
        "https://tidal.com/browse/track/77640617",
        "http://example.com",
        "www.example.org/some/page",
        "<https://bandcamp.com/track/x>",
    ],
)
def test_other_sites_get_a_sentence_naming_the_links_that_work(text: str) -> None:
    link = find_link(text)
    assert isinstance(link, UnsupportedLink)
    assert link.kind == "other" and link.service is None
    for name in ("Spotify", "YouTube", "Apple Music", "Deezer", "Last.fm", "artist - title"):
        assert name in link.message


@pytest.mark.parametrize(
    "text",
    [
        "Daft Punk - Get Lucky",
        "AC/DC - Back in Black",
        "will.i.am - Scream & Shout",
        "Mr. Brightside",
        "P!nk - So What",
        "spotify",
        "",
        "   ",
        "Panic! at the Disco - High Hopes (feat. x/y)",
    ],
)
def test_text_without_a_link_is_left_to_the_usual_reading(text: str) -> None:
    assert find_link(text) is None


def test_a_song_link_wins_over_other_links_in_the_same_message() -> None:
    text = f"not https://example.com but https://youtu.be/{VID} or spotify:track:{SID}"
    link = find_link(text)
    assert isinstance(link, Link) and link.service == "youtube"
    assert [getattr(x, "service", None) for x in find_links(text)] == [None, "youtube", "spotify"]


@pytest.mark.parametrize(
    "text",
    [
        "https://",
        "https://[::1",
        "https://open.spotify.com/",
        "spotify:",
        "spotify:track:",
        "https://www.last.fm/music/",
        "https://www.last.fm/music/+/_/+",
        "https://music.apple.com/",
        "https://youtu.be/",
        "https://www.deezer.com/",
        "http://%zz%/",
        "https://open.spotify.com/track/" + "x" * 5000,
    ],
)
def test_odd_links_never_raise(text: str) -> None:
    link = find_link(text)
    if link is not None:
        assert isinstance(link, Link | UnsupportedLink)
        if isinstance(link, UnsupportedLink):
            assert link.message.endswith(".")
