"""Look words up in the index's word tables (:mod:`index.build.search_tables`).

Names stay on disk; a query reads only the lists of the words it contains. Each word's
list holds popularity ranks (0 = the track in most playlists), so the first entries of a
common word's list are its best-known tracks and :data:`POSTING_CAP` bounds the work.
Missing words get typo alternatives: known words of similar length sharing the first or
last two letters, or the same letters in another order, within one or two edits.
"""

from __future__ import annotations

import math

import numpy as np
from rapidfuzz.distance import OSA

from index.arrays import sorted_unique
from index.read.tables import IndexFile

CANDIDATES = 40  # tracks read from disk and scored with rapidfuzz per query
POSTING_CAP = 3000  # a common word contributes only its best-known tracks as candidates
FULL_POSTING_MAX = 400_000  # longer word lists are too common to help; skip them
FULL_READ = 150_000  # words this rare are read in full (≤ 600 KB), commoner ones capped
TYPO_ALTERNATIVES = 4  # vocabulary words tried for one misspelt query word

WordGroup = list[tuple[int, int, float]]  # (word_id, df, weight factor) standing for one word


def cap(df: int) -> int | None:
    return None if df <= POSTING_CAP else POSTING_CAP


def word_group(idx: IndexFile, word: str, *, typos: bool) -> WordGroup:
    """(word_id, df, weight factor) for a query word: itself if known, else near spellings."""
    rows = idx.query("SELECT word_id, df FROM search_words WHERE word = ?", (word,))
    if rows:
        return [(rows[0][0], rows[0][1], 1.0)]
    if not typos or len(word) < 3:
        return []
    return typo_alternatives(idx, word)


def typo_alternatives(idx: IndexFile, word: str) -> WordGroup:
    """Known words within 1 edit (2 for words of 6+ letters), closest and commonest first.

    Only words that could be that close are read: for a long word, those keeping its first
    three letters, or its last three (four from seven letters on), or its first two and
    last two (one slip leaves one of these intact); for a short word, those sharing its first or last two letters; and any
    word with the same letters in another order (a transposition).
    """
    n = len(word)
    letters = "".join(sorted(word))
    if n <= 5:
        max_edits = 1
        sql = (
            "SELECT word, word_id, df FROM search_words WHERE p2 = :p2 AND len BETWEEN :lo AND :hi "
            "UNION SELECT word, word_id, df FROM search_words WHERE s2 = :s2 AND len BETWEEN :lo AND :hi "
            "UNION SELECT word, word_id, df FROM search_words WHERE letters = :letters"
        )
    else:
        max_edits = 2
        sql = (
            # Seeks on the (p2, len, word) index: one range of words per length.
            "SELECT word, word_id, df FROM search_words WHERE p2 = :p2 "
            "AND len IN (:n_2, :n_1, :n, :n1, :n2) AND word >= :p3 AND word < :p3_end "
            "UNION SELECT word, word_id, df FROM search_words WHERE s2 = :s2 "
            "AND len BETWEEN :lo AND :hi AND (substr(word, 1, 2) = :p2 OR substr(word, :tail) = :end) "
            "UNION SELECT word, word_id, df FROM search_words WHERE letters = :letters"
        )
    p3 = word[:3]
    params = {
        # The kept ending: three letters, four from seven letters on (fewer words share it;
        # a slip before the last four letters of a 7+ letter word keeps the first three).
        "tail": -3 if n < 7 else -4, "end": word[-3:] if n < 7 else word[-4:],
        "p2": word[:2], "s2": word[-2:], "p3": p3,
        "p3_end": p3[:-1] + chr(ord(p3[-1]) + 1), "lo": n - max_edits, "hi": n + max_edits,
        "letters": letters, "n_2": n - 2, "n_1": n - 1, "n": n, "n1": n + 1, "n2": n + 2,
    }  # fmt: skip
    near = []
    for w, wid, df in idx.query(sql, params):
        d = OSA.distance(word, w, score_cutoff=max_edits)  # a swap of neighbours is one edit
        if d <= max_edits:
            near.append((d, -df, wid))
    near.sort()
    return [(wid, -ndf, 0.8 - 0.15 * d) for d, ndf, wid in near[:TYPO_ALTERNATIVES]]


def split_word(idx: IndexFile, word: str) -> list[WordGroup]:
    """Two known words a run-together word may be ("daftpunk" → "daft", "punk")."""
    best: list[WordGroup] = []
    for i in range(2, len(word) - 1):
        a = word_group(idx, word[:i], typos=False)
        b = word_group(idx, word[i:], typos=False) if a else []
        if a and b:
            best = [a, b]
            break
    return best


def candidate_tracks(idx: IndexFile, words: list[str]) -> list[int]:
    """Track ids most likely meant: summed idf of matched query words, popularity breaks ties.

    The pool is the best-known tracks of every query word, plus every track containing the
    two rarest words (read in full), so a little-known song is found by its own name even
    when all its words are common.
    """
    groups: list[WordGroup] = []
    for w in dict.fromkeys(words):
        g = word_group(idx, w, typos=True)
        if g:
            groups.append(g)
        elif len(w) >= 6:
            groups.extend(split_word(idx, w))
    groups = [[(wid, df, f) for wid, df, f in g if df <= FULL_POSTING_MAX] for g in groups]
    groups = [g for g in groups if g]  # words in a large share of all names say nothing
    if not groups:
        return []
    groups.sort(key=lambda g: sum(df for _, df, _ in g))
    n = max(idx.n_tracks, 1)

    lists: list[tuple[np.ndarray, float]] = []  # (sorted ranks, weight) per word
    rarest: list[np.ndarray | None] = []  # every track of each of the two rarest words
    for i, g in enumerate(groups):
        parts = []
        for wid, df, factor in g:
            ranks = idx.read_postings(wid, None if df <= FULL_READ else POSTING_CAP)
            lists.append((ranks, factor * math.log((n + 1) / (df + 1))))
            parts.append(ranks if df <= FULL_READ else None)
        if i < 2:
            complete = all(p is not None for p in parts)
            rarest.append(
                (parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts)))
                if complete
                else None
            )

    pool_parts = [ranks[:POSTING_CAP] for ranks, _ in lists]
    both = [r for r in rarest if r is not None]
    if len(both) == 2:
        pool_parts.append(_intersect_sorted(both[0], both[1]))
    elif both and len(both[0]) <= 4 * POSTING_CAP:
        pool_parts.append(both[0])
    pool = sorted_unique(np.concatenate(pool_parts))
    score = np.zeros(len(pool))
    for ranks, weight in lists:
        if len(ranks):
            pos = np.minimum(np.searchsorted(ranks, pool), len(ranks) - 1)
            score += weight * (ranks[pos] == pool)
    best = np.lexsort((pool, -score))[:CANDIDATES]
    return [int(idx.rank_track[r]) for r in pool[best]]


def _intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Common values of two sorted unique arrays (binary search of the shorter one)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not len(large):
        return large
    pos = np.minimum(np.searchsorted(large, small), len(large) - 1)
    return small[large[pos] == small]
