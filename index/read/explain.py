"""Why two songs are related: the playlists they share, and a few of those playlists' names.

The stored neighbour row gives the exact count and Jaccard when the pair was kept; stored
memberships (when the build kept them) give the example names, and the count for a pair
that was not kept as neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.model import PlaylistRef, Why
from index.read.tables import IndexFile


def why(idx: IndexFile, track_id: int, neighbour_id: int) -> Why:
    """Shared playlists of two songs, from the neighbour table and (if stored) memberships."""
    a, b = idx.track(track_id), idx.track(neighbour_id)
    stored = idx.query(
        "SELECT jaccard, shared FROM neighbours WHERE track_id = ? AND neighbour_id = ? "
        "UNION ALL SELECT jaccard, shared FROM neighbours WHERE track_id = ? AND neighbour_id = ? "
        "LIMIT 1",
        (a.track_id, b.track_id, b.track_id, a.track_id),
    )
    examples: list[PlaylistRef] = []
    shared: int | None = None
    if idx.stats.has_memberships:
        shared = int(
            idx.query(
                "SELECT count(*) FROM memberships m1 JOIN memberships m2 "
                "ON m2.track_id = ? AND m2.playlist_id = m1.playlist_id WHERE m1.track_id = ?",
                (b.track_id, a.track_id),
            )[0][0]
        )
        shared_ids = [
            p
            for (p,) in idx.query(
                "SELECT m1.playlist_id FROM memberships m1 JOIN memberships m2 "
                "ON m2.track_id = ? AND m2.playlist_id = m1.playlist_id "
                "WHERE m1.track_id = ? LIMIT 200",
                (b.track_id, a.track_id),
            )
        ]
        refs = idx.playlist_refs(shared_ids)
        examples = _examples(refs[p] for p in shared_ids if p in refs)
    if stored:
        jaccard, stored_shared = stored[0]
        return Why(a, b, int(stored_shared), float(jaccard), examples, stored=True)
    if shared is None:
        shared = 0
    union = a.playlists + b.playlists - shared
    return Why(a, b, shared, shared / union if union else 0.0, examples, stored=False)


def _examples(refs: Iterable[PlaylistRef], limit: int = 5) -> list[PlaylistRef]:
    """Up to ``limit`` distinct playlists with a name or a day (names case-insensitively
    distinct, sessions by day)."""
    out: list[PlaylistRef] = []
    seen: set[tuple[str, object]] = set()
    for ref in refs:
        key = (ref.name.casefold(), ref.day)
        if (ref.name or ref.day) and key not in seen:
            seen.add(key)
            out.append(ref)
            if len(out) == limit:
                break
    return out
