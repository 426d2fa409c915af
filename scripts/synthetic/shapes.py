"""Shapes of a synthetic dataset: how many playlists, tracks and artists, how long the
playlists are, and how often tracks repeat across them. Named presets, and the playlist
length distributions.

A shape is given at its full scale (``rows``); ``Shape.at(rows)`` scales every count in
proportion, so a 50k-row file of a shape is that shape in small. Lengths (median, cap) do
not scale; library playlists do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ndtri

# The real Zenodo file at full scale (the default shape; every count scales with rows).
FULL_ROWS = 12_900_000
FULL_USERS = 15_900
FULL_PLAYLISTS = 231_600
FULL_TRACKS = 2_800_000
FULL_ARTISTS = 290_000
HUGE_SIZES = (47_000, 38_000, 31_000, 26_000, 22_500, 20_500)  # "Starred"/library playlists

# The real file's playlist length quantiles (log-linear between knots): median 16, p90 100,
# p99 630, the longest ordinary playlist 7500.
LENGTH_Q = np.array([0.0, 0.04, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 0.999, 1.0])
LENGTH_L = np.array([1.0, 2.0, 3.5, 7.0, 16.0, 37.0, 100.0, 178.0, 635.0, 2300.0, 7500.0])
LENGTH_KINDS = ("zenodo", "lognormal", "pareto")
MINIMUM = {"users": 3, "playlists": 10, "tracks": 20, "artists": 5}  # what a tiny file keeps


@dataclass(frozen=True)
class Shape:
    """What a generated file looks like; counts are for a file of ``rows`` rows."""

    name: str
    rows: int = FULL_ROWS
    users: int = FULL_USERS
    playlists: int = FULL_PLAYLISTS
    tracks: int = FULL_TRACKS
    """Distinct tracks after name normalisation: exact, unless a small file's one-artist
    playlists and repeats force more deep cuts than that."""
    artists: int = FULL_ARTISTS
    huge: tuple[int, ...] = HUGE_SIZES
    """Library playlists ("Starred"), longest first; their number scales with rows too."""
    lengths: str = "zenodo"
    """Ordinary playlists' lengths: ``zenodo`` (the real file's quantiles), ``lognormal``
    or ``pareto`` (a heavier tail: more very short and very long playlists) with the given
    median, capped at ``length_cap``; the spread is whatever makes the rows add up."""
    length_median: float = 16.0
    length_cap: int = 7_500
    known_share: float = 0.45
    """Share of the distinct tracks in the popularity-weighted catalogue (drawn again and
    again); the rest are one-off deep cuts. Higher: more tracks in two or more playlists."""
    artist_zipf: float = 0.7
    """Artist weight ~ rank ** -artist_zipf. Steeper: the top artists take more rows."""
    song_zipf: float = 0.6
    """A song's share of its artist ~ rank ** -song_zipf. Steeper: hits dominate."""
    one_artist_share: float = 0.45
    multi_track_target: int | None = None
    """Tracks in two or more playlists that this shape aims at, for the printed check only
    (the generator does not force it; ``known_share`` is what moves it)."""

    def at(self, rows: int) -> Shape:
        """This shape with every count scaled to a file of ``rows`` rows."""
        s = rows / self.rows
        n_huge = max(1, min(len(self.huge), round(len(self.huge) * s))) if self.huge else 0
        huge = np.maximum(2, np.rint(np.array(self.huge[:n_huge]) * s)).astype(np.int64)
        multi = self.multi_track_target
        return replace(
            self,
            rows=rows,
            users=max(MINIMUM["users"], round(self.users * s)),
            playlists=max(MINIMUM["playlists"], round(self.playlists * s)),
            tracks=max(MINIMUM["tracks"], round(self.tracks * s)),
            artists=max(MINIMUM["artists"], round(self.artists * s)),
            huge=tuple(huge.tolist()),
            multi_track_target=None if multi is None else round(multi * s),
        )


