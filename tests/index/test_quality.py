"""Recommendation quality: the holdout split, the metrics, the baselines, the rankings, the CLI.

The evaluation runs on generated playlists with planted structure (each playlist draws
mostly from one "scene" of songs), where a sound item-item recommender must beat
recommending the same hits to everyone.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.corpus import Corpus, IngestReport, NeighbourTable
from index.names import share_an_artist
from index.quality import baselines as bl
from index.quality import holdout as ho
from index.read import ranking as rk

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def corpus_from_playlists(playlists: list[list[int]], n_tracks: int) -> Corpus:
    """A Corpus whose playlist ``p`` holds the given track ids (artist i = track i)."""
    pairs = sorted({(t, p) for p, tracks in enumerate(playlists) for t in tracks})
    tracks = np.array([t for t, _ in pairs], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(tracks, minlength=n_tracks))]).astype(
        np.int64
    )
    return Corpus(
        artist_names=[f"artist {i}" for i in range(n_tracks)],
        track_artist=np.arange(n_tracks, dtype=np.int32),
        track_titles=[f"song {i}" for i in range(n_tracks)],
        track_uris=[None] * n_tracks,
        playlist_names=[f"playlist {p}" for p in range(len(playlists))],
        indptr=indptr,
        indices=np.array([p for _, p in pairs], dtype=np.int32),
        report=IngestReport(source="generated", format="test"),
    )


def planted_playlists(
    seed: int = 7,
    scenes: int = 12,
    per_scene: int = 60,
    hits: int = 10,
    n_playlists: int = 1500,
    in_scene: float = 0.8,
) -> tuple[list[list[int]], int]:
    """Playlists drawing ``in_scene`` of their songs from one scene (Zipf-popular within
    it), the rest from a few global hits and from anywhere. Tracks ``0..hits-1`` are hits."""
    rng = np.random.default_rng(seed)
    n_tracks = hits + scenes * per_scene
    weights = np.arange(1, per_scene + 1) ** -0.9
    weights /= weights.sum()
    playlists = []
    for _ in range(n_playlists):
        scene = rng.integers(scenes)
        length = int(rng.integers(6, 25))
        own = hits + scene * per_scene + rng.choice(per_scene, size=length, p=weights)
        other = np.where(
            rng.random(length) < 0.5,
            rng.integers(0, hits, size=length),
            rng.integers(0, n_tracks, size=length),
        )
        chosen = np.where(rng.random(length) < in_scene, own, other)
        playlists.append(sorted(set(chosen.tolist())))
    return playlists, n_tracks


@pytest.fixture(scope="module")
def planted_report() -> ho.QualityReport:
    playlists, n_tracks = planted_playlists()
    corpus = corpus_from_playlists(playlists, n_tracks)
    keys = [
        "lsh",
        "exact",
        "most-popular",
        "cooccurrence",
        "closest",
        "popular",
        "deep-cuts",
        "closest-all",
        "closest+fallback",
    ]
    # exact_below=0: every query goes through MinHash + LSH (a dataset this small would
    # otherwise be scanned exactly, and "LSH within 2 % of exact" would test nothing).
    return ho.evaluate(
        corpus, dataset="planted", seed=3, methods=keys, lsh_options={"exact_below": 0}
    )


def _row(report: ho.QualityReport, key: str) -> ho.MethodScore:
    return next(r for r in report.rows if r.key == key)


# ---------------------------------------------------------------- evaluation on planted data


def test_exact_jaccard_beats_recommending_the_same_hits_to_everyone(planted_report):
    exact, popular = _row(planted_report, "exact"), _row(planted_report, "most-popular")
    assert exact.hit_rate >= popular.hit_rate
    assert exact.recall >= popular.recall
    assert exact.coverage > 10 * popular.coverage  # most-popular shows ~k songs to everyone


def test_index_as_built_is_within_two_percent_of_exact(planted_report):
    lsh, exact = _row(planted_report, "lsh"), _row(planted_report, "exact")
    assert abs(lsh.hit_rate - exact.hit_rate) <= 0.02 * exact.hit_rate
    assert abs(lsh.recall - exact.recall) <= 0.02 * exact.recall


def test_default_ranking_is_at_least_as_good_as_jaccard(planted_report):
    closest, exact = _row(planted_report, "closest"), _row(planted_report, "exact")
    assert closest.hit_rate >= exact.hit_rate
    assert closest.coverage >= 0.9 * exact.coverage


def test_discovery_settings_move_popularity_the_way_their_names_say(planted_report):
    closest = _row(planted_report, "closest").median_popularity
    assert _row(planted_report, "popular").median_popularity >= closest
    assert _row(planted_report, "deep-cuts").median_popularity < closest


def test_report_table_has_one_row_per_method_and_states_the_split(planted_report):
    text = planted_report.markdown()
    for row in planted_report.rows:
        assert f"| {row.name} | {row.hit_rate:.3f} |" in text
    assert f"{len(planted_report.split.test_playlists):,} test" in text


def test_report_gives_each_gain_over_jaccard_with_its_standard_error(planted_report):
    text = planted_report.markdown()
    exact = _row(planted_report, "exact")
    closest = _row(planted_report, "closest")
    se = ho.gain_standard_error(closest.hits, exact.hits, planted_report.clusters())
    gain = (closest.hit_rate / exact.hit_rate - 1) * 100
    assert f"| {closest.hit_rate:.3f} | {gain:+.1f} ± {se / exact.hit_rate * 100:.1f} % |" in text
    assert "| exact Jaccard | " in text and f"| {exact.hit_rate:.3f} | +0.0 % |" in text


def test_report_has_a_for_you_table_with_one_row_per_setting(planted_report):
    text = planted_report.markdown()
    queries = planted_report.likes_queries[0]
    assert (
        f"3 tracks of one test playlist (drawn from its seeds) liked together, {queries:,}" in text
    )
    assert [r.key for r in planted_report.likes_rows] == list(ho.LIKES_RANKINGS)
    for row in planted_report.likes_rows:
        assert f"| {row.name} | {row.hit_rate:.3f} |" in text
        assert len(row.hits) == queries
    fused = {r.key: r for r in planted_report.likes_rows}
    assert fused["deep cuts"].median_popularity < fused["closest"].median_popularity
    assert fused["popular"].median_popularity >= fused["closest"].median_popularity


def test_for_you_answer_row_only_adds_the_fallback_to_closest(planted_report):
    rows = {r.key: r for r in planted_report.likes_rows}
    bot, closest = rows["closest+fallback"], rows["closest"]
    assert bot.hit_rate >= closest.hit_rate and bot.coverage >= closest.coverage
    assert not (closest.hits & ~bot.hits).any()  # a page is completed, never replaced


def test_likes_are_tracks_of_one_test_playlist_known_to_train():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    split = ho.split_playlists(corpus_from_playlists(playlists, n_tracks), seed=1)
    seeds = ho.pick_seeds(split, 5, seed=1)
    likes = ho.pick_likes(seeds, 3)
    assert likes.tracks.shape == (len(likes.playlist), 3) and len(likes.playlist) > 20
    with_three = {p for p in set(seeds.playlist.tolist()) if (seeds.playlist == p).sum() >= 3}
    assert set(likes.playlist.tolist()) == with_three
    for row, p in zip(likes.tracks, likes.playlist, strict=True):
        assert len(set(row.tolist())) == 3
        assert np.isin(row, split.test_playlists[p]).all() and (split.popularity[row] > 0).all()
    with pytest.raises(ValueError, match="likes must be 0"):
        ho.evaluate(corpus_from_playlists(playlists, n_tracks), methods=["exact"], likes=1)


def test_standard_error_treats_the_seeds_of_one_playlist_as_one_observation():
    hits, ref = np.array([1, 1, 0, 0]), np.zeros(4)
    together = ho.gain_standard_error(hits, ref, np.array([0, 0, 1, 1]))
    apart = ho.gain_standard_error(hits, ref, np.array([0, 1, 2, 3]))
    assert together == pytest.approx(0.5)  # two playlists: one gained both seeds, one nothing
    assert apart == pytest.approx(np.std([1, 1, 0, 0], ddof=1) / 2)  # the usual paired s.e.
    assert ho.gain_standard_error(hits, hits, np.array([0, 1, 2, 3])) == 0.0
    assert np.isnan(ho.gain_standard_error(hits, ref, np.zeros(4)))  # one playlist: unknown


def test_repeated_splits_pool_every_seed_and_keep_playlists_apart():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    report = ho.evaluate(
        corpus_from_playlists(playlists, n_tracks), methods=["exact", "closest"], repeats=2
    )
    clusters = report.clusters()
    n_seeds = sum(len(seeds.track) for _, seeds in report.repeats)
    assert len(_row(report, "closest").hits) == len(clusters) == n_seeds
    first = len(report.repeats[0][1].track)
    assert not set(clusters[:first].tolist()) & set(clusters[first:].tolist())


# ---------------------------------------------------------------- the split


def test_split_holds_out_whole_playlists_and_is_seeded():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    corpus = corpus_from_playlists(playlists, n_tracks)
    a = ho.split_playlists(corpus, seed=1, test_fraction=0.25)
    assert len(a.test_playlists) == len(a.test_ids) == 75
    assert not set(a.test_ids.tolist()) & set(np.unique(a.train_indices).tolist())
    for p, tracks in zip(a.test_ids, a.test_playlists, strict=True):
        assert tracks.tolist() == playlists[p]
    assert a.n_train + len(a.test_ids) + a.n_quarantined == 300
    b = ho.split_playlists(corpus, seed=1, test_fraction=0.25)
    c = ho.split_playlists(corpus, seed=2, test_fraction=0.25)
    assert [t.tolist() for t in a.test_playlists] == [t.tolist() for t in b.test_playlists]
    assert [t.tolist() for t in a.test_playlists] != [t.tolist() for t in c.test_playlists]


def test_playlists_built_from_a_test_playlist_are_kept_out_of_train():
    # Playlists 0-9 are distinct; 10-19 are each "a best-of" holding most of playlist i - 10.
    rng = np.random.default_rng(0)
    base = [sorted(rng.choice(400, size=20, replace=False).tolist()) for _ in range(10)]
    copies = [sorted(b[:15] + [400 + i]) for i, b in enumerate(base)]
    corpus = corpus_from_playlists(base + copies, 410)
    split = ho.split_playlists(corpus, seed=0, test_fraction=0.3)
    train = set(np.unique(split.train_indices).tolist())
    assert len(split.test_ids) == 6
    for p in split.test_ids.tolist():
        twin = p + 10 if p < 10 else p - 10
        assert twin not in train
    assert split.n_quarantined >= 1
    off = ho.split_playlists(corpus, seed=0, test_fraction=0.3, containment=float("inf"))
    assert off.n_quarantined == 0


def test_library_playlists_are_never_test_playlists():
    playlists, n_tracks = planted_playlists(n_playlists=200)
    library = list(range(n_tracks))  # "Liked Songs": everything
    corpus = corpus_from_playlists([library] + playlists, n_tracks)
    for seed in range(5):
        split = ho.split_playlists(corpus, seed=seed, test_fraction=0.5)
        assert split.n_libraries == 1
        assert all(len(t) < n_tracks for t in split.test_playlists)


def test_seeds_are_up_to_five_tracks_of_their_playlist_that_occur_in_train():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    split = ho.split_playlists(corpus_from_playlists(playlists, n_tracks), seed=4)
    seeds = ho.pick_seeds(split, per_playlist=5, seed=4)
    pop = split.popularity
    assert (pop[seeds.track] > 0).all()
    for i in np.unique(seeds.playlist):
        mine = seeds.track[seeds.playlist == i]
        assert 1 <= len(mine) <= 5 and len(set(mine.tolist())) == len(mine)
        assert np.isin(mine, split.test_playlists[i]).all()


def test_metrics_count_hits_recall_coverage_and_popularity():
    split = ho.HoldoutSplit(
        train_indptr=np.array([0, 1, 3, 6, 10, 11]),
        train_indices=np.zeros(11, dtype=np.int32),
        n_playlists=1,
        test_playlists=[np.array([0, 1, 2]), np.array([3, 4])],
        test_ids=np.array([7, 8]),
        n_train=1,
        n_quarantined=0,
        n_libraries=0,
    )
    seeds = ho.Seeds(
        track=np.array([0, 3]), playlist=np.array([0, 1]), coverage_sample=np.array([0, 1])
    )
    top = np.array([[1, 3, -1], [0, 2, -1]])  # seed 0 finds 1 of its 2 others; seed 3 finds none
    hit, recall, coverage, median = ho.score_top(top, seeds, split)
    assert hit == 0.5
    assert recall == pytest.approx((1 / 2 + 0) / 2)
    assert coverage == 4
    assert median == pytest.approx(np.median([2, 4, 1, 3]))  # train playlist counts of 1, 3, 0, 2


def test_evaluate_rejects_unknown_methods_with_the_choices():
    playlists, n_tracks = planted_playlists(n_playlists=50)
    with pytest.raises(ValueError, match="choose from: lsh"):
        ho.evaluate(corpus_from_playlists(playlists, n_tracks), methods=["lsh", "magic"])


def test_missing_implicit_library_gives_a_skipped_row_not_a_crash(monkeypatch):
    monkeypatch.setattr(bl, "implicit_missing", lambda: "the `implicit` library is not installed")
    playlists, n_tracks = planted_playlists(n_playlists=200)
    report = ho.evaluate(
        corpus_from_playlists(playlists, n_tracks), methods=["most-popular", "cosine"]
    )
    cosine = _row(report, "cosine")
    assert cosine.hit_rate is None and "not installed" in cosine.note
    assert "| implicit item-item cosine | — |" in report.markdown()


@pytest.mark.skipif(bl.implicit_missing() is not None, reason="implicit is not installed")
def test_implicit_recommenders_never_return_the_seed():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    corpus = corpus_from_playlists(playlists, n_tracks)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    seeds = np.flatnonzero(corpus.track_playlist_counts >= 2)[::7]
    for model in ("cosine", "bm25"):
        top = bl.implicit_item_item(x, seeds, 10, model)
        assert not (top == seeds[:, None]).any()
        assert (top[:, 0] >= 0).all()


# ---------------------------------------------------------------- baselines


def test_most_popular_skips_the_seed_and_cooccurrence_counts_shared_playlists():
    # Track 0 is with 1 in three playlists and with 2 in one; 3 is everywhere (popular).
    playlists = [[0, 1, 3], [0, 1, 3], [0, 1, 2, 3], [2, 3], [3, 4]]
    corpus = corpus_from_playlists(playlists, 5)
    pop = corpus.track_playlist_counts
    top = bl.most_popular(pop, np.array([3, 0]), 2)
    assert top[0].tolist() == [0, 1] and top[1].tolist() == [3, 1]
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    assert bl.cooccurrence(x, pop, np.array([0]), 3)[0].tolist() == [3, 1, 2]


def test_rare_fallback_fills_only_seeds_without_stored_neighbours():
    # Track 0 has stored neighbours; 4 (one playlist) and 6 (alone) have none.
    playlists = [[0, 1], [0, 1], [1, 4, 5, 2], [1, 2], [6], [7, 8]]
    corpus = corpus_from_playlists(playlists, 9)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop = corpus.track_playlist_counts
    artist = np.array([0, 1, 2, 3, 4, 5, 6, 7, 6], dtype=np.int32)  # 8 is by 6's artist
    seeds = np.array([0, 4, 6])
    stored = np.array([[1, -1, -1], [-1, -1, -1], [-1, -1, -1]])
    top = bl.with_rare_fallback(stored, x, pop, seeds, artist)
    assert top[0].tolist() == [1, -1, -1]  # a real answer is never touched
    # playlist-mates as the bot ranks them ("closest"): the lead, best known first (1 in 4
    # playlists, 2 in 2), then the most specific, 5 (only in that playlist) before the rest;
    # "deep cuts" has no lead
    lead = [1, 2][: rk.MATES_LEAD_SIZE]
    assert top[1].tolist() == lead + [t for t in (5, 2, 1) if t not in lead]
    deep = bl.with_rare_fallback(stored, x, pop, seeds, artist, ranking="deep cuts")
    assert deep[1].tolist() == [5, 2, 1]
    assert top[2].tolist() == [8, -1, -1]  # alone in its playlist: the artist's other song


def test_liked_songs_without_neighbours_get_the_playlists_holding_most_of_them():
    # Likes 0 and 1 share playlists 0 and 1; 5 is in both, 6-8 in one playlist of a like.
    playlists = [[0, 1, 5, 6], [0, 1, 5], [0, 7], [1, 8], [9, 10], [11], [12, 13]]
    corpus = corpus_from_playlists(playlists, 14)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop = corpus.track_playlist_counts
    likes = np.array([[0, 1], [11, 12]])
    assert bl.playlist_mates(x, pop, likes, 5).tolist() == [[5, 6, 7, 8, -1], [13, -1, -1, -1, -1]]
    # 11 is alone in its playlist, 12 only with 13: for their row, 13 comes from the
    # playlist; with no playlist-mate at all, the likes' artists' songs (artist 9 = 9, 10).
    artist = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 10, 11], dtype=np.int32)
    stored = np.full((2, 3), -1)
    top = bl.with_rare_fallback(stored, x, pop, np.array([[11, 11], [0, 1]]), artist)
    assert top[0].tolist() == [9, 10, -1] and top[1].tolist() == [5, 6, 7]


def test_playlist_mates_are_ranked_and_a_librarys_scored_last():
    # Seed 0 is in a 5-track library (with 2, 3, 4, 5) and in a 2-track playlist with 1;
    # 2-5 are in three more playlists each, so better known than 1.
    playlists = [[0, 2, 3, 4, 5], [0, 1], [2, 3, 4, 5], [2, 3, 4, 5], [2, 3, 4, 5]]
    corpus = corpus_from_playlists(playlists, 6)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop = corpus.track_playlist_counts
    seeds = np.array([0])
    # "closest": the lead (2 and 3, as often with the seed as 1 and better known), then 1
    # (in 1 of the seed's 2 playlists, nowhere else) before the library's other songs
    assert bl.playlist_mates(x, pop, seeds, 5)[0].tolist() == [2, 3, 1, 4, 5]
    assert bl.playlist_mates(x, pop, seeds, 5, ranking="deep cuts")[0].tolist()[0] == 1
    # When only some mates can be read, the least known are (1 and 5), and the lead's two
    assert bl.playlist_mates(x, pop, seeds, 5, counted=2)[0].tolist() == [2, 3, 1, 5, -1]


def test_playlist_mates_leave_the_page_above_and_the_seeds_versions_out_of_the_lead():
    # Seed 0 is in one playlist with 1-4; track 1 is a version of it (song 0); 3 is in
    # three more playlists, 2 in two more.
    playlists = [[0, 1, 2, 3, 4], [2, 3], [2, 3], [3, 5]]
    corpus = corpus_from_playlists(playlists, 6)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop, seeds = corpus.track_playlist_counts, np.array([0])
    song = np.array([0, 0, 2, 3, 4, 5])
    assert bl.playlist_mates(x, pop, seeds, 3)[0].tolist() == [3, 2, 1]
    assert bl.playlist_mates(x, pop, seeds, 3, song=song)[0].tolist() == [3, 2, 4]
    # Completing a page that shows 3: the lead is the best known of the others
    shown = np.array([[3, -1]])
    assert bl.playlist_mates(x, pop, seeds, 3, shown=shown, song=song)[0].tolist() == [2, 4, -1]


def test_bot_answer_row_is_closest_plus_the_fallback(planted_report):
    closest, bot = _row(planted_report, "closest"), _row(planted_report, "closest+fallback")
    assert bot.hit_rate >= closest.hit_rate
    assert bot.hits[closest.hits].all()  # a seed answered before is still answered


def test_ranking_over_all_candidates_respects_the_builds_thresholds():
    playlists = [[0, 1], [0, 1], [0, 2], [5, 6]]
    corpus = corpus_from_playlists(playlists, 7)
    x = bl.track_matrix(corpus.indptr, corpus.indices, corpus.n_playlists)
    pop = corpus.track_playlist_counts
    top = bl.candidates_ranked(
        x, pop, np.array([0, 5]), 3, "jaccard", min_shared=2, min_playlists=2
    )
    assert top[0].tolist() == [1, -1, -1]  # 2 shares only one playlist with 0
    assert top[1].tolist() == [-1, -1, -1]  # 5 is in one playlist: the build gives it nothing


# ---------------------------------------------------------------- rankings


def test_closest_prefers_well_supported_neighbours_over_thin_evidence():
    # Seed in 10 playlists. X met it in 3 of X's 3; Y met it in 8 of Y's 25.
    shared, pops, ids = np.array([3, 8]), np.array([3, 25]), np.array([1, 2])
    assert (
        rk.pair_scores("jaccard", shared, 10, pops)[0]
        > rk.pair_scores("jaccard", shared, 10, pops)[1]
    )
    assert rk.order("jaccard", shared, 10, pops, ids).tolist() == [0, 1]
    assert rk.order("closest", shared, 10, pops, ids).tolist() == [1, 0]


def test_deep_cuts_prefers_the_less_known_song_at_equal_jaccard():
    # J: 4/(10+4-4) = 0.40 vs 20/(10+60-20) = 0.40; deep cuts favours the 4-playlist song.
    shared, pops, ids = np.array([4, 20]), np.array([4, 60]), np.array([1, 2])
    assert rk.order("deep cuts", shared, 10, pops, ids).tolist() == [0, 1]


def test_popular_prefers_the_better_known_song_at_similar_jaccard():
    # J: 4/(10+4-4) = 0.40 vs 20/(10+60-20) = 0.40; popular favours the 60-playlist song.
    shared, pops, ids = np.array([4, 20]), np.array([4, 60]), np.array([1, 2])
    assert rk.order("popular", shared, 10, pops, ids).tolist() == [1, 0]


def test_discovery_settings_spread_songs_tied_on_the_evidence():
    # Seed in 10 playlists. Eight songs met it in the same 4 playlists and nowhere else;
    # two met it in 4 of their 5. Jaccard lists the eight tied songs first.
    shared = np.array([4] * 8 + [4, 4])
    pops = np.array([4] * 8 + [5, 5])
    ids = np.arange(10)
    assert rk.order("jaccard", shared, 10, pops, ids).tolist() == list(range(10))
    for ranking in rk.DISCOVERY:
        top = set(rk.order(ranking, shared, 10, pops, ids)[:5].tolist())
        assert top & {8, 9} and top & set(range(8)), ranking  # both groups on the page
        assert sorted(rk.order(ranking, shared, 10, pops, ids).tolist()) == list(range(10))


def test_discovery_settings_weigh_the_seeds_artist_at_similar_evidence():
    # Seed in 10 playlists. Song 1 (another artist) met it in 5 of its 8 playlists, song 2
    # (the seed's artist) in 4 of its 8: Jaccard lists song 1 first, every discovery setting
    # song 2; much stronger evidence still wins over the artist.
    shared, pops, ids = np.array([5, 4]), np.array([8, 8]), np.array([1, 2])
    same = np.array([False, True])
    assert rk.order("jaccard", shared, 10, pops, ids, same).tolist() == [0, 1]
    for ranking in rk.DISCOVERY:
        assert rk.order(ranking, shared, 10, pops, ids).tolist() == [0, 1], ranking
        assert rk.order(ranking, shared, 10, pops, ids, same).tolist() == [1, 0], ranking
    strong = np.array([9, 2])
    for ranking in rk.DISCOVERY:
        assert rk.order(ranking, strong, 10, np.array([9, 8]), ids, same).tolist() == [0, 1]


def test_spread_keeps_the_order_when_nothing_ties():
    shared, pops = np.array([9, 7, 5, 3, 2]), np.array([10, 12, 9, 30, 4])
    ids = np.array([5, 4, 3, 2, 1])
    for ranking in rk.DISCOVERY:  # "closest" as in a mix, without its lead
        score = rk.pair_scores(ranking, shared, 10, pops, with_lead=False)
        ranked = np.lexsort((ids, -score))
        got = rk.order(ranking, shared, 10, pops, ids, with_lead=False)
        assert got.tolist() == ranked.tolist(), ranking


def test_rank_fusion_lets_every_like_count_alike():
    # Like 0's neighbours have Jaccard 0.9, like 1's 0.3: summed scores would list all of
    # like 0's first; fused by rank, the page takes turns between the two.
    strong, weak = np.array([1, 2, 3, 4]), np.array([11, 12, 13, 14])
    ids, score, jac = rk.fuse([strong, weak], [np.full(4, 0.9), np.full(4, 0.3)])
    assert ids[:2].tolist() == [1, 11] and set(ids[:4].tolist()) == {1, 2, 11, 12}
    assert np.all(np.diff(score) <= 0) and jac[0] == pytest.approx(0.9)
    # A song on both lists comes before songs on one list at the same places.
    both = rk.fuse([np.array([7, 5]), np.array([8, 5])], [np.array([0.5, 0.4])] * 2)[0]
    assert both[0] == 5
    # One list keeps its own order; no list at all is an empty answer.
    assert rk.fuse([np.array([9, 3, 6])], [np.array([0.1, 0.5, 0.2])])[0].tolist() == [9, 3, 6]
    assert rk.fuse([], [])[0].size == 0


def test_the_report_decides_shared_artists_as_the_bot_does():
    names = ["Eminem", "Eminem, Rihanna", "Rihanna & Drake", "The Beatles", "Beatles", ""]
    credits = bl.ArtistCredits(np.arange(len(names)), names)
    for seed, name in enumerate(names):
        expected = [share_an_artist(name, other) for other in names]
        assert credits.shared_with(seed, np.arange(len(names))).tolist() == expected
    assert share_an_artist("Eminem", "Eminem, Rihanna") and share_an_artist(
        "The Beatles", "Beatles"
    )
    assert not share_an_artist("Eminem", "Rihanna & Drake") and not share_an_artist("", "")


def test_unknown_ranking_names_the_choices():
    with pytest.raises(ValueError, match="closest, popular, deep cuts"):
        rk.pair_scores("loudest", np.array([1]), 1, np.array([1]))


def test_reordering_a_stored_table_by_jaccard_keeps_the_stored_order():
    table = NeighbourTable(
        track=np.array([0, 0, 0, 4], dtype=np.int32),
        rank=np.array([1, 2, 3, 1], dtype=np.int32),
        neighbour=np.array([2, 1, 3, 0], dtype=np.int32),
        jaccard=np.array([0.5, 0.4, 0.1, 0.2]),
        shared=np.array([2, 4, 1, 1], dtype=np.int32),
    )
    pop = np.array([4, 9, 2, 10, 1])
    assert ho.table_top(table, pop, np.array([0, 4, 1]), 2).tolist() == [[2, 1], [0, -1], [-1, -1]]
    # "closest" shrinks by the seed's 4 playlists: 4/(9+4) beats 2/(4+4).
    assert ho.table_top(table, pop, np.array([0]), 2, "closest").tolist() == [[1, 2]]


# ---------------------------------------------------------------- the command


def _parser() -> argparse.ArgumentParser:
    from bot.cli.index_quality import register_holdout

    p = argparse.ArgumentParser(prog="songsim")
    sub = p.add_subparsers(dest="command", required=True)
    isub = sub.add_parser("index").add_subparsers(dest="index_command", required=True)
    register_holdout(isub)
    return p


def _write_csv(path: Path, playlists: list[list[int]]) -> Path:
    lines = ["playlist,artist,track"]
    lines += [
        f"p{p},artist {t % 37},song {t}" for p, tracks in enumerate(playlists) for t in tracks
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_holdout_command_prints_the_table_and_keeps_one_section_per_label(tmp_path, capsys):
    playlists, _ = planted_playlists(n_playlists=400)
    data = _write_csv(tmp_path / "planted.csv", playlists)
    out = tmp_path / "QUALITY.md"
    out.write_text("# Quality\n\nProse that must survive.\n", encoding="utf-8")
    argv = [
        "index",
        "holdout",
        str(data),
        "--methods",
        "exact,most-popular,closest",
        "--quiet",
        "--out",
        str(out),
    ]
    for _ in range(2):
        args = _parser().parse_args(argv)
        assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "| exact Jaccard |" in printed and 'ranking "closest" (stored rows)' in printed
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Quality\n\nProse that must survive.")
    assert text.count("### planted") == 1
    assert text.count("| most popular |") == 1
    assert text.count("| Jaccard summed over the likes (the reference) |") == 1
    args = _parser().parse_args([*argv, "--likes", "0"])
    assert args.func(args) == 0
    assert "liked together" not in capsys.readouterr().out


def test_holdout_command_explains_a_bad_method_list(tmp_path):
    from bot.cli import UserFacingError

    data = _write_csv(tmp_path / "tiny.csv", [[1, 2, 3], [2, 3, 4]])
    args = _parser().parse_args(["index", "holdout", str(data), "--methods", "lsh,bogus"])
    with pytest.raises(UserFacingError, match="unknown method.*bogus"):
        args.func(args)


# ---------------------------------------------------------------- real data


@pytest.mark.skipif(
    not (SHARED_DATA / "harisekhon_playlists").is_dir(), reason="shared real data not present"
)
def test_harisekhon_split_quarantines_the_mixes_built_from_test_playlists():
    from index.ingest import read_dataset

    corpus = read_dataset(
        SHARED_DATA / "harisekhon_playlists" / "playlist_tracks.csv.gz", "csv", progress=False
    )
    split = ho.split_playlists(corpus, seed=0)
    assert split.n_libraries >= 1  # "Liked Songs" holds a third of the catalogue
    liked = corpus.playlist_names.index("Liked Songs")
    assert liked not in set(np.unique(split.train_indices).tolist())
    x = bl.track_matrix(split.train_indptr, split.train_indices, split.n_playlists).T.tocsr()
    for members in split.test_playlists:
        overlap = np.asarray(x[:, members].sum(axis=1)).ravel()
        sizes = np.diff(x.indptr)
        small = np.minimum(sizes, len(members))
        leaking = (overlap >= ho.NEAR_COPY_MIN_OVERLAP) & (
            overlap >= ho.NEAR_COPY_CONTAINMENT * small
        )
        assert not leaking.any()


# ---------------------------------------------------------------- the bot's read path


@pytest.fixture(scope="module")
def planted_index(tmp_path_factory):
    from index.build import build_index
    from index.read.api import SongIndex

    playlists, _ = planted_playlists(n_playlists=400)
    folder = tmp_path_factory.mktemp("planted")
    data = _write_csv(folder / "planted.csv", playlists)
    build_index(data, folder / "planted.sqlite", fmt="csv", method="exact", progress=False)
    with SongIndex.open(folder / "planted.sqlite") as idx:
        yield idx


def test_bot_answers_use_the_ranking_the_report_measures(planted_index):
    """`similar(..., ranking=R)` orders stored neighbours exactly as the holdout scored R."""
    idx = planted_index
    seeds = [t for (t,) in idx.query("SELECT track_id FROM tracks ORDER BY playlists DESC LIMIT 5")]
    for seed in seeds:
        rows = idx.neighbour_rows(seed)
        found = idx.tracks(n for n, _, _ in rows)
        ids = np.array([n for n, _, _ in rows])
        shared = np.array([s for _, _, s in rows])
        pops = np.array([found[n].playlists for n in ids])
        same = np.array([share_an_artist(idx.track(seed).artist, found[n].artist) for n in ids])
        a = idx.track(seed).playlists
        for ranking in rk.DISCOVERY:
            expected = ids[rk.order(ranking, shared, a, pops, ids, same)].tolist()
            got = [
                r.track.track_id
                for r in idx.similar(seed, limit=30, ranking=ranking, more_of_artist=True).items
            ]
            assert got == [t for t in expected if t in set(got)]


def test_for_you_ranks_as_the_report_measures_it(planted_index):
    """`for_you(likes, ranking=R)` lists what the holdout's /foryou table scores for R."""
    idx = planted_index
    likes = [t for (t,) in idx.query("SELECT track_id FROM tracks ORDER BY playlists DESC LIMIT 3")]
    counts = idx.query("SELECT track_id, playlists, artist_id FROM tracks")
    pop = np.zeros(max(t for t, _, _ in counts) + 1, dtype=np.int64)
    artist = np.zeros_like(pop)
    for t, n, a in counts:
        pop[t], artist[t] = n, a
    names = dict(idx.query("SELECT artist_id, name FROM artists"))
    credits = bl.ArtistCredits(artist, [names.get(a, "") for a in range(max(names) + 1)])
    rows = [(s, *r) for s in sorted(likes) for r in idx.neighbour_rows(s)]
    table = NeighbourTable(
        track=np.array([r[0] for r in rows], dtype=np.int32),
        rank=np.ones(len(rows), dtype=np.int32),
        neighbour=np.array([r[1] for r in rows], dtype=np.int32),
        jaccard=np.array([r[2] for r in rows]),
        shared=np.array([r[3] for r in rows], dtype=np.int32),
    )
    for ranking in rk.RANKINGS:
        expected = ho.merged_top(table, pop, np.array([likes]), 60, ranking, credits)[0]
        got = [r.track.track_id for r in idx.for_you(likes, limit=30, ranking=ranking).items]
        assert len(got) >= 10
        assert got == [t for t in expected.tolist() if t in set(got)], ranking


