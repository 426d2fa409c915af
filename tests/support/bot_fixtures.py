"""A tiny hand-made song index for the bot's tests, written with the real ``write_index``.

Small enough to reason about, with what the bot must cope with: a song with more than one
page of neighbours (One More Time), songs whose names are markdown and a mention
(``@everyone`` by ``**Bold**``), two songs a short query cannot tell apart ("one more"),
playlists whose names need escaping, and a song with no neighbours at all.

Tests of what the bot shows without an index build the index's real answers
(:mod:`index.model`) with :func:`make_track` and :func:`make_stats`.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.build.store import write_index
from index.corpus import Corpus, IngestReport, NeighbourTable
from index.model import IndexStats, Track
from index.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from bot.services import Services

ARTISTS = ["Daft Punk", "Justice", "Queen", "**Bold**", "Maroon 5", "Various", "Loner"]
TRACKS: list[tuple[int, str, str | None]] = [
    (0, "One More Time", "spotify:track:0DiWol3AO6WpXZgp0goxAV"),  # id 1
    (0, "Aerodynamic", None),  # 2
    (0, "Digital Love", None),  # 3
    (1, "D.A.N.C.E.", None),  # 4
    (2, "Bohemian Rhapsody", None),  # 5
    (2, "Don't Stop Me Now", None),  # 6
    (3, "@everyone", None),  # 7
    (4, "One More Night", None),  # 8
    *[(5, f"Filler {i}", None) for i in range(1, 13)],  # 9..20
    (6, "Only Song", None),  # 21: in one playlist alone
]
PLAYLISTS: list[tuple[str, list[int]]] = [
    ("Road trip", [0, 1, 2, 3, 6]),
    ("**gym** @here", [0, 1, 3, 8, 9]),
    ("Party", [0, 2, 6, 10, 11]),
    ("Queen forever", [4, 5]),
    ("Rock", [4, 5, 7]),
    ("Pop", [7, 5, 0]),
    ("Mix A", [0, 12, 13, 14, 15]),
    ("Mix B", [0, 16, 17, 18, 19]),
    ("Mix C", [0, 1, 12, 16]),
    ("Mix D", [1, 2, 3, 13, 17]),
    ("Alone", [20]),
]

SEED = "daft punk - one more time"
SEED_ID = 1
NASTY_ID = 7


def make_track(
    track_id: int,
    title: str,
    artist: str = "Artist",
    playlists: int = 10,
    uri: str | None = None,
) -> Track:
    """A song as the index returns it, for tests that need no index."""
    return Track(
        track_id=track_id,
        artist_id=1,
        artist=artist,
        title=title,
        playlists=playlists,
        spotify_uri=uri,
    )


def make_stats(*, tracks: int, playlists: int, artists: int = 0, built_at: str = "") -> IndexStats:
    """An index's statistics with the counts a test shows (source, method and k unknown)."""
    return IndexStats(
        tracks=tracks,
        artists=artists,
        playlists=playlists,
        built_at=built_at,
        source="",
        method="",
        has_memberships=False,
        neighbours=0,
        k=None,
        schema_version=SCHEMA_VERSION,
        path="",
    )


def build_corpus(*, reverse: bool = False) -> Corpus:
    """The fixture corpus; ``reverse`` numbers the tracks backwards (a "rebuilt" index)."""
    tracks = TRACKS[::-1] if reverse else TRACKS
    new_id = {old: (len(TRACKS) - 1 - old if reverse else old) for old in range(len(TRACKS))}
    members: list[list[int]] = [[] for _ in TRACKS]
    for p, (_, playlist) in enumerate(PLAYLISTS):
        for t in playlist:
            members[new_id[t]].append(p)
    indptr = np.zeros(len(TRACKS) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(m) for m in members])
    indices = np.array([p for m in members for p in sorted(m)], dtype=np.int32)
    return Corpus(
        artist_names=list(ARTISTS),
        track_artist=np.array([a for a, _, _ in tracks], dtype=np.int32),
        track_titles=[t for _, t, _ in tracks],
        track_uris=[u for _, _, u in tracks],
        playlist_names=[name for name, _ in PLAYLISTS],
        indptr=indptr,
        indices=indices,
        report=IngestReport(source="bot test fixture", format="hand-made", rows_read=len(indices)),
    )


def exact_neighbours(corpus: Corpus, k: int = 30) -> NeighbourTable:
    """Every pair sharing a playlist, ranked by exact Jaccard (ties by id)."""
    sets = [set(corpus.playlists_of(t).tolist()) for t in range(corpus.n_tracks)]
    found: dict[int, list[tuple[float, int, int]]] = {t: [] for t in range(corpus.n_tracks)}
    for a, b in combinations(range(corpus.n_tracks), 2):
        shared = len(sets[a] & sets[b])
        if shared:
            j = shared / len(sets[a] | sets[b])
            found[a].append((j, b, shared))
            found[b].append((j, a, shared))
    rows = []
    for t in range(corpus.n_tracks):
        ranked = sorted(found[t], key=lambda x: (-x[0], x[1]))[:k]
        rows.extend((t, r, n, j, s) for r, (j, n, s) in enumerate(ranked, start=1))
    cols = list(zip(*rows, strict=True))
    return NeighbourTable(
        track=np.array(cols[0], dtype=np.int32),
        rank=np.array(cols[1], dtype=np.int32),
        neighbour=np.array(cols[2], dtype=np.int32),
        jaccard=np.array(cols[3], dtype=np.float64),
        shared=np.array(cols[4], dtype=np.int32),
    )


def shared_playlists(a: int, b: int) -> list[str]:
    """Names of the playlists holding both songs (1-based ids, as the index numbers them)."""
    return [name for name, tracks in PLAYLISTS if a - 1 in tracks and b - 1 in tracks]


def build_song_index(out: Path, *, reverse: bool = False) -> Path:
    corpus = build_corpus(reverse=reverse)
    meta = {"source": "bot test fixture", "format": "hand-made", "method": "exact", "k": 30,
            "min_playlists": 1, "min_shared": 1, "rows_read": corpus.report.rows_read,
            "rows_malformed": 0, "build_seconds": 0}  # fmt: skip
    write_index(corpus, exact_neighbours(corpus), out, meta)
    return out


@asynccontextmanager
async def open_services(
    index: Path, folder: Path, *, owner: int | None = None
) -> AsyncIterator[Services]:
    """The bot's services over ``index`` (no Spotify), user data kept in ``folder``;
    ``owner`` is the user id that may run owner commands (``!sync``)."""
    from bot.services import Services
    from bot.settings import Settings

    env = {"SONGSIM_INDEX": str(index), "SONGSIM_USER_DB": str(folder / "users.sqlite")}
    if owner is not None:
        env["SONGSIM_OWNER_IDS"] = str(owner)
    settings = Settings.from_mapping(env)
    services = await Services.open(settings, spotify=False)
    try:
        yield services
    finally:
        await services.close()


async def console_text(index: Path, folder: Path, *lines: str) -> str:
    """What console mode prints for ``lines`` typed at it, on ``index``."""
    from bot.console import run_console

    async with open_services(index, folder) as services:
        out = io.StringIO()
        assert await run_console(services, io.StringIO("\n".join(lines) + "\n"), out) == 0
    return out.getvalue()
