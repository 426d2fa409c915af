"""Songs by the track's own artist, stored after the extras: what the artist weight needs.

Every discovery ranking counts a neighbour that shares the seed's artist double
(:mod:`index.read.ranking`), but the stored rows are chosen without looking at artists: the
Jaccard top ``k``, then the songs sharing most playlists (:mod:`index.build.extras`). A song
by the same artist in fewer playlists than the seed's best matches (an album track beside
the single) is then often not stored, and no ranking of the stored rows can show it: on
held-out playlists of one curator and of the synthetic crawl, rankings of the stored rows
read 2–3 points of HitRate@10 below the same rankings over every co-occurring song, and
nearly all the missing hits were such songs (docs/research/quality-notes.md).

So each track in ``min_playlists`` playlists also gets up to ``m`` **artist rows** after its
extras: the tracks sharing a credited artist with it (:func:`artist_credits`, as the
rankings read credits: "A, B" and "A feat. C" both credit A) and at least one playlist, that
are not stored yet, in the top ``k``'s order (Jaccard, then shared, then id), each with its
exact Jaccard and shared count. One shared playlist is enough here, whatever the build's
``min_shared``: the shared artist is the second piece of evidence, and for a song in a
handful of playlists it is most of what there is (held out, seeds in 2–9 playlists gained 5–6
points on the synthetic crawl, docs/research/quality-notes.md). Both engines' tables get them
here, from the memberships themselves, so they are exact whatever found the top ``k``.

The cost is the same-artist co-occurrences only, the sum over playlists of the square of
each artist's tracks in it: 0.4 % of all pairs in the full-scale synthetic crawl (44 M).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence

import numpy as np

from index.build.options import BuildOptions
from index.build.topk import lower_bound, offer
from index.corpus import Corpus, NeighbourTable
from index.jit import numba
from index.names import credited_artists


def artist_credits(artist_names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per artist id, the credited artists its name holds, as ids: ``(ptr, ids)`` with artist
    ``a``'s at ``ids[ptr[a]:ptr[a + 1]]`` (:func:`index.names.credited_artists`; none for an
    empty name). Two tracks share an artist when their lists meet, as in the rankings."""
    return credit_ids([credited_artists(name) for name in artist_names])


