"""Look words up in the index's word tables (:mod:`index.search_tables`).

Names stay on disk; a query reads only the lists of the words it contains. Each word's
list holds popularity ranks (0 = the track in most playlists), so the first entries of a
common word's list are its best-known tracks and :data:`POSTING_CAP` bounds the work.
Missing words get typo alternatives: known words of similar length sharing the first or
last two letters, or the same letters in another order, within one or two edits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Levenshtein

if TYPE_CHECKING:
    from index.reader import SongIndex

CANDIDATES = 40  # tracks read from disk and scored with rapidfuzz per query
POSTING_CAP = 3000  # a common word contributes only its best-known tracks as candidates
FULL_POSTING_MAX = 400_000  # longer word lists are too common to help; skip them
TYPO_ALTERNATIVES = 4  # vocabulary words tried for one misspelt query word

WordGroup = list[tuple[int, int, float]]  # (word_id, df, weight factor) standing for one word


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's hash-based unique is slower on these small arrays)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a


def cap(df: int) -> int | None:
    return None if df <= POSTING_CAP else POSTING_CAP


def word_group(idx: SongIndex, word: str, *, typos: bool) -> WordGroup:
    """(word_id, df, weight factor) for a query word: itself if known, else near spellings."""
    rows = idx.query("SELECT word_id, df FROM search_words WHERE word = ?", (word,))
    if rows:
        return [(rows[0][0], rows[0][1], 1.0)]
    if not typos or len(word) < 3:
        return []
    return typo_alternatives(idx, word)


def typo_alternatives(idx: SongIndex, word: str) -> WordGroup:
    """Known words within 1 edit (2 for words of 6+ letters), closest and commonest first."""
    n = len(word)
    max_edits = 1 if n <= 5 else 2
    letters = "".join(sorted(word))
    rows = idx.query(
        "SELECT word, word_id, df, letters FROM search_words WHERE p2 = ? AND len BETWEEN ? AND ? "
        "UNION SELECT word, word_id, df, letters FROM search_words WHERE s2 = ? AND len BETWEEN ? AND ? "
        "UNION SELECT word, word_id, df, letters FROM search_words WHERE letters = ?",
        (word[:2], n - max_edits, n + max_edits, word[-2:], n - max_edits, n + max_edits, letters),
    )
    near = []
    for w, wid, df, w_letters in rows:
        d = Levenshtein.distance(word, w, score_cutoff=max_edits)
        if d > max_edits and w_letters == letters:
            d = 1  # a transposition: one slip of the fingers
        if d <= max_edits:
            near.append((d, -df, wid))
    near.sort()
    return [(wid, -ndf, 0.8 - 0.15 * d) for d, ndf, wid in near[:TYPO_ALTERNATIVES]]


def split_word(idx: SongIndex, word: str) -> list[WordGroup]:
    """Two known words a run-together word may be ("daftpunk" → "daft", "punk")."""
    best: list[WordGroup] = []
    for i in range(2, len(word) - 1):
        a = word_group(idx, word[:i], typos=False)
        b = word_group(idx, word[i:], typos=False) if a else []
        if a and b:
            best = [a, b]
            break
    return best


def candidate_tracks(idx: SongIndex, words: list[str]) -> list[int]:
    """Track ids most likely meant: summed idf of matched query words, popularity breaks ties."""
    groups: list[WordGroup] = []
    for w in dict.fromkeys(words):
        g = word_group(idx, w, typos=True)
        if g:
            groups.append(g)
        elif len(w) >= 6:
            groups.extend(split_word(idx, w))
    if not groups:
        return []
    n = max(idx.n_tracks, 1)
    ranks_parts, weight_parts = [], []
    for g in groups:
        for wid, df, factor in g:
            if df > FULL_POSTING_MAX:
                continue  # in a large share of all names: says nothing about which song
            ranks = idx.read_postings(wid, cap(df))
            ranks_parts.append(ranks)
            weight_parts.append(np.full(len(ranks), factor * math.log((n + 1) / (df + 1))))
    if not ranks_parts:
        return []
    # Sum the weights per track: sort all (rank, weight) pairs by rank and reduce runs.
    ranks = np.concatenate(ranks_parts)
    weights = np.concatenate(weight_parts)
    order = np.argsort(ranks, kind="stable")
    ranks, weights = ranks[order], weights[order]
    starts = np.flatnonzero(np.concatenate(([True], ranks[1:] != ranks[:-1])))
    pool, score = ranks[starts], np.add.reduceat(weights, starts)
    best = np.lexsort((pool, -score))[:CANDIDATES]
    return [int(idx.rank_track[r]) for r in pool[best]]
