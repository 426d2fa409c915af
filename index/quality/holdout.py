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
of :mod:`index.present`): one version of each song, none of the seed's versions, at most
:data:`~index.present.MAX_PER_ARTIST` songs per artist, topped up from further down the
method's list. Every row gets the same rules, bot answer or not, so rows compare like for
like; each method offers ``max(build_k, k)`` candidates, the stored table's budget.

A second table measures ``/foryou`` and mixes: a few tracks of one test playlist liked
together (:func:`pick_likes`), merged as the bot merges them (:func:`merged_top`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.corpus import Corpus, NeighbourTable
from index.names import artist_identity, base_title
from index.quality import baselines as bl
from index.read import ranking as rk
from index.read.present import MAX_PER_ARTIST, complete_page, one_version_each, paginate

BUILD_K = 30  # neighbours stored per track by `songsim index build` (its default)
BUILD_MIN_PLAYLISTS = 2
BUILD_MIN_SHARED = 2
COVERAGE_SEEDS = 3000
# Two playlists are "built from" each other when they share this share of the smaller one
# and at least this many tracks (short playlists overlap by chance).
NEAR_COPY_CONTAINMENT = 0.8
NEAR_COPY_MIN_OVERLAP = 5
# A playlist holding this share of all tracks is a library: never a test playlist.
LIBRARY_SHARE = 0.1

# The "/foryou and mixes" table: this many likes from one test playlist make one query.
LIKES = 3
LIKES_RANKINGS: dict[str, str] = {
    "summed": "Jaccard summed over the likes (the reference)",
    "jaccard": 'rank fusion, "jaccard" lists',
    "closest": 'rank fusion, "closest" lists (the default)',
    "popular": 'rank fusion, "popular" lists',
    "deep cuts": 'rank fusion, "deep cuts" lists',
    "closest+fallback": 'rank fusion, "closest" lists + playlist fallback and top-up '
    "(the bot's answer)",
}

# Method key → what the report calls it. Order is the report's row order.
METHODS: dict[str, str] = {
    "lsh": "index as built (LSH, Jaccard)",
    "exact": "exact Jaccard",
    "most-popular": "most popular",
    "cooccurrence": "raw co-occurrence",
    "cosine": "implicit item-item cosine",
    "bm25": "implicit item-item BM25",
    "closest": 'ranking "closest" (stored top-30)',
    "popular": 'ranking "popular" (stored top-30)',
    "deep-cuts": 'ranking "deep cuts" (stored top-30)',
    "exact+fallback": "exact Jaccard + playlist fallback and top-up",
    "closest+fallback": 'ranking "closest" + playlist fallback and top-up (the bot\'s answer)',
    "closest-all": 'ranking "closest" (all candidates)',
    "popular-all": 'ranking "popular" (all candidates)',
    "deep-cuts-all": 'ranking "deep cuts" (all candidates)',
}


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


def merged_top(
    table: NeighbourTable,
    pop: np.ndarray,
    likes: np.ndarray,
    k: int,
    ranking: str,
    credits: bl.ArtistCredits | None = None,
) -> np.ndarray:
    """Top ``k`` of each row of ``likes`` from the stored table, as ``/foryou`` and a mix
    rank them: each like's list in ``ranking``'s order, the likes left out, fused by rank
    (:func:`index.ranking.fuse`). ``credits`` gives the rankings their shared-artist
    weight (None: left out)."""
    out = np.full((len(likes), k), -1, dtype=np.int64)
    starts = np.searchsorted(table.track, likes, side="left")
    ends = np.searchsorted(table.track, likes, side="right")
    for i, row in enumerate(likes):
        lists, jaccards = [], []
        for seed, lo, hi in zip(row.tolist(), starts[i], ends[i], strict=True):
            nb = table.neighbour[lo:hi].astype(np.int64)
            shared = table.shared[lo:hi]
            same = None if credits is None else credits.shared_with(seed, nb)
            ranked = rk.order(ranking, shared, pop[seed], pop[nb], nb, same)
            ranked = ranked[~np.isin(nb[ranked], row)]
            lists.append(nb[ranked])
            jaccards.append(table.jaccard[lo:hi][ranked])
        ids = rk.fuse(lists, jaccards)[0]
        out[i, : min(k, len(ids))] = ids[:k]
    return out


def summed_top(table: NeighbourTable, pop: np.ndarray, likes: np.ndarray, k: int) -> np.ndarray:
    """The plain way to merge likes, for reference: each song's Jaccard summed over them."""
    out = np.full((len(likes), k), -1, dtype=np.int64)
    for i, row in enumerate(likes):
        lo = np.searchsorted(table.track, row, side="left")
        hi = np.searchsorted(table.track, row, side="right")
        nb = np.concatenate([table.neighbour[a:b] for a, b in zip(lo, hi, strict=True)])
        score = np.concatenate([table.jaccard[a:b] for a, b in zip(lo, hi, strict=True)])
        keep = ~np.isin(nb, row)
        songs, where = np.unique(nb[keep].astype(np.int64), return_inverse=True)
        total = np.bincount(where, weights=score[keep], minlength=len(songs))
        ids = songs[np.lexsort((songs, -total))]
        out[i, : min(k, len(ids))] = ids[:k]
    return out


@dataclass
class MethodScore:
    """One row of the report."""

    key: str
    name: str
    hit_rate: float | None = None
    recall: float | None = None
    coverage: int | None = None
    median_popularity: float | None = None
    seconds: float = 0.0
    note: str = ""
    hits: np.ndarray | None = field(default=None, repr=False)  # per seed, over all splits


def score_rows(
    top: np.ndarray,
    playlist: np.ndarray,
    given: int,
    coverage_rows: np.ndarray,
    split: HoldoutSplit,
    key: str = "",
    name: str = "",
) -> MethodScore:
    """Figures of recommendations ``top`` (one row per query; ``-1`` pads): HitRate and
    Recall of the query's test playlist (index ``playlist``) less the ``given`` tracks it
    was asked with, coverage over the rows ``coverage_rows``, median popularity."""
    found = np.array(
        [
            np.isin(row[row >= 0], split.test_playlists[p]).sum()
            for row, p in zip(top, playlist, strict=True)
        ],
        dtype=float,
    )
    targets = np.array([len(split.test_playlists[p]) - given for p in playlist], dtype=float)
    recall = np.divide(found, targets, out=np.zeros(len(found)), where=targets > 0)
    cov = top[coverage_rows]
    shown = top[top >= 0]
    return MethodScore(
        key,
        name,
        hit_rate=float((found > 0).mean()),
        recall=float(recall.mean()),
        coverage=int(np.unique(cov[cov >= 0]).size),
        median_popularity=float(np.median(split.popularity[shown])) if shown.size else float("nan"),
        hits=found > 0,
    )


def score_top(
    top: np.ndarray, seeds: Seeds, split: HoldoutSplit
) -> tuple[float, float, int, float]:
    """(HitRate@k, Recall@k, coverage, median popularity) of one seed per row."""
    row = score_rows(top, seeds.playlist, 1, seeds.coverage_sample, split)
    return row.hit_rate, row.recall, row.coverage, row.median_popularity


def gain_standard_error(hits: np.ndarray, ref_hits: np.ndarray, clusters: np.ndarray) -> float:
    """Standard error of ``mean(hits) - mean(ref_hits)``, paired by seed.

    Seeds of one test playlist succeed or fail together, so they are one cluster
    (cluster-robust variance of a paired difference in means). Divide by the reference hit
    rate for the error of a relative gain: on small datasets a +5 % can be noise.
    """
    diff = np.asarray(hits, dtype=float) - np.asarray(ref_hits, dtype=float)
    _, cluster = np.unique(clusters, return_inverse=True)
    n = len(diff)
    groups = int(cluster.max()) + 1 if n else 0
    if groups < 2:
        return float("nan")
    resid = np.bincount(cluster, weights=diff - diff.mean(), minlength=groups)
    return float(np.sqrt(groups / (groups - 1) * np.sum(resid**2)) / n)


def table_top(
    table: NeighbourTable,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    ranking: str = "jaccard",
    credits: bl.ArtistCredits | None = None,
) -> np.ndarray:
    """Top ``k`` of each seed from a stored neighbour table, re-ordered by ``ranking``
    (``credits``: for the shared-artist weight; None leaves it out).

    This is exactly what the bot can do at query time: re-order the stored candidates.
    """
    starts = np.searchsorted(table.track, seeds, side="left")
    ends = np.searchsorted(table.track, seeds, side="right")
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, (s, lo, hi) in enumerate(zip(seeds, starts, ends, strict=True)):
        nb = table.neighbour[lo:hi].astype(np.int64)
        if ranking != "jaccard":
            same = None if credits is None else credits.shared_with(s, nb)
            nb = nb[rk.order(ranking, table.shared[lo:hi], pop[s], pop[nb], nb, same)]
        out[i, : min(k, len(nb))] = nb[:k]
    return out


def song_ids(corpus: Corpus) -> np.ndarray:
    """One id per track; tracks sharing an id are versions of one song (the bot's rule).

    Same key as :func:`index.present.song_key` (artist identity, title without version
    suffixes), computed once per track so the evaluation can apply it to arrays.
    """
    identity = [artist_identity(name) for name in corpus.artist_names]
    keys: dict[tuple[str, str], int] = {}
    out = np.empty(corpus.n_tracks, dtype=np.int64)
    artists = corpus.track_artist.tolist()
    for t, (a, title) in enumerate(zip(artists, corpus.track_titles, strict=True)):
        out[t] = keys.setdefault((identity[a], base_title(title)), len(keys))
    return out


@dataclass
class Presentation:
    """The bot's presentation rules (:mod:`index.present`) for arrays of track positions.

    ``per_artist=None`` lifts the artist cap (``--no-artist-cap``, what the bot does when
    a user asks for more of one artist); ``song=None`` skips the one-version rule.
    """

    credits: bl.ArtistCredits  # whom each track credits (for the artist cap)
    song: np.ndarray | None = None  # song id per track (:func:`song_ids`)
    per_artist: int | None = MAX_PER_ARTIST

    def first_page(
        self, candidates: np.ndarray, seeds: np.ndarray, k: int, *, fill: bool = False
    ) -> np.ndarray:
        """Each seed's first page of ``k`` from its ranked ``candidates`` (``-1`` pads).

        ``seeds`` is one track per row, or (``/foryou`` queries) a row of likes, all left out.

        ``fill`` tops a capped page up from later pages, as the bot's rare-song fallback
        does; a ranked answer's first page instead stays short when only capped artists
        are left.
        """
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        for i, s in enumerate(bl.seed_rows(seeds).tolist()):
            pages = self._pages(candidates[i], s, k)
            shown = [t for page in pages for t in page][:k] if fill else (pages or [[]])[0]
            out[i, : len(shown)] = shown
        return out

    def topped_up(
        self, candidates: np.ndarray, mates: np.ndarray, seeds: np.ndarray, k: int
    ) -> np.ndarray:
        """Each seed's first page, completed from ``mates`` when it is the only page and
        short, as :func:`index.recommend.playlist_mates` completes the bot's short list."""
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        for i, s in enumerate(bl.seed_rows(seeds).tolist()):
            pages = self._pages(candidates[i], s, k)
            shown = pages[0] if pages else []
            if len(pages) <= 1 and len(shown) < k:
                more = [t for t in mates[i].tolist() if t >= 0 and t not in s + shown]
                if self.song is not None:
                    more = one_version_each(more, exclude=s + shown, key=self.song.__getitem__)
                cap = k if self.per_artist is None else self.per_artist
                shown = shown + complete_page(
                    shown, more, k, artists_of=self.credits.on_page, per_artist=cap
                )
            out[i, : len(shown)] = shown
        return out

    def _pages(self, candidates: np.ndarray, seeds: list[int], k: int) -> list[list[int]]:
        row = [t for t in candidates.tolist() if t >= 0 and t not in seeds]
        if self.song is not None:
            row = one_version_each(row, exclude=seeds, key=self.song.__getitem__)
        return paginate(row, k, artists_of=self.credits.on_page, per_artist=self.per_artist)


@dataclass
class QualityReport:
    """Everything one holdout run measured, ready for ``docs/QUALITY.md``."""

    dataset: str
    split: HoldoutSplit
    seeds: Seeds
    k: int
    rows: list[MethodScore] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)
    repeats: list[tuple[HoldoutSplit, Seeds]] = field(default_factory=list)
    likes_rows: list[MethodScore] = field(default_factory=list)  # the /foryou table
    likes_queries: list[int] = field(default_factory=list)  # its queries, per split

    def split_line(self) -> str:
        """The split in one sentence (per-split means over repeated splits)."""
        runs = self.repeats or [(self.split, self.seeds)]
        first = runs[0][0]

        def mean(values: list[int]) -> str:
            return f"{np.mean(values):,.0f}"

        train = mean([sp_.n_train for sp_, _ in runs])
        test = mean([len(sp_.test_playlists) for sp_, _ in runs])
        quarantined = mean([sp_.n_quarantined for sp_, _ in runs])
        seeds = mean([len(sd.track) for _, sd in runs])
        seeded = mean([len(np.unique(sd.playlist)) for _, sd in runs])
        over = (
            f"Per split, mean of {len(runs)} (seeds {self.settings.get('seed', 0)}, +1, …): "
            if len(runs) > 1
            else ""
        )
        guard = (
            f"{quarantined} quarantined as near-copies of a test playlist"
            if self.settings.get("near_copy_guard", True)
            else "near-copy guard off (nothing quarantined)"
        )
        return (
            f"Playlists: {first.n_playlists:,}, of which {first.n_libraries:,} library-sized are never "
            f"test playlists. {over}{train} train, {test} test, {guard}. Seeds: {seeds} "
            f"from {seeded} test playlists; coverage over up to {COVERAGE_SEEDS:,} of them; "
            f"train catalogue {int((first.popularity > 0).sum()):,} tracks. {self.shown_line()}"
        )

    def shown_line(self) -> str:
        """What a seed's top k is: the bot's first page, or the plain top k (no cap)."""
        cap = self.settings.get("per_artist", MAX_PER_ARTIST)
        if cap is None:
            return (
                f"Top {self.k}: each method's plain top {self.k} (one version of each song, "
                "no artist cap; `--no-artist-cap`)."
            )
        return (
            f"Top {self.k}: the bot's first page (one version of each song, at most {cap} "
            "per artist, topped up from further down), for every row."
        )

    def markdown(self) -> str:
        """The split in one paragraph, then one table row per method (vs exact Jaccard)."""
        k = self.k
        ref = next((r for r in self.rows if r.key == "exact" and r.hit_rate is not None), None)
        lines = [
            self.split_line(),
            "",
            f"| method | HitRate@{k} | vs exact (± s.e.) | Recall@{k} | coverage | vs exact | "
            "median popularity | seconds |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        clusters = self.clusters()
        for r in self.rows:
            if r.hit_rate is None:
                lines.append(f"| {r.name} | — | — | — | — | — | — | skipped |")
                continue
            hit_vs = self._hit_vs(r, ref, clusters)
            cov_vs = f"{r.coverage / ref.coverage * 100:.0f} %" if ref and ref.coverage else "—"
            lines.append(
                f"| {r.name} | {r.hit_rate:.3f} | {hit_vs} | {r.recall:.4f} | {r.coverage:,} | "
                f"{cov_vs} | {r.median_popularity:.3g} | {r.seconds:.1f} |"
            )
        notes = [f"- {r.name}: {r.note}" for r in self.rows if r.note]
        return "\n".join(lines + ([""] + notes if notes else []) + self._likes_lines())

    def _likes_lines(self) -> list[str]:
        """The ``/foryou`` and mixes table: several likes ranked together."""
        if not self.likes_rows:
            return []
        k, n = self.k, self.settings.get("likes", LIKES)
        ref = self.likes_rows[0]
        every = np.arange(len(ref.hits))  # one query per test playlist: no clusters
        lines = [
            "",
            f"`/foryou` and mixes: {n} tracks of one test playlist (drawn from its seeds) "
            f"liked together, {np.mean(self.likes_queries):,.0f} queries a split; a hit is "
            "another track of that playlist on the first page. Each like's stored top-30 "
            "(index as built) in the setting's order, fused by rank (`index.ranking.fuse`); "
            "the reference sums each song's Jaccard with the likes.",
            "",
            f"| `/foryou`, {n} likes | HitRate@{k} | vs summed Jaccard (± s.e.) | Recall@{k} | "
            "coverage | vs Jaccard | median popularity |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.likes_rows:
            vs = self._hit_vs(r, ref, every)
            cov = f"{r.coverage / ref.coverage * 100:.0f} %" if ref.coverage else "—"
            lines.append(
                f"| {r.name} | {r.hit_rate:.3f} | {vs} | {r.recall:.4f} | {r.coverage:,} | "
                f"{cov} | {r.median_popularity:.3g} |"
            )
        return lines

    def clusters(self) -> np.ndarray:
        """Per seed (all splits, in order), an id of its test playlist unique across splits."""
        runs = self.repeats or [(self.split, self.seeds)]
        out, offset = [], 0
        for split, seeds in runs:
            out.append(seeds.playlist + offset)
            offset += len(split.test_playlists)
        return np.concatenate(out)

    @staticmethod
    def _hit_vs(row: MethodScore, ref: MethodScore | None, clusters: np.ndarray) -> str:
        """Relative HitRate gain over the reference row, with its standard error when known."""
        if not ref or not ref.hit_rate:
            return "—"
        gain = f"{(row.hit_rate / ref.hit_rate - 1) * 100:+.1f}"
        if row is ref or row.hits is None or ref.hits is None:
            return f"{gain} %"
        se = gain_standard_error(row.hits, ref.hits, clusters) / ref.hit_rate * 100
        return f"{gain} ± {se:.1f} %" if np.isfinite(se) else f"{gain} %"


def evaluate(
    corpus: Corpus,
    *,
    dataset: str = "",
    seed: int = 0,
    test_fraction: float = 0.2,
    seeds_per_playlist: int = 5,
    k: int = 10,
    methods: Sequence[str] = tuple(METHODS),
    max_test_playlists: int | None = 2000,
    repeats: int = 1,
    near_copy_guard: bool = True,
    build_k: int = BUILD_K,
    min_shared: int = BUILD_MIN_SHARED,
    min_playlists: int = BUILD_MIN_PLAYLISTS,
    lsh_options: dict[str, object] | None = None,
    per_artist: int | None = MAX_PER_ARTIST,
    likes: int = LIKES,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> QualityReport:
    """Hold out, build on train, and score each of ``methods`` (keys of :data:`METHODS`).

    With ``repeats`` > 1 the split is drawn with seeds ``seed, seed + 1, ...`` and every
    figure is the mean over the splits: small datasets give few test seeds per split.
    ``build_k``, ``min_shared`` and ``min_playlists`` mean what they do for the build;
    ``lsh_options`` go to :func:`index.lsh.lsh_neighbours` (e.g. ``exact_below=0`` sends
    every query through MinHash, which small datasets otherwise scan exactly).
    Every method's top ``k`` is the bot's first page (:class:`Presentation`);
    ``per_artist=None`` lifts its artist cap, for comparison with an uncapped top ``k``.
    ``likes`` > 0 adds the ``/foryou`` table (:meth:`_Runner.likes_rows`): that many
    tracks of one test playlist liked together, per discovery setting.
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
    guard = {} if near_copy_guard else {"containment": float("inf")}
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    present = Presentation(credits, song_ids(corpus), per_artist)
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
            raise ValueError(
                "No test playlist has a track that also occurs in train; try a bigger test fraction."
            )
        report = QualityReport(dataset, split, seeds, k)
        runner = _Runner(
            split,
            seeds,
            k,
            progress,
            credits=credits,
            present=present,
            build_k=build_k,
            min_shared=min_shared,
            min_playlists=min_playlists,
            lsh_options=lsh_options,
        )
        for key in methods:
            t = time.perf_counter()
            try:
                top = runner.top(key)
            except _Skipped as why:
                row = MethodScore(key, METHODS[key], note=str(why))
            else:
                cover = seeds.coverage_sample
                row = score_rows(top, seeds.playlist, 1, cover, split, key, METHODS[key])
            row.seconds = time.perf_counter() - t
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
        "min_shared": min_shared,
        "min_playlists": min_playlists,
        "per_artist": per_artist,
        "likes": likes,
    }
    out.repeats = [(r.split, r.seeds) for r in runs]
    out.likes_queries = [q for r in runs for q in r.likes_queries]
    if repeats > 1:
        out.rows = [_mean_row([r.rows[i] for r in runs]) for i in range(len(out.rows))]
        with_likes = [r.likes_rows for r in runs if r.likes_rows]
        out.likes_rows = [_mean_row(list(rows)) for rows in zip(*with_likes, strict=True)]
    return out


def recommendations(
    corpus: Corpus,
    split: HoldoutSplit,
    seeds: Seeds,
    key: str,
    *,
    k: int = 10,
    per_artist: int | None = MAX_PER_ARTIST,
    build_k: int = BUILD_K,
    min_shared: int = BUILD_MIN_SHARED,
    min_playlists: int = BUILD_MIN_PLAYLISTS,
    lsh_options: dict[str, object] | None = None,
) -> np.ndarray:
    """Method ``key``'s top ``k`` for each seed, exactly as :func:`evaluate` scores it.

    For looking at what a method shows (``-1`` pads a short page), not for scoring many
    methods: each call builds its own neighbour table.
    """
    if key not in METHODS:
        raise ValueError(f"Unknown method {key}; choose from: {', '.join(METHODS)}.")
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    runner = _Runner(
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
    )
    return runner.top(key)


def _mean_row(rows: list[MethodScore]) -> MethodScore:
    """One method's figures averaged over repeated splits."""
    first = rows[0]
    if first.hit_rate is None:
        return first
    mean = MethodScore(first.key, first.name, note=first.note)
    mean.hit_rate = float(np.mean([r.hit_rate for r in rows]))
    mean.recall = float(np.mean([r.recall for r in rows]))
    mean.coverage = int(round(np.mean([r.coverage for r in rows])))
    mean.median_popularity = float(np.mean([r.median_popularity for r in rows]))
    mean.seconds = float(np.sum([r.seconds for r in rows]))
    mean.hits = np.concatenate([r.hits for r in rows])
    return mean


class _Skipped(Exception):
    """A method that cannot run here; the message goes into the report."""


class _Runner:
    """Builds each neighbour table once and answers every method's top-k for the seeds."""

    def __init__(
        self,
        split: HoldoutSplit,
        seeds: Seeds,
        k: int,
        progress: bool,
        *,
        build_k: int = BUILD_K,
        min_shared: int = BUILD_MIN_SHARED,
        min_playlists: int = BUILD_MIN_PLAYLISTS,
        lsh_options: dict[str, object] | None = None,
        credits: bl.ArtistCredits | None = None,
        present: Presentation | None = None,
    ) -> None:
        self.split, self.seeds, self.k, self.progress = split, seeds, k, progress
        self.credits = credits
        self.track_artist = None if credits is None else credits.track_artist
        self.present = present
        # Candidates each method offers the presentation rules: the stored table's budget.
        self.depth = max(build_k, k)
        self.build_k, self.min_shared, self.min_playlists = build_k, min_shared, min_playlists
        self.lsh_options = dict(lsh_options or {})
        self.pop = split.popularity
        self.x = bl.track_matrix(split.train_indptr, split.train_indices, split.n_playlists)
        self._tables: dict[str, NeighbourTable] = {}

    def table(self, method: str) -> NeighbourTable:
        """The neighbour table ``songsim index build --method METHOD`` would store for train."""
        if method not in self._tables:
            from index.build.exact import exact_neighbours
            from index.build.lsh import lsh_neighbours

            if method == "exact":
                engine, options = exact_neighbours, {}
            else:
                engine, options = lsh_neighbours, self.lsh_options
            self._tables[method] = engine(
                self.split.train_indptr,
                self.split.train_indices,
                self.split.n_playlists,
                k=self.build_k,
                min_playlists=self.min_playlists,
                min_shared=self.min_shared,
                progress=self.progress,
                **options,
            )
        return self._tables[method]

    def top(self, key: str) -> np.ndarray:
        """Method ``key``'s top ``k`` per seed, as the bot's first page would show it."""
        s, k = self.seeds.track, self.k
        if key.endswith("+fallback"):
            return self._with_fallback(self.ranked(key.removesuffix("+fallback")), s)
        return self._page(self.ranked(key), s, k)

    def _with_fallback(self, ranked: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """First pages of ``ranked`` as the bot answers: rows with nothing to show answered
        from the seeds' playlists (else their artists' songs), short lists completed from
        those playlists. ``seeds``: one per row, or a row of likes."""
        k = self.k
        stored = self._page(ranked, seeds, k)
        padded = np.pad(stored, ((0, 0), (0, self.depth - k)), constant_values=-1)
        filled = bl.with_rare_fallback(padded, self.x, self.pop, seeds, self.track_artist)
        empty = stored[:, 0] < 0
        stored[empty] = self._page(filled[empty], seeds[empty], k, fill=True)
        short = ~empty & (stored[:, -1] < 0)
        if self.present is not None and short.any():
            mates = bl.playlist_mates(self.x, self.pop, seeds[short], self.depth + k)
            stored[short] = self.present.topped_up(ranked[short], mates, seeds[short], k)
        return stored

    def likes_rows(self, likes: Likes) -> list[MethodScore]:
        """The ``/foryou`` table's rows: each setting's merged first page per query."""
        rows = []
        for ranking, name in LIKES_RANKINGS.items():
            t = time.perf_counter()
            setting = ranking.removesuffix("+fallback")
            if setting == "summed":
                merged = summed_top(self.table("lsh"), self.pop, likes.tracks, self.depth)
            else:
                merged = merged_top(
                    self.table("lsh"),
                    self.pop,
                    likes.tracks,
                    self.depth,
                    setting,
                    self.credits,
                )
            if ranking.endswith("+fallback"):
                top = self._with_fallback(merged, likes.tracks)
            else:
                top = self._page(merged, likes.tracks, self.k)
            cover = np.arange(min(COVERAGE_SEEDS, len(top)))
            given = likes.tracks.shape[1]
            row = score_rows(top, likes.playlist, given, cover, self.split, ranking, name)
            row.seconds = time.perf_counter() - t
            rows.append(row)
        return rows

    def _page(self, ranked: np.ndarray, seeds: np.ndarray, k: int, fill: bool = False):
        if self.present is None:  # bare runner (tests of the methods): the plain top k
            return ranked[:, :k]
        return self.present.first_page(ranked, seeds, k, fill=fill)

    def ranked(self, key: str) -> np.ndarray:
        """Method ``key``'s ranked candidates per seed, ``depth`` wide, before presentation."""
        s, depth = self.seeds.track, self.depth
        if key in ("lsh", "exact"):
            return table_top(self.table(key), self.pop, s, depth)
        if key == "most-popular":
            return bl.most_popular(self.pop, s, depth)
        if key == "cooccurrence":
            return bl.cooccurrence(self.x, self.pop, s, depth)
        if key in ("cosine", "bm25"):
            missing = bl.implicit_missing()
            if missing:
                raise _Skipped(f"skipped: {missing}.")
            return bl.implicit_item_item(self.x, s, depth, key, neighbours=self.build_k)
        ranking = key.removesuffix("-all").replace("-", " ")
        if key.endswith("-all"):
            return bl.candidates_ranked(
                self.x,
                self.pop,
                s,
                depth,
                ranking,
                min_shared=self.min_shared,
                min_playlists=self.min_playlists,
                credits=self.credits,
            )
        return table_top(self.table("lsh"), self.pop, s, depth, ranking, self.credits)
