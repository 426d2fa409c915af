"""Fold names to the words people type: accents, case, apostrophes and punctuation removed.

Users type ``beyonce`` for "Beyoncé" and ``dont stop me now`` for "Don't Stop Me Now";
query matching, the build-time search tables and version detection all fold with the
functions here so they agree word for word. (``index.normalise`` is the gentler identity
key used by ingest; this module is deliberately lossier.)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

import numpy as np

# Apostrophes vanish ("don't" → "dont"); every other non-word character separates words.
_APOSTROPHES = str.maketrans({c: None for c in "'’‘`´ʼ"})
# Letters that NFKD does not split into a base letter plus an accent.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ı": "i",
        "&": " and ",
    }
)
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def mark_table() -> tuple[np.ndarray, dict[int, None]]:
    """Every combining mark, as a lookup table (long text) and a translate map (short text)."""
    is_mark = np.zeros(sys.maxunicode + 1, dtype=bool)
    for c in range(0x300, 0x20000):  # every mark with a combining class lies in this range
        if unicodedata.combining(chr(c)):
            is_mark[c] = True
    return is_mark, dict.fromkeys(np.flatnonzero(is_mark).tolist())


def _strip_marks(text: str) -> str:
    """Drop combining marks; long text (the build folds millions of names at once) via numpy."""
    is_mark, table = mark_table()
    if len(text) < 4096:
        return text.translate(table)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return codes[~is_mark[codes]].tobytes().decode("utf-32-le")


def fold_chars(text: str) -> str:
    """Case-fold, strip accents and apostrophes; works on one name or many joined together.

    Every step maps characters independently, so folding names joined by a separator
    equals folding each one: the build folds millions of names as one string.
    """
    if text.isascii():
        return text.lower().translate(_APOSTROPHES).translate(_SPECIAL)
    text = _strip_marks(unicodedata.normalize("NFKD", text.casefold()))
    return text.translate(_APOSTROPHES).translate(_SPECIAL)


def words_of_folded(folded: str) -> list[str]:
    """The words of text already passed through :func:`fold_chars`."""
    return _WORD.findall(folded)


def fold_words(text: str) -> list[str]:
    """The folded words of ``text``: "Don't Stop—Me Now!" → ["dont", "stop", "me", "now"]."""
    return _WORD.findall(fold_chars(text))


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """The folded comparison form: folded words joined by single spaces.

    "Beyoncé" → "beyonce"; "Simon & Garfunkel" → "simon and garfunkel"; letters of other
    scripts are kept (case-folded) so non-Latin names still match themselves.
    """
    return " ".join(_WORD.findall(fold_chars(text)))


def strip_accents(text: str) -> str:
    """Remove accents but keep case and punctuation ("Beyoncé" → "Beyonce")."""
    if text.isascii():
        return text
    return _strip_marks(unicodedata.normalize("NFKD", text))


_JOINERS = re.compile(r"(?<=\w)[.\-'’](?=\w)")


def squash_joiners(text: str) -> str:
    """Join words split by inner dots or hyphens: "C.R.E.A.M." → "CREAM.", "Wu-Tang" → "WuTang".

    People type these names without the punctuation, so both spellings are indexed.
    """
    return _JOINERS.sub("", text)


def has_joiners(text: str) -> bool:
    """Whether :func:`squash_joiners` would change ``text``."""
    return _JOINERS.search(text) is not None


@lru_cache(maxsize=65536)
def squashed_title(title: str) -> str:
    """Folded title with inner dots/hyphens removed ("d.a.n.c.e." → "dance")."""
    return fold(squash_joiners(title))
