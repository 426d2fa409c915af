"""Turn what a person typed into a track (or an artist, or "did you mean" suggestions).

Two steps keep this fast at millions of tracks:

1. **Candidates** from the word index (:mod:`index.search_tables`): each folded query word
   is looked up exactly, and words that are missing get typo alternatives (same first or
   last two letters and similar length, or the same letters in another order) within one
   or two edits. Tracks score the idf weight of the query words they contain, ties go to
   the more popular track, and only the best :data:`CANDIDATES` are read from disk.
2. **Scoring** with rapidfuzz on folded names, under every reading of the query: free text
   in any word order ("one more time daft punk"), "artist - title" or "title - artist"
   (hyphen, en or em dash), "title by artist". Versions of one song collapse to one entry.

A match is returned when it is clearly right: a good score and no other song nearly as
good, or a tie that popularity settles (a song in at least twice as many playlists wins,
so ``"halo"`` means Beyoncé's). Otherwise the ranked songs come back as suggestions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from index.answers import Artist, Resolution, Track
from index.present import one_version_each, song_key
from index.textfold import fold, fold_words, squashed_title
from index.versions import artist_key, base_title

if TYPE_CHECKING:
    from index.reader import SongIndex

CANDIDATES = 40  # tracks read from disk and scored with rapidfuzz per query
POSTING_CAP = 3000  # a common word contributes only its best-known tracks as candidates
FULL_POSTING_MAX = 400_000  # longer word lists are too common to help; skip them
TYPO_ALTERNATIVES = 4  # vocabulary words tried for one misspelt query word
MATCH_SCORE = 80.0  # below this the best song is only a suggestion
CLOSE_SCORE = 55.0  # below this nothing is close: say so
TIE_MARGIN = 4.0  # another song within this many points competes with the best
POPULARITY_WIN = 2.0  # ... unless the best is in this many times more playlists
SUGGESTIONS = 5

_DASH_SPLIT = re.compile(r"\s+[-–—~|:]+\s+|\s*[–—]\s*")
_BY_SPLIT = re.compile(r"\s+by\s+", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»„`"


@dataclass
class _Scored:
    track: Track
    text: float  # 0..100 rapidfuzz score of the best reading of the query
    artist_text: float  # how well the whole query matches the track's artist alone
    key: float = 0.0  # text plus a small popularity bonus, for ordering


def resolve_query(idx: SongIndex, text: str) -> Resolution:
    """Resolve a user's text; see the module docstring for the rules."""
    raw = " ".join(text.split()).strip(_QUOTES + " ")
    words = fold_words(raw)
    if not words:
        return Resolution(
            text,
            None,
            0.0,
            message=f"Type a song as “artist - title”, for example “{_example(idx)}”.",
        )
    readings = _readings(raw)
    q = " ".join(words)

    exact_artist = _exact_artist(idx, q)
    scored = _score(idx, _candidates(idx, words), q, readings)
    ranked = _rank(idx, scored)

    best = ranked[0] if ranked else None
    # An artist-only query ("daft punk"): the artist's name, not one of its songs' titles.
    if exact_artist is not None and (
        best is None
        or base_title(best.track.title) != q
        or exact_artist.playlists >= best.track.playlists
    ):
        return _artist_answer(idx, text, exact_artist, 1.0)
    if best is not None and best.artist_text >= 90 and best.artist_text > best.text:
        artist = idx.artist(best.track.artist_id)
        return _artist_answer(idx, text, artist, best.artist_text / 100)

    rivals = [s for s in ranked[1:] if best is not None and s.text >= best.text - TIE_MARGIN]
    clear = (
        best is not None
        and best.text >= MATCH_SCORE
        and all(best.track.playlists >= POPULARITY_WIN * max(s.track.playlists, 1) for s in rivals)
    )
    if not clear and (part := _artist_in_parts(idx, readings)) is not None:
        # "daft punk - <something unknown>": the artist is certain, the song is not.
        artist, other = part
        return _artist_answer(
            idx, text, artist, 0.5, title_hint=other,
            message=f"No song by {artist.name} is called “{other}”; did you mean one of these?",
        )  # fmt: skip
    if best is None or best.text < CLOSE_SCORE:
        near = [s.track for s in ranked if s.text >= 40][:SUGGESTIONS]
        return Resolution(
            text,
            None,
            best.text / 100 if best else 0.0,
            suggestions=near,
            message=f"No song matches “{raw}” — try “artist - title”, for example "
            f"“{_example(idx)}”, and check the spelling.",
        )

    others = [s.track for s in ranked[1 : SUGGESTIONS + 1]]
    if clear:
        return Resolution(text, best.track, round(best.text / 100, 3), suggestions=others)
    return Resolution(
        text,
        None,
        round(best.text / 100 * (0.6 if best.text >= MATCH_SCORE else 0.5), 3),
        suggestions=[best.track, *others][:SUGGESTIONS],
    )