def test_similar_puts_a_song_sharing_the_seeds_artist_first_at_close_evidence(tmp_path):
    """A song credited to the seed's artist and another ("Eminem, Rihanna" for an Eminem
    seed) comes before a slightly better-supported song by someone else, except in the
    stored Jaccard order."""
    from index.build import build_index
    from index.read.api import SongIndex

    seed, other, duet = "Eminem,Lose Yourself", "Drake,Hotline Bling", '"Eminem, Rihanna",Monster'
    rows = [f"p{p},{seed}" for p in range(10)]
    rows += [f"p{p},{other}" for p in (0, 1, 2, 3, 4, 10, 11, 12)]  # 5 of its 8 with the seed
    rows += [f"p{p},{duet}" for p in (0, 1, 2, 3, 13, 14, 15, 16)]  # 4 of its 8
    rows += [f"p{p},Filler,Song {p}" for p in range(17)]
    data = tmp_path / "duet.csv"
    data.write_text("playlist,artist,track\n" + "\n".join(rows) + "\n", encoding="utf-8")
    build_index(data, tmp_path / "duet.sqlite", fmt="csv", method="exact", progress=False)
    with SongIndex.open(tmp_path / "duet.sqlite") as idx:
        (seed_id,) = idx.query("SELECT track_id FROM tracks WHERE title = 'Lose Yourself'")[0]
        for ranking, first in (
            ("jaccard", "Hotline Bling"),
            *((r, "Monster") for r in rk.DISCOVERY),
        ):
            titles = [r.track.title for r in idx.similar(seed_id, ranking=ranking).items]
            assert titles[:2] == [first, ({"Monster", "Hotline Bling"} - {first}).pop()], ranking


