"""Spotify's pure rules: which search result is our song, track ids in URIs and links, and
how long a 429 asks us to wait. No server; the lookups themselves are in test_spotify.py.
"""

from __future__ import annotations

import time

from bot.spotify import pick_match, retry_after_seconds, spotify_track_id


def test_pick_match_rules() -> None:
    def item(id_: str, name: str, *artists: str) -> dict:
        return {"id": id_, "name": name, "artists": [{"name": a} for a in artists]}

    items = [
        item("a", "Hey Jude", "Wilson Pickett"),
        item("b", "Hey Jude - Live", "The Beatles"),
        item("c", "Hey Jude", "Beatles"),
    ]
    # Both b and c are the song; the title closest to ours wins over Spotify's order.
    assert pick_match("The Beatles", "Hey Jude", items)["id"] == "c"
    assert pick_match("The Beatles", "Hey Jude (Live)", items)["id"] == "b"
    assert pick_match("The Beatles", "Yesterdays", [item("y", "Yesterday", "The Beatles")]) is None
    duet = [item("d", "Under Pressure", "Queen", "David Bowie")]
    assert pick_match("David Bowie", "Under Pressure", duet)["id"] == "d"
    assert pick_match("Queen & David Bowie", "Under Pressure", duet)["id"] == "d"
    assert (
        pick_match("Queen", "Under Pressure", [item("x", "Under Pressure", "Vanilla Ice")]) is None
    )


def test_uri_and_retry_after_parsing() -> None:
    assert spotify_track_id("spotify:track:4uLU6hMCjMI75M1A2tKUQC") == "4uLU6hMCjMI75M1A2tKUQC"
    assert spotify_track_id("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x") == (
        "4uLU6hMCjMI75M1A2tKUQC"
    )
    assert spotify_track_id("spotify:album:4uLU6hMCjMI75M1A2tKUQC") is None
    assert spotify_track_id("") is None and spotify_track_id(None) is None
    now = 1_700_000_000.0
    assert retry_after_seconds({"Retry-After": "42"}, now) == 42
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 90))
    assert 89 <= retry_after_seconds({"Retry-After": date}, now) <= 91
    assert retry_after_seconds({}, now) > 0