def complete_prefix(idx: SongIndex, prefix: str, *, limit: int = 25) -> list[Track]:
    """Songs matching a partly typed query: whole words exactly, the last one as a prefix.

    Best-known songs first, one version of each. A last word of one or two letters would
    expand to too many words, so it filters the best-known candidates instead.
    """
    words = fold_words(prefix)
    if not words or limit < 1:
        return []
    partial = None if prefix[-1:].isspace() else words[-1]
    whole = words[:-1] if partial else words
    groups = [g for g in (_word_group(idx, w, typos=True) for w in whole) if g]
    short = partial is not None and len(partial) < 3
    if partial is not None and not short:
        pg = _prefix_group(idx, partial)
        if not pg:
            return []  # no word starts like this: nothing to complete
        groups.append(pg)
    if not groups and not short:
        return []

    want = max(4 * limit, 60)
    ranks: np.ndarray | None = None
    # Intersect the word groups, rarest first; each group is a union of postings.
    for g in sorted(groups, key=lambda g: sum(df for _, df, _ in g)):
        postings = _sorted_unique(
            np.concatenate([idx.read_postings(wid, _cap(df)) for wid, df, _ in g])
        )
        ranks = postings if ranks is None else ranks[np.isin(ranks, postings, assume_unique=True)]
        if len(ranks) == 0:
            return []
    if short:
        assert partial is not None
        ranks = _filter_short_prefix(idx, ranks, partial, want)
    assert ranks is not None
    top = [int(idx.rank_track[r]) for r in np.sort(ranks)[:want]]
    found = idx.tracks(top)
    return one_version_each(found[t] for t in top if t in found)[:limit]


# --------------------------------------------------------------------------- readings


def _readings(raw: str) -> list[tuple[str, str, bool]]:
    """Structured readings of the query as (first, second, ordered) folded parts.

    ``ordered`` is True for "title by artist" (first is the title); dash splits may be
    either "artist - title" or "title - artist".
    """
    out: list[tuple[str, str, bool]] = []
    parts = _DASH_SPLIT.split(raw, maxsplit=1)
    if len(parts) == 2:
        a, b = fold(parts[0]), fold(parts[1])
        if a and b:
            out.append((a, b, False))
    by = _BY_SPLIT.split(raw)
    if len(by) >= 2:
        title, artist = fold(" by ".join(by[:-1])), fold(by[-1])
        if title and artist:
            out.append((title, artist, True))
    return out


# --------------------------------------------------------------------------- candidates


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's hash-based unique is slower on these small arrays)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a


def _cap(df: int) -> int | None:
    return None if df <= POSTING_CAP else POSTING_CAP


def _word_group(idx: SongIndex, word: str, *, typos: bool) -> list[tuple[int, int, float]]:
    """(word_id, df, weight factor) for a query word: itself if known, else near spellings."""
    rows = idx.query("SELECT word_id, df FROM search_words WHERE word = ?", (word,))
    if rows:
        return [(rows[0][0], rows[0][1], 1.0)]
    if not typos or len(word) < 3:
        return []
    return _typo_alternatives(idx, word)


def _typo_alternatives(idx: SongIndex, word: str) -> list[tuple[int, int, float]]:
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


def _split_word(idx: SongIndex, word: str) -> list[list[tuple[int, int, float]]]:
    """Two known words a run-together word may be ("daftpunk" → "daft", "punk")."""
    best: list[list[tuple[int, int, float]]] = []
    for i in range(2, len(word) - 1):
        a = _word_group(idx, word[:i], typos=False)
        b = _word_group(idx, word[i:], typos=False) if a else []
        if a and b:
            best = [a, b]
            break
    return best


def _candidates(idx: SongIndex, words: list[str]) -> list[int]:
    """Track ids most likely meant: summed idf of matched query words, popularity breaks ties."""
    groups: list[list[tuple[int, int, float]]] = []
    for w in dict.fromkeys(words):
        g = _word_group(idx, w, typos=True)
        if g:
            groups.append(g)
        elif len(w) >= 6:
            groups.extend(_split_word(idx, w))
    if not groups:
        return []
    n = max(idx.n_tracks, 1)
    ranks_parts, weight_parts = [], []
    for g in groups:
        for wid, df, factor in g:
            if df > FULL_POSTING_MAX:
                continue  # in a large share of all names: says nothing about which song
            ranks = idx.read_postings(wid, _cap(df))
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


def _prefix_group(idx: SongIndex, partial: str) -> list[tuple[int, int, float]]:
    """The commonest known words starting with ``partial`` (three letters or more)."""
    hi = partial[:-1] + chr(ord(partial[-1]) + 1)
    rows = idx.query(
        "SELECT word_id, df FROM search_words WHERE word >= ? AND word < ? ORDER BY df DESC LIMIT 12",
        (partial, hi),
    )
    return [(wid, df, 1.0) for wid, df in rows]


