""" "closest", the default page: the songs found with the seed most often open it, the rest
leans to less-known songs; a rare song's playlist-mates are ranked without that lead.

The index is built by the real pipeline from the playlists below (exact engine).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from index.build import build_index
from index.read import ranking as rk
from index.read.api import SongIndex

SEED = ("Seed Artist", "The Seed")
KNOWN = [(f"Known {i}", f"Hit {i}") for i in range(6)]  # in 150 playlists each
DEEP = [(f"Deep {i}", f"Cut {i}") for i in range(8)]  # in 4-11 playlists


def _playlists() -> dict[str, list[tuple[str, str]]]:
    """The seed is in 20 playlists. Hit i shares 14 - i of them and is in 150 in all; Cut i
    shares 3 of them and is in 4 + i in all (so its Jaccard is higher than any hit's)."""
    out: dict[str, list[tuple[str, str]]] = {f"Seed {p}": [SEED] for p in range(20)}
    for i, song in enumerate(KNOWN):
        for p in range(14 - i):
            out[f"Seed {p}"].append(song)
        for p in range(150 - (14 - i)):
            out.setdefault(f"Radio {p}", []).append(song)
    for i, song in enumerate(DEEP):
        for p in range(3):
            out[f"Seed {(3 * i + p) % 20}"].append(song)
        for c in range(1 + i):
            out[f"Crate {i}.{c}"] = [song, ("Crate Filler", f"Filler {i}.{c}")]
    return out


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("lead")
    data = folder / "lead.csv"
    with data.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["playlist", "artist", "track"])
        for name, songs in _playlists().items():
            w.writerows([name, a, t] for a, t in songs)
    build_index(data, folder / "lead.sqlite", fmt="csv", method="exact", progress=False)
    with SongIndex.open(folder / "lead.sqlite") as index:
        yield index


def _seed(idx: SongIndex) -> int:
    return idx.query("SELECT track_id FROM tracks WHERE title = 'The Seed'")[0][0]


def test_the_default_page_opens_with_the_songs_found_with_the_seed_most_often(idx) -> None:
    titles = [r.track.title for r in idx.similar(_seed(idx), limit=10).items]
    lead = [t for _, t in KNOWN[: rk.CLOSEST_LEAD]]
    assert titles[: rk.CLOSEST_LEAD] == lead  # most shared playlists first
    # then the less-known songs with the seed's taste, before the remaining hits
    rest = titles[rk.CLOSEST_LEAD : rk.CLOSEST_LEAD + len(DEEP)]
    assert rest and all(t.startswith("Cut ") for t in rest), titles


def test_jaccard_keeps_the_stored_order_without_a_lead(idx) -> None:
    titles = [r.track.title for r in idx.similar(_seed(idx), ranking="jaccard", limit=10).items]
    assert len(titles) == 10 and all(t.startswith("Cut ") for t in titles[:8]), titles


def test_popular_lists_the_hits_and_deep_cuts_the_cuts(idx) -> None:
    seed = _seed(idx)
    popular = [r.track.title for r in idx.similar(seed, ranking="popular", limit=6).items]
    deep = [r.track.title for r in idx.similar(seed, ranking="deep cuts", limit=6).items]
    assert popular == [t for _, t in KNOWN]
    assert all(t.startswith("Cut ") for t in deep)
