"""The demo catalogue: real, well-known songs with the labels playlists are themed by.

``demo_catalogue.csv`` beside this module is hand-written: artist, title, primary genre,
decade, moods/scenes, a popularity weight 1-10, and whether a row is a version of another
recording (``variant_of``) or a song meant for exactly one playlist (``rare``). This module
reads and checks it; :mod:`index.build.demo_playlists` makes playlists from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

CATALOGUE_FILE = "demo_catalogue.csv"

GENRES = (
    "pop", "rock", "classic rock", "metal", "indie", "hip-hop", "r&b", "electronic",
    "country", "folk", "jazz", "classical", "latin", "k-pop", "reggae",
)  # fmt: skip
MOODS = (
    "party", "dance", "workout", "chill", "late night", "road trip", "rainy day", "romance",
    "heartbreak", "feel good", "focus", "summer", "sing-along", "rage",
)  # fmt: skip

POPULARITY_EXPONENT = 2.5  # weight = popularity ** exponent: hits recur, deep cuts stay rare


@dataclass(frozen=True)
class Song:
    """One catalogue row: a real recording and the labels the generator themes playlists by."""

    artist: str
    title: str
    genre: str  # one of GENRES
    decade: int  # 1990 for the 1990s; composition decade for classical pieces
    moods: tuple[str, ...]  # one to three of MOODS
    popularity: int  # 1 (obscure) .. 10 (everyone knows it)
    variant_of: str | None = None  # title of the original recording by the same artist
    rare: bool = False  # placed in exactly one playlist

    @property
    def weight(self) -> float:
        return float(self.popularity) ** POPULARITY_EXPONENT


@cache
def load_catalogue() -> tuple[Song, ...]:
    """The hand-written catalogue, validated, in file order."""
    text = resources.files("index.build").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    songs = []
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            song = Song(
                artist=row["artist"],
                title=row["title"],
                genre=row["genre"],
                decade=int(row["decade"]),
                moods=tuple(row["moods"].split(";")),
                popularity=int(row["popularity"]),
                variant_of=row["variant_of"] or None,
                rare=row["rare"] == "yes",
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{CATALOGUE_FILE} line {line_no}: {exc}") from exc
        moods_ok = 1 <= len(song.moods) <= 3 and all(m in MOODS for m in song.moods)
        if song.genre not in GENRES or not moods_ok or not 1 <= song.popularity <= 10:
            raise ValueError(f"{CATALOGUE_FILE} line {line_no}: unknown label in {row}")
        songs.append(song)
    return tuple(songs)
