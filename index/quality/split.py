"""Which playlists a holdout run hides, and which of their tracks it asks about.

Whole playlists are held out (seeded), so the question is the user's: given a song of one
of my playlists, are the other songs of that playlist among its recommendations? Playlists
built from each other leak (a "Best of 2015" in test is found through its source playlist
in train), so near-copies of a test playlist are quarantined; library-sized playlists
("Liked Songs") are never test playlists. :mod:`index.quality.holdout` runs the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.corpus import Corpus
from index.quality import baselines as bl

COVERAGE_SEEDS = 3000
# Two playlists are "built from" each other when they share this share of the smaller one
# and at least this many tracks (short playlists overlap by chance).
NEAR_COPY_CONTAINMENT = 0.8
NEAR_COPY_MIN_OVERLAP = 5
# A playlist holding this share of all tracks is a library: never a test playlist.
LIBRARY_SHARE = 0.1

# The "/foryou and mixes" table: this many likes from one test playlist make one query.
LIKES = 3


@dataclass
class HoldoutSplit:
    """Train memberships (same track and playlist ids as the corpus) and test playlists."""

    train_indptr: np.ndarray
    train_indices: np.ndarray
    n_playlists: int
    test_playlists: list[np.ndarray]  # sorted track ids of each test playlist
    test_ids: np.ndarray  # corpus playlist id of each test playlist
    n_train: int
    n_quarantined: int
    n_libraries: int

    @property
    def popularity(self) -> np.ndarray:
        """Train playlist count per track."""
        return np.diff(self.train_indptr).astype(np.int64)


def split_playlists(
    corpus: Corpus,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    max_test_playlists: int | None = 2000,
    containment: float = NEAR_COPY_CONTAINMENT,
    min_overlap: int = NEAR_COPY_MIN_OVERLAP,
    library_share: float = LIBRARY_SHARE,
) -> HoldoutSplit:
    """Hold out a seeded random ``test_fraction`` of the playlists (module doc for the guards)."""
    if not 0 < test_fraction < 1:
        raise ValueError("test fraction must be between 0 and 1 (e.g. 0.2).")
    n_pl = corpus.n_playlists
    pt = bl.track_matrix(corpus.indptr, corpus.indices, n_pl).T.tocsr()  # playlist × track
    length = np.diff(pt.indptr)
    libraries = length >= max(library_share * corpus.n_tracks, 2)
    candidates = np.flatnonzero((length >= 2) & ~libraries)
    rng = np.random.default_rng(seed)
    n_test = int(round(test_fraction * n_pl))
    if max_test_playlists is not None:
        n_test = min(n_test, max_test_playlists)
    test = np.sort(rng.choice(candidates, size=min(n_test, len(candidates)), replace=False))
    is_test = np.zeros(n_pl, dtype=bool)
    is_test[test] = True
    quarantined = _near_copies(pt, test, length, is_test, containment, min_overlap)
    train = ~is_test & ~quarantined

    keep = train[corpus.indices]
    owner = np.repeat(np.arange(corpus.n_tracks), np.diff(corpus.indptr))
    counts = np.bincount(owner[keep], minlength=corpus.n_tracks)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return HoldoutSplit(
        train_indptr=indptr,
        train_indices=np.ascontiguousarray(corpus.indices[keep], dtype=np.int32),
        n_playlists=n_pl,
        test_playlists=[pt.indices[pt.indptr[p] : pt.indptr[p + 1]].astype(np.int64) for p in test],
        test_ids=test.astype(np.int64),
        n_train=int(train.sum()),
        n_quarantined=int(quarantined.sum()),
        n_libraries=int(libraries.sum()),
    )


def why_no_seeds(corpus: Corpus, split: HoldoutSplit, test_fraction: float) -> str:
    """Why ``split`` gave no seed track, in one sentence that names the real cause."""
    if split.test_playlists:
        return "No test playlist has a track that also occurs in train; try a bigger test fraction."
    n_pl, share = corpus.n_playlists, f"{LIBRARY_SHARE:.0%}"
    if split.n_libraries == n_pl:
        return (
            f"Every one of the {n_pl:,} playlists holds at least {share} of all "
            f"{corpus.n_tracks:,} tracks, so each counts as a whole library and none can be "
            "held out: the dataset is too small to measure recommendation quality on."
        )
    lengths = np.bincount(corpus.indices, minlength=n_pl)
    short = int(np.count_nonzero(lengths < 2))
    if split.n_libraries + short >= n_pl:
        return (
            f"None of the {n_pl:,} playlists can be held out: {split.n_libraries:,} hold at "
            f"least {share} of all {corpus.n_tracks:,} tracks (whole libraries) and {short:,} "
            "fewer than 2 tracks; the dataset is too small to measure recommendation quality on."
        )
    return (
        f"A test fraction of {test_fraction:g} holds out none of the {n_pl:,} playlists; "
        "give a bigger one."
    )


def _near_copies(pt, test, length, is_test, containment, min_overlap) -> np.ndarray:
    """Non-test playlists overlapping some test playlist by ``containment`` of the smaller."""
    out = np.zeros(len(length), dtype=bool)
    ptt = pt.T.tocsr()
    for lo in range(0, len(test), 512):
        block = test[lo : lo + 512]
        ov = (pt[block] @ ptt).tocoo()
        small = np.minimum(length[block][ov.row], length[ov.col])
        hit = (ov.data >= min_overlap) & (ov.data >= containment * small) & ~is_test[ov.col]
        out[ov.col[hit]] = True
    return out


@dataclass
class Seeds:
    """Evaluation queries: seed track, and the test playlist it came from."""

    track: np.ndarray
    playlist: np.ndarray  # index into HoldoutSplit.test_playlists
    coverage_sample: np.ndarray  # positions into ``track`` used for catalogue coverage


def pick_seeds(split: HoldoutSplit, per_playlist: int = 5, seed: int = 0) -> Seeds:
    """Up to ``per_playlist`` tracks of each test playlist that exist in train (seeded)."""
    rng = np.random.default_rng(seed + 1)
    pop = split.popularity
    tracks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for i, members in enumerate(split.test_playlists):
        known = members[pop[members] > 0]
        if len(known) == 0:
            continue
        chosen = rng.choice(known, size=min(per_playlist, len(known)), replace=False)
        tracks.append(chosen)
        owners.append(np.full(len(chosen), i, dtype=np.int64))
    track = np.concatenate(tracks) if tracks else np.zeros(0, dtype=np.int64)
    playlist = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    n_cov = min(COVERAGE_SEEDS, len(track))
    sample = np.sort(rng.choice(len(track), size=n_cov, replace=False))
    return Seeds(track.astype(np.int64), playlist, sample)


@dataclass
class Likes:
    """``/foryou`` queries: a few tracks of one test playlist, liked together."""

    tracks: np.ndarray  # (queries, likes) track ids
    playlist: np.ndarray  # index into HoldoutSplit.test_playlists


def pick_likes(seeds: Seeds, n: int = LIKES) -> Likes:
    """The first ``n`` seeds of every test playlist that has ``n`` (seeds are drawn at
    random, so these are a random ``n`` of its tracks known to train)."""
    rows, owners = [], []
    for p in np.unique(seeds.playlist).tolist():
        mine = seeds.track[seeds.playlist == p]
        if len(mine) >= n:
            rows.append(mine[:n])
            owners.append(p)
    tracks = np.array(rows, dtype=np.int64).reshape(len(rows), n)
    return Likes(tracks, np.array(owners, dtype=np.int64))
