"""Songs by the track's own artist after the extras (index.build.artist_rows): every row
stored before stays as it was, and the artist rows are the same-artist songs not stored yet,
best Jaccard first, with exact scores; the bot's default page can then show them."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.build.artist_rows import add_artist_rows, artist_credits
from index.build.exact import exact_neighbours
from index.build.lsh import lsh_neighbours
from index.names import credited_artists
from index.read.api import SongIndex
from tests.index.test_exact import _csr, as_rows, random_rows
from tests.index.test_lsh import planted_csr


def brute_force_artist_rows(indptr, indices, artist, stored, m, min_playlists, names=None):
    """{track: [(neighbour, jaccard, shared)]}, straight from the definition: tracks sharing a
    credited artist (each artist id its own credit without ``names``) and a playlist."""
    n = indptr.size - 1
    credits = [credited_artists(names[a]) if names is not None else frozenset({a}) for a in artist]
    sets = [set(indices[indptr[i] : indptr[i + 1]].tolist()) for i in range(n)]
    out = {}
    for t in range(n):
        if len(sets[t]) < min_playlists:
            continue
        cands = []
        for u in range(n):
            s = len(sets[t] & sets[u])
            if (
                u != t
                and credits[u] & credits[t]
                and s >= 1
                and len(sets[u]) >= min_playlists
                and u not in stored.get(t, [])
            ):
                cands.append((s / len(sets[t] | sets[u]), s, u))
        rows = sorted(cands, key=lambda c: (-c[0], -c[1], c[2]))[:m]
        if rows:
            out[t] = [(u, j, s) for j, s, u in rows]
    return out


def stored_lists(table) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for t, _, u, _, _ in as_rows(table):
        out.setdefault(t, []).append(u)
    return out


def check_grown(before_rows, grown, truth, k) -> None:
    """The rows before come first, unchanged; after them exactly ``truth``; ranks count up."""
    before: dict[int, list] = {}
    for r in before_rows:
        before.setdefault(r[0], []).append(r)
    after: dict[int, list] = {}
    for r in as_rows(grown):
        after.setdefault(r[0], []).append(r)
    assert set(after) >= set(before)
    for t, rows in after.items():
        n = len(before.get(t, []))
        assert rows[:n] == before.get(t, []), t
        assert [r[1] for r in rows] == list(range(1, len(rows) + 1)), t
        assert [(u, j, s) for _, _, u, j, s in rows[n:]] == truth.get(t, []), t


@pytest.mark.parametrize(("k", "m", "extras", "min_playlists", "min_shared"), [
    (3, 2, 2, 2, 2), (2, 4, 0, 1, 1), (4, 1, 3, 1, 2),
])  # fmt: skip
def test_exact_artist_rows_match_brute_force(k, m, extras, min_playlists, min_shared) -> None:
    rng = np.random.default_rng(11)
    indptr, indices = _csr(random_rows(rng, 90, 20))
    artist = rng.integers(0, 6, indptr.size - 1)  # few artists: many same-artist pairs
    kw = dict(k=k, min_playlists=min_playlists, min_shared=min_shared, progress=False)
    table = exact_neighbours(indptr, indices, 20, extras=extras, **kw)
    before, stored = as_rows(table), stored_lists(table)
    grown = add_artist_rows(table, indptr, indices, 20, artist, m=m, min_playlists=min_playlists)
    truth = brute_force_artist_rows(indptr, indices, artist, stored, m, min_playlists)
    assert sum(map(len, truth.values())) > 10, "the case must exercise the rows"
    check_grown(before, grown, truth, k)
    assert grown.params["artist_extras"] == m
    assert "songs by the same artist" in grown.stage_seconds


def test_lsh_tables_get_the_same_exact_artist_rows() -> None:
    indptr, indices, n_pl = planted_csr(seed=2)
    artist = np.arange(indptr.size - 1) // 7  # runs of seven tracks per artist
    table = lsh_neighbours(indptr, indices, n_pl, k=10, extras=5, exact_below=0, progress=False)
    before, stored = as_rows(table), stored_lists(table)
    grown = add_artist_rows(table, indptr, indices, n_pl, artist, m=3, min_playlists=2)
    truth = brute_force_artist_rows(indptr, indices, artist, stored, 3, 2)
    assert sum(map(len, truth.values())) > 20
    check_grown(before, grown, truth, 10)


def test_credited_artists_count_as_the_rankings_count_them() -> None:
    """ "A, B" and "C feat. A" share A with "A"; a track with an empty name shares nothing."""
    names = ["A", "B", "A, B", "C feat. A", "", "D"]
    rng = np.random.default_rng(5)
    indptr, indices = _csr(random_rows(rng, 120, 18))
    artist = rng.integers(0, len(names), indptr.size - 1)
    table = exact_neighbours(indptr, indices, 18, k=3, extras=2, progress=False)
    before, stored = as_rows(table), stored_lists(table)
    grown = add_artist_rows(
        table, indptr, indices, 18, artist, m=3, min_playlists=1, credits=artist_credits(names)
    )
    truth = brute_force_artist_rows(indptr, indices, artist, stored, 3, 1, names)
    assert any(
        names[artist[u]] != names[artist[t]] for t, rows in truth.items() for u, _, _ in rows
    )
    assert not any(names[artist[t]] == "" for t in truth)
    check_grown(before, grown, truth, 3)


def test_none_asked_or_no_rows_leaves_the_table_as_it_was() -> None:
    rng = np.random.default_rng(3)
    indptr, indices = _csr(random_rows(rng, 40, 10))
    artist = np.zeros(indptr.size - 1, dtype=np.int64)
    table = exact_neighbours(indptr, indices, 10, k=2, progress=False)
    before = as_rows(table)
    same = add_artist_rows(table, indptr, indices, 10, artist, m=0, min_playlists=1)
    assert as_rows(same) == before and same.params["artist_extras"] == 0


def write_album_playlists(path: Path) -> None:
    """A single in 12 playlists; 30 songs of other artists each in 7 of them, and an album
    track of the single's artist in 6: its Jaccard ranks it 31st, below a top 30."""
    rows = [("user", "artist", "track", "playlist")]
    for p in range(12):
        rows.append(("u", "The Band", "Single", f"pl{p}"))
        rows.extend(
            ("u", f"Artist {a}", f"Song {a}", f"pl{p}") for a in range(30) if (p - a) % 12 < 7
        )
        if p < 6:
            rows.append(("u", "The Band", "Album Track", f"pl{p}"))
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)