ZENODO = Shape("zenodo")
SHAPES = {
    "zenodo": ZENODO,
    # An independent Zenodo-format file of the same scale but denser: fewer distinct tracks
    # and artists, shorter typical playlists, more of its tracks in two or more playlists.
    "dense": Shape(
        "dense",
        rows=12_400_000,
        playlists=231_000,
        tracks=1_790_000,
        artists=100_000,
        huge=tuple(round(h * 39_000 / HUGE_SIZES[0]) for h in HUGE_SIZES),
        lengths="lognormal",
        length_median=12.0,
        length_cap=10_000,
        known_share=0.62,
        multi_track_target=1_040_000,
    ),
    # Fewer, longer playlists (a few big curators' collections): the same rows in a third
    # of the playlists, median 60; many more co-occurring pairs per row.
    "long-tail": Shape(
        "long-tail",
        users=8_000,
        playlists=80_000,
        tracks=2_200_000,
        artists=200_000,
        lengths="lognormal",
        length_median=60.0,
        length_cap=10_000,
        known_share=0.5,
    ),
    # Many short playlists with few repeats: four times the playlists, median 8, no library
    # playlists, most tracks in a single playlist.
    "flat": Shape(
        "flat",
        users=60_000,
        playlists=1_000_000,
        tracks=3_600_000,
        artists=400_000,
        huge=(),
        lengths="pareto",
        length_median=8.0,
        length_cap=1_000,
        known_share=0.3,
    ),
    # A slice of the Million Playlist Dataset's shape, for quality checks (issue 20's held-out
    # MPD playlists): 15,000 playlists of one user each, median 50 songs, none over 250, no
    # library playlists; its full scale is this sample's (1M rows), not the 66M-row dataset.
    "mpd-slice": Shape(
        "mpd-slice",
        rows=1_000_000,
        users=15_000,
        playlists=15_000,
        tracks=217_054,
        artists=22_481,
        huge=(),
        lengths="lognormal",
        length_median=50.0,
        length_cap=250,
    ),
}


def playlist_lengths(shape: Shape, n: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Lengths of ``n`` ordinary playlists of ``shape``, summing exactly to ``total``."""
    if shape.lengths == "zenodo":
        u = rng.random(n)
        lengths = np.exp(np.interp(u, LENGTH_Q, np.log(LENGTH_L)))
        lengths = np.maximum(1, np.rint(lengths * (total / lengths.sum()))).astype(np.int64)
    else:
        lengths = _fitted(shape, n, total, rng)
    return _exact_total(lengths, total, rng)


def _exact_total(lengths: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    n = len(lengths)
    diff = int(total - lengths.sum())
    while diff != 0:
        if diff > 0:
            np.add.at(lengths, rng.integers(n, size=diff), 1)
        else:
            big = np.flatnonzero(lengths > 1)
            pick = rng.choice(big, size=min(-diff, len(big)), replace=False)
            lengths[pick] -= 1
        diff = int(total - lengths.sum())
    return lengths


def _fitted(shape: Shape, n: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Lengths with the shape's median and cap whose spread is chosen (by bisection) so
    they add up to ``total``: the median stays put and the tail takes the rest."""
    m, cap = float(shape.length_median), float(shape.length_cap)
    # Stratified: one draw in each 1/n of the distribution, so even a few hundred playlists
    # have the median (and every other quantile) asked for.
    u = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    if shape.lengths == "lognormal":
        z = ndtri(u)

        def draw(spread: float) -> np.ndarray:
            return m * np.exp(spread * z)

        lo, hi = 0.0, 8.0
    elif shape.lengths == "pareto":
        # Lomax: 1 + (m - 1) * ((1 - u) ** -a - 1) / (2 ** a - 1), median m, tail index 1/a.
        v = 1.0 - u

        def draw(spread: float) -> np.ndarray:
            return 1.0 + (m - 1.0) * np.expm1(-spread * np.log(v)) / np.expm1(spread * np.log(2))

        lo, hi = 1e-3, 4.0
    else:
        raise ValueError(f"unknown length distribution {shape.lengths!r}")

    def rounded(spread: float) -> np.ndarray:
        return np.clip(np.rint(draw(spread)), 1, cap).astype(np.int64)

    if rounded(lo).sum() > total or rounded(hi).sum() < total:
        mean = total / max(n, 1)
        raise ValueError(
            f"{shape.lengths} lengths with median {m:g} and cap {cap:g} cannot average "
            f"{mean:.1f} rows per playlist: change the median, the cap or the playlists"
        )
    for _ in range(60):
        mid = (lo + hi) / 2
        if rounded(mid).sum() < total:
            lo = mid
        else:
            hi = mid
    return rounded(hi)