def test_for_you_shows_songs_close_to_each_like(tmp_path):
    """A like whose neighbours have high Jaccard (song 0, in two playlists with twelve
    others) does not crowd out one with lower (song 13, in 40 playlists)."""
    from index.build import build_index
    from index.read.api import SongIndex

    close_to_0 = list(range(1, 13))
    close_to_13 = list(range(14, 26))
    playlists = [[0, *close_to_0]] * 2
    playlists += [[13, *(t for i, t in enumerate(close_to_13) if q < 10 + i)] for q in range(40)]
    data = _write_csv(tmp_path / "two.csv", playlists)
    build_index(data, tmp_path / "two.sqlite", fmt="csv", method="exact", progress=False)
    with SongIndex.open(tmp_path / "two.sqlite") as idx:
        ids = {int(title[5:]): t for t, title in idx.query("SELECT track_id, title FROM tracks")}
        page = idx.for_you([ids[0], ids[13]], limit=10)
        shown = {r.track.track_id for r in page.items}
        assert len(shown) == 10
        assert len(shown & {ids[t] for t in close_to_0}) >= 4
        assert len(shown & {ids[t] for t in close_to_13}) >= 4
        # The first two: the best of each like's list.
        firsts = [r.track.track_id for r in page.items[:2]]
        assert ids[25] in firsts and set(firsts) & {ids[t] for t in close_to_0}


