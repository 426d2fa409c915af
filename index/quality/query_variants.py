"""Ways people type a song, generated from its artist and title, for accuracy checks.

The accuracy test (tests/test_resolve.py) and the read benchmark (scripts/bench_read.py)
both turn catalogue tracks into queries the way users write them: "artist - title",
"title by artist", en/em dashes, free word order, quoted titles, accents and punctuation
dropped, one or two typos, extra spaces and punctuation, random case. Seeded, so a failing
query can be reproduced.
"""

from __future__ import annotations

import random
import re
import string

from index.names import strip_accents

VARIANTS = (
    "artist - title",
    "title by artist",
    "en dash",
    "em dash",
    "title artist",
    "quoted title",
    "no accents",
    "no punctuation",
    "one typo",
    "two typos",
    "extra spaces",
    "random case",
)


def variants(artist: str, title: str, rng: random.Random) -> dict[str, str]:
    """One query per variant name in :data:`VARIANTS` for a song."""
    plain = _no_punct(strip_accents(f"{artist} {title}")).lower()
    return {
        "artist - title": f"{artist.lower()} - {title.lower()}",
        "title by artist": f"{title} by {artist}",
        "en dash": f"{artist} – {title}",
        "em dash": f"{artist}—{title}",
        "title artist": f"{title.lower()} {artist.lower()}",
        "quoted title": f"“{title}”" if rng.random() < 0.5 else f'"{title}"',
        "no accents": strip_accents(f"{artist} {title}").lower(),
        "no punctuation": plain,
        "one typo": f"{artist.lower()} {typo(title.lower(), rng)}",
        "two typos": f"{typo(artist.lower(), rng)} - {typo(title.lower(), rng)}",
        "extra spaces": f"  {artist}   --  {title} !!! ",
        "random case": "".join(
            c.upper() if rng.random() < 0.5 else c.lower() for c in f"{artist} {title}"
        ),
    }


def typo(text: str, rng: random.Random) -> str:
    """One slip of the fingers in a word of 4+ letters: swap, drop, double or replace a letter."""
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    letters = [j for j, c in enumerate(w) if c.isalpha()]
    j = rng.choice(letters[1:-1] or letters)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap" and j + 1 < len(w):
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == "drop":
        w = w[:j] + w[j + 1 :]
    elif kind == "double":
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + rng.choice(string.ascii_lowercase.replace(w[j].lower(), "")) + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def _no_punct(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.replace("&", "and")).split())
