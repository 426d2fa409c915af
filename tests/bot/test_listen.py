"""Links for every service: each URL finds the song (its search text survives encoding),
no name can break the markdown around it, and a list of songs fits its character budget."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot.listen import (
    apple_music_search_url,
    listen_line,
    listen_lines,
    listen_links,
    search_terms,
)
from tests.support.bot_fixtures import make_track

NASTY = make_track(1, 'T.N.T. (Live) [Remastered] & "quotes" #1 ?', "AC/DC")
OMT = "0DiWol3AO6WpXZgp0goxAV"
# What may appear in a URL inside a markdown link: no space, (), [], <>, quotes, *, |, `.
URL_CHARS = re.compile(r"https://[A-Za-z0-9%._~\-/:?=&]+")
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def test_nasty_names_are_encoded_and_searched_whole() -> None:
    links = listen_links(NASTY)
    assert [link.service for link in links] == ["Spotify", "YouTube Music", "Apple Music", "Deezer"]
    terms = 'AC/DC T.N.T. (Live) [Remastered] & "quotes" #1 ?'
    for link in links:
        assert URL_CHARS.fullmatch(link.url), link.url
        parts = urlsplit(link.url)
        assert parts.fragment == ""  # "#1" did not cut the URL short
        if parts.query:
            [value] = parse_qs(parts.query)["q" if "youtube" in link.url else "term"]
            assert value == terms
        else:
            assert unquote(parts.path.rsplit("/", 1)[1]) == terms
    assert links[1].url == (
        "https://music.youtube.com/search?q=AC%2FDC%20T.N.T.%20%28Live%29%20%5BRemastered%5D"
        "%20%26%20%22quotes%22%20%231%20%3F"
    )
    assert links[2].url.startswith("https://music.apple.com/search?term=AC%2FDC%20")
    assert links[3].url.startswith("https://www.deezer.com/search/AC%2FDC%20")
    assert links[0].url.startswith("https://open.spotify.com/search/AC%2FDC%20")
    assert not links[0].direct


@pytest.mark.parametrize(
    "name",
    ["[click](https://evil.example)", "a)b(c", "`code` **bold** ||x||", "@everyone", "<@1>"],
)
def test_no_name_breaks_the_markdown_link(name: str) -> None:
    line = listen_line(make_track(1, name, name))
    found = MARKDOWN_LINK.findall(line)
    assert [label for label, _ in found] == ["Spotify", "YT Music", "Apple", "Deezer"]
    assert line == " · ".join(f"[{label}]({url})" for label, url in found)
    assert all(URL_CHARS.fullmatch(url) for _, url in found)


def test_spotify_track_link_when_known() -> None:
    stored = make_track(1, "One More Time", "Daft Punk", uri=f"spotify:track:{OMT}")
    assert listen_links(stored)[0].url == f"https://open.spotify.com/track/{OMT}"
    assert listen_links(stored)[0].direct
    looked_up = make_track(2, "One More Time", "Daft Punk")
    found = {2: f"https://open.spotify.com/track/{OMT}?si=x"}
    assert listen_links(looked_up, found)[0].url == f"https://open.spotify.com/track/{OMT}"
    bogus = {2: "https://open.spotify.com/track/x)[evil](https://e.example"}
    assert listen_links(looked_up, bogus)[0].url.startswith("https://open.spotify.com/search/")


def test_apple_storefront_and_long_names() -> None:
    assert apple_music_search_url("a b", "US") == "https://music.apple.com/us/search?term=a%20b"
    long = make_track(1, "word " * 100, "宇多田ヒカル" * 20)
    assert len(search_terms(long)) <= 80
    for link in listen_links(long):
        assert len(link.url) < 300  # far below a link button's 512


def test_lines_drop_services_before_songs() -> None:
    tracks = [make_track(i, f"Song number {i} (Remastered)", f"Artist {i}") for i in range(10)]
    full = listen_lines(tracks, budget=4096)
    assert len(full) == 10 and all(line.count("](") == 4 for line in full)

    field = listen_lines(tracks, budget=1024)
    assert len("\n".join(field)) <= 1024
    assert len(field) == 10  # every song kept...
    services = {line.count("](") for line in field}
    assert len(services) == 1 and services < {1, 2, 3}  # ...with the same, fewer services
    assert all(line.startswith("[Spotify](") for line in field)
    # Deezer goes first, then Apple, then YouTube Music.
    assert "[Deezer]" not in field[0]

    tight = listen_lines(tracks, budget=300)
    assert 0 < len(tight) < 10 and len("\n".join(tight)) <= 300
    assert all(line.count("](") == 1 for line in tight)
    assert listen_lines(tracks, budget=10) == []
    assert listen_lines([], budget=1024) == []


def test_prefix_counts_toward_the_budget() -> None:
    tracks = [make_track(i, f"Song {i}", "Artist") for i in range(20)]
    lines = listen_lines(tracks, budget=1024, prefix=lambda i, t: f"**{i + 1}.** ")
    assert lines[0].startswith("**1.** [Spotify](")
    assert len("\n".join(lines)) <= 1024
    # Exactly at the limit: the budget is a maximum, not a target.
    exact = listen_lines(tracks[:1], budget=len(listen_line(tracks[0])))
    assert exact == [listen_line(tracks[0])]


def test_shorter_searches_keep_words_of_artist_and_title() -> None:
    long_artist = make_track(
        1, "Canon in D", "Johann Pachelbel and the Very Long Chamber Orchestra"
    )
    long_title = make_track(2, "Orchestral Suite No. 3 in D Major, BWV 1068: II. Air", "J. S. Bach")
    for limit in (48, 32):
        for track in (long_artist, long_title):
            terms = search_terms(track, limit)
            assert len(terms) <= limit
            artist_words, title_words = track.artist.split(), track.title.split()
            assert terms.split()[0] == artist_words[0]  # the artist's start...
            assert title_words[0] in terms.split()[1:]  # ...and the title's, never one alone
    assert search_terms(long_artist, 48) == "Johann Pachelbel and the Very Long Canon in D"
    assert search_terms(make_track(3, "Halo", "Beyoncé"), 32) == "Beyoncé Halo"