def test_deep_cuts_answers_are_less_known_than_popular_ones(planted_index):
    idx = planted_index
    seeds = [
        t for (t,) in idx.query("SELECT track_id FROM tracks ORDER BY playlists DESC LIMIT 20")
    ]

    def median_pop(ranking: str) -> float:
        pops = [
            r.track.playlists
            for s in seeds
            for r in idx.similar(s, limit=10, ranking=ranking).items
        ]
        return float(np.median(pops))

    assert median_pop("deep cuts") < median_pop("closest") <= median_pop("popular")
    mix = idx.for_you(seeds[:5], limit=10, ranking="deep cuts")
    assert mix.ranking == "deep cuts" and mix.items
    with pytest.raises(ValueError, match="deep cuts"):
        idx.for_you(seeds[:5], ranking="obscure")


# ---------------------------------------------------------------- what the bot shows


def one_artist_dominates(seed: int = 5, n_playlists: int = 240) -> Corpus:
    """Playlists that nearly all hold artist 0's twelve songs (tracks 0-11) plus most of
    one scene of ten songs by other artists: artist 0's songs are each other's closest
    neighbours, and the songs most often next to everything."""
    rng = np.random.default_rng(seed)
    scenes, per_scene = 25, 10
    playlists = []
    for _ in range(n_playlists):
        own = np.flatnonzero(rng.random(12) < 0.9)
        scene = 12 + per_scene * rng.integers(scenes) + np.flatnonzero(rng.random(per_scene) < 0.7)
        playlists.append(sorted(set(own.tolist()) | set(scene.tolist())))
    n_tracks = 12 + scenes * per_scene
    corpus = corpus_from_playlists(playlists, n_tracks)
    artist = np.arange(n_tracks, dtype=np.int32) - 11
    artist[:12] = 0
    names = [f"artist {a}" for a in range(int(artist.max()) + 1)]
    return replace(corpus, track_artist=artist, artist_names=names)


