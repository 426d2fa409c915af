"""Listening sessions: what a playlist is to a playlist dataset, a session is to listens.

A user's listens, across every input of a build, in ``listened_at`` order; a new session
starts when the gap to the previous listen is strictly greater than ``gap`` seconds (30
minutes by default). Sessions are numbered by (start time, user key), which depends only on
the listens, not on the order the files were read in. User keys never leave this module's
caller: the index stores a session's start, never its user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

    ``user`` is an int id per listen, ``ts`` its unix time; ``user_rank`` orders users for
    sessions that start in the same second (default: by id).
    """
    n = len(user)
    if n == 0:
        return Sessions(np.zeros(0, np.int32), np.zeros(0, np.int64))
    user = user.astype(np.int64)
    ts = ts.astype(np.int64)
    lo, hi = int(ts.min()), int(ts.max())
    if hi - lo < (1 << 31) and int(user.max()) < (1 << 31):
        order = np.argsort(user << 32 | (ts - lo), kind="stable")
    else:
        order = np.lexsort((ts, user))
    u, t = user[order], ts[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (u[1:] != u[:-1]) | (t[1:] - t[:-1] > gap)
    local = np.cumsum(new) - 1  # session per sorted listen, in (user, start) order
    starts = t[new]
    users = u[new]
    ranks = users if user_rank is None else user_rank[users]
    renumber = np.empty(len(starts), dtype=np.int64)
    renumber[np.lexsort((ranks, starts))] = np.arange(len(starts))
    of_listen = np.empty(n, dtype=np.int32)
    of_listen[order] = renumber[local]
    start = np.empty(len(starts), dtype=np.int64)
    start[renumber] = starts
    return Sessions(of_listen=of_listen, start=start)
