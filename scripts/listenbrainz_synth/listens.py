"""The listens: users' activity, sessions and taste, the recordings played, listen and insert
times, spelling variants, MBID flags, and the share of malformed lines.
"""

from __future__ import annotations

import numpy as np

from scripts.listenbrainz_synth.catalogue import alloc, draw
from scripts.listenbrainz_synth.ids import mix64
from scripts.listenbrainz_synth.model import (
    BAD_TRUNCATED,
    BAD_TS_STRING,
    CLIENTS,
    DAY,
    F_CLIENT_MBID,
    F_MAPPED,
    F_NO_RELEASE,
    MBID_CLIENTS,
    SESSION_GAP,
    Catalogue,
    Listens,
)


def _user_counts(n: int, n_users: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Listens per user: lognormal (sigma 2), none above ``cap``, at least one each."""
    weights = rng.lognormal(0, 2.0, n_users)
    fixed = np.zeros(n_users, bool)
    while True:
        counts = np.full(n_users, cap, np.int64)
        counts[~fixed] = alloc(weights[~fixed], n - cap * int(fixed.sum()))
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
    seed_rec = draw(cat.cum_genre, cat.genre_bounds, sess_genre, rng.random(n_sess))
    shares = np.array([s for s, _ in CLIENTS])
    user_client = rng.choice(len(CLIENTS), size=(n_users, 2), p=shares / shares.sum())
    sess_client = user_client[sess_user, (rng.random(n_sess) < 0.1).astype(np.int64)]

    # Recordings.
    rec = draw(cat.cum_genre, cat.genre_bounds, sess_genre[sess], rng.random(n))
    mode = sess_mode[sess]
    focus = np.flatnonzero((mode == 1) & (rng.random(n) < 0.75))
    rec[focus] = draw(
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
    h = mix64(rec.astype(np.uint64) * np.uint64(8) + client.astype(np.uint64))
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