SHORT_PREFIX_POOL = 1500  # best-known candidates checked for a one- or two-letter last word


def _filter_short_prefix(
    idx: SongIndex, ranks: np.ndarray | None, partial: str, want: int
) -> np.ndarray:
    """Candidates (or the best-known songs) with a name word starting with ``partial``."""
    pool = (
        np.sort(ranks)[:SHORT_PREFIX_POOL]
        if ranks is not None
        else np.arange(min(SHORT_PREFIX_POOL, len(idx.rank_track)))
    )
    found = idx.tracks(int(idx.rank_track[r]) for r in pool)
    keep = []
    for r in pool:
        t = found.get(int(idx.rank_track[r]))
        if t and any(w.startswith(partial) for w in fold_words(f"{t.artist} {t.title}")):
            keep.append(r)
            if len(keep) >= want:
                break
    return np.array(keep, dtype=np.int64)


# --------------------------------------------------------------------------- scoring


def _score(
    idx: SongIndex, track_ids: list[int], q: str, readings: list[tuple[str, str, bool]]
) -> list[_Scored]:
    found = idx.tracks(track_ids)
    out = []
    for tid in track_ids:
        t = found.get(tid)
        if t is None:
            continue
        fa, fk, ft, fb = fold(t.artist), artist_key(t.artist), fold(t.title), base_title(t.title)
        titles = {ft, fb, squashed_title(t.title)}
        names = {fa, fk}
        text = max(
            max(fuzz.ratio(q, f) for f in titles),
            # Word order as typed ("artist title" / "title artist"); token_sort covers any
            # other order but is thrown off by typos that change a word's sort position.
            *(fuzz.ratio(q, f"{a} {f}") for a in names for f in titles),
            *(fuzz.ratio(q, f"{f} {a}") for a in names for f in titles),
            *(fuzz.token_sort_ratio(q, f"{fa} {f}") for f in titles),
        )
        for first, second, ordered in readings:
            pairs = [(second, first)] if ordered else [(first, second), (second, first)]
            for a, title in pairs:
                s = 0.3 * max(fuzz.ratio(a, x) for x in names) + 0.7 * max(
                    fuzz.ratio(title, f) for f in titles
                )
                text = max(text, s)
        out.append(_Scored(t, float(text), float(max(fuzz.ratio(q, x) for x in names))))
    return out


def _rank(idx: SongIndex, scored: list[_Scored]) -> list[_Scored]:
    """Best first (text, then popularity), one entry per song (its best-scoring version)."""
    top = math.log1p(idx.max_playlists)
    for s in scored:
        s.key = s.text + 2.0 * math.log1p(s.track.playlists) / top
    scored.sort(key=lambda s: (-s.key, -s.track.playlists, s.track.track_id))
    seen: set[tuple[str, str]] = set()
    out = []
    for s in scored:
        k = song_key(s.track)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


# --------------------------------------------------------------------------- artists


def _exact_artist(idx: SongIndex, folded: str) -> Artist | None:
    """The best-known artist whose folded name (or name without "the") is exactly this."""
    rows = idx.query(
        "SELECT a.artist_id, a.name, a.playlists FROM search_artists s "
        "JOIN artists a ON a.artist_id = s.artist_id WHERE s.key = ? "
        "ORDER BY a.playlists DESC LIMIT 1",
        (folded,),
    )
    return Artist(*rows[0]) if rows else None


def _artist_in_parts(
    idx: SongIndex, readings: list[tuple[str, str, bool]]
) -> tuple[Artist, str] | None:
    """An artist named exactly by one part of "x - y" / "y by x", with the other part."""
    for first, second, ordered in readings:
        pairs = [(second, first)] if ordered else [(first, second), (second, first)]
        for artist_part, other in pairs:
            found = _exact_artist(idx, artist_part)
            if found is not None:
                return found, other
    return None


def _artist_answer(
    idx: SongIndex,
    text: str,
    artist: Artist,
    confidence: float,
    *,
    title_hint: str | None = None,
    message: str | None = None,
) -> Resolution:
    """The artist and its best-known songs (closest to ``title_hint`` first, if given)."""
    if title_hint is None:
        songs = idx.artist_top_tracks(artist.artist_id, limit=10)
    else:
        songs = idx.artist_top_tracks(artist.artist_id, limit=200)
        songs.sort(key=lambda t: -max(fuzz.ratio(title_hint, base_title(t.title)), 50))
        songs = songs[:10]
    return Resolution(
        text, None, round(confidence, 3), suggestions=songs, artist=artist, message=message
    )


def _example(idx: SongIndex) -> str:
    """A real song from this index to show how to phrase a query."""
    if len(idx.rank_track) == 0:
        return "daft punk - one more time"
    t = idx.tracks([int(idx.rank_track[0])]).get(int(idx.rank_track[0]))
    return f"{t.artist.lower()} - {t.title.lower()}" if t else "daft punk - one more time"
