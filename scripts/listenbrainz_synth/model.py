"""What the ListenBrainz generator's modules share: the time constants, the client
profiles and listen flags, and the ``Catalogue`` and ``Listens`` arrays drawn from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY = 86_400
SESSION_GAP = 1_800  # the reader's rule: a gap of more than 30 minutes starts a session
MAX_RECORDINGS = 5_000_000
COPYING = (
    "The listens in this dump are synthetic, written by songsim's scripts/make_listenbrainz.py.\n"
    "Real ListenBrainz listen dumps are released under CC0 1.0 Universal.\n"
)

# Client profiles: (share of users, name). Their additional_info keys are render._PROFILES.
CLIENTS = (
    (0.12, "spotify"),
    (0.13, "webscrobbler"),
    (0.25, "pano"),
    (0.12, "navidrome"),
    (0.26, "lastfm"),
    (0.12, "foobar"),
)
MBID_CLIENTS = {"navidrome": 0.85, "foobar": 0.9, "lastfm": 0.35}  # share sending recording_mbid

# Malformed kinds (bits 2-4 of the listen flags).
BAD_TRUNCATED, BAD_NO_TRACK, BAD_EMPTY_ARTIST, BAD_TS_STRING = 1, 2, 3, 4
F_NO_RELEASE, F_MAPPED, F_CLIENT_MBID = 1, 2, 32


@dataclass
class Catalogue:
    """Recordings in (genre, artist, release, track) order, with their rendered pieces."""

    rec_artist: np.ndarray
    rec_release: np.ndarray
    rec_feat: np.ndarray  # featured artist or -1
    rec_track: np.ndarray
    rec_dur: np.ndarray  # seconds
    rec_mappable: np.ndarray
    rec_isrc: np.ndarray  # bool
    rel_first: np.ndarray
    rel_len: np.ndarray
    rel_caa: np.ndarray  # 0 = no cover art
    cum_genre: np.ndarray
    cum_artist: np.ndarray
    cum_all: np.ndarray
    genre_bounds: np.ndarray
    artist_bounds: np.ndarray
    genre_pop: np.ndarray
    titles: list[str] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)


@dataclass
class Listens:
    """Listens in generation order (by user, then time)."""

    user: np.ndarray
    rec: np.ndarray
    t: np.ndarray
    created: np.ndarray
    client: np.ndarray
    variant: np.ndarray
    flags: np.ndarray
    cut: np.ndarray
    sessions: int
