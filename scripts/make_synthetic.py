"""Write a synthetic playlist dataset shaped like the real Zenodo ``spotify_dataset.csv``.

The real file cannot ship with the project, but the build has to be measured at its scale,
so this script writes a stand-in with the same shape (as measured on the real file: 12.9M
rows, 15.9k users, 231.6k playlists, length median 16 / p90 ~100 / p99 ~630, a few library
playlists of 20k-47k tracks, 45 % one-artist playlists, 2.8M tracks by 290k artists with
over half of the tracks in one playlist) and the same format quirks (raw unescaped quotes,
a playlist named ``"/``, empty artists, stray spaces, non-ASCII names, repeated rows).

Similarity has to mean something, so the data has structure: artists belong to scenes,
users favour a scene or two, a playlist draws mostly from one scene (45 % from one artist),
and popularity is Zipf-like. ``--rows N`` scales every count proportionally, so tests can
write a 50k-row file in a second.

    python scripts/make_synthetic.py --rows 12900000 --out /work/bench-data/spotify_dataset.csv

After writing, the file is read back with an independent parser (the project's rule: strip
the outer quotes, split on ``","``) and its measured shape is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Shape of the real file at full scale; everything scales with rows / FULL_ROWS.
FULL_ROWS = 12_900_000
FULL_USERS = 15_900
FULL_PLAYLISTS = 231_600
FULL_TRACKS = 2_800_000
FULL_ARTISTS = 290_000
HUGE_SIZES = (47_000, 38_000, 31_000, 26_000, 22_500, 20_500)  # "Starred"/library playlists
ONE_ARTIST_SHARE = 0.45
REPEAT_ROW_SHARE = 0.001
# Popularity: artist weight ~ rank**-ARTIST_ZIPF, a song's share of its artist ~ rank**-SONG_ZIPF.
# Steeper values make the top tracks too dominant (the real top track is in ~1-2 % of playlists).
ARTIST_ZIPF = 0.7
SONG_ZIPF = 0.6
# Share of the tracks drawn from a popularity-weighted catalogue; the rest are one-off deep
# cuts, which is what puts over half of the tracks in a single playlist.
KNOWN_SHARE = 0.45  # rows that repeat a track already in the same playlist

# Playlist length quantiles (log-linear between knots): median 16, p90 100, p99 630.
LENGTH_Q = np.array([0.0, 0.04, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 0.999, 1.0])
LENGTH_L = np.array([1.0, 2.0, 3.5, 7.0, 16.0, 37.0, 100.0, 178.0, 635.0, 2300.0, 7500.0])

HEADER = '"user_id", "artistname", "trackname", "playlistname"\n'


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


# --------------------------------------------------------------------------- names


def _wordlist(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


_ONSETS = _wordlist("b br c ch cl d dr f fl g gr h j k kr l m n p pr r s sh sl st t tr v w z")
_VOWELS = _wordlist("a e i o u a e i o ai ea ou y")
_CODAS = ["", "", "", "n", "r", "s", "l", "x", "nd", "rt", "ck", "m", "th", "ng"]
_ACCENTED = _wordlist("é è á ö ü ø å ñ í ó")
_FOREIGN = [
    "さくら",
    "ひかり",
    "東京",
    "Ёлка",
    "Кино",
    "Звери",
    "Ψυχή",
    "서울",
    "Mañana",
    "Björk",
    "Sigur Rós",
    "Motörhead",
    "Beyoncé",
    "Ｄｅｃｏ",
]
_WORDS = _wordlist(
    "love night heart fire dream light rain summer blue gold wild sky road home "
    "time river stone girl boy city moon sun star shadow dance run fall rise ocean "
    "wind song heaven angel ghost paper glass silver velvet electric midnight "
    "morning evening lonely broken sweet bitter little big young old new last "
    "first forever never always again tonight tomorrow yesterday alive free lost "
    "found crazy happy sad cold warm high low echo thunder storm fever sugar honey "
    "diamond mirror window door train highway garden kingdom island desert forest "
    "winter spring autumn neon radio cherry roses wolves lions tigers hearts bones "
    "eyes hands lips words secrets lies promises memories waves tides flames ashes "
    "colours voices streets lights nights days years",
)
_TITLE_TAILS = [
    " - Radio Edit",
    " - Remastered 2011",
    " - Live",
    " - Acoustic",
    " - Original Mix",
    " - Extended Mix",
    " (Remix)",
    " - Single Version",
    " - Album Version",
    " - Demo",
]
_SCENES = _wordlist(
    "Indie Rock,Deep House,Hip Hop,Classic Rock,Techno,Pop,Jazz,Soul,Metal,Punk,"
    "Folk,Country,Reggae,Blues,Ambient,Drum and Bass,Dubstep,Trance,Disco,Funk,R&B,"
    "Grunge,Shoegaze,Synthwave,Electro,K-Pop,J-Pop,Latin,Salsa,Bossa Nova,"
    "Classical,Opera,Soundtrack,Chillout,Lo-Fi,Garage,Emo,Ska,Gospel,Trap,Grime,"
    "House,Post-Rock,Britpop",
    ",",
)
_COMMON_NAMES = [
    "Starred",
    "Liked from Radio",
    "Gillat från Radio",
    "Chill",
    "Workout",
    "Running",
    "Party",
    "Summer",
    "Road trip",
    "Favorites",
    "My Music",
    "Sleep",
    "Study",
    "Driving",
    "Covers",
    "Oldies",
    "Love songs",
    "Random",
    "New",
    "Mix",
    "Me gusta de la radio",
    "Mes titres",
    "Soirée",
    "Rock",
    "Electro",
    "Dance",
]
_MONTHS = _wordlist(
    "January February March April May June July August September October November December",
)


def _syllable_word(rng: np.random.Generator, n_syl: int) -> str:
    parts = []
    for _ in range(n_syl):
        v = _VOWELS[rng.integers(len(_VOWELS))]
        if rng.random() < 0.015:
            v = _ACCENTED[rng.integers(len(_ACCENTED))]
        parts.append(_ONSETS[rng.integers(len(_ONSETS))] + v + _CODAS[rng.integers(len(_CODAS))])
    return "".join(parts).capitalize()


def make_artist_names(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct (after normalisation) artist names that look like band and person names."""
    names: list[str] = []
    seen: set[str] = set()
    kinds = rng.random(n)
    for i in range(n):
        k = kinds[i]
        if k < 0.35:
            name = f"{_syllable_word(rng, 2)} {_syllable_word(rng, rng.integers(2, 4))}"
        elif k < 0.55:
            name = f"The {_WORDS[rng.integers(len(_WORDS))].capitalize()} {_syllable_word(rng, 2)}s"
        elif k < 0.75:
            name = _syllable_word(rng, int(rng.integers(1, 4)))
        elif k < 0.82:
            name = f"DJ {_syllable_word(rng, 2)}"
        elif k < 0.90:
            name = (
                f"{_syllable_word(rng, 2)} & The {_WORDS[rng.integers(len(_WORDS))].capitalize()}"
            )
        elif k < 0.93:
            name = f"{_FOREIGN[rng.integers(len(_FOREIGN))]} {_syllable_word(rng, 1)}"
        else:
            w1, w2 = rng.integers(len(_WORDS), size=2)
            name = f"{_WORDS[w1].capitalize()} {_WORDS[w2].capitalize()}"
        key = _norm(name)
        while key in seen:
            name = f"{name} {_syllable_word(rng, 1)}"
            key = _norm(name)
        seen.add(key)
        names.append(name)
    return names


