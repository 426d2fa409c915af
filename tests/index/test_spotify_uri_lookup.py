"""A pasted Spotify link finds its track in an MPD-built index by URI, offline and fast.

What a user notices: on an index built from Million Playlist Dataset slices, a Spotify
link to a song in the index is that song, never a fuzzy guess from the link's words; on
an index without URIs (or a link to another song) the answer is "not here" at once.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from index.build import build_index
from index.read.api import SongIndex
from index.schema import SPOTIFY_URI_INDEX
from tests.support.mpd_index import SONGS, build_mpd_index


@pytest.fixture(scope="module")
def mpd_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mpd_index(tmp_path_factory.mktemp("mpd"))


@pytest.fixture(scope="module")
def csv_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    rows = ["playlist,artist,track"]
    for p, members in enumerate([[0, 1, 2], [0, 1, 3], [3, 4, 5], [0, 2, 4]]):
        rows += [f"p{p},{SONGS[s][0]},{SONGS[s][1].replace(',', ' ')}" for s in members]
    data = folder / "plain.csv"
    data.write_text("\n".join(rows) + "\n")
    out = folder / "plain.sqlite"
    build_index(data, out, fmt="csv", method="exact", progress=False)
    return out


@pytest.mark.parametrize(("artist", "title", "sid"), SONGS)
def test_every_track_is_found_by_its_uri(mpd_index: Path, artist: str, title: str, sid: str):
    with SongIndex.open(mpd_index) as idx:
        track = idx.track_by_spotify_uri(f"spotify:track:{sid}")
        assert track is not None
        assert (track.artist, track.title, track.spotify_uri) == (
            artist,
            title,
            f"spotify:track:{sid}",
        )
        assert idx.track_by_spotify_uri(sid) == track  # the bare id works too


def test_unknown_and_malformed_uris_are_not_found(mpd_index: Path) -> None:
    with SongIndex.open(mpd_index) as idx:
        assert idx.track_by_spotify_uri("spotify:track:0000000000000000000000") is None
        for odd in ("", "spotify:track:", "spotify:track:x' OR '1'='1", "%", "spotify:album:1"):
            assert idx.track_by_spotify_uri(odd) is None


def test_the_lookup_uses_the_uri_index_not_a_scan(mpd_index: Path) -> None:
    with SongIndex.open(mpd_index) as idx:
        assert idx.has_uri_index
        plan = idx.query(
            "EXPLAIN QUERY PLAN SELECT track_id FROM tracks t WHERE t.spotify_uri = ?", ("x",)
        )
        assert any(SPOTIFY_URI_INDEX in str(row[-1]) for row in plan), plan


def test_an_index_built_before_the_uri_index_still_finds_tracks(
    mpd_index: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copy(mpd_index, old)
    with sqlite3.connect(old) as conn:
        conn.execute(f"DROP INDEX {SPOTIFY_URI_INDEX}")
    with SongIndex.open(old) as idx:
        assert not idx.has_uri_index
        track = idx.track_by_spotify_uri(f"spotify:track:{SONGS[5][2]}")
        assert track is not None and track.title == "Africa"


def test_an_index_without_uris_answers_none(csv_index: Path) -> None:
    with SongIndex.open(csv_index) as idx:
        assert not idx.has_spotify_uris
        assert idx.track_by_spotify_uri(f"spotify:track:{SONGS[0][2]}") is None
        # The text is still found the usual way.
        assert idx.resolve("daft punk - get lucky").match is not None


def test_another_release_of_a_song_is_found_by_its_own_uri(tmp_path: Path) -> None:
    """The single and the album version of one song: one track, both links find it."""
    import json

    album, single = "spotify:track:" + "A" * 22, "spotify:track:" + "S" * 22
    other = [("Toto", "Hold the Line", "spotify:track:" + "H" * 22)]
    playlists = [
        [("Toto", "Africa", album), *other],
        [("Toto", "Africa", album), *other],
        [("Toto", "Africa", single), *other],
    ]
    doc = {
        "info": {"slice": "0-999"},
        "playlists": [
            {"pid": p, "name": f"mix {p}", "tracks": [
                {"pos": i, "artist_name": a, "track_name": t, "track_uri": u}
                for i, (a, t, u) in enumerate(tracks)
            ]}
            for p, tracks in enumerate(playlists)
        ],
    }  # fmt: skip
    data = tmp_path / "mpd.slice.0-999.json"
    data.write_text(json.dumps(doc))
    out = tmp_path / "index.sqlite"
    build_index(data, out, method="exact", min_shared=1, min_playlists=1, progress=False)
    with SongIndex.open(out) as idx:
        by_album, by_single = idx.track_by_spotify_uri(album), idx.track_by_spotify_uri(single)
        assert by_album is not None and by_album == by_single  # one song, either link
        assert by_single.spotify_uri == album  # shown with its most frequent link
        assert idx.track_by_spotify_uri("spotify:track:" + "X" * 22) is None
