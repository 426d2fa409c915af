"""Names in the catalogue and of users: artist names, song and release titles (with accents,
kana, Cyrillic, Greek and Hangul), drawn from word lists and invented syllables.
"""

from __future__ import annotations

import numpy as np


def _wordlist(text: str) -> list[str]:
    return text.split()


_WORDS = _wordlist(
    "love night heart fire dream light rain summer blue gold wild sky road home time river "
    "stone girl boy city moon sun star shadow dance run fall rise ocean wind song heaven angel "
    "ghost paper glass silver velvet electric midnight morning evening lonely broken sweet "
    "bitter little big young old new last first forever never always again tonight tomorrow "
    "yesterday alive free lost found crazy happy sad cold warm high low echo thunder storm "
    "fever sugar honey diamond mirror window door train highway garden kingdom island desert "
    "forest winter spring autumn neon radio cherry roses wolves lions tigers hearts bones eyes "
    "hands lips words secrets lies promises memories waves tides flames ashes colours voices"
)
_SYL = _wordlist("ka ri to mo na lu ve sa dor an el is ur bri gal tem zo fin mar ox")
FOREIGN = _wordlist(
    "さくら ひかり 東京 夜明け 花火 Ёлка Кино Звери Ночь Ψυχή Θάλασσα 서울 바다 Mañana Björk "
    "Sigur Rós Motörhead Beyoncé Ｄｅｃｏ Ãgua Żółw Čaj Dvořák Ærø"
)
_ACCENT = str.maketrans("aeiou", "áéíöü")


def name_word(rng: np.random.Generator) -> str:
    return _WORDS[rng.integers(len(_WORDS))]


def invented(rng: np.random.Generator) -> str:
    return "".join(_SYL[i] for i in rng.integers(len(_SYL), size=int(rng.integers(2, 4))))


def artist_name(rng: np.random.Generator) -> str:
    k = rng.random()
    if k < 0.30:
        name = f"{invented(rng).capitalize()} {invented(rng).capitalize()}"
    elif k < 0.50:
        name = f"The {name_word(rng).capitalize()} {name_word(rng).capitalize()}"
    elif k < 0.70:
        name = invented(rng).capitalize()
    elif k < 0.78:
        name = f"DJ {invented(rng).capitalize()}"
    elif k < 0.90:
        name = f"{name_word(rng).capitalize()} {name_word(rng).capitalize()}"
    else:
        name = f"{FOREIGN[rng.integers(len(FOREIGN))]} {invented(rng)}".strip()
    if rng.random() < 0.04:
        name = name.translate(_ACCENT)
    return name


def make_titles(rng: np.random.Generator, foreign: np.ndarray) -> list[str]:
    """Song or release titles of one to three words (kana, Cyrillic... for foreign artists)."""
    n = len(foreign)
    size = rng.integers(1, 4, n).tolist()
    picks = rng.integers(len(_WORDS), size=(n, 3)).tolist()
    alien = rng.integers(len(FOREIGN), size=(n, 2)).tolist()
    style = rng.random(n).tolist()
    caps = [w.capitalize() for w in _WORDS]
    out = []
    for k, pick, other, how, f in zip(size, picks, alien, style, foreign.tolist(), strict=True):
        if f and how < 0.6:
            out.append(" ".join(FOREIGN[i] for i in other[: 1 + k % 2]))
        elif how < 0.8:
            out.append(" ".join([caps[i] for i in pick[:k]]))
        else:
            out.append(" ".join([caps[pick[0]], *(_WORDS[i] for i in pick[1:k])]))
        if how > 0.98:
            out[-1] += f" {k + 1}"
    return out
