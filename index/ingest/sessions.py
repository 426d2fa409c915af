"""Listening sessions: what a playlist is to a playlist dataset, a session is to listens.

A user's listens, across every input of a build, in ``listened_at`` order; a new session
starts when the gap to the previous listen is strictly greater than ``gap`` seconds (30
minutes by default). Sessions are numbered by (start time, user key), which depends only on
the listens, not on the order the files were read in. User keys never leave this module's
caller: the index stores a session's start, never its user.

At 30 million listens a global sort of (user, time) pairs would hold several copies of the
listens at once; instead listens are bucketed by user (a counting sort) and each user's
few are sorted by time, in one numba pass that allocates little beyond its output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.jit import numba

DEFAULT_GAP = 1800


@dataclass
class Sessions:
    """The session of each listen, and each session's start (unix seconds)."""

    of_listen: np.ndarray  # int32 per listen, 0-based session id
    start: np.ndarray  # int64 per session


def sessionize(
    user: np.ndarray, ts: np.ndarray, gap: int = DEFAULT_GAP, user_rank: np.ndarray | None = None
) -> Sessions:
    """Cut each user's listens into sessions (module doc).

    ``user`` is an int id (0..n_users-1) per listen, ``ts`` its unix time; ``user_rank``
    orders users for sessions that start in the same second (default: by id).
    """
    if len(user) == 0:
        return Sessions(np.zeros(0, np.int32), np.zeros(0, np.int64))
    n_users = int(user.max()) + 1
    local, starts, users = _cut(
        np.ascontiguousarray(user, dtype=np.int32),
        np.ascontiguousarray(ts, dtype=np.int64),
        n_users,
        int(gap),
    )
    ranks = users if user_rank is None else user_rank[users]
    renumber = np.empty(len(starts), dtype=np.int32)
    renumber[np.lexsort((ranks, starts))] = np.arange(len(starts), dtype=np.int32)
    _renumber_in_place(local, renumber)
    start = np.empty(len(starts), dtype=np.int64)
    start[renumber] = starts
    return Sessions(of_listen=local, start=start)


@numba.njit(cache=True, nogil=True)
def _cut(user, ts, n_users, gap):  # pragma: no cover - numba
    """Per listen its session (numbered by user, then time); per session start and user."""
    n = len(user)
    bounds = np.zeros(n_users + 1, np.int64)
    for i in range(n):
        bounds[user[i] + 1] += 1
    for u in range(n_users):
        bounds[u + 1] += bounds[u]
    order = np.empty(n, np.int32)
    fill = bounds[:-1].copy()
    for i in range(n):
        u = user[i]
        order[fill[u]] = i
        fill[u] += 1
    session = np.empty(n, np.int32)
    starts = np.empty(n, np.int64)  # only the first n_sessions are written (and paged in)
    users = np.empty(n, np.int64)
    s = -1
    for u in range(n_users):
        a, b = bounds[u], bounds[u + 1]
        if a == b:
            continue
        seg = order[a:b]
        t = ts[seg]
        by_time = np.argsort(t, kind="mergesort")
        prev = t[by_time[0]]
        for j in range(b - a):
            k = by_time[j]
            tj = t[k]
            if j == 0 or tj - prev > gap:
                s += 1
                starts[s] = tj
                users[s] = u
            session[seg[k]] = s
            prev = tj
    return session, starts[: s + 1].copy(), users[: s + 1].copy()


@numba.njit(cache=True, nogil=True)
def _renumber_in_place(local, renumber):  # pragma: no cover - numba
    for i in range(len(local)):
        local[i] = renumber[local[i]]
