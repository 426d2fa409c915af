"""Recommendation quality on held-out playlists: split, build on train, score every method.

The question a user cares about: given a song from one of my playlists, are the other
songs of that playlist among its top 10? So whole playlists are held out (seeded), the
neighbours are built from the rest exactly as ``songsim index build`` does, and for each
test playlist up to ``seeds_per_playlist`` of its tracks that exist in train are used as
seeds. Per method we report HitRate@k (another track of the playlist in the top k),
Recall@k (share of the playlist's other tracks found), catalogue coverage (distinct tracks
in any top k over a sample of seeds) and the median popularity (train playlist count) of
what is recommended: hit rate alone rewards recommending hits. Each hit-rate gain over
exact Jaccard carries its standard error (:func:`gain_standard_error`): on a collection of
a few hundred playlists a +5 % can be noise.

Playlists that are built from each other leak: a "Best of 2015" in test is found through
its source playlist in train. So every train playlist that holds at least ``containment``
of a test playlist (or of which a test playlist holds that share), sharing at least
``min_overlap`` tracks, is *quarantined* (used by neither side). Library-like playlists
(holding ``library_share`` of the catalogue, e.g. "Liked Songs") are never test playlists.

A seed's "top k" is what the bot's first page would show (:class:`Presentation`, the rules
of :mod:`index.read.present`): one version of each song, none of the seed's versions, at most
:data:`~index.read.present.MAX_PER_ARTIST` songs per artist, topped up from further down the
method's list. Every row gets the same rules, bot answer or not, so rows compare like for
like; each method offers ``max(build_k, k)`` candidates, the stored table's budget.

The recommenders from the literature (:data:`COMPARED`: co-occurrence, RP3beta, EASE, ALS)
have settings; each split chooses them on validation playlists of its own train side
(:mod:`~index.quality.tuning`) and reports them next to the figures.

A second table measures ``/foryou`` and mixes: a few tracks of one test playlist liked
together (:func:`pick_likes`), merged as the bot merges them (:func:`merged_top`).

The pieces, one module each: :mod:`~index.quality.split` (test playlists and seeds),
:mod:`~index.quality.methods` (what each method answers), :mod:`~index.quality.pages`
(the bot's first page), :mod:`~index.quality.scores` (the figures) and
:mod:`~index.quality.report` (the Markdown). This module runs them; the names above are
imported here, so ``index.quality.holdout`` stays the one place to import them from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from index.build.options import DEFAULTS, most_neighbours
from index.corpus import Corpus
from index.quality import baselines as bl
from index.quality import tuning
from index.quality.methods import (
    COMPARED,
    DEFAULT_METHODS,
    LIKES_RANKINGS,
    METHODS,
    TUNED,
    MethodRunner,
    MethodSkipped,
    merged_top,
    summed_top,
    table_top,
)
from index.quality.models import EASE_MAX_ITEMS
from index.quality.pages import Presentation, song_ids
from index.quality.report import QualityReport
from index.quality.scores import MethodScore, gain_standard_error, mean_row, score_rows, score_top
from index.quality.split import (
    COVERAGE_SEEDS,
    LIBRARY_SHARE,
    LIKES,
    NEAR_COPY_CONTAINMENT,
    NEAR_COPY_MIN_OVERLAP,
    HoldoutSplit,
    Likes,
    Seeds,
    pick_likes,
    pick_seeds,
    split_playlists,
    why_no_seeds,
)
from index.read.present import MAX_PER_ARTIST

__all__ = [
    "COMPARED",
    "COVERAGE_SEEDS",
    "DEFAULT_METHODS",
    "LIBRARY_SHARE",
    "LIKES",
    "LIKES_RANKINGS",
    "METHODS",
    "NEAR_COPY_CONTAINMENT",
    "NEAR_COPY_MIN_OVERLAP",
    "HoldoutSplit",
    "Likes",
    "MethodScore",
    "Presentation",
    "QualityReport",
    "Seeds",
    "TUNED",
    "evaluate",
    "gain_standard_error",
    "merged_top",
    "pick_likes",
    "pick_seeds",
    "recommendations",
    "score_rows",
    "score_top",
    "song_ids",
    "split_playlists",
    "summed_top",
    "table_top",
]


def evaluate(
    corpus: Corpus,
    *,
    dataset: str = "",
    seed: int = 0,
    test_fraction: float = 0.2,
    seeds_per_playlist: int = 5,
    k: int = 10,
    methods: Sequence[str] = DEFAULT_METHODS,
    max_test_playlists: int | None = 2000,
    repeats: int = 1,
    near_copy_guard: bool = True,
    build_k: int = DEFAULTS.k,
    min_shared: int = DEFAULTS.min_shared,
    min_playlists: int = DEFAULTS.min_playlists,
    lsh_options: dict[str, object] | None = None,
    per_artist: int | None = MAX_PER_ARTIST,
    extras: int = DEFAULTS.extras,
    artist_extras: int = DEFAULTS.artist_extras,
    likes: int = LIKES,
    ease_max_items: int = EASE_MAX_ITEMS,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> QualityReport:
    """Hold out, build on train, and score each of ``methods`` (keys of :data:`METHODS`).

    With ``repeats`` > 1 the split is drawn with seeds ``seed, seed + 1, ...`` and every
    figure is the mean over the splits: small datasets give few test seeds per split.
    ``build_k``, ``min_shared`` and ``min_playlists`` mean what they do for the build;
    ``lsh_options`` go to :func:`index.build.lsh.lsh_neighbours` (e.g. ``exact_below=0`` sends
    every query through MinHash, which small datasets otherwise scan exactly).
    Every method's top ``k`` is the bot's first page (:class:`Presentation`);
    ``per_artist=None`` lifts its artist cap, for comparison with an uncapped top ``k``.
    ``likes`` > 0 adds the ``/foryou`` table (:meth:`MethodRunner.likes_rows`): that many
    tracks of one test playlist liked together, per discovery setting.
    Methods of :data:`TUNED` are tuned per split on validation playlists from its train side
    (:func:`index.quality.tuning.tune`); EASE runs on at most ``ease_max_items`` tracks.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"Unknown method(s) {', '.join(unknown)}; choose from: {', '.join(METHODS)}."
        )
    if k < 1 or seeds_per_playlist < 1 or repeats < 1:
        raise ValueError("k, seeds per playlist and repeats must be at least 1.")
    if likes < 0 or likes == 1 or likes > seeds_per_playlist:
        raise ValueError(
            "likes must be 0 (no /foryou table) or from 2 to the seeds per playlist "
            f"({seeds_per_playlist})."
        )
    # A list longer than the catalogue is the catalogue: counts past it (--build-k
    # 2147483647) would size arrays by the request and run out of memory.
    most = most_neighbours(corpus.n_tracks)
    k, build_k, extras, artist_extras = (min(v, most) for v in (k, build_k, extras, artist_extras))
    guard = {} if near_copy_guard else {"containment": float("inf")}
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    present = Presentation(credits, song_ids(corpus), per_artist)
    runner_options = dict(
        credits=credits,
        present=present,
        build_k=build_k,
        min_shared=min_shared,
        min_playlists=min_playlists,
        lsh_options=lsh_options,
        ease_max_items=ease_max_items,
        extras=extras,
        artist_extras=artist_extras,
    )
    tuned_keys = [m for m in methods if m in TUNED]
    runs: list[QualityReport] = []
    for r in range(repeats):
        split = split_playlists(
            corpus,
            test_fraction=test_fraction,
            seed=seed + r,
            max_test_playlists=max_test_playlists,
            **guard,
        )
        seeds = pick_seeds(split, seeds_per_playlist, seed + r)
        if len(seeds.track) == 0:
            raise ValueError(why_no_seeds(corpus, split, test_fraction))
        report = QualityReport(dataset, split, seeds, k)
        chosen: dict[str, tuning.Tuned | str] = {}
        if tuned_keys:
            val = tuning.validation_split(
                corpus,
                split,
                seed=seed + r,
                test_fraction=test_fraction,
                max_test_playlists=max_test_playlists,
                seeds_per_playlist=seeds_per_playlist,
                **guard,
            )
            report.validations.append(val)

            def make_runner(sp_: HoldoutSplit, sd: Seeds, r: int = r) -> MethodRunner:
                return MethodRunner(sp_, sd, k, progress, seed=seed + r, **runner_options)

            chosen = tuning.tune(tuned_keys, val, make_runner, log)
        params = {m: c.params for m, c in chosen.items() if isinstance(c, tuning.Tuned)}
        runner = MethodRunner(
            split, seeds, k, progress, params=params, seed=seed + r, **runner_options
        )
        for key in methods:
            t = time.perf_counter()
            try:
                if isinstance(chosen.get(key), str):
                    raise MethodSkipped(chosen[key])
                top = runner.top(key)
            except MethodSkipped as why:
                row = MethodScore(key, METHODS[key], note=str(why))
            else:
                cover = seeds.coverage_sample
                row = score_rows(top, seeds.playlist, 1, cover, split, key, METHODS[key])
                if isinstance(chosen.get(key), tuning.Tuned):
                    row.settings = chosen[key].label
                    row.validation_hit_rate = chosen[key].hit_rate
            row.seconds = time.perf_counter() - t
            if isinstance(chosen.get(key), tuning.Tuned):
                row.seconds += chosen[key].seconds
            report.rows.append(row)
            if log:
                got = f"HitRate@{k} {row.hit_rate:.3f}" if row.hit_rate is not None else row.note
                log(f"split {r + 1}/{repeats} {row.name}: {got}")
        if likes:
            picked = pick_likes(seeds, likes)
            report.likes_queries = [len(picked.playlist)]
            if len(picked.playlist):
                report.likes_rows = runner.likes_rows(picked)
                if log:
                    got = ", ".join(f"{x.key} {x.hit_rate:.3f}" for x in report.likes_rows)
                    log(f"split {r + 1}/{repeats} /foryou with {likes} likes: {got}")
        runs.append(report)
    out = runs[0]
    out.settings = {
        "seed": seed,
        "test_fraction": test_fraction,
        "seeds_per_playlist": seeds_per_playlist,
        "max_test_playlists": max_test_playlists,
        "repeats": repeats,
        "near_copy_guard": near_copy_guard,
        "build_k": build_k,
        "extras": extras,
        "artist_extras": artist_extras,
        "min_shared": min_shared,
        "min_playlists": min_playlists,
        "per_artist": per_artist,
        "likes": likes,
    }
    out.repeats = [(r.split, r.seeds) for r in runs]
    out.validations = [v for r in runs for v in r.validations]
    out.likes_queries = [q for r in runs for q in r.likes_queries]
    if repeats > 1:
        out.rows = [mean_row([r.rows[i] for r in runs]) for i in range(len(out.rows))]
        with_likes = [r.likes_rows for r in runs if r.likes_rows]
        out.likes_rows = [mean_row(list(rows)) for rows in zip(*with_likes, strict=True)]
    return out


def recommendations(
    corpus: Corpus,
    split: HoldoutSplit,
    seeds: Seeds,
    key: str,
    *,
    k: int = 10,
    per_artist: int | None = MAX_PER_ARTIST,
    build_k: int = DEFAULTS.k,
    min_shared: int = DEFAULTS.min_shared,
    min_playlists: int = DEFAULTS.min_playlists,
    lsh_options: dict[str, object] | None = None,
    params: dict[str, object] | None = None,
) -> np.ndarray:
    """Method ``key``'s top ``k`` for each seed, exactly as :func:`evaluate` scores it
    (a tuned method with ``params``, default its grid's first setting).

    For looking at what a method shows (``-1`` pads a short page), not for scoring many
    methods: each call builds its own neighbour table.
    """
    if key not in METHODS:
        raise ValueError(f"Unknown method {key}; choose from: {', '.join(METHODS)}.")
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    runner = MethodRunner(
        split,
        seeds,
        k,
        False,
        credits=credits,
        present=Presentation(credits, song_ids(corpus), per_artist),
        build_k=build_k,
        min_shared=min_shared,
        min_playlists=min_playlists,
        lsh_options=lsh_options,
        params={key: params} if params else None,
    )
    return runner.top(key)
