"""A song index of pathological names, for tests that every reply still fits Discord.

300-character titles and artists, names made only of markdown and mention syntax, combining
marks, emoji sequences, right-to-left overrides, a line break inside a title, an artist
with no name (a CSV may have one), and playlists named the same ways. Every song shares
playlists with many others, so every list is full and every button has a next page.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.build.store import write_index
from index.corpus import Corpus, IngestReport
from tests.support.bot_fixtures import exact_neighbours

LONG = "Ä" + "a" * 298 + "Z"
MARKDOWN = "*_~`|>#-[]()\\<@!&" * 18  # 306 characters of markdown and mention syntax
ZALGO = "Z̷̛̖a̵̤l̴͖g̶̣o̷͍ " * 30
EMOJI = "🎵✨👩‍👩‍👧‍👦 " * 40
RTL = "\u202eevil\u202c " * 40
EVERYONE = "@everyone " * 30
NAMES = [LONG, MARKDOWN, ZALGO, EMOJI, RTL, EVERYONE]
ARTISTS = [*NAMES, "Normal", ""]
TITLES = [*NAMES, "x" * 300 + "\n" + "y" * 100, "Normal Song"]
PLAYLISTS = NAMES * 5
SONGS = [(a, t) for a in range(len(ARTISTS)) for t in range(len(TITLES))]


def song_ref(artist: str, title: str) -> str:
    """How a user names one of these songs exactly: ``track:ID`` (ids count from 1)."""
    return f"track:{SONGS.index((ARTISTS.index(artist), TITLES.index(title))) + 1}"


def extreme_corpus() -> Corpus:
    rng = np.random.default_rng(1)
    members: list[list[int]] = [[] for _ in SONGS]
    for p in range(len(PLAYLISTS)):
        for t in rng.choice(len(SONGS), size=30, replace=False):
            members[t].append(p)
    for t, playlists in enumerate(members):
        if not playlists:
            members[t].append(0)
    indptr = np.zeros(len(SONGS) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(m) for m in members])
    indices = np.array([p for m in members for p in sorted(m)], dtype=np.int32)
    return Corpus(
        artist_names=list(ARTISTS),
        track_artist=np.array([a for a, _ in SONGS], dtype=np.int32),
        track_titles=[TITLES[t] for _, t in SONGS],
        track_uris=[None] * len(SONGS),
        playlist_names=list(PLAYLISTS),
        indptr=indptr,
        indices=indices,
        report=IngestReport(source="extreme", format="hand-made", rows_read=len(indices)),
    )


def build_extreme_index(out: Path) -> Path:
    corpus = extreme_corpus()
    meta = {"source": LONG, "format": "hand-made", "method": "exact", "k": 30,
            "min_playlists": 1, "min_shared": 1, "rows_read": corpus.report.rows_read,
            "rows_malformed": 0, "build_seconds": 0}  # fmt: skip
    write_index(corpus, exact_neighbours(corpus), out, meta)
    return out
