"""Fold names to a comparison form: accents, case, apostrophes and punctuation removed.

Users type ``beyonce`` for "Beyoncé" and ``dont stop me now`` for "Don't Stop Me Now";
matching and version detection both compare folded strings so these agree.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Letters NFKD does not decompose into a base letter plus an accent.
_SPECIAL = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)


def strip_accents(text: str) -> str:
    """Remove combining marks so "Beyoncé" and "Beyonce" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Don't Stop—Me!" → "dont stop me").

    ``&`` becomes "and" so "Simon & Garfunkel" matches "simon and garfunkel". Characters
    outside Latin scripts are kept (folded by case) so non-Latin names still match
    themselves.
    """
    text = strip_accents(text.casefold()).translate(_SPECIAL)
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    if text.isascii():
        return _NON_WORD.sub(" ", text).strip()
    # Keep letters/digits of any script; everything else separates words.
    out = [c if c.isalnum() else " " for c in text]
    return " ".join("".join(out).split())
