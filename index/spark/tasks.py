"""Per-partition work of the Spark neighbour stages: numba kernels run inside Spark tasks.

Row-at-a-time joins are what made the first Spark engine slow (every candidate pair
carried both playlist arrays through a join). Here Spark only moves and groups data; each
task then scores a *group* of queries in one call to the local engine's own kernels, as
``mapInArrow`` functions (Arrow in, Arrow out, no per-row pickling):

* :func:`exact_scan_task`: a group of cheap queries with the member lists of every
  playlist they touch is a small co-occurrence index, handed to
  ``index.build.exact.run_exact_queries`` (same walk, same skip of the longest playlist).
* :func:`bucket_window_task`: LSH buckets (rows sorted by band, value, size, class); each
  query takes the ``bucket_cap`` members nearest to it in size, one row per (query, band).
* :func:`top_candidates_task`: per query, the ``rerank`` classes that share most bands.
* :func:`rerank_task`: a group of LSH queries with the playlist sets of their candidates;
  exact shared counts by ``index.build.jaccard.shared_counts``, top ``k`` per query.

Both scoring tasks also return each query's ``m`` **extra** classes (``extra`` true): the
best others by shared playlists that are not in its top ``k``, as the local kernels keep
them (:mod:`index.build.extras`), for the rows stored after the top ``k``.

Each task sets numba to one thread: Spark already runs one task per core.
"""

from __future__ import annotations

from collections.abc import Iterator

import numba
import numpy as np
import pyarrow as pa

from index.build.jaccard import shared_counts
from index.build.topk import SetClasses

TOP_SCHEMA = "cls INT, cand INT, jaccard DOUBLE, shared INT, extra BOOLEAN"


def _one_thread() -> None:
    numba.set_num_threads(1)


def _table(batches: Iterator[pa.RecordBatch]) -> pa.Table | None:
    """All batches of this task as one table (None when the partition is empty)."""
    got = [b for b in batches if b.num_rows]
    return pa.Table.from_batches(got).combine_chunks() if got else None


def _lists(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets from 0, flat int64 values) of a list column, honouring slices."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    offsets = arr.offsets.to_numpy().astype(np.int64)
    return offsets - offsets[0], arr.flatten().to_numpy().astype(np.int64)


def _int(column) -> np.ndarray:
    return column.to_numpy().astype(np.int64)


def _group_rows(batches: Iterator[pa.RecordBatch]):
    """A grouped task's rows as arrays: ``(kind, id, a lists, b lists, query rows)``, or
    None when the partition holds no query (``kind`` 0 = query, 1 = its context)."""
    _one_thread()
    t = _table(batches)
    if t is None:
        return None
    kind = _int(t.column("kind"))
    qrows = np.flatnonzero(kind == 0)
    if qrows.size == 0:
        return None
    return kind, _int(t.column("id")), _lists(t.column("a")), _lists(t.column("b")), qrows


def _top_batch(cls, cand, jac, shared, extra) -> pa.RecordBatch:
    return pa.record_batch(
        {
            "cls": pa.array(np.asarray(cls, dtype=np.int32)),
            "cand": pa.array(np.asarray(cand, dtype=np.int32)),
            "jaccard": pa.array(np.asarray(jac, dtype=np.float64)),
            "shared": pa.array(np.asarray(shared, dtype=np.int32)),
            "extra": pa.array(np.asarray(extra, dtype=np.bool_)),
        }
    )