@pytest.fixture(scope="module")
def dominated() -> tuple[Corpus, ho.HoldoutSplit, ho.Seeds]:
    corpus = one_artist_dominates()
    split = ho.split_playlists(corpus, seed=1)
    return corpus, split, ho.pick_seeds(split, 5, 1)


# Rows with the rare-song fallback are left out: like the bot's fallback, they top a short
# list up past the cap.
@pytest.mark.parametrize(
    "key",
    ["lsh", "exact", "most-popular", "cooccurrence", "closest", "closest-all"],
)
def test_every_row_scores_the_bots_first_page_three_songs_per_artist(dominated, key):
    corpus, split, seeds = dominated
    capped = ho.recommendations(corpus, split, seeds, key)
    plain = ho.recommendations(corpus, split, seeds, key, per_artist=None)
    by_artist_0 = lambda top: (corpus.track_artist[np.maximum(top, 0)] == 0) & (top >= 0)  # noqa: E731
    # Without the cap artist 0 fills the top 10; with it, three at most, topped up by others.
    assert by_artist_0(plain).sum(axis=1).max() > 3
    assert by_artist_0(capped).sum(axis=1).max() == 3
    # The page is topped up from further down: every other artist's song stays, more join.
    for page, top in zip(capped, plain, strict=True):
        others = top[(top >= 0) & ~by_artist_0(top)]
        assert np.isin(others, page).all()
    others_shown = lambda top: ((top >= 0) & ~by_artist_0(top)).sum(axis=1)  # noqa: E731
    assert (others_shown(capped) > others_shown(plain)).any()


