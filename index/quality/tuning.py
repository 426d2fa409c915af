"""Settings of the compared recommenders, chosen on validation playlists, never on test ones.

A method with settings (RP3beta's α and β, EASE's λ, ALS's factors) reported with the
settings that score best on the test playlists would be flattered. So each holdout split
gets its own validation split, drawn from its *train* side only: some train playlists are
held out again (with the same near-copy guard), each setting of :data:`GRIDS` is scored by
HitRate@k on the bot's first page for their seeds, with the rest of train as training
data, and the best one (the first in grid order on a tie) is then fitted on the whole train
side and reported on the test playlists. The test playlists take no part in tuning, as
training data or as questions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from index.corpus import Corpus
from index.quality.methods import MethodRunner, MethodSkipped
from index.quality.models import GRIDS, describe
from index.quality.scores import score_rows
from index.quality.split import HoldoutSplit, Seeds, pick_seeds, split_playlists

# Validation splits are drawn with the reporting split's seed plus this, so the two draws
# are independent (a validation playlist is a train playlist whatever the seed).
VALIDATION_SEED_OFFSET = 10_000


@dataclass
class Validation:
    """Validation playlists held out of one reporting split's train side, and their seeds."""

    split: HoldoutSplit
    seeds: Seeds


@dataclass
class Tuned:
    """One method's chosen setting and how each setting scored on validation."""

    key: str
    params: dict[str, object]
    hit_rate: float  # HitRate@k of ``params`` on the validation seeds
    tried: list[tuple[dict[str, object], float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return describe(self.key, self.params)


def validation_split(
    corpus: Corpus,
    split: HoldoutSplit,
    *,
    seed: int,
    test_fraction: float,
    max_test_playlists: int | None,
    seeds_per_playlist: int,
    **guard: float,
) -> Validation:
    """Hold out validation playlists from ``split``'s train playlists only.

    The corpus is cut down to train memberships first, so test and quarantined playlists
    are empty there: never validation playlists, never training data for tuning.
    """
    train = replace(corpus, indptr=split.train_indptr, indices=split.train_indices)
    val = split_playlists(
        train,
        test_fraction=test_fraction,
        seed=seed + VALIDATION_SEED_OFFSET,
        max_test_playlists=max_test_playlists,
        **guard,
    )
    return Validation(val, pick_seeds(val, seeds_per_playlist, seed + VALIDATION_SEED_OFFSET))


def tune(
    keys: Sequence[str],
    validation: Validation,
    make_runner: Callable[[HoldoutSplit, Seeds], MethodRunner],
    log: Callable[[str], None] | None = None,
) -> dict[str, Tuned | str]:
    """Each of ``keys``' best setting of :data:`GRIDS` on ``validation``, or the reason it
    cannot run (a "skipped: ..." sentence, e.g. too many items for EASE)."""
    runner = make_runner(validation.split, validation.seeds)
    seeds = validation.seeds
    out: dict[str, Tuned | str] = {}
    for key in keys:
        started = time.perf_counter()
        tried: list[tuple[dict[str, object], float]] = []
        for params in GRIDS[key]:
            runner.params[key] = params
            try:
                top = runner.top(key)
            except MethodSkipped as why:
                out[key] = str(why)
                break
            row = score_rows(top, seeds.playlist, 1, seeds.coverage_sample, validation.split)
            tried.append((params, row.hit_rate))
            if log:
                log(f"  tuning {key} {describe(key, params)}: validation {row.hit_rate:.3f}")
        else:
            best = max(range(len(tried)), key=lambda i: (tried[i][1], -i))
            params, hit = tried[best]
            out[key] = Tuned(key, params, hit, tried, time.perf_counter() - started)
    return out
