"""The synthetic playlists: lengths, scenes, popularity, deep cuts, and their final order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scripts.synthetic.names import (
    add_artist_quirks,
    add_title_quirks,
    make_artist_names,
    make_titles,
    playlist_names,
)
from scripts.synthetic.shapes import ZENODO, Shape, playlist_lengths

REPEAT_ROW_SHARE = 0.001  # rows that repeat a track already in the same playlist


@dataclass
class Synthetic:
    """A generated dataset: playlists of slots, each slot a track (ids are 0-based)."""

    user_ids: list[str]
    playlist_user: np.ndarray  # int32 per playlist
    playlist_names: list[str]
    playlist_len: np.ndarray  # int64 rows per playlist
    slot_track: np.ndarray  # int32 per row, playlists contiguous
    slot_variant: np.ndarray  # bool per row: spell the names differently (case/space)
    track_artist: np.ndarray  # int32 per track
    track_titles: list[str]
    artist_names: list[str]
    seed: int


class _Sampler:
    """Draw tracks by popularity within a range of the popularity-ordered catalogue."""

    def __init__(self, weights: np.ndarray) -> None:
        self.cum = np.concatenate([[0.0], np.cumsum(weights)])

    def draw(self, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        x = self.cum[lo] + rng.random(len(lo)) * (self.cum[hi] - self.cum[lo])
        t = np.searchsorted(self.cum, x, side="right") - 1
        return np.clip(t, lo, hi - 1).astype(np.int32)


def generate(rows: int, seed: int = 0, shape: Shape = ZENODO) -> Synthetic:
    """Generate a dataset of exactly ``rows`` rows of ``shape`` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    shape = shape if shape.rows == rows else shape.at(rows)
    n_users, n_pl, n_tracks, n_artists = shape.users, shape.playlists, shape.tracks, shape.artists
    n_scenes = max(6, round(n_artists / 1200))

    # Artists: Zipf popularity, a scene each, sorted by scene so scenes are ranges.
    scene_w = 1.0 / np.arange(1, n_scenes + 1) ** 0.7
    artist_scene = np.sort(rng.choice(n_scenes, size=n_artists, p=scene_w / scene_w.sum()))
    artist_pop = 1.0 / rng.permutation(np.arange(1, n_artists + 1)) ** shape.artist_zipf
    # Catalogue of "known" tracks; the rest of the tracks are one-off deep cuts added below.
    n_head = max(n_artists, int(shape.known_share * n_tracks))
    extra = rng.multinomial(n_head - n_artists, artist_pop**0.6 / (artist_pop**0.6).sum())
    artist_n = 1 + extra
    track_artist = np.repeat(np.arange(n_artists, dtype=np.int32), artist_n)
    artist_lo = np.concatenate([[0], np.cumsum(artist_n)])
    rank_in_artist = np.arange(n_head) - np.repeat(artist_lo[:-1], artist_n)
    within = 1.0 / (1 + rank_in_artist) ** shape.song_zipf
    within /= np.repeat(np.add.reduceat(within, artist_lo[:-1]), artist_n)
    sampler = _Sampler(artist_pop[track_artist] * within)
    scene_lo = np.searchsorted(artist_scene, np.arange(n_scenes + 1))
    scene_lo = artist_lo[scene_lo]  # track range of each scene

    # Users: favourite scenes and heavy-tailed playlist counts.
    user_main = rng.choice(n_scenes, size=n_users, p=scene_w / scene_w.sum())
    user_second = rng.choice(n_scenes, size=n_users, p=scene_w / scene_w.sum())
    user_w = rng.lognormal(0.0, 1.1, size=n_users)
    huge_len = np.array(shape.huge, dtype=np.int64)
    n_huge = len(huge_len)
    n_normal = n_pl - n_huge
    pl_user = np.concatenate(
        [
            rng.permutation(n_users)[: min(n_users, n_normal)],
            rng.choice(n_users, size=max(0, n_normal - n_users), p=user_w / user_w.sum()),
        ]
    )[:n_normal]
    huge_user = rng.choice(n_users, size=n_huge, replace=False)
    playlist_user = np.concatenate([pl_user, huge_user]).astype(np.int32)
    lengths = np.concatenate(
        [playlist_lengths(shape, n_normal, rows - int(huge_len.sum()), rng), huge_len]
    )

    # Playlist kind: 0 scene mix, 1 one artist, 2 library. Shorter ones are more often one artist.
    kind = np.zeros(n_pl, dtype=np.int8)
    kind[n_normal:] = 2
    ones = np.flatnonzero(lengths[:n_normal] == 1)
    need = round(shape.one_artist_share * n_pl) - len(ones)
    cand = np.flatnonzero(lengths[:n_normal] > 1)
    if need > 0:
        w = 1.0 / (1.0 + lengths[cand] / 20.0) ** 2
        keys = np.log(rng.random(len(cand))) / w  # weighted sampling without replacement
        kind[cand[np.argpartition(-keys, need - 1)[:need]]] = 1
    r = rng.random(n_pl)
    u = playlist_user
    pl_scene = np.where(
        r < 0.65,
        user_main[u],
        np.where(r < 0.85, user_second[u], rng.choice(n_scenes, n_pl, p=scene_w / scene_w.sum())),
    )
    pl_artist = track_artist[sampler.draw(scene_lo[pl_scene], scene_lo[pl_scene + 1], rng)]
    # A one-artist playlist needs an artist with enough songs (a third known, the rest deep
    # cuts): if the scene's pick is too small, pick by popularity among big enough artists.
    small = np.flatnonzero((kind == 1) & (3 * artist_n[pl_artist] < lengths))
    by_size = np.argsort(artist_n, kind="stable")
    size_sampler = _Sampler(artist_pop[by_size])
    lo_rank = np.minimum(np.searchsorted(artist_n[by_size], lengths[small] // 3), n_artists - 1)
    pl_artist[small] = by_size[size_sampler.draw(lo_rank, np.full(len(small), n_artists), rng)]
    pl_scene[small] = artist_scene[pl_artist[small]]

    # Each slot draws by popularity: scene mixes mostly from their scene, one-artist playlists
    # from their artist, libraries mostly from everything.
    slot_pl = np.repeat(np.arange(n_pl, dtype=np.int32), lengths)
    pl_start = np.concatenate([[0], np.cumsum(lengths)])
    slot_kind = kind[slot_pl]
    g = rng.random(rows)
    lo = np.zeros(rows, dtype=np.int64)
    hi = np.full(rows, n_head, dtype=np.int64)
    # Long mixes are more eclectic: the share drawn from outside the scene grows with length.
    outside = 0.08 + 0.5 * lengths / (lengths + 400.0)
    m = (slot_kind == 0) & (g >= outside[slot_pl])
    lo[m], hi[m] = scene_lo[pl_scene[slot_pl[m]]], scene_lo[pl_scene[slot_pl[m]] + 1]
    m = slot_kind == 1
    lo[m], hi[m] = artist_lo[pl_artist[slot_pl[m]]], artist_lo[pl_artist[slot_pl[m]] + 1]
    m = (slot_kind == 2) & (g < 0.3)
    lo[m], hi[m] = scene_lo[user_main[u[slot_pl[m]]]], scene_lo[user_main[u[slot_pl[m]]] + 1]
    slot_track = sampler.draw(lo, hi, rng)

    # Redraw tracks repeated within a playlist a few times; what still repeats becomes a
    # deep cut (a one-off track by the same artist), except a few kept as repeated rows.
    for _ in range(6):
        dup = _repeats(slot_pl, slot_track, n_head)
        if not dup.any():
            break
        slot_track[dup] = sampler.draw(lo[dup], hi[dup], rng)
    dup = np.flatnonzero(_repeats(slot_pl, slot_track, n_head))
    keep = rng.random(len(dup)) < (REPEAT_ROW_SHARE * rows) / max(1, len(dup))
    fresh = np.zeros(rows, dtype=bool)
    fresh[dup[~keep]] = True
    slot_artist = track_artist[slot_track].copy()

    # A scene mix that came out as one artist gets one track by another artist, so the
    # one-artist share is exactly what was asked for.
    first = pl_start[:-1]
    same = np.minimum.reduceat(slot_artist, first) == np.maximum.reduceat(slot_artist, first)
    fix = np.flatnonzero(same & (kind == 0) & (lengths > 1))
    fix_slot = pl_start[fix + 1] - 1
    other = track_artist[sampler.draw(np.zeros(len(fix), np.int64), np.full(len(fix), n_head), rng)]
    clash = other == slot_artist[fix_slot]
    other[clash] = (other[clash] + 1 + rng.integers(n_artists - 1, size=clash.sum())) % n_artists
    fresh[fix_slot] = True
    slot_artist[fix_slot] = other

    # Enough deep cuts to reach the target number of tracks: taken from rows whose track
    # appears elsewhere too, so no known track disappears.
    kept_idx = np.flatnonzero(~fresh)
    uniq, first_occ = np.unique(slot_track[kept_idx], return_index=True)
    n_more = n_tracks - len(uniq) - int(fresh.sum())
    if n_more > 0:
        later = np.ones(len(kept_idx), dtype=bool)
        later[first_occ] = False
        pool = kept_idx[later]
        fresh[rng.choice(pool, size=min(n_more, len(pool)), replace=False)] = True

    # Every artist appears: artists whose known tracks were never drawn get a deep cut in a
    # scene mix of their scene (or any scene mix if their scene has none left).
    present = np.zeros(n_artists, dtype=bool)
    present[slot_artist] = True
    missing = np.flatnonzero(~present)
    fresh_mix = np.flatnonzero(fresh & (slot_kind == 0))
    fresh_mix = np.setdiff1d(fresh_mix, fix_slot)
    if len(missing):
        fresh_mix = fresh_mix[rng.permutation(len(fresh_mix))]
        fm_scene = pl_scene[slot_pl[fresh_mix]]
        order = np.argsort(fm_scene, kind="stable")
        fresh_mix, fm_scene = fresh_mix[order], fm_scene[order]
        used = np.zeros(len(fresh_mix), dtype=bool)
        ms = artist_scene[missing]
        starts = np.searchsorted(fm_scene, ms, side="left")
        ends = np.searchsorted(fm_scene, ms, side="right")
        rank = np.arange(len(missing)) - np.searchsorted(ms, ms, side="left")
        ok = starts + rank < ends
        slots_ok = fresh_mix[starts[ok] + rank[ok]]
        used[starts[ok] + rank[ok]] = True
        slot_artist[slots_ok] = missing[ok]
        left = np.flatnonzero(~used)[: int((~ok).sum())]
        slot_artist[fresh_mix[left]] = missing[~ok][: len(left)]

    # Final ids: known tracks that were drawn, then one new track per deep-cut row.
    fresh_idx = np.flatnonzero(fresh)
    kept = np.unique(slot_track[~fresh])
    remap = np.full(n_head, -1, dtype=np.int32)
    remap[kept] = np.arange(len(kept), dtype=np.int32)
    final_track = remap[slot_track]
    final_track[fresh_idx] = len(kept) + np.arange(len(fresh_idx), dtype=np.int32)
    final_artist = np.concatenate([track_artist[kept], slot_artist[fresh_idx]]).astype(np.int32)

    artist_names = make_artist_names(n_artists, rng)
    add_artist_quirks(artist_names, artist_pop, rows, rng)
    titles = make_titles(final_artist, rng)
    add_title_quirks(titles, rng)
    user_ids = [rng.bytes(16).hex() for _ in range(n_users)]
    names = playlist_names(playlist_user, pl_scene, kind, n_users, rng)

    # Rows in the real file's order: users in no particular order, a user's playlists by
    # name, a playlist's rows by track name.
    title_rank = np.empty(len(titles), dtype=np.int64)
    title_rank[np.array(sorted(range(len(titles)), key=titles.__getitem__))] = np.arange(
        len(titles)
    )
    name_rank = np.empty(n_pl, dtype=np.int64)
    name_rank[np.array(sorted(range(n_pl), key=names.__getitem__))] = np.arange(n_pl)
    pl_order = np.lexsort((name_rank, rng.permutation(n_users)[playlist_user]))
    new_pl = np.empty(n_pl, dtype=np.int64)
    new_pl[pl_order] = np.arange(n_pl)
    row_order = np.lexsort((title_rank[final_track], new_pl[slot_pl]))
    final_track = final_track[row_order]
    variant = np.zeros(rows, dtype=bool)
    # A few rows spell a known track differently (case, spaces): same track after normalising.
    later = np.ones(rows, dtype=bool)
    later[np.unique(final_track, return_index=True)[1]] = False
    cand = np.flatnonzero(later)
    variant[rng.choice(cand, size=min(len(cand), max(1, rows // 2000)), replace=False)] = True

    return Synthetic(
        user_ids=user_ids,
        playlist_user=playlist_user[pl_order],
        playlist_names=[names[i] for i in pl_order],
        playlist_len=lengths[pl_order],
        slot_track=final_track.astype(np.int32),
        slot_variant=variant,
        track_artist=final_artist,
        track_titles=titles,
        artist_names=artist_names,
        seed=seed,
    )


def _repeats(slot_pl: np.ndarray, slot_track: np.ndarray, n_head: int) -> np.ndarray:
    """Rows whose track already occurs earlier in the same playlist."""
    key = slot_pl.astype(np.int64) * n_head + slot_track
    out = np.ones(len(key), dtype=bool)
    out[np.unique(key, return_index=True)[1]] = False
    return out