def credit_ids(credits: Sequence[Collection[str]]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`artist_credits` from each artist's credited names, already folded."""
    ids: dict[str, int] = {}
    ptr = np.zeros(len(credits) + 1, dtype=np.int64)
    out: list[int] = []
    for a, names in enumerate(credits):
        out.extend(ids.setdefault(c, len(ids)) for c in sorted(names))
        ptr[a + 1] = len(out)
    return ptr, np.asarray(out, dtype=np.int32)


@numba.njit(cache=True)
def _playlists_by_credit(indptr, indices, n_playlists, tracks, keys):  # pragma: no cover
    """Each playlist's (track, credit) entries, in the order given (by credit, then track)."""
    ptr = np.zeros(n_playlists + 1, dtype=np.int64)
    for t in tracks:
        for j in range(indptr[t], indptr[t + 1]):
            ptr[indices[j] + 1] += 1
    for p in range(n_playlists):
        ptr[p + 1] += ptr[p]
    fill = ptr[:-1].copy()
    items = np.empty(ptr[-1], dtype=np.int32)
    item_keys = np.empty(ptr[-1], dtype=np.int32)
    for e in range(tracks.size):
        t = tracks[e]
        for j in range(indptr[t], indptr[t + 1]):
            p = indices[j]
            items[fill[p]] = t
            item_keys[fill[p]] = keys[e]
            fill[p] += 1
    return ptr, items, item_keys


@numba.njit(cache=True, parallel=True)
def _artist_rows(
    queries, indptr, indices, pl_ptr, pl_items, pl_key, artist, cptr, cids, pop, m, row_ptr,
    neighbour, out_n, out_j, out_s, out_count, n_threads,
):  # fmt: skip  # pragma: no cover - numba
    """For each query track, its ``m`` best co-occurring tracks sharing a credited artist and
    not among its stored rows (``neighbour[row_ptr[t]:row_ptr[t + 1]]``) into
    ``out_*[q * m:]``. A track sharing two credits with it counts once per playlist."""
    for chunk in numba.prange(n_threads):  # every n_threads-th query: even work
        cnt = np.zeros(pop.size, dtype=np.int32)
        seen = np.full(pop.size, -1, dtype=np.int64)  # the last (query, playlist) visit
        touched = np.empty(pop.size, dtype=np.int32)
        top_j = np.empty(m, dtype=np.float64)
        top_s = np.empty(m, dtype=np.int64)
        top_c = np.empty(m, dtype=np.int64)
        visit = 0
        for q in range(chunk, queries.size, n_threads):
            t = queries[q]
            a = artist[t]
            nt = 0
            for j in range(indptr[t], indptr[t + 1]):
                p = indices[j]
                visit += 1
                for ci in range(cptr[a], cptr[a + 1]):
                    c = cids[ci]
                    lo = lower_bound(pl_key, pl_ptr[p], pl_ptr[p + 1], c)
                    hi = lower_bound(pl_key, lo, pl_ptr[p + 1], c + 1)
                    for i in range(lo, hi):
                        u = pl_items[i]
                        if u == t or seen[u] == visit:
                            continue
                        seen[u] = visit
                        if cnt[u] == 0:
                            touched[nt] = u
                            nt += 1
                        cnt[u] += 1
            n = 0
            for i in range(nt):
                u = touched[i]
                s = cnt[u]
                cnt[u] = 0
                stored = False
                for r in range(row_ptr[t], row_ptr[t + 1]):
                    if neighbour[r] == u:
                        stored = True
                        break
                if not stored:
                    jac = s / (pop[t] + pop[u] - s)
                    n = offer(top_j, top_s, top_c, n, m, jac, s, u)
            for i in range(n):
                out_n[q * m + i] = top_c[i]
                out_j[q * m + i] = top_j[i]
                out_s[q * m + i] = top_s[i]
            out_count[q] = n


@numba.njit(cache=True, parallel=True)
def _merge_column(old, old_ptr, new_ptr, add, q_of, m, with_ranks):  # pragma: no cover
    """One column of the grown table: each track's old rows, then its artist rows
    (``add[q * m:]`` for its query ``q``; ``with_ranks``: ranks counting on instead)."""
    out = np.empty(new_ptr[-1], dtype=old.dtype)
    for t in numba.prange(old_ptr.size - 1):
        w = new_ptr[t]
        for r in range(old_ptr[t], old_ptr[t + 1]):
            out[w] = old[r]
            w += 1
        q = q_of[t]
        extra = new_ptr[t + 1] - w
        for i in range(extra):
            out[w + i] = old_ptr[t + 1] - old_ptr[t] + 1 + i if with_ranks else add[q * m + i]
    return out


def add_artist_rows(
    table: NeighbourTable,
    indptr: np.ndarray,
    indices: np.ndarray,
    n_playlists: int,
    track_artist: np.ndarray,
    *,
    m: int,
    min_playlists: int,
    credits: tuple[np.ndarray, np.ndarray] | None = None,
) -> NeighbourTable:
    """``table`` with up to ``m`` artist rows after the rows of every track in at least
    ``min_playlists`` playlists (module doc); ``m`` = 0: ``table`` itself, noted in its
    params.

    ``table``'s columns are let go one by one as the grown ones are made (so memory holds
    one column twice, not the whole table): use the returned table only. ``credits`` are
    :func:`artist_credits` of the artists' names; without them each artist id is its own
    single credit."""
    started = time.monotonic()
    n_tracks = len(indptr) - 1
    table.params["artist_extras"] = m
    if m <= 0 or n_tracks == 0:
        return table
    pop = np.diff(indptr).astype(np.int64)
    artist = np.asarray(track_artist, dtype=np.int64)
    row_ptr = np.zeros(n_tracks + 1, dtype=np.int64)
    np.cumsum(np.bincount(table.track, minlength=n_tracks), out=row_ptr[1:])
    if credits is None:  # each artist its own credit
        n_artists = int(artist.max()) + 1
        credits = (np.arange(n_artists + 1, dtype=np.int64), np.arange(n_artists, dtype=np.int32))
    cptr, cids = credits
    credited = np.diff(cptr)[artist]  # credits per track
    eligible = pop >= max(min_playlists, 1)
    queries = np.flatnonzero(eligible & (credited > 0))
    eligible = np.flatnonzero(eligible)
    counts = credited[eligible]
    e_track = np.repeat(eligible, counts)
    first = np.repeat(cptr[artist[eligible]] - (np.cumsum(counts) - counts), counts)
    e_credit = cids[first + np.arange(e_track.size)]
    order = np.lexsort((e_track, e_credit))
    pl_ptr, pl_items, pl_key = _playlists_by_credit(
        indptr, indices, n_playlists, e_track[order], e_credit[order]
    )
    del e_track, e_credit, order, first
    out_n = np.empty(queries.size * m, dtype=np.int32)
    out_j = np.empty(queries.size * m, dtype=np.float64)
    out_s = np.empty(queries.size * m, dtype=np.int32)
    count = np.zeros(queries.size, dtype=np.int64)
    _artist_rows(
        queries, indptr, indices, pl_ptr, pl_items, pl_key, artist, cptr, cids, pop, m, row_ptr,
        table.neighbour, out_n, out_j, out_s, count, numba.get_num_threads(),
    )  # fmt: skip
    del pl_ptr, pl_items, pl_key
    added = np.zeros(n_tracks, dtype=np.int64)
    added[queries] = count
    new_ptr = row_ptr.copy()
    np.cumsum(np.diff(row_ptr) + added, out=new_ptr[1:])
    q_of = np.full(n_tracks, -1, dtype=np.int64)
    q_of[queries] = np.arange(queries.size)
    grown = {}
    for name, add, ranks in (
        ("track", None, False),
        ("rank", None, True),
        ("neighbour", out_n, False),
        ("jaccard", out_j, False),
        ("shared", out_s, False),
    ):
        old = getattr(table, name)
        if name == "track":
            grown[name] = np.repeat(np.arange(n_tracks, dtype=old.dtype), np.diff(new_ptr))
        else:
            fill = add if add is not None else np.empty(0, dtype=old.dtype)
            grown[name] = _merge_column(old, row_ptr, new_ptr, fill, q_of, m, ranks)
        setattr(table, name, None)  # one column's old and new copies at a time
        del old
    stages = dict(table.stage_seconds)
    stages["songs by the same artist"] = time.monotonic() - started
    return NeighbourTable(**grown, params=table.params, stage_seconds=stages)


def with_artist_rows(
    table: NeighbourTable, corpus: Corpus, options: BuildOptions
) -> NeighbourTable:
    """``table`` with the artist rows ``options`` ask for (``options.artist_extras`` per
    track), from ``corpus``'s memberships and credits: what either engine stores last."""
    options = options.capped(corpus.n_tracks)
    return add_artist_rows(
        table,
        corpus.indptr,
        corpus.indices,
        corpus.n_playlists,
        corpus.track_artist,
        m=options.artist_extras,
        min_playlists=options.min_playlists,
        credits=artist_credits(corpus.artist_names),
    )
