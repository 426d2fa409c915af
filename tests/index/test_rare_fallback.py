"""Songs too rare for stored neighbours are answered from the playlists they are in.

The index is built by the real pipeline with ``--min-playlists 3``, so the two seeds below
(in one and in two playlists) have no stored neighbours and take the fallback.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.i18n.labels import fallback_label as english
from index.build import build_index
from index.read import fallback, tables
from index.read.api import SongIndex
from index.schema import PLAYLIST_INDEX, PLAYLIST_MEMBERS
from tests.support.bot_fixtures import console_text

ONE = ("Night Owl", "Moonlit")  # in one playlist, "Summer 2015"
TWO = ("Loner", "Two Places")  # in two playlists, "Road Trip" and "Rainy Day"

PLAYLISTS: dict[str, list[tuple[str, str]]] = {
    "Summer 2015": [
        ONE,
        ("Night Owl", "Moonlit - Live"),  # a version of the seed: never shown
        ("Band Z", "Quiet"),  # only here: least known
        ("Band Y", "Hit"),  # in many playlists: best known
        ("Band W", "Tune"),
        ("Band W", "Tune - Radio Edit"),  # one version of each song
    ],
    "Road Trip": [TWO, ("Band X", "Both"), ("Band Y", "Hit")],
    "Rainy Day": [TWO, ("Band X", "Both"), ("Band V", "Alpha"), ("Band V", "Beta")],
    "Night Owl Live": [("Night Owl", "Sunrise")],
}
for i in range(1, 6):
    PLAYLISTS[f"Pop {i}"] = [("Band Y", "Hit"), ("Band W", "Tune"), ("Filler", f"Song {i}")]
for i in range(1, 4):
    PLAYLISTS["Night Owl Live"].append(("Night Owl", f"Encore {i}"))
    PLAYLISTS[f"Pop {i}"].append(("Night Owl", "Sunrise"))


def write_playlists(path: Path, playlists: dict[str, list[tuple[str, str]]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["playlist", "artist", "track"])
        w.writerows([name, a, t] for name, rows in playlists.items() for a, t in rows)
    return path


def build(folder: Path, *, memberships: bool = True) -> Path:
    out = folder / ("with.sqlite" if memberships else "without.sqlite")
    build_index(
        write_playlists(folder / "p.csv", PLAYLISTS), out, fmt="csv", method="exact",
        min_playlists=3, min_shared=1, memberships=memberships, progress=False,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rare")


@pytest.fixture(scope="module")
def index_path(folder: Path) -> Path:
    return build(folder)


@pytest.fixture()
def idx(index_path: Path):
    with SongIndex.open(index_path) as opened:
        yield opened


def tid(idx: SongIndex, song: tuple[str, str]) -> int:
    match = idx.resolve(" - ".join(song)).match
    assert match is not None and (match.artist, match.title) == song
    return match.track_id


def names(tracks) -> list[tuple[str, str]]:
    return [(t.artist, t.title) for t in tracks]


def test_one_playlist_song_gets_its_playlist_mates_named_by_the_playlist(idx) -> None:
    answer = idx.similar(tid(idx, ONE))
    assert answer.rare and answer.items == [] and answer.total == 0
    assert answer.fallback_source == "playlists"
    assert english(answer.fallback_label) == "From the playlist “Summer 2015”"
    # Every mate shares the one playlist. The lead: the best known, Hit (in 7 playlists)
    # and Tune (in 6; its radio edit is not shown again), not the seed's own live version,
    # which is never shown; then Quiet, only in this playlist.
    assert names(answer.fallback) == [("Band Y", "Hit"), ("Band W", "Tune"), ("Band Z", "Quiet")]


def test_mates_open_with_the_most_shared_then_go_by_how_specific_they_are(idx) -> None:
    answer = idx.similar(tid(idx, TWO))
    assert answer.rare and english(answer.fallback_label) == "From the 2 playlists with this song"
    # The lead, the two found with it most often: Both (in 2 of its 2 playlists), then the
    # best known of those in one (Hit, in 7 playlists). Then the "closest" scores: Alpha,
    # Beta (1 shared, in 1 playlist; lower id first).
    assert names(answer.fallback) == [
        ("Band X", "Both"),
        ("Band Y", "Hit"),
        ("Band V", "Alpha"),
        ("Band V", "Beta"),
    ]
    assert tid(idx, ("Band V", "Alpha")) < tid(idx, ("Band V", "Beta"))
    # "jaccard" and "deep cuts" have no lead: the best-known song comes last
    for ranking in ("jaccard", "deep cuts"):
        shown = names(idx.similar(tid(idx, TWO), ranking=ranking).fallback)
        assert shown[0] == ("Band X", "Both") and shown[-1] == ("Band Y", "Hit")


def test_deep_cuts_lists_the_least_known_playlist_mates_first(idx) -> None:
    shown = names(idx.similar(tid(idx, ONE), ranking="deep cuts").fallback)
    # Quiet and the radio edit are in one playlist; the edit stands for Tune, as the first
    # version met does in every list; the best-known song comes last.
    assert set(shown[:2]) == {("Band Z", "Quiet"), ("Band W", "Tune - Radio Edit")}
    assert shown[2:] == [("Band Y", "Hit")]


def test_songs_met_in_a_small_playlist_are_ranked_before_a_librarys(
    folder: Path, monkeypatch
) -> None:
    # "Seed" is in a library and in a two-song playlist with "Gem"; the library's other
    # songs are better known (in four more playlists each). When a huge playlist holds more
    # mates than are read, those met in a small playlist are read first.
    playlists = {
        "Library": [("S", "Seed"), ("P", "A"), ("P", "B"), ("Q", "C"), ("Q", "D")],
        "Tiny": [("S", "Seed"), ("G", "Gem")],
        **{f"Pop {i}": [("P", "A"), ("P", "B"), ("Q", "C"), ("Q", "D")] for i in range(4)},
    }
    out = folder / "library.sqlite"
    build_index(
        write_playlists(folder / "library.csv", playlists), out, fmt="csv", method="exact",
        min_playlists=3, progress=False,
    )  # fmt: skip
    with SongIndex.open(out) as lib:
        seed = tid(lib, ("S", "Seed"))
        # The lead (A and B: as often with it as Gem, better known), then Gem, in 1 of its
        # 1 playlists, before the library's other songs.
        gem, a, b = ("G", "Gem"), ("P", "A"), ("P", "B")
        assert names(lib.similar(seed).fallback) == [a, b, gem, ("Q", "C"), ("Q", "D")]
        monkeypatch.setattr(fallback, "MATES_COUNTED", 1)  # one mate read: Gem
        monkeypatch.setattr(fallback, "FALLBACK_BIG_PLAYLIST", 5)  # the library is big
        assert names(lib.similar(seed).fallback) == [a, b, gem]  # and the lead's two


def test_limit_cuts_the_fallback(idx) -> None:
    answer = idx.similar(tid(idx, TWO), limit=2)
    assert names(answer.fallback) == [("Band X", "Both"), ("Band Y", "Hit")]


def test_a_mix_of_rare_songs_uses_all_their_playlists(idx) -> None:
    answer = idx.mix([tid(idx, ONE), tid(idx, TWO)])
    assert answer.rare and english(answer.fallback_label) == "From the 3 playlists with these songs"
    shown = names(answer.fallback)
    # Both and Hit are each in 2 of the 3 seeds' playlists: the lead, the better known first
    assert shown[:2] == [("Band Y", "Hit"), ("Band X", "Both")]
    assert ONE not in shown and TWO not in shown


def test_huge_playlists_are_read_in_part_not_skipped(idx, monkeypatch) -> None:
    # The first 4 songs of "Summer 2015" (by id): the seed, its live version, Quiet, Hit.
    monkeypatch.setattr(fallback, "FALLBACK_MEMBERS", 4)
    answer = idx.similar(tid(idx, ONE))
    assert answer.fallback_source == "playlists"
    assert names(answer.fallback) == [("Band Y", "Hit"), ("Band Z", "Quiet")]


def test_without_memberships_the_artists_other_songs_are_shown(folder: Path) -> None:
    with SongIndex.open(build(folder, memberships=False)) as idx:
        answer = idx.similar(tid(idx, ONE))
        assert answer.rare and answer.fallback_source == "artist"
        assert english(answer.fallback_label) == "Other songs by Night Owl"
        assert names(answer.fallback)[0] == ("Night Owl", "Sunrise")


def older_copy(index_path: Path, folder: Path) -> Path:
    """The index as a build before any playlist → songs lookup would have written it."""
    old = folder / "old.sqlite"
    shutil.copy(index_path, old)
    with sqlite3.connect(old) as conn:
        conn.execute(f"DROP TABLE {PLAYLIST_MEMBERS}")
    return old


def v1_copy(index_path: Path, folder: Path) -> Path:
    """The index as schema v1 wrote it: memberships indexed by playlist, no second table."""
    old = folder / "v1.sqlite"
    shutil.copy(index_path, old)
    with sqlite3.connect(old) as conn:
        conn.execute(f"DROP TABLE {PLAYLIST_MEMBERS}")
        conn.execute(f"CREATE INDEX {PLAYLIST_INDEX} ON memberships(playlist_id)")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    return old


def test_a_v1_index_lists_playlists_through_its_playlist_index(
    index_path: Path, folder: Path
) -> None:
    with SongIndex.open(v1_copy(index_path, folder)) as idx:
        assert PLAYLIST_MEMBERS not in idx.tables and idx.can_list_playlists
        answer = idx.similar(tid(idx, TWO))
        assert english(answer.fallback_label) == "From the 2 playlists with this song"
        assert names(answer.fallback)[:2] == [("Band X", "Both"), ("Band Y", "Hit")]


def test_small_index_built_before_the_playlist_index_still_gets_playlist_mates(
    index_path: Path, folder: Path
) -> None:
    with SongIndex.open(older_copy(index_path, folder)) as idx:
        assert PLAYLIST_MEMBERS not in idx.tables and PLAYLIST_INDEX not in idx.sql_indexes
        answer = idx.similar(tid(idx, TWO))
        assert english(answer.fallback_label) == "From the 2 playlists with this song"
        assert names(answer.fallback)[:2] == [("Band X", "Both"), ("Band Y", "Hit")]


def test_large_index_built_before_the_playlist_index_falls_back_to_the_artist(
    index_path: Path, folder: Path, monkeypatch
) -> None:
    # Scanning a large memberships table would make the reply slow: it is skipped.
    monkeypatch.setattr(tables, "SCAN_MAX_ROWS", 0)
    with SongIndex.open(older_copy(index_path, folder)) as idx:
        answer = idx.similar(tid(idx, ONE))
        assert answer.rare and answer.fallback_source == "artist"
        assert names(answer.fallback)[0] == ("Night Owl", "Sunrise")


def test_build_writes_the_songs_of_each_playlist_in_key_order(idx) -> None:
    by_playlist = idx.query(f"SELECT playlist_id, track_id FROM {PLAYLIST_MEMBERS}")
    by_track = idx.query("SELECT playlist_id, track_id FROM memberships")
    assert sorted(by_playlist) == sorted(by_track) and len(by_playlist) > 0
    plan = " ".join(
        str(r)
        for r in idx.query(
            f"EXPLAIN QUERY PLAN SELECT track_id FROM {PLAYLIST_MEMBERS} WHERE playlist_id = 1"
        )
    )
    assert "PRIMARY KEY" in plan or "USING" in plan


async def test_console_answers_a_rare_song_with_its_playlist_labelled(
    index_path: Path, tmp_path: Path
) -> None:
    text = await console_text(index_path, tmp_path, "similar night owl - moonlit")
    assert "── Songs like Moonlit — Night Owl" in text
    assert "too few playlists for recommendations of its own" in text
    assert "From the playlist “Summer 2015”" in text
    assert text.index("Hit") < text.index("Quiet") and text.index("Hit") < text.index("Tune")


def test_the_holdout_ranks_a_rare_songs_mates_as_the_bot_does(
    index_path: Path, folder: Path
) -> None:
    import numpy as np

    from index.ingest import read_dataset
    from index.quality import baselines as bl
    from index.quality.pages import song_ids

    corpus = read_dataset(folder / "p.csv", "csv", progress=False)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop = corpus.track_playlist_counts
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    with SongIndex.open(index_path) as idx:
        for song in (ONE, TWO):
            seed = tid(idx, song)  # the index numbers tracks from 1, the corpus from 0
            for ranking in ("closest", "popular", "deep cuts"):
                shown = [t.track_id - 1 for t in idx.similar(seed, ranking=ranking).fallback]
                mates = bl.playlist_mates(
                    x, pop, np.array([seed - 1]), 10, ranking=ranking, credits=credits,
                    song=song_ids(corpus),
                )[0].tolist()  # fmt: skip
                # The bot shows one version of each song: the holdout's list, those kept.
                assert len(shown) >= 3 and [m for m in mates if m in shown] == shown