def test_first_page_shows_one_version_of_each_song_and_none_of_the_seeds():
    corpus = corpus_from_playlists([[0, 1, 2, 3, 4]], 5)
    corpus = replace(
        corpus,
        track_artist=np.array([0, 0, 0, 1, 1], dtype=np.int32),
        artist_names=["Oasis", "Blur"],
        track_titles=[
            "Wonderwall",
            "Wonderwall - Remastered 2014",
            "Live Forever",
            "Song 2",
            "Song 2 (Live)",
        ],
    )
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    present = ho.Presentation(credits, ho.song_ids(corpus))
    page = present.first_page(np.array([[1, 3, 4, 2]]), np.array([0]), 10)
    assert page[0][page[0] >= 0].tolist() == [3, 2]  # no other Wonderwall, one Song 2


def test_a_short_only_page_is_completed_from_playlist_mates_as_the_bot_does():
    # Artists: 0 (tracks 1-4), 1 (5, 6), 2 (7); track 8 is a version of track 5.
    artist = np.array([9, 0, 0, 0, 0, 1, 1, 2, 1], dtype=np.int32)
    song = np.array([0, 1, 2, 3, 4, 5, 6, 7, 5])
    present = ho.Presentation(bl.ArtistCredits(artist, [f"artist {a}" for a in range(10)]), song)
    seeds = np.array([0, 0])
    ranked = np.array([[5, 1, -1, -1, -1, -1], [1, 2, 3, 4, -1, -1]])
    mates = np.array([[8, 5, 2, 3, 4, 6, 7], [8, 5, 2, 3, 4, 6, 7]])
    page = present.topped_up(ranked, mates, seeds, 5)
    # Short single page: kept in order, then mates without repeats or versions (8 is 5's),
    # artist 0 capped at 3 counting the shown 1 (so 4 is skipped for 6).
    assert page[0].tolist() == [5, 1, 2, 3, 6]
    # Artist 0's fourth song waits for a second page: the bot has more to show, no top-up.
    assert page[1].tolist() == [1, 2, 3, -1, -1]


