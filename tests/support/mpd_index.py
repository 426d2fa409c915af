"""A small Million Playlist Dataset slice, written and indexed, for tests of Spotify URIs.

Every track carries its ``spotify:track:`` URI, as in the real dataset, so an index built
from it can find a pasted Spotify link's track offline.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.build import build_index

# (artist, title, 22-character Spotify id); each playlist below holds several of them.
SONGS = [
    ("Daft Punk", "Get Lucky", "69kOkLUCkxIZYexIgSG8rq"),
    ("Daft Punk", "One More Time", "0DiWol3AO6WpXZgp0goxAV"),
    ("Pharrell Williams", "Happy", "60nZcImufyMA1MKQY3dcCH"),
    ("Queen", "Bohemian Rhapsody", "7tFiyTwD0nx5a1eklYtX2J"),
    ("Queen", "Don't Stop Me Now", "5T8EDUDqKcs6OSOwEsfqG7"),
    ("Toto", "Africa", "2374M0fQpWi3dLnB54qaLX"),
]
PLAYLISTS = [[0, 1, 2], [0, 1, 3], [3, 4, 5], [0, 2, 4], [1, 3, 5], [2, 4, 5]]


def mpd_slice(first_pid: int, playlists: list[list[int]]) -> dict:
    """An MPD slice (the real file's shape) whose playlists hold the SONGS at these positions."""
    out = []
    for i, members in enumerate(playlists):
        tracks = [
            {
                "pos": n,
                "artist_name": SONGS[s][0],
                "track_name": SONGS[s][1],
                "track_uri": f"spotify:track:{SONGS[s][2]}",
                "album_name": "An Album",
                "duration_ms": 200000,
            }
            for n, s in enumerate(members)
        ]
        pid = first_pid + i
        out.append({"pid": pid, "name": f"mix {i}", "num_tracks": len(tracks), "tracks": tracks})
    return {"info": {"slice": f"{first_pid}-{first_pid + 999}"}, "playlists": out}


def build_mpd_index(folder: Path) -> Path:
    """Write the slice into ``folder`` and build ``folder/mpd.sqlite`` from it (exact)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mpd.slice.0-999.json").write_text(json.dumps(mpd_slice(0, PLAYLISTS)))
    out = folder / "mpd.sqlite"
    build_index(folder, out, fmt="mpd", method="exact", progress=False)
    return out