def make_titles(track_artist: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Song titles from a word list, distinct within each artist after normalisation."""
    n = len(track_artist)
    nw = len(_WORDS)
    w = rng.integers(nw, size=(n, 3))
    shape = rng.random(n)
    tail = rng.integers(len(_TITLE_TAILS), size=n)
    words = _WORDS
    titles: list[str] = []
    seen: set[tuple[int, str]] = set()
    for i in range(n):
        s = shape[i]
        a, b, c = w[i]
        if s < 0.30:
            t = f"{words[a].capitalize()} {words[b].capitalize()}"
        elif s < 0.50:
            t = f"{words[a].capitalize()} of {words[b].capitalize()}"
        elif s < 0.62:
            t = words[a].capitalize()
        elif s < 0.72:
            t = f"{words[a].capitalize()} {words[b]} {words[c]}"
        elif s < 0.82:
            t = f"{words[a].capitalize()} {words[b].capitalize()}{_TITLE_TAILS[tail[i]]}"
        elif s < 0.88:
            t = f"The {words[a].capitalize()} {words[b].capitalize()}"
        elif s < 0.93:
            t = f"{words[a].capitalize()} ({words[b].capitalize()} {words[c].capitalize()})"
        else:
            t = f"{words[a].capitalize()} in {words[b].capitalize()}"
        key = (int(track_artist[i]), t.lower())
        k = 2
        base = t
        while key in seen:
            t = f"{base} {_roman(k)}" if k < 40 else f"{base} {k}"
            key = (int(track_artist[i]), t.lower())
            k += 1
        seen.add(key)
        titles.append(t)
    return titles


def _roman(k: int) -> str:
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while k >= v:
            out += s
            k -= v
    return out


def _norm(s: str) -> str:
    """The comparison key of a name (NFKC, case-folded, whitespace collapsed and stripped)."""
    if s.isascii():
        return " ".join(s.lower().split())
    return " ".join(
        unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold()).split()
    )


# ---------------------------------------------------------------------- generation


def _counts(rows: int) -> dict[str, int]:
    s = rows / FULL_ROWS
    return {
        "users": max(3, round(FULL_USERS * s)),
        "playlists": max(10, round(FULL_PLAYLISTS * s)),
        "tracks": max(20, round(FULL_TRACKS * s)),
        "artists": max(5, round(FULL_ARTISTS * s)),
        "huge": max(1, min(len(HUGE_SIZES), round(len(HUGE_SIZES) * s))),
    }


def _lengths(n: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Playlist lengths with the real quantiles, adjusted to sum exactly to ``total``."""
    u = rng.random(n)
    lengths = np.exp(np.interp(u, LENGTH_Q, np.log(LENGTH_L)))
    lengths = np.maximum(1, np.rint(lengths * (total / lengths.sum()))).astype(np.int64)
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


class _Sampler:
    """Draw tracks by popularity within a range of the popularity-ordered catalogue."""

    def __init__(self, weights: np.ndarray) -> None:
        self.cum = np.concatenate([[0.0], np.cumsum(weights)])

    def draw(self, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        x = self.cum[lo] + rng.random(len(lo)) * (self.cum[hi] - self.cum[lo])
        t = np.searchsorted(self.cum, x, side="right") - 1
        return np.clip(t, lo, hi - 1).astype(np.int32)


def generate(rows: int, seed: int = 0) -> Synthetic:
    """Generate a dataset of exactly ``rows`` rows (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    c = _counts(rows)
    n_users, n_pl, n_tracks, n_artists = c["users"], c["playlists"], c["tracks"], c["artists"]
    scale = rows / FULL_ROWS
    n_scenes = max(6, round(n_artists / 1200))

    # Artists: Zipf popularity, a scene each, sorted by scene so scenes are ranges.
    scene_w = 1.0 / np.arange(1, n_scenes + 1) ** 0.7
    artist_scene = np.sort(rng.choice(n_scenes, size=n_artists, p=scene_w / scene_w.sum()))
    artist_pop = 1.0 / rng.permutation(np.arange(1, n_artists + 1)) ** ARTIST_ZIPF
    # Catalogue of "known" tracks; the rest of the tracks are one-off deep cuts added below.
    n_head = max(n_artists, int(KNOWN_SHARE * n_tracks))
    extra = rng.multinomial(n_head - n_artists, artist_pop**0.6 / (artist_pop**0.6).sum())
    artist_n = 1 + extra
    track_artist = np.repeat(np.arange(n_artists, dtype=np.int32), artist_n)
    artist_lo = np.concatenate([[0], np.cumsum(artist_n)])
    rank_in_artist = np.arange(n_head) - np.repeat(artist_lo[:-1], artist_n)
    within = 1.0 / (1 + rank_in_artist) ** SONG_ZIPF
    within /= np.repeat(np.add.reduceat(within, artist_lo[:-1]), artist_n)
    sampler = _Sampler(artist_pop[track_artist] * within)
    scene_lo = np.searchsorted(artist_scene, np.arange(n_scenes + 1))
    scene_lo = artist_lo[scene_lo]  # track range of each scene

    # Users: favourite scenes and heavy-tailed playlist counts.
    user_main = rng.choice(n_scenes, size=n_users, p=scene_w / scene_w.sum())
    user_second = rng.choice(n_scenes, size=n_users, p=scene_w / scene_w.sum())
    user_w = rng.lognormal(0.0, 1.1, size=n_users)
    n_huge = c["huge"]
    huge_len = np.maximum(2, np.rint(np.array(HUGE_SIZES[:n_huge]) * scale)).astype(np.int64)
    n_normal = n_pl - n_huge
    pl_user = np.concatenate(
        [
            rng.permutation(n_users)[: min(n_users, n_normal)],
            rng.choice(n_users, size=max(0, n_normal - n_users), p=user_w / user_w.sum()),
        ]
    )[:n_normal]
    huge_user = rng.choice(n_users, size=n_huge, replace=False)
    playlist_user = np.concatenate([pl_user, huge_user]).astype(np.int32)
    lengths = np.concatenate([_lengths(n_normal, rows - int(huge_len.sum()), rng), huge_len])

    # Playlist kind: 0 scene mix, 1 one artist, 2 library. Shorter ones are more often one artist.
    kind = np.zeros(n_pl, dtype=np.int8)
    kind[n_normal:] = 2
    ones = np.flatnonzero(lengths[:n_normal] == 1)
    need = round(ONE_ARTIST_SHARE * n_pl) - len(ones)
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
    _add_artist_quirks(artist_names, artist_pop, rows, rng)
    titles = make_titles(final_artist, rng)
    _add_title_quirks(titles, rng)
    user_ids = [rng.bytes(16).hex() for _ in range(n_users)]
    names = _playlist_names(playlist_user, pl_scene, kind, n_users, rng)

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


_B62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def make_uris(n: int, seed: int) -> list[str]:
    """One random ``spotify:track:`` URI (22 base62 characters) per track."""
    chars = _B62[np.random.default_rng(seed + 1).integers(62, size=(n, 22))]
    return ["spotify:track:" + "".join(row) for row in chars.tolist()]


def _add_artist_quirks(
    names: list[str], pop: np.ndarray, rows: int, rng: np.random.Generator
) -> None:
    """Stray spaces, a nickname in raw quotes, and one artist written as an empty field."""
    n = len(names)
    for i in rng.choice(n, size=max(1, n // 70), replace=False):
        names[i] = " " + names[i] if rng.random() < 0.4 else names[i] + " "
    for i in rng.choice(n, size=max(1, n // 3000), replace=False):
        names[i] = f'"{_syllable_word(rng, 1)}" {names[i].strip()}'
    # The empty artist: one whose rows are about 0.08 % of the file, as in the real sample.
    share = pop / pop.sum()
    names[int(np.argmin(np.abs(share - 0.0008)))] = ""


def _add_title_quirks(titles: list[str], rng: np.random.Generator) -> None:
    """Raw unescaped quotes (12\" mixes, quoted nicknames), stray spaces, non-ASCII titles."""
    n = len(titles)
    for i in rng.choice(n, size=max(2, n // 1500), replace=False):
        t = titles[i]
        titles[i] = (
            f'{t} - Original 12"'
            if rng.random() < 0.5
            else f'Serenade No. {i % 40 + 1} in G Major, K. {i % 600 + 1} "{t}": I: Allegro'
        )
    for i in rng.choice(n, size=max(1, n // 400), replace=False):
        titles[i] = " " + titles[i] if rng.random() < 0.3 else titles[i] + " "
    for i in rng.choice(n, size=max(1, n // 200), replace=False):
        titles[i] = f"{titles[i]} ({_FOREIGN[rng.integers(len(_FOREIGN))]})"


def _playlist_names(
    playlist_user: np.ndarray,
    pl_scene: np.ndarray,
    kind: np.ndarray,
    n_users: int,
    rng: np.random.Generator,
) -> list[str]:
    """Names distinct within each user; common names ("Starred") are shared by many users."""
    n = len(playlist_user)
    r = rng.random(n)
    common = rng.zipf(1.6, size=n) - 1
    used: list[set[str]] = [set() for _ in range(n_users)]
    names: list[str] = []
    for p in range(n):
        user = int(playlist_user[p])
        if kind[p] == 2:
            name = "Starred" if p % 2 == 0 else "Liked from Radio"
            taken = used[user]
            if name in taken:  # the user already has one by that name
                name = "My Library"
        elif r[p] < 0.35:
            name = _COMMON_NAMES[common[p] % len(_COMMON_NAMES)]
        elif r[p] < 0.60:
            name = _SCENES[pl_scene[p] % len(_SCENES)]
            if r[p] < 0.45:
                name = name.lower()
        elif r[p] < 0.72:
            name = f"{_MONTHS[int(r[p] * 1000) % 12]} {2010 + int(r[p] * 10000) % 6}"
        elif r[p] < 0.90:
            name = (
                f"{_WORDS[int(r[p] * 1e6) % len(_WORDS)]} {_WORDS[int(r[p] * 1e8) % len(_WORDS)]}"
            )
        else:
            name = f"{_syllable_word(rng, 2)}{'!' if r[p] < 0.93 else ''}"
        if r[p] > 0.96:
            name += " "  # stray trailing space, as in "Daft Punk ", "frozen "
        base, k = name, 2
        while name in used[user]:
            name = f"{base.rstrip()} {k}"
            k += 1
        used[user].add(name)
        names.append(name)
    # The real file has a playlist named "/ (raw line ends ,""/").
    cand = [p for p in range(n) if kind[p] == 0 and '"/' not in used[int(playlist_user[p])]]
    if cand:
        names[cand[0]] = '"/'
    return names


# ------------------------------------------------------------------------- writing


def _field_ok(s: str) -> bool:
    """A name the project's rule can parse back: no newline, no comma next to a quote."""
    return "\n" not in s and '",' not in s and ',"' not in s and "\r" not in s


def write_zenodo(data: Synthetic, path: Path) -> None:
    """Write the Zenodo ``spotify_dataset.csv`` layout (every field quoted, raw quotes kept)."""
    artists = data.artist_names
    track_str = [
        f'{artists[a]}","{t}'
        for a, t in zip(data.track_artist.tolist(), data.track_titles, strict=True)
    ]
    variant_str = [
        (f'{artists[a].upper()}","{t}' if i % 2 else f'{artists[a]}","{t} ')
        for i, (a, t) in enumerate(zip(data.track_artist.tolist(), data.track_titles, strict=True))
    ]
    bad = [s for s in track_str if s.count('","') != 1]
    if bad:
        raise ValueError(f"generated names would not parse back: {bad[:3]}")
    starts = np.concatenate([[0], np.cumsum(data.playlist_len)]).tolist()
    tracks = data.slot_track.tolist()
    variant_rows = np.flatnonzero(data.slot_variant)
    vstart = np.searchsorted(variant_rows, starts).tolist()
    variant_rows = variant_rows.tolist()
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER)
        buf: list[str] = []
        size = 0
        for p in range(len(data.playlist_names)):
            name = data.playlist_names[p]
            if not _field_ok(name):
                raise ValueError(f"playlist name would not parse back: {name!r}")
            pre = f'"{data.user_ids[data.playlist_user[p]]}","'
            suf = f'","{name}"\n'
            a, b = starts[p], starts[p + 1]
            items = list(map(track_str.__getitem__, tracks[a:b]))
            for r in variant_rows[vstart[p] : vstart[p + 1]]:
                items[r - a] = variant_str[tracks[r]]
            buf.append(pre + (suf + pre).join(items) + suf)
            size += b - a
            if size > 500_000:
                f.write("".join(buf))
                buf, size = [], 0
        f.write("".join(buf))


def write_mpd(data: Synthetic, folder: Path) -> None:
    """Write the same playlists as Million Playlist Dataset slices (1000 playlists each)."""
    folder.mkdir(parents=True, exist_ok=True)
    starts = np.concatenate([[0], np.cumsum(data.playlist_len)]).tolist()
    tracks = data.slot_track.tolist()
    artist_of = data.track_artist.tolist()
    uris = make_uris(len(data.track_titles), data.seed)
    n = len(data.playlist_names)
    for lo in range(0, n, 1000):
        hi = min(n, lo + 1000)
        pls = []
        for p in range(lo, hi):
            items = tracks[starts[p] : starts[p + 1]]
            pls.append(
                {
                    "name": data.playlist_names[p],
                    "collaborative": "false",
                    "pid": p,
                    "num_tracks": len(items),
                    "tracks": [
                        {
                            "pos": j,
                            "artist_name": data.artist_names[artist_of[t]],
                            "track_name": data.track_titles[t],
                            "track_uri": uris[t],
                        }
                        for j, t in enumerate(items)
                    ],
                }
            )
        doc = {
            "info": {"slice": f"{lo}-{hi - 1}", "generated_by": "make_synthetic.py"},
            "playlists": pls,
        }
        with open(folder / f"mpd.slice.{lo}-{hi - 1}.json", "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)


# ----------------------------------------------------------------------- measuring


def measure_zenodo(path: Path) -> dict[str, object]:
    """Shape of a Zenodo-format file, counted from the file alone (not the generator).

    Parsing follows the project's rule: strip the first and last quote, split on ``","``.
    Tracks are normalised (artist, title) pairs; a playlist is (user, name).
    """
    users: dict[bytes, int] = {}
    playlists: dict[tuple[bytes, bytes], int] = {}
    keys: dict[bytes, int] = {}
    row_pl = array("i")
    row_key = array("i")
    rows = malformed = quoted = non_ascii = 0
    with open(path, "rb") as f:
        f.readline()
        for line in f:
            rows += 1
            body = line[1:-2] if line.endswith(b'"\n') else line.rstrip(b"\r\n")[1:-1]
            if body.count(b'","') != 3:
                malformed += 1
                continue
            if line.count(b'"') != 8:
                quoted += 1
            if not line.isascii():
                non_ascii += 1
            i = body.find(b'","')
            j = body.rfind(b'","')
            uid = body[:i]
            if uid not in users:
                users[uid] = len(users)
            pk = (uid, body[j + 3 :])
            p = playlists.get(pk)
            if p is None:
                p = playlists[pk] = len(playlists)
            k = body[i + 3 : j]
            kid = keys.get(k)
            if kid is None:
                kid = keys[k] = len(keys)
            row_pl.append(p)
            row_key.append(kid)

    # Normalise each distinct raw (artist, title) once.
    norm_track: dict[tuple[str, str], int] = {}
    norm_artist: dict[str, int] = {}
    key_track = np.empty(len(keys), dtype=np.int64)
    key_artist = np.empty(len(keys), dtype=np.int64)
    empty_artist = spaced = 0
    for raw, kid in keys.items():
        artist, title = raw.decode("utf-8").split('","', 1)
        empty_artist += artist == ""
        spaced += (artist != artist.strip()) + (title != title.strip())
        na, nt = _norm(artist), _norm(title)
        key_artist[kid] = norm_artist.setdefault(na, len(norm_artist))
        key_track[kid] = norm_track.setdefault((na, nt), len(norm_track))
    pl = np.frombuffer(row_pl, dtype=np.int32).astype(np.int64)
    rk = np.frombuffer(row_key, dtype=np.int32)
    trk = key_track[rk]
    n_pl, n_tr = len(playlists), len(norm_track)
    pairs = np.unique(pl * n_tr + trk)
    per_track = np.bincount(pairs % n_tr, minlength=n_tr)
    lengths = np.bincount(pl, minlength=n_pl)
    art_pairs = np.unique(pl * len(norm_artist) + key_artist[rk])
    artists_per_pl = np.bincount(art_pairs // len(norm_artist), minlength=n_pl)
    names = [name for (_, name) in playlists]
    starred = sum(1 for nm in names if nm == b"Starred")
    sq = float((per_track.astype(np.float64) ** 2).sum())
    return {
        "rows": rows,
        "malformed_rows": malformed,
        "users": len(users),
        "playlists": n_pl,
        "length_p50": float(np.percentile(lengths, 50)),
        "length_p90": float(np.percentile(lengths, 90)),
        "length_p99": float(np.percentile(lengths, 99)),
        "length_max": int(lengths.max()),
        "playlists_over_20k": int((lengths >= 20_000).sum()),
        "one_artist_share": float((artists_per_pl == 1).mean()),
        "tracks": n_tr,
        "artists": len(norm_artist),
        "one_playlist_track_share": float((per_track == 1).mean()),
        "max_track_playlists": int(per_track.max()),
        "repeated_rows": int(rows - malformed - len(pairs)),
        "rows_with_raw_quotes": quoted,
        "rows_non_ascii": non_ascii,
        "raw_names_with_empty_artist": empty_artist,
        "raw_fields_with_stray_spaces": spaced,
        "playlists_named_starred": starred,
        "sum_squared_playlist_lengths": float((lengths.astype(np.float64) ** 2).sum()),
        "sum_squared_track_playlists": sq,
    }


def _targets(rows: int) -> dict[str, str]:
    """What the real file's shape predicts at this scale, printed beside the measured values."""
    c = _counts(rows)
    t = {k: f"target {c[k]:,}" for k in ("users", "playlists", "tracks", "artists")}
    t["rows"] = f"target {rows:,}"
    t["length_p50"], t["length_p90"], t["length_p99"] = "target 16", "target ~100", "target ~630"
    t["one_artist_share"] = f"target {ONE_ARTIST_SHARE:.2f}"
    t["one_playlist_track_share"] = "target > 0.5"
    t["playlists_over_20k"] = "target a handful at full scale"
    t["malformed_rows"] = "target 0"
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--rows", type=int, default=FULL_ROWS, help="rows to write (default: full scale)"
    )
    ap.add_argument("--out", type=Path, required=True, help="CSV file (zenodo) or folder (mpd)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["zenodo", "mpd"], default="zenodo")
    ap.add_argument("--no-measure", action="store_true", help="skip reading the file back")
    args = ap.parse_args(argv)
    if args.rows < 100:
        ap.error("--rows must be at least 100")

    t0 = time.perf_counter()
    data = generate(args.rows, args.seed)
    t1 = time.perf_counter()
    if args.format == "zenodo":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".part")
        write_zenodo(data, tmp)
        tmp.replace(args.out)
    else:
        write_mpd(data, args.out)
    t2 = time.perf_counter()
    print(f"wrote {args.out} ({args.format}, {args.rows:,} rows, seed {args.seed})")
    print(f"generate {t1 - t0:.1f} s, write {t2 - t1:.1f} s")
    if args.format == "zenodo" and not args.no_measure:
        shape = measure_zenodo(args.out)
        print(f"measured from the file in {time.perf_counter() - t2:.1f} s:")
        targets = _targets(args.rows)
        for k, v in shape.items():
            shown = f"{v:,.3f}" if isinstance(v, float) else f"{v:,}"
            print(f"  {k:32} {shown:>18}   {targets.get(k, '')}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
