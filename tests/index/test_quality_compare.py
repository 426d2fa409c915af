"""The recommenders songsim is compared with (RP3beta, EASE, ALS) and how they are tuned.

RP3beta and EASE are checked against their dense textbook formulas on small random
matrices; the tuning is checked never to see a test playlist; the command prints the
comparison table.
"""

from __future__ import annotations

import numpy as np
import pytest

from index.quality import baselines as bl
from index.quality import holdout as ho
from index.quality import models, tuning
from tests.index.test_quality import (
    _parser,
    _write_csv,
    corpus_from_playlists,
    planted_playlists,
)

needs_implicit = pytest.mark.skipif(
    models.implicit_missing() is not None, reason="implicit is not installed"
)


def _random_matrix(seed: int, n_tracks: int = 40, n_playlists: int = 30) -> np.ndarray:
    """A dense 0/1 track × playlist matrix, every playlist with at least two tracks."""
    rng = np.random.default_rng(seed)
    dense = (rng.random((n_tracks, n_playlists)) < 0.15).astype(np.float64)
    for p in range(n_playlists):
        dense[rng.choice(n_tracks, size=2, replace=False), p] = 1
    return dense


def _sparse(dense: np.ndarray):
    import scipy.sparse as sp

    return sp.csr_matrix(dense.astype(np.float32))