def exact_scan_task(batches, k: int, min_shared: int, m: int = 0):
    """Top-``k`` classes of each query row, exactly, from the playlist rows beside it, then
    its ``m`` extra classes.

    Rows: ``kind`` 0 = a query (``id`` = class, ``a`` = its playlists); ``kind`` 1 = a
    playlist (``id``, ``a`` = its classes ascending, ``b`` = their set sizes). Local ids
    keep the global order, so ties break by class id as in the local engine.
    """
    from index.build.exact import run_exact_queries

    got = _group_rows(batches)
    if got is None:
        return
    kind, ids, (a_ptr, a_val), (b_ptr, b_val), qrows = got
    prow_all = np.flatnonzero(kind == 1)
    # A playlist may arrive twice when two query groups hash to one partition.
    _, first = np.unique(ids[prow_all], return_index=True)
    prows = prow_all[np.sort(first)]
    pl_ids = ids[prows]
    order = np.argsort(pl_ids)
    pl_sorted = pl_ids[order]

    pl_len = a_ptr[prows + 1] - a_ptr[prows]
    take = np.concatenate([np.arange(a_ptr[r], a_ptr[r + 1]) for r in prows])
    members = a_val[take]
    sizes = b_val[np.concatenate([np.arange(b_ptr[r], b_ptr[r + 1]) for r in prows])]
    cls_ids = np.unique(members)
    size = np.zeros(cls_ids.size, dtype=np.int64)
    size[np.searchsorted(cls_ids, members)] = sizes
    pl_indptr = np.zeros(prows.size + 1, dtype=np.int64)
    np.cumsum(pl_len, out=pl_indptr[1:])
    pl_classes = np.searchsorted(cls_ids, members).astype(np.int32)

    q_cls = ids[qrows]
    q_local = np.searchsorted(cls_ids, q_cls)
    q_len = a_ptr[qrows + 1] - a_ptr[qrows]
    counts = np.zeros(cls_ids.size, dtype=np.int64)
    counts[q_local] = q_len
    rep_indptr = np.zeros(cls_ids.size + 1, dtype=np.int64)
    np.cumsum(counts, out=rep_indptr[1:])
    rep_indices = np.empty(int(rep_indptr[-1]), dtype=np.int32)
    for row, c in zip(qrows, q_local, strict=True):
        pls = a_val[a_ptr[row] : a_ptr[row + 1]]
        rep_indices[rep_indptr[c] : rep_indptr[c + 1]] = order[np.searchsorted(pl_sorted, pls)]
    classes = SetClasses(
        class_of=np.empty(0, dtype=np.int32),
        member_ptr=np.zeros(1, dtype=np.int64),
        members=np.empty(0, dtype=np.int32),
        size=size,
        rep_indptr=rep_indptr,
        rep_indices=rep_indices,
        pl_indptr=pl_indptr,
        pl_classes=pl_classes,
    )
    top_c, top_s, top_n, ex_c, ex_s, ex_n = run_exact_queries(
        classes, q_local.astype(np.int64), k, min_shared, False, extras=m
    )
    n = np.concatenate([top_n, ex_n])  # every query's top list, then its extras (none at m 0)
    qi = np.repeat(np.tile(np.arange(q_cls.size), 2), n)
    cand = np.concatenate([_first(top_c, top_n), _first(ex_c, ex_n)]).astype(np.int64)
    shared = np.concatenate([_first(top_s, top_n), _first(ex_s, ex_n)]).astype(np.int64)
    jac = shared / (size[q_local[qi]] + size[cand] - shared)
    yield _top_batch(q_cls[qi], cls_ids[cand], jac, shared, np.arange(qi.size) >= top_n.sum())


