"""Turn what a person typed into a track (or an artist, or "did you mean" suggestions).

Two steps keep this fast at millions of tracks:

1. **Candidates** from the word index (:mod:`index.read.word_index`): each folded query word
   is looked up exactly, missing words by their typo alternatives. Tracks score the idf
   weight of the query words they contain, ties go to the more popular track, and only
   the best few dozen are read from disk.
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

import numpy as np
from rapidfuzz import fuzz, process

from index.model import Artist, Hint, HintKind, Resolution, Track
from index.names import artist_key, base_title, fold, fold_words, squashed_title
from index.read.present import song_key
from index.read.tables import IndexFile
from index.read.word_index import candidate_tracks

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


def resolve_query(idx: IndexFile, text: str) -> Resolution:
    """Resolve a user's text; see the module docstring for the rules."""
    raw = " ".join(text.split()).strip(_QUOTES + " ")
    words = fold_words(raw)
    if not words:
        return Resolution(text, None, 0.0, hint=Hint(HintKind.NO_WORDS, example=_example(idx)))
    readings = _readings(raw)
    q = " ".join(words)

    exact_artist = _exact_artist(idx, q)
    scored = _score(idx, candidate_tracks(idx, words), q, readings)
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

    # Songs nearly as good compete with the best; the closer the best is to what was typed,
    # the narrower the band ("athletics - ii" is not a tie with "Athletics - III").
    margin = min(TIE_MARGIN, 100.0 - best.text + 0.5) if best is not None else 0.0
    rivals = [s for s in ranked[1:] if best is not None and s.text >= best.text - margin]
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
            hint=Hint(HintKind.NOT_BY_ARTIST, text=raw, artist=artist.name, title=other),
        )  # fmt: skip
    if best is None or best.text < CLOSE_SCORE:
        near = [s.track for s in ranked if s.text >= 40][:SUGGESTIONS]
        return Resolution(
            text,
            None,
            best.text / 100 if best else 0.0,
            suggestions=near,
            hint=Hint(HintKind.NO_MATCH, text=raw, example=_example(idx)),
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


# --------------------------------------------------------------------------- scoring


def _score(
    idx: IndexFile, track_ids: list[int], q: str, readings: list[tuple[str, str, bool]]
) -> list[_Scored]:
    """Score every candidate under every reading of the query, in a few batched calls."""
    found = idx.tracks(track_ids)
    tracks = [found[t] for t in track_ids if t in found]
    if not tracks:
        return []
    # Per track: the forms of its title and of its artist, and the free-text forms of the
    # whole name ("artist title" / "title artist" as typed; token_sort covers any other
    # order but is thrown off by typos that change a word's sort position).
    titles, names, whole, sorted_whole = _Forms(), _Forms(), _Forms(), _Forms()
    for t in tracks:
        ft, fa = fold(t.title), fold(t.artist)
        ts = list(dict.fromkeys((ft, base_title(t.title), squashed_title(t.title))))
        ns = list(dict.fromkeys((fa, artist_key(t.artist))))
        titles.add(ts)
        names.add(ns)
        whole.add(ts + [f"{a} {f}" for a in ns for f in ts] + [f"{f} {a}" for a in ns for f in ts])
        sorted_whole.add([f"{fa} {f}" for f in ts])
    text = np.maximum(whole.best(q, fuzz.ratio), sorted_whole.best(q, fuzz.token_sort_ratio))
    for first, second, ordered in readings:
        pairs = [(second, first)] if ordered else [(first, second), (second, first)]
        for artist_part, title_part in pairs:
            reading = 0.3 * names.best(artist_part) + 0.7 * titles.best(title_part)
            text = np.maximum(text, reading)
    artist_text = names.best(q)
    return [
        _Scored(t, float(x), float(y))
        for t, x, y in zip(tracks, text.tolist(), artist_text.tolist(), strict=True)
    ]


class _Forms:
    """Strings grouped by track, scored against one query string in a single C call."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.starts: list[int] = []

    def add(self, forms: list[str]) -> None:
        self.starts.append(len(self.strings))
        self.strings.extend(forms)

    def best(self, query: str, scorer=fuzz.ratio) -> np.ndarray:
        """Each track's best score of ``query`` against its strings (0..100)."""
        scores = process.cdist([query], self.strings, scorer=scorer, dtype=np.float64)[0]
        return np.maximum.reduceat(scores, self.starts)


def _rank(idx: IndexFile, scored: list[_Scored]) -> list[_Scored]:
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


def _exact_artist(idx: IndexFile, folded: str) -> Artist | None:
    """The best-known artist whose folded name (or name without "the") is exactly this."""
    rows = idx.query(
        "SELECT a.artist_id, a.name, a.playlists FROM search_artists s "
        "JOIN artists a ON a.artist_id = s.artist_id WHERE s.key = ? "
        "ORDER BY a.playlists DESC LIMIT 1",
        (folded,),
    )
    return Artist(*rows[0]) if rows else None


def _artist_in_parts(
    idx: IndexFile, readings: list[tuple[str, str, bool]]
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
    idx: IndexFile,
    text: str,
    artist: Artist,
    confidence: float,
    *,
    title_hint: str | None = None,
    hint: Hint | None = None,
) -> Resolution:
    """The artist and its best-known songs (closest to ``title_hint`` first, if given)."""
    if title_hint is None:
        songs = idx.artist_top_tracks(artist.artist_id, limit=10)
    else:
        songs = idx.artist_top_tracks(artist.artist_id, limit=200)
        songs.sort(key=lambda t: -max(fuzz.ratio(title_hint, base_title(t.title)), 50))
        songs = songs[:10]
    return Resolution(text, None, round(confidence, 3), suggestions=songs, artist=artist, hint=hint)


def _example(idx: IndexFile) -> str:
    """A real song from this index to show how to phrase a query."""
    if len(idx.rank_track) == 0:
        return "daft punk - one more time"
    t = idx.tracks([int(idx.rank_track[0])]).get(int(idx.rank_track[0]))
    return f"{t.artist.lower()} - {t.title.lower()}" if t else "daft punk - one more time"
