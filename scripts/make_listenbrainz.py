"""Write synthetic ListenBrainz listen dumps (full and incremental) of any size.

The real dumps are large and their users' listening is personal, so benchmarks and tests use
this stand-in. The format follows the listenbrainz-server source:

- layout (``listenstore/dump_listenstore.py``, ``dumps/exporter.py``): a dump is a folder or a
  ``.tar.xz``/``.tar.zst`` archive named ``listenbrainz-listens-dump-<id>-<YYYYMMDD>-<HHMMSS>-
  full`` (or ``-incremental``) holding ``SCHEMA_SEQUENCE`` (1), ``TIMESTAMP`` (full) or
  ``START_TIMESTAMP``/``END_TIMESTAMP`` (incremental), ``COPYING`` and
  ``listens/<YYYY>/<M>.listens``. A full dump holds the listens inserted up to its time, one
  file per month of ``listened_at`` (UTC), each sorted by ``listened_at``; an incremental holds
  the listens *inserted* in its window, one file per month of the insert time sorted by insert
  time (the server's ``ORDER BY created``), so late imports with old ``listened_at`` sit there.
- lines (``listen.py``, ``Listen.from_timescale(...).to_json()`` dumped by orjson): compact JSON
  ``{"user_id","user_name","listened_at"|"timestamp","track_metadata","recording_msid"}``;
  ``--timestamp-key`` picks the key (``timestamp`` is today's ``to_json``, ``listened_at`` the
  API's and older dumps'). ``track_metadata`` is stored as Postgres JSONB, whose objects come
  back with keys ordered by length then bytes, so that is the order written here
  (``track_name, artist_name, release_name, additional_info``); ``recording_msid`` is appended
  to ``additional_info`` and ``mbid_mapping`` to ``track_metadata`` as ``from_timescale`` does.
  Today's JSON dump query does not join the mapping (only the API, user exports and the spark
  dump do); it is written by default as asked of this generator, ``--no-mapping`` leaves it
  out. Fields of ``additional_info`` and ``mbid_mapping`` are those of ``docs/users/json.rst``
  and the clients' code: the Spotify importer's keys (``listens_importer/spotify.py``: artist
  names joined with ", ", ``spotify_id``/``origin_url`` URLs, ``isrc``, ``spotify_album_id``;
  its Spotify artist-URL lists and release-artist keys are left out to keep lines near the
  size asked), tag-reading players that send MBIDs, ``tracknumber`` and ``duration_ms``, a
  browser scrobbler that sends ``duration`` in seconds, minimal Last.fm imports. Lines average
  about 700 bytes (a mapped line carries seven UUIDs: two MSIDs and five MBIDs), 21 GB for
  30M listens; ``--no-mapping`` lines about 420.
- MBIDs: about 70 % of listens carry one (``mbid_mapping`` when the server's mapper matched
  the recording; some only ``additional_info.recording_mbid``, sent by a tag-reading player
  before the mapper ran). The 70 % is this project's working figure; the MetaBrainz forum says
  most submissions carry no MBID of their own (community.metabrainz.org, "Where does
  MessyBrainz data come from?"), which is why most MBIDs here come from the mapping. MBIDs and MSIDs are lowercase UUIDs hashed from ids and the seed; an MSID hashes
  the spelling (as MessyBrainz does), so spelling variants of a recording get their own MSIDs.

The shape is a model, not a measurement (no published per-user histogram was found):

- users: about ``3 * sqrt(listens)`` of them (16k at 30M), listens per user lognormal with
  sigma 2, capped at one listen per 400 s of the time range (230k for the default range):
  the median user has tens to hundreds of listens, a few hold hundreds of thousands (Last.fm
  importers, radio scrobblers).
- catalogue: ``listens / 10`` recordings (capped at 5M) by ``recordings / 12`` artists in
  ``artists / 400`` genres; artist popularity Zipf (0.8), a recording's weight inside its
  artist Zipf (0.6) times lognormal noise; 10-track releases; 8 % of recordings credit a
  featured artist. Durations lognormal around 3.6 min (60 s to 15 min).
- taste: each user keeps three genres (weights ~.65/.25/.10); a session plays one genre (8 %
  of sessions any genre): 55 % genre shuffles, 35 % artist-focused, 10 % an album in order.
  Across sessions 25 % of listens replay something the user played earlier (heavy rotation),
  2 % repeat the previous track, 5 % are charts hits drawn from global popularity.
- time: sessions of lognormal length (median 9, up to 400 listens); inside one, listens are a
  track duration apart, 6 % after a skip (10-60 s); between sessions 10 % of gaps are close to
  the 30-minute session rule on either side (1500-2100 s, some exactly 1799/1800/1801 s), the
  rest at least 31 min and spread over the user's active window (hours to weeks). Inserts
  follow listens by seconds (Spotify: up to an hour); 15 % of users imported their history
  late (inserted when they joined), and 0.2 % of listens are inserted in the last 14 days
  whatever their age, so incrementals carry late imports.
- quirks: 7 % of listens spell a recording differently (case, whitespace, "feat." forms,
  " - Remastered 2011"), consistently per client; Spotify spells featured artists "A, B";
  3 % lack ``release_name``; unicode names (accents, kana, Cyrillic, Greek, Hangul); a
  ``--malformed`` share (default 0.01 %) of broken lines (truncated JSON, no ``track_name``,
  empty ``artist_name``, ``listened_at`` as a string); ``--clean`` writes none.

Everything is drawn with numpy from ``--seed`` in the parent; worker processes (``--workers``,
default 2, forked) only render month files, so output is byte-identical for any worker count.
Lines are assembled from pre-rendered byte pieces. Archives are streamed: month files are
rendered into a scratch folder beside the archive and each is appended to the tar (piped
through ``xz -T2 -1``, or ``zstandard`` level 3 with 2 threads) and deleted, so at most a few
month files exist at once.

    python scripts/make_listenbrainz.py --listens 30000000 --seed 1 --out /work/bench-data/lb30m
    python scripts/make_listenbrainz.py --listens 5000 --incremental 2 --out /tmp/lb
    python scripts/make_listenbrainz.py --listens 3000000 --archive xz --out /tmp/lb3m.tar.xz
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson

DAY = 86_400
SESSION_GAP = 1_800  # the reader's rule: a gap of more than 30 minutes starts a session
MAX_RECORDINGS = 5_000_000
COPYING = (
    "The listens in this dump are synthetic, written by songsim's scripts/make_listenbrainz.py.\n"
    "Real ListenBrainz listen dumps are released under CC0 1.0 Universal.\n"
)

# Client profiles: (share of users, name). Their additional_info keys are in _PROFILE_KEYS.
CLIENTS = (
    (0.12, "spotify"),
    (0.13, "webscrobbler"),
    (0.25, "pano"),
    (0.12, "navidrome"),
    (0.26, "lastfm"),
    (0.12, "foobar"),
)
MBID_CLIENTS = {"navidrome": 0.85, "foobar": 0.9, "lastfm": 0.35}  # share sending recording_mbid

# Malformed kinds (bits 2-4 of the listen flags).
BAD_TRUNCATED, BAD_NO_TRACK, BAD_EMPTY_ARTIST, BAD_TS_STRING = 1, 2, 3, 4
F_NO_RELEASE, F_MAPPED, F_CLIENT_MBID = 1, 2, 32


def _wordlist(text: str) -> list[str]:
    return text.split()


_WORDS = _wordlist(
    "love night heart fire dream light rain summer blue gold wild sky road home time river "
    "stone girl boy city moon sun star shadow dance run fall rise ocean wind song heaven angel "
    "ghost paper glass silver velvet electric midnight morning evening lonely broken sweet "
    "bitter little big young old new last first forever never always again tonight tomorrow "
    "yesterday alive free lost found crazy happy sad cold warm high low echo thunder storm "
    "fever sugar honey diamond mirror window door train highway garden kingdom island desert "
    "forest winter spring autumn neon radio cherry roses wolves lions tigers hearts bones eyes "
    "hands lips words secrets lies promises memories waves tides flames ashes colours voices"
)
_SYL = _wordlist("ka ri to mo na lu ve sa dor an el is ur bri gal tem zo fin mar ox")
_FOREIGN = _wordlist(
    "さくら ひかり 東京 夜明け 花火 Ёлка Кино Звери Ночь Ψυχή Θάλασσα 서울 바다 Mañana Björk "
    "Sigur Rós Motörhead Beyoncé Ｄｅｃｏ Ãgua Żółw Čaj Dvořák Ærø"
)
_ACCENT = str.maketrans("aeiou", "áéíöü")


@dataclass
class Catalogue:
    """Recordings in (genre, artist, release, track) order, with their rendered pieces."""

    rec_artist: np.ndarray
    rec_release: np.ndarray
    rec_feat: np.ndarray  # featured artist or -1
    rec_track: np.ndarray
    rec_dur: np.ndarray  # seconds
    rec_mappable: np.ndarray
    rec_isrc: np.ndarray  # bool
    rel_first: np.ndarray
    rel_len: np.ndarray
    rel_caa: np.ndarray  # 0 = no cover art
    cum_genre: np.ndarray
    cum_artist: np.ndarray
    cum_all: np.ndarray
    genre_bounds: np.ndarray
    artist_bounds: np.ndarray
    genre_pop: np.ndarray
    titles: list[str] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)


@dataclass
class Listens:
    """Listens in generation order (by user, then time)."""

    user: np.ndarray
    rec: np.ndarray
    t: np.ndarray
    created: np.ndarray
    client: np.ndarray
    variant: np.ndarray
    flags: np.ndarray
    cut: np.ndarray
    sessions: int


# ------------------------------------------------------------------------- ids and hashes


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fast, well-spread hash of uint64 values."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def _salted(ids: np.ndarray, salt: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        base = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(
            (salt * 1_000_003 + seed * 7919) & 0xFFFFFFFFFFFF
        )
        hi = _mix64(base)
        lo = _mix64(hi ^ np.uint64(0xD6E8FEB86659FD93))
    return hi, lo


_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_UUID_COLS = [c for c in range(36) if c not in (8, 13, 18, 23)]


def uuids(n: int, salt: int, seed: int) -> list[bytes]:
    """``n`` lowercase version-4-shaped UUIDs, the i-th a pure function of (i, salt, seed)."""
    hi, lo = _salted(np.arange(n), salt, seed)
    raw = np.stack([hi, lo], axis=1).view(np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.empty((n, 32), np.uint8)
    digits[:, 0::2] = _HEX[raw >> 4]
    digits[:, 1::2] = _HEX[raw & 15]
    out = np.full((n, 36), ord("-"), np.uint8)
    out[:, _UUID_COLS] = digits
    return out.view("S36").ravel().tolist()


def base62(n: int, salt: int, seed: int, width: int = 22) -> list[bytes]:
    """``n`` Spotify-style ids of ``width`` base-62 characters."""
    out = np.empty((n, width), np.uint8)
    hi, lo = _salted(np.arange(n), salt, seed)
    for col in range(width):
        src = hi if col < width // 2 else lo
        out[:, col] = _B62[(src % np.uint64(62)).astype(np.intp)]
        src //= np.uint64(62)
    return out.view(f"S{width}").ravel().tolist()


def uuid_of(*key: object) -> bytes:
    """A UUID hashed from any key (for the few MSIDs of spelling variants)."""
    h = bytearray(hashlib.blake2b(repr(key).encode(), digest_size=16).digest())
    h[6] = (h[6] & 0x0F) | 0x40
    h[8] = (h[8] & 0x3F) | 0x80
    s = h.hex()
    return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}".encode()


# ------------------------------------------------------------------------- catalogue


def _alloc(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
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


def _segment_cdf(weights: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """``seg + cumulative share inside its segment``: one searchsorted draws in any segment."""
    cum = np.cumsum(weights)
    totals = np.bincount(seg, weights=weights, minlength=n_seg)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    return seg + (cum - before[seg]) / totals[seg]


def _draw(cdf: np.ndarray, bounds: np.ndarray, seg: np.ndarray, u: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(cdf, seg + u, side="right")
    return np.clip(idx, bounds[seg], bounds[seg + 1] - 1)


def _name_word(rng: np.random.Generator) -> str:
    return _WORDS[rng.integers(len(_WORDS))]


def _invented(rng: np.random.Generator) -> str:
    return "".join(_SYL[i] for i in rng.integers(len(_SYL), size=int(rng.integers(2, 4))))


def _artist_name(rng: np.random.Generator) -> str:
    k = rng.random()
    if k < 0.30:
        name = f"{_invented(rng).capitalize()} {_invented(rng).capitalize()}"
    elif k < 0.50:
        name = f"The {_name_word(rng).capitalize()} {_name_word(rng).capitalize()}"
    elif k < 0.70:
        name = _invented(rng).capitalize()
    elif k < 0.78:
        name = f"DJ {_invented(rng).capitalize()}"
    elif k < 0.90:
        name = f"{_name_word(rng).capitalize()} {_name_word(rng).capitalize()}"
    else:
        name = f"{_FOREIGN[rng.integers(len(_FOREIGN))]} {_invented(rng)}".strip()
    if rng.random() < 0.04:
        name = name.translate(_ACCENT)
    return name


def _titles(rng: np.random.Generator, foreign: np.ndarray) -> list[str]:
    """Song or release titles of one to three words (kana, Cyrillic... for foreign artists)."""
    n = len(foreign)
    size = rng.integers(1, 4, n).tolist()
    picks = rng.integers(len(_WORDS), size=(n, 3)).tolist()
    alien = rng.integers(len(_FOREIGN), size=(n, 2)).tolist()
    style = rng.random(n).tolist()
    caps = [w.capitalize() for w in _WORDS]
    out = []
    for k, pick, other, how, f in zip(size, picks, alien, style, foreign.tolist(), strict=True):
        if f and how < 0.6:
            out.append(" ".join(_FOREIGN[i] for i in other[: 1 + k % 2]))
        elif how < 0.8:
            out.append(" ".join([caps[i] for i in pick[:k]]))
        else:
            out.append(" ".join([caps[pick[0]], *(_WORDS[i] for i in pick[1:k])]))
        if how > 0.98:
            out[-1] += f" {k + 1}"
    return out


def _json(text: str) -> bytes:
    """``text`` as a JSON string. (orjson's result keeps a 4 KB buffer: copy it to its size.)"""
    return bytes(memoryview(orjson.dumps(text)))


def build_catalogue(n_rec: int, seed: int, rng: np.random.Generator) -> Catalogue:
    n_art = max(20, n_rec // 12)
    n_genre = int(np.clip(n_art // 400, 6, 400))
    genre_pop = (np.arange(n_genre) + 1.0) ** -0.9
    genre_pop /= genre_pop.sum()
    art_per_genre = _alloc(np.sqrt(genre_pop), n_art)
    art_genre = np.repeat(np.arange(n_genre), art_per_genre)
    art_pop = (rng.permutation(n_art) + 1.0) ** -0.8
    rec_per_art = _alloc(np.sqrt(art_pop) * rng.lognormal(0, 0.8, n_art), n_rec)
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
    partner = _draw(
        _segment_cdf(weight, rec_genre, n_genre),
        genre_bounds,
        rec_genre[has_feat],
        rng.random(len(has_feat)),
    )
    partner = rec_artist[partner]
    keep = partner != rec_artist[has_feat]
    feat[has_feat[keep]] = partner[keep]
    artists = [_artist_name(rng) for _ in range(n_art)]
    foreign = np.array([any(ord(ch) > 0x2FF for ch in a) for a in artists])
    titles = _titles(rng, foreign[rec_artist])
    releases = _titles(rng, foreign[rec_artist[rel_first]])
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
        cum_genre=_segment_cdf(weight, rec_genre, n_genre),
        cum_artist=_segment_cdf(weight, rec_artist, n_art),
        cum_all=cum_all / cum_all[-1],
        genre_bounds=genre_bounds,
        artist_bounds=art_start,
        genre_pop=genre_pop,
        titles=titles,
        artists=artists,
        releases=releases,
    )


# ------------------------------------------------------------------------- listens


def _user_counts(n: int, n_users: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Listens per user: lognormal (sigma 2), none above ``cap``, at least one each."""
    weights = rng.lognormal(0, 2.0, n_users)
    fixed = np.zeros(n_users, bool)
    while True:
        counts = np.full(n_users, cap, np.int64)
        counts[~fixed] = _alloc(weights[~fixed], n - cap * int(fixed.sum()))
        over = (counts > cap) & ~fixed
        if not over.any():
            return counts
        fixed |= over


def build_listens(
    n: int, n_users: int, cat: Catalogue, start: int, end: int, rng: np.random.Generator
) -> Listens:
    span = end - start
    counts = _user_counts(n, n_users, max(1, span // 400), rng)
    user = np.repeat(np.arange(n_users, dtype=np.int32), counts)
    user_first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    idx = np.arange(n)

    # Sessions: lognormal lengths cut at user boundaries.
    lens = np.clip(np.rint(rng.lognormal(np.log(9), 1.0, n // 9 + 100)), 1, 400).astype(np.int64)
    while lens.sum() < n:
        lens = np.concatenate([lens, lens])
    is_first = np.zeros(n, bool)
    ends = np.cumsum(lens)
    is_first[ends[ends < n]] = True
    is_first[user_first] = True
    sess = (np.cumsum(is_first) - 1).astype(np.int32)
    sess_first = np.flatnonzero(is_first)
    n_sess = len(sess_first)
    sess_user = user[sess_first]

    # Taste: three genres per user, one per session; session modes; the client per session.
    n_genre = len(cat.genre_pop)
    user_genres = rng.choice(n_genre, size=(n_users, 3), p=cat.genre_pop)
    user_w = rng.dirichlet([6.5, 2.5, 1.0], n_users)
    u = rng.random(n_sess)
    pick = (u > user_w[sess_user, 0]).astype(np.int64) + (u > user_w[sess_user, :2].sum(1))
    sess_genre = user_genres[sess_user, pick]
    roam = rng.random(n_sess) < 0.08
    sess_genre[roam] = rng.choice(n_genre, int(roam.sum()), p=cat.genre_pop)
    sess_mode = rng.choice(3, n_sess, p=[0.55, 0.35, 0.10])
    seed_rec = _draw(cat.cum_genre, cat.genre_bounds, sess_genre, rng.random(n_sess))
    shares = np.array([s for s, _ in CLIENTS])
    user_client = rng.choice(len(CLIENTS), size=(n_users, 2), p=shares / shares.sum())
    sess_client = user_client[sess_user, (rng.random(n_sess) < 0.1).astype(np.int64)]

    # Recordings.
    rec = _draw(cat.cum_genre, cat.genre_bounds, sess_genre[sess], rng.random(n))
    mode = sess_mode[sess]
    focus = np.flatnonzero((mode == 1) & (rng.random(n) < 0.75))
    rec[focus] = _draw(
        cat.cum_artist,
        cat.artist_bounds,
        cat.rec_artist[seed_rec[sess[focus]]],
        rng.random(len(focus)),
    )
    album = np.flatnonzero(mode == 2)
    pos = idx - sess_first[sess]
    rel = cat.rec_release[seed_rec[sess[album]]]
    rec[album] = cat.rel_first[rel] + (seed_rec[sess[album]] + pos[album]) % cat.rel_len[rel]
    free = mode != 2
    hits = np.flatnonzero(free & (rng.random(n) < 0.05))
    rec[hits] = np.minimum(
        np.searchsorted(cat.cum_all, rng.random(len(hits)), side="right"), len(cat.cum_all) - 1
    )
    back = 1 + np.floor(rng.lognormal(np.log(40), 1.2, n)).astype(np.int64)
    fav = np.flatnonzero(free & (rng.random(n) < 0.25) & (idx - back >= user_first[user]))
    rec[fav] = rec[fav - back[fav]]
    again = np.flatnonzero((rng.random(n) < 0.02) & (pos > 0))
    rec[again] = rec[again - 1]
    rec = rec.astype(np.int32)
    del idx, mode, pos, free, back, fav, again, focus, album

    # Time: integer deltas, so gaps of exactly 1800 s stay exact.
    delta = np.empty(n, np.int64)
    delta[1:] = np.rint(cat.rec_dur[rec[:-1]] + rng.uniform(0, 5, n - 1))
    skip = rng.random(n) < 0.06
    delta[skip] = rng.integers(10, 61, int(skip.sum()))
    delta[sess_first] = 0
    user_start_sess = is_first[sess_first] & np.isin(sess_first, user_first)
    boundary = (rng.random(n_sess) < 0.10) & ~user_start_sess
    b_gap = np.where(
        rng.random(n_sess) < 0.3,
        rng.integers(SESSION_GAP - 1, SESSION_GAP + 2, n_sess),
        rng.integers(1500, 2101, n_sess),
    )
    free_s = ~boundary & ~user_start_sess
    min_gap = 1860
    within = np.bincount(user, weights=delta, minlength=n_users)
    fixed = np.bincount(sess_user[boundary], weights=b_gap[boundary], minlength=n_users)
    n_free = np.bincount(sess_user[free_s], minlength=n_users)
    room = span * 0.995 - fixed - n_free * min_gap
    squeeze = np.clip(room / np.maximum(within, 1), 0.2, 1.0)
    squeezed = squeeze < 1
    if squeezed.any():
        hit = squeezed[user]
        delta[hit] = np.maximum(1, np.rint(delta[hit] * squeeze[user[hit]]))
        within = np.bincount(user, weights=delta, minlength=n_users)
    slack = np.maximum(0, span - within - fixed - n_free * min_gap)
    extra = slack * rng.uniform(0.05, 1.0, n_users)
    g_w = rng.lognormal(0, 1.5, n_sess) * free_s
    g_sum = np.bincount(sess_user, weights=g_w, minlength=n_users)
    share = np.divide(g_w, g_sum[sess_user], out=np.zeros(n_sess), where=g_sum[sess_user] > 0)
    gaps = np.where(boundary, b_gap, np.floor(min_gap + extra[sess_user] * share))
    delta[sess_first] = np.where(user_start_sess, 0, gaps)
    offset = start + np.floor(rng.random(n_users) * (slack - extra)).astype(np.int64)
    cs = np.cumsum(delta)
    cs -= cs[user_first][user]
    cs += offset[user]
    t = np.clip(cs, start, end - 1, out=cs)
    del delta
    gap_rule = np.ones(n, bool)
    gap_rule[1:] = (np.diff(t) > SESSION_GAP) | (user[1:] != user[:-1])

    # Insert times: seconds to an hour after the listen; late importers; a recent burst.
    client = sess_client[sess]
    spotify = np.array([name == "spotify" for _, name in CLIENTS])[client]
    created = t + np.where(spotify, rng.integers(60, 3600, n), rng.integers(5, 300, n))
    importer = rng.random(n_users) < 0.15
    joined = t[user_first + np.floor(rng.uniform(0.3, 1.0, n_users) * counts).astype(np.int64)]
    late = importer[user] & (t < joined[user])
    created[late] = joined[user[late]] + rng.integers(0, 600, int(late.sum()))
    old = np.flatnonzero(t < end - 30 * DAY)
    if len(old) and n >= 1000:
        burst = rng.choice(old, min(len(old), max(5, n // 500)), replace=False)
        created[burst] = end - 14 * DAY + rng.integers(0, 14 * DAY, len(burst))

    # Spelling variants (consistent per client and recording), flags, malformed kinds.
    h = _mix64(rec.astype(np.uint64) * np.uint64(8) + client.astype(np.uint64))
    variant = np.where(h % np.uint64(1000) < 70, 1 + (h >> np.uint64(12)) % np.uint64(5), 0)
    feat_rec = cat.rec_feat[rec] >= 0
    variant = np.where(spotify & feat_rec & (variant == 0), 6, variant).astype(np.int8)
    mappable = cat.rec_mappable[rec]
    flags = np.where(rng.random(n) < 0.03, F_NO_RELEASE, 0).astype(np.uint8)
    sends = np.zeros(len(CLIENTS))
    for i, (_, name) in enumerate(CLIENTS):
        sends[i] = MBID_CLIENTS.get(name, 0.0)
    client_mbid = mappable & (rng.random(n) < sends[client])
    mapped = np.where(
        client_mbid,
        rng.random(n) < 0.5,
        mappable & ((variant == 0) | (variant == 6) | (rng.random(n) < 0.75)),
    )
    flags |= np.where(mapped, F_MAPPED, 0).astype(np.uint8)
    flags |= np.where(client_mbid, F_CLIENT_MBID, 0).astype(np.uint8)
    return Listens(
        user=user,
        rec=rec,
        t=t,
        created=created,
        client=client.astype(np.int8),
        variant=variant,
        flags=flags,
        cut=rng.integers(0, 1 << 16, n),
        sessions=int(gap_rule.sum()),
    )


def add_malformed(listens: Listens, share: float, rng: np.random.Generator) -> int:
    """Mark a share of listens as broken lines of the four kinds; how many were marked."""
    bad = np.flatnonzero(rng.random(len(listens.t)) < share)
    kinds = rng.integers(BAD_TRUNCATED, BAD_TS_STRING + 1, len(bad)).astype(np.uint8)
    listens.flags[bad] |= kinds << 2
    return len(bad)


# ------------------------------------------------------------------------- rendering

# additional_info value kinds; each profile lists its keys, written in JSONB order.
(
    K_TRACKNO,
    K_TRACKNO_STR,
    K_ARTIST_NAMES,
    K_DUR_MS,
    K_DUR_MS_OFTEN,
    K_DUR_S,
    K_SP_ALBUM,
    K_REL_ARTIST,
    K_SP_ARTISTS,
    K_ISRC,
    K_SP_TRACK,
    K_YOUTUBE,
    K_ART_MBIDS,
    K_REC_MBID,
    K_REL_MBID,
) = range(15)
_CONST = -1
_PROFILES: dict[str, dict[str, object]] = {
    "spotify": {
        "tracknumber": K_TRACKNO,
        "artist_names": K_ARTIST_NAMES,
        "discnumber": b"1",
        "duration_ms": K_DUR_MS,
        "spotify_album_id": K_SP_ALBUM,
        "submission_client": b'"listenbrainz"',
        "music_service": b'"spotify.com"',
        "isrc": K_ISRC,
        "spotify_id": K_SP_TRACK,
        "origin_url": K_SP_TRACK,
    },
    "webscrobbler": {
        "duration": K_DUR_S,
        "origin_url": K_YOUTUBE,
        "music_service": b'"youtube.com"',
        "submission_client": b'"Web Scrobbler"',
        "submission_client_version": b'"3.10.1"',
    },
    "pano": {
        "duration_ms": K_DUR_MS,
        "media_player": b'"Spotify"',
        "submission_client": b'"Pano Scrobbler"',
        "submission_client_version": b'"3.9.4"',
    },
    "navidrome": {
        "artist_mbids": K_ART_MBIDS,
        "duration_ms": K_DUR_MS,
        "recording_mbid": K_REC_MBID,
        "release_mbid": K_REL_MBID,
        "submission_client": b'"navidrome"',
        "submission_client_version": b'"0.58.0 (9dbe0c18)"',
        "tracknumber": K_TRACKNO,
    },
    "lastfm": {
        "recording_mbid": K_REC_MBID,
        "submission_client": b'"ListenBrainz Last.fm importer"',
    },
    "foobar": {
        "artist_mbids": K_ART_MBIDS,
        "duration_ms": K_DUR_MS_OFTEN,
        "media_player": b'"foobar2000"',
        "recording_mbid": K_REC_MBID,
        "release_mbid": K_REL_MBID,
        "submission_client": b'"foo_listenbrainz2"',
        "submission_client_version": b'"2.2"',
        "tracknumber": K_TRACKNO_STR,
    },
}


def _profile(name: str) -> list[tuple[bytes, int]]:
    """(rendered piece, kind) in JSONB key order: by length, then bytes."""
    out = []
    for key in sorted(_PROFILES[name], key=lambda k: (len(k), k)):
        value = _PROFILES[name][key]
        if isinstance(value, bytes):
            out.append((b'"%s":%s,' % (key.encode(), value), _CONST))
        else:
            out.append((b'"%s":' % key.encode(), int(value)))
    return out


class Renderer:
    """Pre-rendered byte pieces of the catalogue and users; turns listens into lines."""

    def __init__(self, cat: Catalogue, n_users: int, seed: int, ts_key: str, mapping: bool):
        rng = np.random.default_rng([seed, 3])
        n_rec, n_art, n_rel = len(cat.rec_artist), len(cat.artists), len(cat.releases)
        self.cat, self.seed, self.mapping = cat, seed, mapping
        self.jt = [_json(s) for s in cat.titles]
        self.ja = [_json(s) for s in cat.artists]
        self.jrel = [_json(s) for s in cat.releases]
        self.rec_an = [self.ja[a] for a in cat.rec_artist.tolist()]
        for r in np.flatnonzero(cat.rec_feat >= 0).tolist():
            a, b = int(cat.rec_artist[r]), int(cat.rec_feat[r])
            self.rec_an[r] = _json(f"{cat.artists[a]} feat. {cat.artists[b]}")
        self.rec_mbid = uuids(n_rec, 1, seed)
        self.art_mbid = uuids(n_art, 2, seed)
        self.rel_mbid = uuids(n_rel, 3, seed)
        self.msid = uuids(n_rec, 4, seed)
        self.sp_track = base62(n_rec, 5, seed)
        self.sp_album = base62(n_rel, 6, seed)
        self.sp_artist = base62(n_art, 7, seed)
        self.isrc_head = [
            (c + "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 3))).encode()
            + b"%02d" % y
            for c, y in zip(
                rng.choice(["GB", "US", "DE", "FR", "SE", "JP", "QZ", "NL"], 997),
                rng.integers(0, 100, 997),
                strict=True,
            )
        ]
        self.art_piece = [
            b'{"artist_mbid":"%s","artist_credit_name":%s,"join_phrase":""}' % (m, j)
            for m, j in zip(self.art_mbid, self.ja, strict=True)
        ]
        names = [_invented(rng) + (str(rng.integers(1, 999)) if rng.random() < 0.4 else "")]
        names += [
            (
                _FOREIGN[rng.integers(len(_FOREIGN))] + _invented(rng)
                if rng.random() < 0.03
                else _invented(rng) + rng.choice(["", "_", "."]) + _name_word(rng)
            )
            + (str(rng.integers(1, 99)) if rng.random() < 0.3 else "")
            for _ in range(n_users - 1)
        ]
        key = ts_key.encode()
        self.head = [
            b'{"user_id":%d,"user_name":%s,"%s":' % (u + 1, _json(name), key)
            for u, name in enumerate(names)
        ]
        self.profiles = [_profile(name) for _, name in CLIENTS]
        self._variants: dict[tuple[int, int, int], tuple[bytes, bytes, bytes]] = {}

    def spelled(self, r: int, v: int, no_rel: int) -> tuple[bytes, bytes, bytes]:
        """(track_name, artist_name, msid) of a spelling variant or of a listen without release."""
        got = self._variants.get((r, v, no_rel))
        if got:
            return got
        cat = self.cat
        title, artist = cat.titles[r], cat.artists[int(cat.rec_artist[r])]
        feat = int(cat.rec_feat[r])
        credit = f"{artist} feat. {cat.artists[feat]}" if feat >= 0 else artist
        if v == 1:
            title = title.lower() if r % 2 else title.upper()
        elif v == 2:
            title = f" {title.replace(' ', '  ')} " if r % 3 else title + " "
        elif v == 3:
            title = f"{title} - Remastered {1995 + r % 25}"
        elif v == 4 and feat >= 0:
            forms = (f"{artist} ft. {cat.artists[feat]}", f"{artist} & {cat.artists[feat]}")
            credit = forms[r % 2]
            if r % 3 == 0:
                credit, title = artist, f"{title} (feat. {cat.artists[feat]})"
        elif v in (4, 5):
            credit = credit.lower() if r % 2 else credit.upper()
        elif v == 6 and feat >= 0:
            credit = f"{artist}, {cat.artists[feat]}"
        release = "" if no_rel else cat.releases[int(cat.rec_release[r])]
        got = (
            _json(title),
            _json(credit),
            uuid_of(self.seed, title, credit, release),
        )
        if len(self._variants) < 2_000_000:
            self._variants[(r, v, no_rel)] = got
        return got

    def lines(self, listens: Listens, idx: np.ndarray) -> bytes:
        """The dump lines of the listens ``idx``, in that order."""
        cat = self.cat
        rec = listens.rec[idx]
        cols = zip(
            listens.user[idx].tolist(),
            listens.t[idx].tolist(),
            rec.tolist(),
            listens.client[idx].tolist(),
            listens.variant[idx].tolist(),
            listens.flags[idx].tolist(),
            listens.cut[idx].tolist(),
            cat.rec_artist[rec].tolist(),
            cat.rec_feat[rec].tolist(),
            cat.rec_release[rec].tolist(),
            cat.rec_track[rec].tolist(),
            np.rint(cat.rec_dur[rec] * 1000).astype(np.int64).tolist(),
            cat.rec_isrc[rec].tolist(),
            cat.rel_caa[cat.rec_release[rec]].tolist(),
            strict=True,
        )
        jt, rec_an, jrel, msid_of = self.jt, self.rec_an, self.jrel, self.msid
        head, profiles, mapping = self.head, self.profiles, self.mapping
        out = []
        for u, t, r, cl, v, fl, cut, a, b, rel, trk, dur, isrc, caa in cols:
            bad = (fl >> 2) & 7
            if v or fl & F_NO_RELEASE:
                tn, an, msid = self.spelled(r, v, fl & F_NO_RELEASE)
            else:
                tn, an, msid = jt[r], rec_an[r], msid_of[r]
            p = [head[u], b'"%d"' % t if bad == BAD_TS_STRING else b"%d" % t]
            p.append(b',"track_metadata":{')
            if bad != BAD_NO_TRACK:
                p += (b'"track_name":', tn, b",")
            p += (b'"artist_name":', b'""' if bad == BAD_EMPTY_ARTIST else an)
            if not fl & F_NO_RELEASE:
                p += (b',"release_name":', jrel[rel])
            p.append(b',"additional_info":{')
            sends = fl & F_CLIENT_MBID
            for piece, kind in profiles[cl]:
                if kind == _CONST:
                    p.append(piece)
                elif kind == K_DUR_MS or (kind == K_DUR_MS_OFTEN and r % 10 > 2):
                    p += (piece, b"%d," % dur)
                elif kind == K_DUR_S:
                    p += (piece, b"%d," % (dur // 1000))
                elif kind == K_TRACKNO:
                    p += (piece, b"%d," % trk)
                elif kind == K_TRACKNO_STR:
                    p += (piece, b'"%d",' % trk)
                elif kind == K_ISRC:
                    if isrc:
                        p += (piece, b'"%s%05d",' % (self.isrc_head[r % 997], r % 100_000))
                elif kind == K_SP_TRACK:
                    p += (piece, b'"https://open.spotify.com/track/', self.sp_track[r], b'",')
                elif kind == K_YOUTUBE:
                    p += (piece, b'"https://www.youtube.com/watch?v=', self.sp_track[r][:11], b'",')
                elif kind == K_SP_ALBUM:
                    p += (piece, b'"https://open.spotify.com/album/', self.sp_album[rel], b'",')
                elif kind == K_ARTIST_NAMES:
                    names = self.ja[a] if b < 0 else self.ja[a] + b"," + self.ja[b]
                    p += (piece, b"[", names, b"],")
                elif kind == K_REL_ARTIST:
                    p += (piece, self.ja[a], b",")
                elif kind == K_SP_ARTISTS:
                    url = b'"https://open.spotify.com/artist/'
                    p += (piece, b"[", url, self.sp_artist[a], b'"')
                    if b >= 0:
                        p += (b",", url, self.sp_artist[b], b'"')
                    p.append(b"],")
                elif not sends:
                    continue
                elif kind == K_REC_MBID:
                    p += (piece, b'"', self.rec_mbid[r], b'",')
                elif kind == K_REL_MBID:
                    p += (piece, b'"', self.rel_mbid[rel], b'",')
                elif kind == K_ART_MBIDS:
                    p += (piece, b'["', self.art_mbid[a])
                    p.append(b'"],' if b < 0 else b'","%s"],' % self.art_mbid[b])
            p += (b'"recording_msid":"', msid, b'"}')
            if mapping and fl & F_MAPPED:
                relm = self.rel_mbid[rel]
                p += (b',"mbid_mapping":{"recording_mbid":"', self.rec_mbid[r])
                p += (b'","recording_name":', jt[r], b',"release_mbid":"', relm, b'","artists":[')
                if b < 0:
                    p += (self.art_piece[a], b'],"artist_mbids":["', self.art_mbid[a], b'"]')
                else:
                    p += (b'{"artist_mbid":"', self.art_mbid[a], b'","artist_credit_name":')
                    p += (self.ja[a], b',"join_phrase":" feat. "},', self.art_piece[b])
                    p += (b'],"artist_mbids":["', self.art_mbid[a], b'","', self.art_mbid[b])
                    p.append(b'"]')
                if caa:
                    p.append(b',"caa_id":%d,"caa_release_mbid":"%s"' % (caa, relm))
                p.append(b"}")
            p += (b'},"recording_msid":"', msid, b'"}\n')
            line = b"".join(p)
            if bad == BAD_TRUNCATED:
                line = line[: 10 + cut % (len(line) - 20)] + b"\n"
            out.append(line)
        return b"".join(out)


# ------------------------------------------------------------------------- dumps


@dataclass
class Dump:
    """One dump: its name, time window and the listens of each month file, in file order."""

    name: str
    full: bool
    start: int  # exclusive start of the insert window (incremental)
    end: int
    order: np.ndarray
    files: list[tuple[int, int, int, int]]  # (year, month, lo, hi) into order


def _months(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def _dump(dump_id: int, full: bool, start: int, end: int, order: np.ndarray, key: np.ndarray):
    when = datetime.fromtimestamp(end, UTC).strftime("%Y%m%d-%H%M%S")
    name = f"listenbrainz-listens-dump-{dump_id}-{when}-{'full' if full else 'incremental'}"
    months = _months(key)
    cuts = np.flatnonzero(np.diff(months)) + 1
    los = np.concatenate([[0], cuts]).astype(np.int64)
    his = np.concatenate([cuts, [len(order)]]).astype(np.int64)
    files = [
        (1970 + int(months[lo]) // 12, int(months[lo]) % 12 + 1, int(lo), int(hi))
        for lo, hi in zip(los, his, strict=True)
        if hi > lo
    ]
    return Dump(name, full, start, end, order, files)


def plan_dumps(listens: Listens, split: int | None, n_inc: int, dump_id: int) -> list[Dump]:
    """The full dump (inserts up to ``split``) and ``n_inc`` incrementals after it."""
    final = int(-(-int(listens.created.max() + 1) // DAY) * DAY)
    if split is None:
        split = final - n_inc * DAY
    if n_inc and not split < final:
        raise SystemExit(f"--split-at must be before the last insert ({final})")
    sel = np.flatnonzero(listens.created <= split)
    order = sel[np.argsort(listens.t[sel], kind="stable")]
    dumps = [_dump(dump_id, True, 0, split, order, listens.t[order])]
    edges = [split + (final - split) * k // n_inc for k in range(n_inc + 1)] if n_inc else []
    for k in range(n_inc):
        lo, hi = edges[k], edges[k + 1]
        sel = np.flatnonzero((listens.created > lo) & (listens.created <= hi))
        order = sel[np.argsort(listens.created[sel], kind="stable")]
        dumps.append(_dump(dump_id + 1 + k, False, lo, hi, order, listens.created[order]))
    return dumps


def _metadata(dump: Dump) -> list[tuple[str, bytes]]:
    def iso(ts: int) -> bytes:
        return datetime.fromtimestamp(ts, UTC).isoformat(" ").encode()

    if dump.full:
        stamps = [("TIMESTAMP", iso(dump.end))]
    else:
        stamps = [("START_TIMESTAMP", iso(dump.start)), ("END_TIMESTAMP", iso(dump.end))]
    return [("SCHEMA_SEQUENCE", b"1"), *stamps, ("COPYING", COPYING.encode())]


# Set in the parent before the workers fork; the workers only read them.
_JOB: dict[str, object] = {}
CHUNK = 200_000


def _render_file(job: tuple[int, int, str]) -> tuple[int, int, str]:
    """Write one month file; returns (dump, file, path)."""
    d, f, path = job
    dump: Dump = _JOB["dumps"][d]  # type: ignore[index]
    renderer: Renderer = _JOB["renderer"]  # type: ignore[assignment]
    listens: Listens = _JOB["listens"]  # type: ignore[assignment]
    _, _, lo, hi = dump.files[f]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for a in range(lo, hi, CHUNK):
            out.write(renderer.lines(listens, dump.order[a : min(hi, a + CHUNK)]))
    return d, f, path


class _Archive:
    """A tar stream into ``xz -T2 -1`` (or Python's lzma) or zstandard, members added in order."""

    def __init__(self, path: Path, kind: str, mtime: int):
        self.path, self.mtime, self.proc, self.raw = path, mtime, None, None
        if kind == "xz" and shutil.which("xz"):
            self.raw = open(path, "wb")  # noqa: SIM115 - closed in close()
            self.proc = subprocess.Popen(
                ["xz", "-T2", "-1", "-c"], stdin=subprocess.PIPE, stdout=self.raw
            )
            self.tar = tarfile.open(fileobj=self.proc.stdin, mode="w|")  # noqa: SIM115
        elif kind == "xz":  # no xz command: Python's lzma, one thread
            import lzma

            self.raw = lzma.open(path, "wb", preset=1)  # noqa: SIM115 - closed in close()
            self.tar = tarfile.open(fileobj=self.raw, mode="w|")  # noqa: SIM115
        else:
            import zstandard

            self.raw = zstandard.ZstdCompressor(level=3, threads=2).stream_writer(open(path, "wb"))  # noqa: SIM115
            self.tar = tarfile.open(fileobj=self.raw, mode="w|")  # noqa: SIM115

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o644
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        import io

        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))

    def add_file(self, name: str, path: str) -> None:
        with open(path, "rb") as f:
            self.tar.addfile(self._info(name, os.path.getsize(path)), f)

    def close(self) -> None:
        self.tar.close()
        if self.proc:
            self.proc.stdin.close()
            if self.proc.wait():
                raise SystemExit(f"xz failed for {self.path}")
        if self.raw:
            self.raw.close()


def write_dumps(
    dumps: list[Dump], out: Path, archive: str, workers: int, log_every: int
) -> tuple[int, int, list[Path]]:
    """Render every month file (in worker processes) and lay out folders or archives.

    Returns (files written, bytes of listens, paths of the dumps)."""
    single = archive != "none" and out.name.endswith((".tar.xz", ".tar.zst"))
    if single and len(dumps) > 1:
        raise SystemExit("--out names one archive; give a folder to write incrementals too")
    base = out.parent if single else out
    base.mkdir(parents=True, exist_ok=True)
    targets, jobs, archives = [], [], {}
    for d, dump in enumerate(dumps):
        if archive == "none":
            root = base / dump.name
            if root.exists():
                raise SystemExit(f"{root} exists; remove it or choose another --out")
            for name, data in _metadata(dump):
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            targets.append(root)
            listens_dir = root / "listens"
        else:
            path = out if single else base / f"{dump.name}.tar.{archive}"
            targets.append(path)
            listens_dir = base / f".{dump.name}.partial"
            shutil.rmtree(listens_dir, ignore_errors=True)
        for f, (year, month, _, _) in enumerate(dump.files):
            jobs.append((d, f, str(listens_dir / str(year) / f"{month}.listens")))
    total = sum(len(dump.order) for dump in dumps)
    done = size = 0
    next_log = log_every
    t0 = time.perf_counter()
    ctx = mp.get_context("fork")
    pool = ctx.Pool(workers) if workers > 1 else None
    try:
        results = pool.imap(_render_file, jobs) if pool else map(_render_file, jobs)
        for d, f, path in results:
            dump = dumps[d]
            year, month, lo, hi = dump.files[f]
            size += os.path.getsize(path)
            if archive != "none":
                if d not in archives:
                    archives[d] = _Archive(targets[d], archive, dump.end)
                    for name, data in _metadata(dump):
                        archives[d].add_bytes(f"{dump.name}/{name}", data)
                archives[d].add_file(f"{dump.name}/listens/{year}/{month}.listens", path)
                os.unlink(path)
                if f == len(dump.files) - 1:
                    archives.pop(d).close()
                    shutil.rmtree(Path(path).parents[1], ignore_errors=True)
            done += hi - lo
            if done >= next_log:
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,}/{total:,} listens written, {rate:,.0f}/s", file=sys.stderr)
                next_log += log_every
    finally:
        if pool:
            pool.terminate()
    for d, dump in enumerate(dumps):  # a dump without listens still gets its archive
        if archive != "none" and not dump.files:
            arc = _Archive(targets[d], archive, dump.end)
            for name, data in _metadata(dump):
                arc.add_bytes(f"{dump.name}/{name}", data)
            arc.close()
    return len(jobs), size, targets


# ------------------------------------------------------------------------- main


def _day(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())


def generate(args: argparse.Namespace) -> tuple[Catalogue, Listens, Renderer, int]:
    """Everything drawn from the seed: catalogue, listens, renderer; and the malformed count."""
    start, end = _day(args.start), _day(args.end) + DAY
    if end - start < 2 * DAY:
        raise SystemExit("--end must be at least a day after --start")
    n = args.listens
    n_rec = args.recordings or int(np.clip(n // 10, 1_000, MAX_RECORDINGS))
    n_users = args.users or int(np.clip(round(3 * np.sqrt(n)), 20, 1_000_000))
    n_users = min(n, max(n_users, -(-2 * n // max(1, (end - start) // 400))))
    rng = np.random.default_rng([args.seed, 1])
    cat = build_catalogue(n_rec, args.seed, rng)
    listens = build_listens(n, n_users, cat, start, end, rng)
    share = 0.0 if args.clean else args.malformed
    bad = add_malformed(listens, share, np.random.default_rng([args.seed, 2]))
    mapping = not args.no_mapping
    renderer = Renderer(cat, n_users, args.seed, args.timestamp_key, mapping)
    return cat, listens, renderer, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listens", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True, help="folder, or one .tar.xz/.tar.zst")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--recordings", type=int, default=0, help="catalogue size (listens/10)")
    ap.add_argument("--users", type=int, default=0, help="users (3 * sqrt(listens))")
    ap.add_argument("--start", default="2024-01-01", help="first day of listens (UTC)")
    ap.add_argument("--end", default="2026-11-30", help="last day of listens (UTC)")
    ap.add_argument("--incremental", type=int, default=0, help="incremental dumps after the full")
    ap.add_argument(
        "--split-at", help="the full dump's time (YYYY-MM-DD); later inserts go to incrementals"
    )
    ap.add_argument("--timestamp-key", choices=["listened_at", "timestamp"], default="listened_at")
    ap.add_argument("--archive", choices=["none", "xz", "zst"], default="none")
    ap.add_argument("--malformed", type=float, default=0.0001, help="share of broken lines")
    ap.add_argument("--clean", action="store_true", help="no malformed lines")
    ap.add_argument(
        "--no-mapping", action="store_true", help="no mbid_mapping (as today's JSON dump)"
    )
    ap.add_argument("--dump-id", type=int, default=1)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args(argv)
    if args.listens < 100:
        ap.error("--listens must be at least 100")
    if args.archive == "none" and args.out.name.endswith((".tar.xz", ".tar.zst")):
        args.archive = args.out.name.rsplit(".", 1)[1]
    n_inc = args.incremental or (1 if args.split_at else 0)

    t0 = time.perf_counter()
    cat, listens, renderer, bad = generate(args)
    split = _day(args.split_at) if args.split_at else None
    dumps = plan_dumps(listens, split, n_inc, args.dump_id)
    t1 = time.perf_counter()
    print(f"  drawn in {t1 - t0:.1f} s; writing {len(dumps)} dump(s)", file=sys.stderr)
    _JOB.update(dumps=dumps, renderer=renderer, listens=listens)
    try:
        files, size, targets = write_dumps(
            dumps, args.out, args.archive, args.workers, max(100_000, args.listens // 5)
        )
    finally:
        _JOB.clear()
    secs = time.perf_counter() - t0
    n = args.listens
    played = int(np.count_nonzero(np.bincount(listens.rec, minlength=len(cat.rec_artist))))
    on_disk = sum(p.stat().st_size for p in targets if p.is_file())
    packed = f", {on_disk:,} bytes packed" if on_disk else ""
    print(
        f"{n:,} listens, {len(renderer.head):,} users, {played:,} recordings "
        f"({len(cat.rec_artist):,} in catalogue), {listens.sessions:,} sessions, {bad:,} malformed, "
        f"{len(dumps)} dump(s), {files} files, {size:,} bytes ({size / n:.0f} B/listen{packed}) "
        f"in {secs:.1f} s ({n / secs:,.0f} listens/s) -> {', '.join(map(str, targets))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