def _first(lists: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The first ``n[q]`` entries of each row ``q`` of ``lists``, row after row."""
    return lists[np.arange(lists.shape[1])[None, :] < n[:, None]]


@numba.njit(cache=True, nogil=True)
def _windows(value, query, starts, cap, count_only, out_ptr, out_q, out_c):  # pragma: no cover
    """Per bucket ``[starts[i], starts[i+1])``, each query's ``cap`` nearest members.

    Members are in (size, class) order; a bucket of at most ``cap + 1`` pairs whole.
    Pass 1 (``count_only``) returns the rows and values to allocate; pass 2 fills them.
    """
    n_rows = 0
    n_vals = 0
    for i in range(starts.size - 1):
        s, e = starts[i], starts[i + 1]
        n = e - s
        if n < 2:
            continue
        for pos in range(n):
            if not query[s + pos]:
                continue
            lo0 = max(0, pos - cap // 2)
            hi = min(n, lo0 + cap + 1)
            lo = max(0, hi - cap - 1)
            if not count_only:
                out_q[n_rows] = s + pos
                out_ptr[n_rows] = n_vals
                m = n_vals
                for x in range(lo, hi):
                    if x != pos:
                        out_c[m] = value[s + x]
                        m += 1
            n_rows += 1
            n_vals += hi - lo - 1
    if not count_only:
        out_ptr[n_rows] = n_vals
    return n_rows, n_vals


def _leading(q_of: np.ndarray, n: int) -> np.ndarray:
    """Which rows are among the first ``n`` of their query (rows sorted by query)."""
    starts = _group_starts(q_of)
    return np.arange(q_of.size) - np.repeat(starts[:-1], np.diff(starts)) < n


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Start of each run of equal keys (rows sorted by them), plus the end."""
    n = keys[0].size
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.append(np.flatnonzero(change), n).astype(np.int64)


def _whole_groups(batches, keys: tuple[str, ...]):
    """Tables of complete key groups from batches sorted by ``keys`` (a group may span
    batches: its rows are held back until the next key starts)."""
    carry: pa.Table | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        t = pa.Table.from_batches([batch])
        t = pa.concat_tables([carry, t]).combine_chunks() if carry is not None else t
        cols = [_int(t.column(k)) for k in keys]
        starts = _group_starts(*cols)
        last = int(starts[-2])
        if last > 0:
            yield t.slice(0, last)
        carry = t.slice(last)
    if carry is not None and carry.num_rows:
        yield carry.combine_chunks()


def bucket_window_task(batches, cap: int):
    """(query class, candidate classes) rows, one per (query, band) whose bucket it shares.

    Input: rows ``(band, value, cls, size, query)`` of list columns (one row per band and
    signature batch, see ``neighbours.band_lists``) sorted by ``band``. A band's rows are
    joined, sorted by (value, size, cls) here, and walked bucket by bucket.
    """
    _one_thread()
    for t in _whole_groups(batches, ("band",)):
        _, value = _lists(t.column("value"))
        _, cls = _lists(t.column("cls"))
        _, size = _lists(t.column("size"))
        q_arr = t.column("query").combine_chunks().flatten()
        query = q_arr.to_numpy(zero_copy_only=False).astype(np.bool_)
        band_of = np.repeat(_int(t.column("band")), np.diff(_lists(t.column("cls"))[0]))
        order = np.lexsort((cls, size, value, band_of))
        value, cls, query, band_of = value[order], cls[order], query[order], band_of[order]
        starts = _group_starts(band_of, value)
        empty_i = np.empty(0, dtype=np.int64)
        n_rows, n_vals = _windows(cls, query, starts, cap, True, empty_i, empty_i, empty_i)
        if n_rows == 0:
            continue
        ptr = np.empty(n_rows + 1, dtype=np.int64)
        qpos = np.empty(n_rows, dtype=np.int64)
        vals = np.empty(n_vals, dtype=np.int64)
        _windows(cls, query, starts, cap, False, ptr, qpos, vals)
        cands = pa.ListArray.from_arrays(
            pa.array(ptr.astype(np.int32)), pa.array(vals.astype(np.int32))
        )
        yield pa.record_batch({"cls": pa.array(cls[qpos].astype(np.int32)), "cands": cands})


def top_candidates_task(batches, rerank: int):
    """Per query class, the ``rerank`` candidates sharing most bands (ties: smaller class).

    Input rows ``(cls, cands)`` sorted by ``cls``; out ``(cls, cands)``, one row per query.
    """
    for t in _whole_groups(batches, ("cls",)):
        cls = _int(t.column("cls"))
        ptr, vals = _lists(t.column("cands"))
        starts = _group_starts(cls)
        out_q, out_c, out_n = [], [], []
        for s, e in zip(starts[:-1], starts[1:], strict=True):
            got, n = np.unique(vals[ptr[s] : ptr[e]], return_counts=True)
            best = got[np.lexsort((got, -n))[:rerank]]
            out_q.append(cls[s])
            out_c.append(best)
            out_n.append(best.size)
        offsets = np.zeros(len(out_n) + 1, dtype=np.int32)
        np.cumsum(out_n, out=offsets[1:])
        yield pa.record_batch(
            {
                "cls": pa.array(np.asarray(out_q, dtype=np.int32)),
                "cands": pa.ListArray.from_arrays(
                    pa.array(offsets), pa.array(np.concatenate(out_c).astype(np.int32))
                ),
            }
        )


def rerank_task(batches, k: int, min_shared: int, m: int = 0):
    """Top-``k`` of each query's candidates by exact Jaccard, then its ``m`` extras: the
    best of the others by (shared desc, Jaccard desc, class asc).

    Rows: ``kind`` 0 = a query (``id`` = class, ``a`` = its playlists, ``b`` = its
    candidates); ``kind`` 1 = a candidate (``id`` = class, ``a`` = its playlists).
    """
    got = _group_rows(batches)
    if got is None:
        return
    kind, ids, (a_ptr, a_val), (b_ptr, b_val), qrows = got
    # One CSR of every set seen (queries and candidates), each class once, sorted by id.
    _, first = np.unique(ids, return_index=True)
    rows = np.sort(first)
    row_ids = ids[rows]
    order = np.argsort(row_ids)
    lens = a_ptr[rows + 1] - a_ptr[rows]
    indptr = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    indices = np.concatenate([a_val[a_ptr[r] : a_ptr[r + 1]] for r in rows]).astype(np.int32)
    sorted_ids = row_ids[order]

    def local(x: np.ndarray) -> np.ndarray:
        return order[np.searchsorted(sorted_ids, x)]

    n_c = b_ptr[qrows + 1] - b_ptr[qrows]
    qa = np.repeat(local(ids[qrows]), n_c)
    cand_ids = np.concatenate([b_val[b_ptr[r] : b_ptr[r + 1]] for r in qrows])
    qb = local(cand_ids)
    shared = shared_counts(indptr, indices, qa, qb).astype(np.int64)
    jac = shared / (lens[qa] + lens[qb] - shared)
    ok = shared >= min_shared
    q_of = np.repeat(ids[qrows], n_c)[ok]
    jac, shared, cand_ids = jac[ok], shared[ok], cand_ids[ok]
    # Sort by (query, J desc, shared desc, cand asc), keep the first k of each query.
    sort = np.lexsort((cand_ids, -shared, -jac, q_of))
    q_of, jac, shared, cand_ids = q_of[sort], jac[sort], shared[sort], cand_ids[sort]
    top = _leading(q_of, k)
    yield _top_batch(q_of[top], cand_ids[top], jac[top], shared[top], np.zeros(top.sum(), bool))
    rest = np.flatnonzero(~top)
    if m <= 0 or rest.size == 0:
        return
    q_of, jac, shared, cand_ids = q_of[rest], jac[rest], shared[rest], cand_ids[rest]
    sort = np.lexsort((cand_ids, -jac, -shared, q_of))
    q_of, jac, shared, cand_ids = q_of[sort], jac[sort], shared[sort], cand_ids[sort]
    keep = _leading(q_of, m)
    yield _top_batch(q_of[keep], cand_ids[keep], jac[keep], shared[keep], np.ones(keep.sum(), bool))