def _assert_top_k_of(scores: np.ndarray, seed: int, got: np.ndarray, k: int, positive: bool):
    """``got`` is ``seed``'s top ``k`` of the dense ``scores`` row (seed left out), best first."""
    row = np.delete(scores, seed)
    expected = np.sort(row[row > 0] if positive else row)[::-1][:k]
    shown = got[got >= 0]
    assert seed not in shown
    assert len(shown) == len(expected)
    np.testing.assert_allclose(scores[shown], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("alpha,beta", [(0.5, 0.0), (1.0, 0.5), (0.75, 0.25)])
def test_rp3beta_is_the_dense_three_step_random_walk(alpha, beta):
    dense = _random_matrix(1)
    pop = dense.sum(axis=1)
    to_playlist = (dense / pop[:, None]) ** alpha  # P(track → playlist)^α
    to_track = (dense.T / dense.sum(axis=0)[:, None]) ** alpha  # P(playlist → track)^α
    walk = to_playlist @ to_track / pop[None, :] ** beta
    seeds = np.flatnonzero(pop > 0)
    k = 8
    got = models.rp3beta(_sparse(dense), pop.astype(np.int64), seeds, k, alpha=alpha, beta=beta)
    for s, row in zip(seeds, got, strict=True):
        _assert_top_k_of(walk[s], s, row, k, positive=True)


def test_rp3beta_without_flattening_or_damping_ranks_as_co_occurrence():
    dense = _random_matrix(2)
    x, pop = _sparse(dense), dense.sum(axis=1).astype(np.int64)
    seeds = np.flatnonzero(pop > 0)
    walk = models.rp3beta(x, pop, seeds, 10, alpha=0.0, beta=0.0)
    assert walk.tolist() == bl.cooccurrence(x, pop, seeds, 10).tolist()


def test_ease_is_the_closed_form_on_a_tiny_matrix():
    dense = _random_matrix(3, n_tracks=25)
    pop = dense.sum(axis=1).astype(np.int64)
    lam = 10.0
    inverse = np.linalg.inv(dense @ dense.T + lam * np.eye(len(dense)))
    weights = np.eye(len(dense)) - inverse / np.diag(inverse)[None, :]
    np.fill_diagonal(weights, 0)
    seeds = np.arange(len(dense))
    got = models.ease(_sparse(dense), pop, seeds, 6, lam=lam, min_playlists=1)
    for s, row in zip(seeds, got, strict=True):
        _assert_top_k_of(weights[s], s, row, 6, positive=False)


def test_ease_fits_only_tracks_of_enough_playlists_and_refuses_too_many():
    dense = _random_matrix(4)
    pop = dense.sum(axis=1).astype(np.int64)
    rare = np.flatnonzero(pop < 3)
    got = models.ease(_sparse(dense), pop, np.arange(len(dense)), 5, lam=10.0, min_playlists=3)
    assert not np.isin(got, rare).any()
    assert (got[rare] == -1).all()  # a seed outside the fit gets nothing
    with pytest.raises(models.TooManyItems, match="too many items"):
        models.ease(_sparse(dense), pop, np.arange(3), 5, min_playlists=1, max_items=10)


def test_ease_over_the_cap_is_a_skipped_row_with_the_figure():
    playlists, n_tracks = planted_playlists(n_playlists=300)
    report = ho.evaluate(
        corpus_from_playlists(playlists, n_tracks),
        methods=["exact", "ease"],
        likes=0,
        ease_max_items=50,
    )
    ease = next(r for r in report.rows if r.key == "ease")
    assert ease.hit_rate is None and "too many items" in ease.note
    assert "more than the 50 " in ease.note


@needs_implicit
@pytest.mark.parametrize("query", ["item", "listener"])
def test_als_never_recommends_the_seed_or_unplayed_tracks_and_is_seeded(query):
    dense = _random_matrix(5, n_tracks=60, n_playlists=80)
    dense[:5] = 0  # tracks in no playlist
    x, pop = _sparse(dense), dense.sum(axis=1).astype(np.int64)
    seeds = np.flatnonzero(pop > 0)
    runs = [
        models.als(
            models.als_factors(x, 8, 0.1, seed=3), pop, seeds, 10, regularization=0.1, query=query
        )
        for _ in range(2)
    ]
    assert runs[0].tolist() == runs[1].tolist()
    assert not (runs[0] == seeds[:, None]).any()
    assert not np.isin(runs[0], np.arange(5)).any()


@pytest.fixture(scope="module")
def compared() -> ho.QualityReport:
    playlists, n_tracks = planted_playlists(n_playlists=600)
    keys = ["exact", "closest", "cooccurrence", "rp3beta", "ease"]
    return ho.evaluate(
        corpus_from_playlists(playlists, n_tracks), seed=5, methods=keys, repeats=2, likes=0
    )


def test_validation_playlists_come_from_each_splits_train_side_only(compared):
    assert len(compared.validations) == len(compared.repeats) == 2
    for (split, seeds), val in zip(compared.repeats, compared.validations, strict=True):
        tested = set(split.test_ids.tolist())
        assert tested.isdisjoint(val.split.test_ids.tolist())
        # no test playlist is training data for tuning either
        assert not np.isin(val.split.train_indices, split.test_ids).any()
        assert _cases(val.seeds, val.split).isdisjoint(_cases(seeds, split))


def _cases(seeds, split) -> set[tuple[int, int]]:
    """Each question as (seed track, corpus id of the playlist it is scored against)."""
    owners = split.test_ids[seeds.playlist]
    return set(zip(seeds.track.tolist(), owners.tolist(), strict=True))


def test_tuning_scores_only_validation_playlists(monkeypatch):
    playlists, n_tracks = planted_playlists(n_playlists=300)
    scored: list[np.ndarray] = []
    real = tuning.score_rows

    def spy(top, playlist, given, cover, split, *args):
        scored.append(split.test_ids)
        return real(top, playlist, given, cover, split, *args)

    monkeypatch.setattr(tuning, "score_rows", spy)
    report = ho.evaluate(
        corpus_from_playlists(playlists, n_tracks), methods=["rp3beta"], likes=0, repeats=2
    )
    grid = len(models.GRIDS["rp3beta"])
    assert len(scored) == 2 * grid  # every setting, once per split
    for r, (split, _) in enumerate(report.repeats):
        for ids in scored[r * grid : (r + 1) * grid]:
            assert len(ids) and not np.isin(ids, split.test_ids).any()


def test_each_tuned_row_reports_its_best_validation_setting(compared):
    for key in ("rp3beta", "ease"):
        row = next(r for r in compared.rows if r.key == key)
        assert row.settings and row.validation_hit_rate is not None
    val = compared.validations[0]
    runner = ho.MethodRunner(val.split, val.seeds, 10, False)
    chosen = tuning.tune(["rp3beta"], val, lambda sp_, sd: runner)["rp3beta"]
    assert chosen.hit_rate == max(hit for _, hit in chosen.tried)
    assert len(chosen.tried) == len(models.GRIDS["rp3beta"])


def test_comparison_table_gives_each_hit_rate_with_its_standard_error(compared):
    text = compared.markdown()
    table = text[text.index("Compared methods") :]
    for name in ("exact Jaccard", "raw co-occurrence", "RP3beta", "EASE"):
        line = next(x for x in table.splitlines() if x.startswith(f"| {name}"))
        assert " ± " in line
    assert "α " in table and "λ " in table


def test_holdout_command_compare_prints_the_compared_rows(tmp_path, capsys):
    playlists, _ = planted_playlists(n_playlists=300)
    data = _write_csv(tmp_path / "planted.csv", playlists)
    argv = ["index", "holdout", str(data), "--methods", "exact,closest", "--compare"]
    args = _parser().parse_args([*argv, "--likes", "0", "--quiet"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    table = printed[printed.index("Compared methods") :]
    for key in ho.COMPARED:
        assert f"| {ho.METHODS[key]} |" in table
    args = _parser().parse_args(["index", "holdout", str(data), "--likes", "0", "--quiet"])
    assert args.func(args) == 0
    assert "Compared methods" not in capsys.readouterr().out
