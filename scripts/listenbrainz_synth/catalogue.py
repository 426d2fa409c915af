"""The catalogue: recordings by artists in genres on 10-track releases, their popularity and
durations, and the weighted draws (within a genre or an artist) that pick from it.
"""

from __future__ import annotations

import numpy as np

from scripts.listenbrainz_synth.model import Catalogue
from scripts.listenbrainz_synth.names import artist_name, make_titles


def alloc(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    """Integer counts in proportion to ``weights``, each at least ``minimum``, summing to total."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError(f"cannot give {n} items at least {minimum} of {total}")
    share = weights / weights.sum() * spare
    counts = np.floor(share).astype(np.int64)
    rest = spare - int(counts.sum())
    if rest:
        counts[np.argsort(counts - share, kind="stable")[:rest]] += 1
    return counts + minimum


def segment_cdf(weights: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """``seg + cumulative share inside its segment``: one searchsorted draws in any segment."""
    cum = np.cumsum(weights)
    totals = np.bincount(seg, weights=weights, minlength=n_seg)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    return seg + (cum - before[seg]) / totals[seg]


def draw(cdf: np.ndarray, bounds: np.ndarray, seg: np.ndarray, u: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(cdf, seg + u, side="right")
    return np.clip(idx, bounds[seg], bounds[seg + 1] - 1)


def build_catalogue(n_rec: int, seed: int, rng: np.random.Generator) -> Catalogue:
    n_art = max(20, n_rec // 12)
    n_genre = int(np.clip(n_art // 400, 6, 400))
    genre_pop = (np.arange(n_genre) + 1.0) ** -0.9
    genre_pop /= genre_pop.sum()
    art_per_genre = alloc(np.sqrt(genre_pop), n_art)
    art_genre = np.repeat(np.arange(n_genre), art_per_genre)
    art_pop = (rng.permutation(n_art) + 1.0) ** -0.8
    rec_per_art = alloc(np.sqrt(art_pop) * rng.lognormal(0, 0.8, n_art), n_rec)
    rec_artist = np.repeat(np.arange(n_art), rec_per_art)
    art_start = np.concatenate([[0], np.cumsum(rec_per_art)])
    local = np.arange(n_rec) - art_start[rec_artist]
    rel_per_art = (rec_per_art + 9) // 10
    rel_start = np.concatenate([[0], np.cumsum(rel_per_art)])
    rec_release = rel_start[rec_artist] + local // 10
    n_rel = int(rel_start[-1])
    rel_first = np.searchsorted(rec_release, np.arange(n_rel))
    rel_len = np.diff(np.concatenate([rel_first, [n_rec]]))
    weight = art_pop[rec_artist] * (local + 1.0) ** -0.6 * rng.lognormal(0, 0.5, n_rec)
    rec_genre = art_genre[rec_artist]
    genre_bounds = np.searchsorted(rec_genre, np.arange(n_genre + 1))
    feat = np.full(n_rec, -1, np.int64)
    has_feat = np.flatnonzero(rng.random(n_rec) < 0.08)
    partner = draw(
        segment_cdf(weight, rec_genre, n_genre),
        genre_bounds,
        rec_genre[has_feat],
        rng.random(len(has_feat)),
    )
    partner = rec_artist[partner]
    keep = partner != rec_artist[has_feat]
    feat[has_feat[keep]] = partner[keep]
    artists = [artist_name(rng) for _ in range(n_art)]
    foreign = np.array([any(ord(ch) > 0x2FF for ch in a) for a in artists])
    titles = make_titles(rng, foreign[rec_artist])
    releases = make_titles(rng, foreign[rec_artist[rel_first]])
    cum_all = np.cumsum(weight)
    return Catalogue(
        rec_artist=rec_artist,
        rec_release=rec_release,
        rec_feat=feat,
        rec_track=local % 10 + 1,
        rec_dur=np.clip(rng.lognormal(np.log(215), 0.3, n_rec), 60, 900),
        rec_mappable=rng.random(n_rec) < 0.72,
        rec_isrc=rng.random(n_rec) < 0.8,
        rel_first=rel_first,
        rel_len=rel_len,
        rel_caa=np.where(
            rng.random(n_rel) < 0.4, rng.integers(1_000_000_000, 40_000_000_000, n_rel), 0
        ),
        cum_genre=segment_cdf(weight, rec_genre, n_genre),
        cum_artist=segment_cdf(weight, rec_artist, n_art),
        cum_all=cum_all / cum_all[-1],
        genre_bounds=genre_bounds,
        artist_bounds=art_start,
        genre_pop=genre_pop,
        titles=titles,
        artists=artists,
        releases=releases,
    )
