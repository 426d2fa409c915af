"""Sessions cut by the numba pass agree with the rule written out in plain Python."""

from __future__ import annotations

import numpy as np
import pytest

from index.ingest.sessions import sessionize


def reference(
    user: list[int], ts: list[int], gap: int, rank: list[int]
) -> tuple[list[int], list[int]]:
    """The rule as the issue states it: per user, by time; a gap > ``gap`` starts a session;
    sessions numbered by (start, user rank)."""
    by_user: dict[int, list[int]] = {}
    for i, u in enumerate(user):
        by_user.setdefault(u, []).append(i)
    sessions = []  # (start, rank, [listen ids])
    for u, ids in by_user.items():
        ids.sort(key=lambda i: ts[i])
        current = [ids[0]]
        for prev, i in zip(ids, ids[1:], strict=False):
            if ts[i] - ts[prev] > gap:
                sessions.append((ts[current[0]], rank[u], current))
                current = []
            current.append(i)
        sessions.append((ts[current[0]], rank[u], current))
    sessions.sort(key=lambda s: (s[0], s[1]))
    of = [0] * len(user)
    for k, (_, _, ids) in enumerate(sessions):
        for i in ids:
            of[i] = k
    return of, [s[0] for s in sessions]


@pytest.mark.parametrize("seed", range(6))
def test_sessions_match_the_rule_on_random_listens(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, users, gap = int(rng.integers(1, 3000)), int(rng.integers(1, 40)), 1800
    user = rng.integers(0, users, n).astype(np.int32)
    # Times on a coarse grid so exact-gap and equal-time cases happen often.
    ts = (1_700_000_000 + rng.integers(0, 400, n) * 600 + rng.choice([0, 1], n)).astype(np.int64)
    rank = rng.permutation(users)
    got = sessionize(user, ts, gap, rank)
    want_of, want_start = reference(user.tolist(), ts.tolist(), gap, rank.tolist())
    assert got.start.tolist() == want_start
    assert got.of_listen.tolist() == want_of