def test_the_default_page_shows_the_seeds_album_track(tmp_path: Path) -> None:
    data = tmp_path / "albums.csv"
    write_album_playlists(data)
    built, before = tmp_path / "now.sqlite", tmp_path / "before.sqlite"
    common = dict(fmt="csv", method="exact", k=30, extras=0, progress=False)
    build_index(data, built, **common)
    build_index(data, before, artist_extras=0, **common)
    with sqlite3.connect(built) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["artist_extras"] == "5" and "artist_extras_rule" in meta
    answers = {}
    for path in (built, before):
        with SongIndex.open(path) as idx:
            seed = idx.resolve("the band - single").match.track_id
            page = idx.similar(seed, ranking="closest", limit=10).items
            answers[path] = [r.track.title for r in page]
    assert "Album Track" in answers[built]
    assert "Album Track" not in answers[before]


def write_rare_single(path: Path) -> None:
    """A single in 3 playlists, 3 songs of other artists each sharing 2 of them, and an
    album track of the single's artist in one of them (and one more playlist)."""
    rows = [("user", "artist", "track", "playlist")]
    for p in range(3):
        rows.append(("u", "The Band", "Single", f"pl{p}"))
        rows.extend(("u", f"Artist {a}", f"Song {a}", f"pl{p}") for a in range(3) if a != p)
    rows += [("u", "The Band", "Album Track", "pl0"), ("u", "The Band", "Album Track", "pl9")]
    rows += [("u", "Other", "Filler", "pl9")]
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)


def test_a_rare_songs_album_track_met_once_is_recommended(tmp_path: Path) -> None:
    """One shared playlist is too little for a neighbour (min_shared 2), but with the same
    artist it makes an artist row: the page recommends it, with its exact scores."""
    data = tmp_path / "rare.csv"
    write_rare_single(data)
    built, before = tmp_path / "now.sqlite", tmp_path / "before.sqlite"
    common = dict(fmt="csv", method="exact", progress=False)
    build_index(data, built, **common)
    build_index(data, before, artist_extras=0, **common)
    pages = {}
    for path in (built, before):
        with SongIndex.open(path) as idx:
            seed = idx.resolve("the band - single").match.track_id
            answer = idx.similar(seed, ranking="closest", limit=10)
            pages[path] = {r.track.title: r for r in answer.items}
    assert set(pages[before]) == {"Song 0", "Song 1", "Song 2"}
    assert set(pages[built]) == {"Song 0", "Song 1", "Song 2", "Album Track"}
    album = pages[built]["Album Track"]
    assert album.shared == 1 and album.jaccard == pytest.approx(1 / 4)


def test_the_jaccard_reference_of_holdout_leaves_artist_rows_out() -> None:
    """`songsim index holdout`'s "exact Jaccard" row reads the stored top k only: artist rows
    after a short list (sharing one playlist) are candidates for the rankings, not part of it."""
    from index.quality.methods import table_top

    indptr, indices = _csr([[0, 1, 2], [0, 1, 5], [1, 2, 6], [0, 7], [5, 6]])
    artist = np.array([0, 1, 2, 0, 3])  # track 3 shares track 0's artist and playlist 0 only
    table = exact_neighbours(indptr, indices, 8, k=30, progress=False)
    grown = add_artist_rows(table, indptr, indices, 8, artist, m=5, min_playlists=2)
    pop = np.diff(indptr)
    assert 3 in stored_lists(grown)[0]
    assert table_top(grown, pop, np.array([0]), 10, min_shared=2)[0].tolist()[:3] == [1, 2, -1]
    assert 3 in table_top(grown, pop, np.array([0]), 10, "closest")[0].tolist()


def test_similar_artists_sum_the_top_k_not_the_artist_rows(tmp_path: Path) -> None:
    """An artist row after a short list (met once, by a co-credited artist) is a candidate
    for the song rankings, not part of the artist similarity (index.schema)."""
    data = tmp_path / "rare.csv"
    write_rare_single(data)
    with data.open("a", newline="") as f:  # "The Band feat. Guest" met once with the single
        csv.writer(f).writerows([("u", "The Band feat. Guest", "Duet", "pl1"),
                                 ("u", "The Band feat. Guest", "Duet", "pl8")])  # fmt: skip
    built = tmp_path / "now.sqlite"
    build_index(data, built, fmt="csv", method="exact", progress=False)
    with SongIndex.open(built) as idx:
        seed = idx.resolve("the band - single").match.track_id
        page = {r.track.title for r in idx.similar(seed, ranking="closest", limit=10).items}
        band = idx.track(seed).artist_id
        similar = {s.artist.name for s in idx.similar_artists(band)}
    assert "Duet" in page
    assert "The Band feat. Guest" not in similar
    assert {"Artist 0", "Artist 1", "Artist 2"} <= similar
