"""Array helpers the :class:`~index.ingest.rows.CorpusBuilder` assembles a Corpus with.

Kept apart from the builder so the identity and session rules (:mod:`.identity`,
:mod:`.sessions`) can use the same "most frequent, ties to the first seen" choice.
"""

from __future__ import annotations

from array import array

import numpy as np


def most_frequent(
    group: np.ndarray, choice: np.ndarray, weight: np.ndarray, n_groups: int
) -> np.ndarray:
    """For each group, the choice with the largest total weight; ties go to the first seen.

    ``group``/``choice``/``weight`` are parallel, in first-seen order. Groups with no
    entry get -1.
    """
    out = np.full(n_groups, -1, dtype=np.int64)
    if len(group) == 0:
        return out
    width = int(choice.max()) + 1
    key = group.astype(np.int64) * width + choice
    order = np.argsort(key, kind="stable")  # stable: equal keys stay in first-seen order
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    uniq = key[starts]
    first = order[starts]
    total = np.add.reduceat(weight[order], starts)
    g = uniq // width
    best = np.lexsort((first, -total, g))  # by group, then heaviest, then first seen
    g_sorted = g[best]
    head = np.ones(len(best), dtype=bool)
    head[1:] = g_sorted[1:] != g_sorted[:-1]
    out[g_sorted[head]] = (uniq % width)[best][head]
    return out


def intern(table: dict[str, int], s: str) -> int:
    """Id of ``s`` in ``table`` (added at the end when new)."""
    i = table.get(s)
    if i is None:
        i = table[s] = len(table)
    return i


NAME_SEP = "\x00"


def pack(names: list[str]) -> tuple[str, int] | list[str]:
    """Names joined into one string (or kept as they are if one holds the separator)."""
    blob = NAME_SEP.join(names)
    if blob.count(NAME_SEP) != max(len(names) - 1, 0):
        return list(names)
    return blob, len(names)


def unpack(packed: tuple[str, int] | list[str]) -> list[str]:
    if isinstance(packed, list):
        return packed
    blob, n = packed
    return blob.split(NAME_SEP) if n else []


def pack_values(values: list[str | None]) -> tuple[tuple[str, int] | list[str], np.ndarray]:
    """Each distinct value packed once, with every position's code (-1: None).

    Unpacked, a list that repeats a few values (every session's stored name, tracks
    without an MBID or a link) holds one object per distinct value, not one per position.
    """
    ids: dict[str, int] = {}
    codes = np.fromiter(
        (-1 if v is None else ids.setdefault(v, len(ids)) for v in values),
        dtype=np.int32,
        count=len(values),
    )
    return pack(list(ids)), codes


def unpack_values(packed: tuple[tuple[str, int] | list[str], np.ndarray]) -> list[str | None]:
    distinct, codes = packed
    table: list[str | None] = [*unpack(distinct), None]  # code -1 is the None at the end
    return list(map(table.__getitem__, codes.tolist()))


def as_array(a: array | bytes, dtype: type = np.int32) -> np.ndarray:
    """A (possibly empty) stdlib array, or its bytes, as a numpy view."""
    return np.frombuffer(a, dtype=dtype) if len(a) else np.zeros(0, dtype=dtype)


def first_of_each(owner: np.ndarray, value_ids: np.ndarray, n_owners: int) -> np.ndarray:
    """Most frequent value per owner from (owner, value) pairs, one row each (-1: none)."""
    keep = owner >= 0
    return most_frequent(owner[keep], value_ids[keep], np.ones(int(keep.sum()), np.int64), n_owners)


def display_titles(
    raw_titles: list[str],
    raw_track: np.ndarray,
    raw_rows: np.ndarray,
    used_raw: np.ndarray,
    n_tracks: int,
) -> list[str]:
    """Each track's most frequent stripped title (ties: first seen).

    Most tracks have one raw spelling and take it directly; only tracks written
    several ways are counted in Python.
    """
    titles = np.empty(len(raw_titles), dtype=object)
    titles[:] = raw_titles
    tracks = raw_track[used_raw]
    spellings = np.bincount(tracks, minlength=n_tracks)
    out = np.empty(n_tracks, dtype=object)
    single = spellings[tracks] == 1
    out[tracks[single]] = titles[used_raw[single]]
    multi = used_raw[~single]  # ascending raw id = first-seen order
    best: dict[int, dict[str, int]] = {}
    for r, t, n in zip(
        multi.tolist(), raw_track[multi].tolist(), raw_rows[multi].tolist(), strict=True
    ):
        counts = best.setdefault(t, {})
        counts[titles[r]] = counts.get(titles[r], 0) + n
    for t, counts in best.items():
        out[t] = max(counts, key=counts.__getitem__)  # max keeps the first of equals
    return out.tolist()


def per_track(
    raw: array, val: array, values: list[str], raw_track: np.ndarray, n_tracks: int
) -> list[str | None]:
    """Each track's most frequent value among (raw spelling, value) pairs (None: none)."""
    return _named(_choose(raw, val, raw_track, n_tracks)[2], values, n_tracks)


def per_track_and_others(
    raw: array, val: array, values: list[str], raw_track: np.ndarray, n_tracks: int
) -> tuple[list[str | None], list[tuple[int, str]]]:
    """:func:`per_track`, and ``(track, value)`` for every other value, under the track of
    its first row: a song's other Spotify URIs (an album's and a single's release of it)."""
    owner, vals, chosen = _choose(raw, val, raw_track, n_tracks)
    if not len(owner):
        return _named(chosen, values, n_tracks), []
    first = np.full(len(values), -1, dtype=np.int64)
    first[vals[::-1]] = owner[::-1]  # reversed, so a value's first row is written last
    others = np.flatnonzero(first >= 0)
    others = others[chosen[first[others]] != others]
    owners = first[others].tolist()
    pairs = [(t, values[u]) for t, u in zip(owners, others.tolist(), strict=True)]
    return _named(chosen, values, n_tracks), pairs


def _choose(
    raw: array, val: array, raw_track: np.ndarray, n_tracks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row its track and value id, and each track's most frequent value id (-1: none)."""
    if not len(raw):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.full(n_tracks, -1, dtype=np.int64)
    owner, vals = raw_track[as_array(raw)], as_array(val)
    return owner, vals, first_of_each(owner, vals, n_tracks)


def _named(chosen: np.ndarray, values: list[str], n_tracks: int) -> list[str | None]:
    out: list[str | None] = [None] * n_tracks
    for t in np.flatnonzero(chosen >= 0).tolist():
        out[t] = values[chosen[t]]
    return out


def user_sort_key(key: object) -> tuple[bool, object]:
    """Users in a stable order (ids numerically, then names), whatever the reading order."""
    return (isinstance(key, str), key) if isinstance(key, int | str) else (True, str(key))
