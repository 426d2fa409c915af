"""Autocomplete: songs for what the user has typed so far, best-known first.

Whole words are looked up exactly (or by typo alternatives), the last, unfinished word
stands for the commonest known words it begins (one- and two-letter prefixes come from a
table made at build time); the track lists are intersected, rarest first, and since they
hold popularity ranks the first entries left are the best-known songs.
"""

from __future__ import annotations

import numpy as np

from index.arrays import sorted_unique
from index.model import Track
from index.names import fold_words
from index.read.present import one_version_each
from index.read.tables import IndexFile
from index.read.word_index import WordGroup, cap, word_group
from index.schema import PREFIX_TABLE

PREFIX_WORDS = 12  # commonest words an unfinished last word stands for
FILTER_BY_NAME = 300  # when the finished words leave this few songs, match the rest by name


def complete_prefix(idx: IndexFile, prefix: str, *, limit: int = 25) -> list[Track]:
    """Songs matching a partly typed query: whole words exactly, the last one as a prefix.

    Best-known songs first, one version of each.
    """
    words = fold_words(prefix)
    if not words or limit < 1:
        return []
    partial = None if prefix[-1:].isspace() else words[-1]
    whole = words[:-1] if partial else words
    groups = [g for g in (word_group(idx, w, typos=True) for w in whole) if g]
    if len(groups) < len(whole):
        return []  # a finished word nothing contains

    ranks = _intersect(idx, groups)
    if partial is not None:
        if ranks is not None and len(ranks) <= FILTER_BY_NAME:
            # Few songs left: check their names (finds rare words a prefix table omits).
            return _complete_by_name(idx, ranks, partial, limit)
        pg = _prefix_group(idx, partial)
        if not pg:
            return []  # no word starts like this: nothing to complete
        ranks = _intersect(idx, [pg], ranks)
    if ranks is None or len(ranks) == 0:
        return []
    top = [int(idx.rank_track[r]) for r in ranks[: 4 * limit]]  # sorted ranks: best-known first
    found = idx.tracks(top)
    return one_version_each(found[t] for t in top if t in found)[:limit]


def _intersect(
    idx: IndexFile, groups: list[WordGroup], ranks: np.ndarray | None = None
) -> np.ndarray | None:
    """Ranks of tracks containing every group (a group: any of its words), rarest first."""
    for g in sorted(groups, key=lambda g: sum(df for _, df, _ in g)):
        postings = sorted_unique(
            np.concatenate([idx.read_postings(wid, cap(df)) for wid, df, _ in g])
        )
        ranks = postings if ranks is None else ranks[np.isin(ranks, postings, assume_unique=True)]
        if len(ranks) == 0:
            break
    return ranks


def _complete_by_name(idx: IndexFile, ranks: np.ndarray, partial: str, limit: int) -> list[Track]:
    ids = [int(idx.rank_track[r]) for r in ranks]
    found = idx.tracks(ids)
    hits = (
        found[t]
        for t in ids
        if t in found
        and any(w.startswith(partial) for w in fold_words(f"{found[t].artist} {found[t].title}"))
    )
    return one_version_each(hits)[:limit]


def _prefix_group(idx: IndexFile, partial: str) -> WordGroup:
    """The commonest known words starting with ``partial``."""
    if len(partial) <= 2 and idx.has_table(PREFIX_TABLE):
        rows = idx.query(f"SELECT word_ids FROM {PREFIX_TABLE} WHERE prefix = ?", (partial,))
        if not rows:
            return []
        ids = np.frombuffer(rows[0][0], dtype=np.int32).tolist()
        marks = ",".join("?" * len(ids))
        found = dict(
            idx.query(f"SELECT word_id, df FROM search_words WHERE word_id IN ({marks})", ids)
        )
        return [(wid, found[wid], 1.0) for wid in ids[:PREFIX_WORDS] if wid in found]
    hi = partial[:-1] + chr(ord(partial[-1]) + 1)
    rows = idx.query(
        "SELECT word_id, df FROM search_words WHERE word >= ? AND word < ? "
        "ORDER BY df DESC LIMIT ?",
        (partial, hi, PREFIX_WORDS),
    )
    return [(wid, df, 1.0) for wid, df in rows]