def test_artist_cap_raises_coverage_and_no_artist_cap_restores_the_plain_top_10(dominated):
    corpus, *_ = dominated
    keys = ["exact", "cooccurrence"]
    capped = ho.evaluate(corpus, seed=1, methods=keys)
    plain = ho.evaluate(corpus, seed=1, methods=keys, per_artist=None)
    for key in keys:
        assert _row(capped, key).coverage > _row(plain, key).coverage
    assert "at most 3 per artist" in capped.markdown()
    assert "no artist cap" in plain.markdown()


def test_holdout_command_no_artist_cap_flag_scores_the_plain_top_10(tmp_path, capsys):
    corpus = one_artist_dominates()
    lines = ["playlist,artist,track"]
    for t in range(corpus.n_tracks):
        for p in corpus.playlists_of(t):
            lines.append(f"p{p},{corpus.artist_names[corpus.track_artist[t]]},song {t}")
    data = tmp_path / "dominated.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def exact_coverage(*flags: str) -> int:
        argv = ["index", "holdout", str(data), "--methods", "exact", "--quiet", *flags]
        args = _parser().parse_args(argv)
        assert args.func(args) == 0
        printed = capsys.readouterr().out
        row = next(line for line in printed.splitlines() if line.startswith("| exact Jaccard"))
        return int(row.split("|")[5].replace(",", ""))

    assert exact_coverage("--no-artist-cap") < exact_coverage()


def test_holdout_reads_several_files_as_one_collection(tmp_path, capsys):
    """As `index build` does: MPD slices or CSV parts given one by one."""
    corpus = one_artist_dominates()
    parts: list[list[str]] = [["playlist,artist,track"], ["playlist,artist,track"]]
    for t in range(corpus.n_tracks):
        for p in corpus.playlists_of(t):
            name = corpus.artist_names[corpus.track_artist[t]]
            parts[p % 2].append(f"p{p},{name},song {t}")
    files = [tmp_path / f"part{i}.csv" for i in range(2)]
    for f, lines in zip(files, parts, strict=True):
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["index", "holdout", *map(str, files), "--methods", "exact", "--quiet"]
    args = _parser().parse_args(argv)
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "part0 + 1 more" in printed and "| exact Jaccard" in printed


def test_the_report_writes_popularity_as_people_read_it() -> None:
    from index.quality.report import _popularity

    assert [_popularity(v) for v in (2630.0, 182.0, 23.25, 3.5)] == ["2,630", "182", "23.2", "3.5"]
