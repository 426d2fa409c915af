"""A query's LSH candidates and their exact re-rank: steps 5 and 6 of :mod:`index.build.lsh`.

A query counts, over all bands, how often each class shares its bucket (buckets from
:mod:`index.build.lsh_bands`). Buckets larger than ``bucket_cap`` (a playlist's many rare
tracks) are capped to the ``bucket_cap`` members closest to the query in set size, because
J(a, b) ≤ min(|a|, |b|) / max(|a|, |b|): far-off sizes cannot be near neighbours. The
``rerank`` classes with most shared bands are then scored exactly from the playlist sets;
the best ``k`` are kept (Jaccard desc, shared desc, id asc).
"""

from __future__ import annotations

import time

import numpy as np

from index.build.extras import drop_top, offer_shared
from index.build.jaccard import count_marked
from index.build.lsh_bands import Buckets
from index.build.topk import SetClasses, lower_bound, offer
from index.jit import numba
from index.progress import progress as progress_display

BATCHES = 40  # progress updates per run; each batch is one parallel kernel call


@numba.njit(cache=True, nogil=True)
def lsh_query(
    q_item,
    q_argmins,
    k,
    min_shared,
    cap,
    rerank,
    ptr,
    members,
    item_class,
    rep_indptr,
    rep_indices,
    size,
    cnt,
    touched,
    mark,
    hist,
    top_j,
    top_s,
    top_c,
    m,
    ex_j,
    ex_s,
    ex_c,
):
    # pragma: no cover - numba
    """Top-``k`` classes for one query item from its buckets, and with ``m`` > 0 the ``m``
    candidates sharing most playlists that are not among them (:mod:`index.build.extras`);
    returns how many of each."""
    n_bands = q_argmins.size
    nt = 0
    for b in range(n_bands):
        p = q_argmins[b]
        lo = ptr[b, p]
        hi = ptr[b, p + 1]
        if hi - lo > cap:
            # Cap by set size: the cap members nearest the query in popularity order.
            pos = lower_bound(members[b], lo, hi, q_item)
            wlo = max(lo, pos - cap // 2)
            whi = min(hi, wlo + cap)
            lo = max(lo, whi - cap)
            hi = whi
        for x in range(lo, hi):
            u = members[b, x]
            touched[nt] = u
            nt += cnt[u] == 0
            cnt[u] += 1
    # Keep the ``rerank`` candidates sharing most bands, ordered by that count (counting
    # sort), so the best ones are scored first and the size bound below prunes the rest.
    hist[:] = 0
    for i in range(nt):
        u = touched[i]
        if u != q_item:
            hist[cnt[u]] += 1
    n_bands1 = n_bands + 1
    start = np.empty(n_bands1 + 1, dtype=np.int64)
    taken = 0
    start[n_bands1] = 0
    for bc in range(n_bands, 0, -1):
        start[bc] = taken
        take = min(hist[bc], rerank - taken)
        hist[bc] = take  # how many of this count may still be taken
        taken += take
    order = np.empty(taken, dtype=np.int64)
    for i in range(nt):
        u = touched[i]
        bc = cnt[u]
        cnt[u] = 0
        if u == q_item or hist[bc] == 0:
            continue
        hist[bc] -= 1
        order[start[bc]] = u
        start[bc] += 1

    c = item_class[q_item]
    size_c = size[c]
    for j in range(rep_indptr[c], rep_indptr[c + 1]):
        mark[rep_indices[j]] = True
    n = 0
    n_ex = 0
    for i in range(taken):
        uc = item_class[order[i]]
        size_u = size[uc]
        # J <= min/max of the set sizes: skip a candidate that cannot enter the top k
        # (nor the extras: shared <= the smaller set).
        out_of_top = n == k and min(size_c, size_u) / max(size_c, size_u) < top_j[k - 1]
        if out_of_top and (m == 0 or (n_ex == k + m and min(size_c, size_u) < ex_s[k + m - 1])):
            continue
        s = count_marked(rep_indptr, rep_indices, uc, mark)
        if s < min_shared:
            continue
        jac = s / (size_c + size_u - s)
        n = offer(top_j, top_s, top_c, n, k, jac, s, uc)
        if m > 0:
            n_ex = offer_shared(ex_j, ex_s, ex_c, n_ex, k + m, jac, s, uc)
    for j in range(rep_indptr[c], rep_indptr[c + 1]):
        mark[rep_indices[j]] = False
    if m > 0:
        n_ex = drop_top(ex_j, ex_s, ex_c, n_ex, top_c, n, m)
    return n, n_ex


@numba.njit(cache=True, parallel=True)
def _lsh_batch(
    q_items,
    q_argmins,
    q_lo,
    q_hi,
    k,
    min_shared,
    cap,
    rerank,
    ptr,
    members,
    item_class,
    rep_indptr,
    rep_indices,
    size,
    scratch_cnt,
    scratch_touched,
    scratch_mark,
    out_c,
    out_s,
    out_n,
    m,
    out_ec,
    out_es,
    out_en,
):  # pragma: no cover - numba
    n_chunks = 64 * scratch_cnt.shape[0]
    for chunk in numba.prange(n_chunks):
        tid = numba.get_thread_id()
        cnt = scratch_cnt[tid]
        touched = scratch_touched[tid]
        mark = scratch_mark[tid]
        hist = np.zeros(q_argmins.shape[1] + 1, dtype=np.int64)
        top_j = np.empty(k, dtype=np.float64)
        top_s = np.empty(k, dtype=np.int64)
        top_c = np.empty(k, dtype=np.int64)
        ex_j = np.empty(k + m, dtype=np.float64)
        ex_s = np.empty(k + m, dtype=np.int64)
        ex_c = np.empty(k + m, dtype=np.int64)
        for q in range(q_lo + chunk, q_hi, n_chunks):
            n, n_ex = lsh_query(
                q_items[q],
                q_argmins[q],
                k,
                min_shared,
                cap,
                rerank,
                ptr,
                members,
                item_class,
                rep_indptr,
                rep_indices,
                size,
                cnt,
                touched,
                mark,
                hist,
                top_j,
                top_s,
                top_c,
                m,
                ex_j,
                ex_s,
                ex_c,
            )
            out_n[q] = n
            for i in range(n):
                out_c[q, i] = top_c[i]
                out_s[q, i] = top_s[i]
            out_en[q] = n_ex
            for i in range(n_ex):
                out_ec[q, i] = ex_c[i]
                out_es[q, i] = ex_s[i]


def rerank_candidates(
    classes: SetClasses,
    buckets: Buckets,
    *,
    k: int,
    min_shared: int,
    cap: int,
    rerank: int,
    progress: bool,
    stages: dict[str, float],
    extras: int = 0,
) -> tuple[np.ndarray, ...]:
    """Top ``k`` (classes, shared, count) of every LSH query in ``buckets``, then its
    ``extras`` (classes, shared, count) (:mod:`index.build.extras`).

    Times ``candidates + re-rank`` into ``stages``.
    """
    t = time.perf_counter()
    n = classes.n_classes
    num_perm = buckets.ptr.shape[0]
    n_q = buckets.q_items.size
    top_c = np.zeros((n_q, k), dtype=np.int32)
    top_s = np.zeros((n_q, k), dtype=np.int32)
    top_n = np.zeros(n_q, dtype=np.int32)
    m = int(extras)
    ex_c = np.zeros((n_q, m), dtype=np.int32)
    ex_s = np.zeros((n_q, m), dtype=np.int32)
    ex_n = np.zeros(n_q, dtype=np.int32)
    n_threads = numba.get_num_threads()
    cnt_type = np.uint16 if num_perm < 65535 else np.int32
    cnt = np.zeros((n_threads, n), dtype=cnt_type)
    # A walk visits at most ``cap`` members per band, so this bounds the distinct ones.
    touched = np.empty((n_threads, min(n, num_perm * max(cap, 1)) + 1), dtype=np.int32)
    mark = np.zeros((n_threads, buckets.n_playlists), dtype=np.bool_)
    bounds = np.linspace(0, n_q, min(BATCHES, -(-n_q // 5000)) + 1).astype(np.int64)
    with progress_display(
        n_q, "LSH candidates + exact re-rank", unit="track", enabled=progress
    ) as bar:
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            _lsh_batch(
                buckets.q_items,
                buckets.q_argmins,
                lo,
                hi,
                k,
                min_shared,
                cap,
                rerank,
                buckets.ptr,
                buckets.members,
                buckets.item_class,
                classes.rep_indptr,
                classes.rep_indices,
                classes.size,
                cnt,
                touched,
                mark,
                top_c,
                top_s,
                top_n,
                m,
                ex_c,
                ex_s,
                ex_n,
            )
            bar.update(int(hi - lo))
    stages["candidates + re-rank"] = time.perf_counter() - t
    return top_c, top_s, top_n, ex_c, ex_s, ex_n
