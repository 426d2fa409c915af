"""A song named by id across index swaps and restarts: its id plus a short check of its name.

Song ids mean something only within one index file; a rebuilt index may give an id to
another song. A button posted weeks ago (:mod:`bot.views`) or a list kept in the console
names its songs by id, so it keeps a :func:`song_check` beside each: four characters
derived from the song's artist and title. A press then answers only when the id still
names a song with the same check, and otherwise says the song is no longer in the index,
rather than answering for whatever song has that id now.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from index.model import Track

CHECK_LEN = 4  # base-36 characters: a changed id goes unnoticed once in 1.7 million
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """``n`` (≥ 0) in digits and lower-case letters, the shortest way to write ids."""
    if n < 0:
        raise ValueError("only numbers ≥ 0 are written in base 36")
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = _DIGITS[d] + out
        if not n:
            return out


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def song_check(track: Track) -> str:
    """Four characters that change when an id comes to name a song by another name."""
    name = f"{_fold(track.artist)}\0{_fold(track.title)}".encode()
    digest = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big")
    return base36(digest % 36**CHECK_LEN).rjust(CHECK_LEN, "0")


@dataclass(frozen=True)
class SongRef:
    """A song as a button names it: its id in the index and the check of its name."""

    track_id: int
    check: str

    @classmethod
    def of(cls, track: Track) -> SongRef:
        return cls(track.track_id, song_check(track))

    def names(self, track: Track | None) -> bool:
        """True when ``track`` (the index's song with this id now) is still this song."""
        return (
            track is not None
            and track.track_id == self.track_id
            and (song_check(track) == self.check)
        )
