"""Names for the synthetic dataset: artists, song titles and playlists, with the real file's
quirks (stray spaces, raw quotes, non-ASCII names, an empty artist, a playlist named ``"/``).
"""

from __future__ import annotations

import unicodedata

import numpy as np


def _wordlist(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


_ONSETS = _wordlist("b br c ch cl d dr f fl g gr h j k kr l m n p pr r s sh sl st t tr v w z")
_VOWELS = _wordlist("a e i o u a e i o ai ea ou y")
_CODAS = ["", "", "", "n", "r", "s", "l", "x", "nd", "rt", "ck", "m", "th", "ng"]
_ACCENTED = _wordlist("é è á ö ü ø å ñ í ó")
_FOREIGN = [
    "さくら",
    "ひかり",
    "東京",
    "Ёлка",
    "Кино",
    "Звери",
    "Ψυχή",
    "서울",
    "Mañana",
    "Björk",
    "Sigur Rós",
    "Motörhead",
    "Beyoncé",
    "Ｄｅｃｏ",
]
_WORDS = _wordlist(
    "love night heart fire dream light rain summer blue gold wild sky road home "
    "time river stone girl boy city moon sun star shadow dance run fall rise ocean "
    "wind song heaven angel ghost paper glass silver velvet electric midnight "
    "morning evening lonely broken sweet bitter little big young old new last "
    "first forever never always again tonight tomorrow yesterday alive free lost "
    "found crazy happy sad cold warm high low echo thunder storm fever sugar honey "
    "diamond mirror window door train highway garden kingdom island desert forest "
    "winter spring autumn neon radio cherry roses wolves lions tigers hearts bones "
    "eyes hands lips words secrets lies promises memories waves tides flames ashes "
    "colours voices streets lights nights days years",
)
_TITLE_TAILS = [
    " - Radio Edit",
    " - Remastered 2011",
    " - Live",
    " - Acoustic",
    " - Original Mix",
    " - Extended Mix",
    " (Remix)",
    " - Single Version",
    " - Album Version",
    " - Demo",
]
_SCENES = _wordlist(
    "Indie Rock,Deep House,Hip Hop,Classic Rock,Techno,Pop,Jazz,Soul,Metal,Punk,"
    "Folk,Country,Reggae,Blues,Ambient,Drum and Bass,Dubstep,Trance,Disco,Funk,R&B,"
    "Grunge,Shoegaze,Synthwave,Electro,K-Pop,J-Pop,Latin,Salsa,Bossa Nova,"
    "Classical,Opera,Soundtrack,Chillout,Lo-Fi,Garage,Emo,Ska,Gospel,Trap,Grime,"
    "House,Post-Rock,Britpop",
    ",",
)
_COMMON_NAMES = [
    "Starred",
    "Liked from Radio",
    "Gillat från Radio",
    "Chill",
    "Workout",
    "Running",
    "Party",
    "Summer",
    "Road trip",
    "Favorites",
    "My Music",
    "Sleep",
    "Study",
    "Driving",
    "Covers",
    "Oldies",
    "Love songs",
    "Random",
    "New",
    "Mix",
    "Me gusta de la radio",
    "Mes titres",
    "Soirée",
    "Rock",
    "Electro",
    "Dance",
]
_MONTHS = _wordlist(
    "January February March April May June July August September October November December",
)


def _syllable_word(rng: np.random.Generator, n_syl: int) -> str:
    parts = []
    for _ in range(n_syl):
        v = _VOWELS[rng.integers(len(_VOWELS))]
        if rng.random() < 0.015:
            v = _ACCENTED[rng.integers(len(_ACCENTED))]
        parts.append(_ONSETS[rng.integers(len(_ONSETS))] + v + _CODAS[rng.integers(len(_CODAS))])
    return "".join(parts).capitalize()


def make_artist_names(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct (after normalisation) artist names that look like band and person names."""
    names: list[str] = []
    seen: set[str] = set()
    kinds = rng.random(n)
    for i in range(n):
        k = kinds[i]
        if k < 0.35:
            name = f"{_syllable_word(rng, 2)} {_syllable_word(rng, rng.integers(2, 4))}"
        elif k < 0.55:
            name = f"The {_WORDS[rng.integers(len(_WORDS))].capitalize()} {_syllable_word(rng, 2)}s"
        elif k < 0.75:
            name = _syllable_word(rng, int(rng.integers(1, 4)))
        elif k < 0.82:
            name = f"DJ {_syllable_word(rng, 2)}"
        elif k < 0.90:
            name = (
                f"{_syllable_word(rng, 2)} & The {_WORDS[rng.integers(len(_WORDS))].capitalize()}"
            )
        elif k < 0.93:
            name = f"{_FOREIGN[rng.integers(len(_FOREIGN))]} {_syllable_word(rng, 1)}"
        else:
            w1, w2 = rng.integers(len(_WORDS), size=2)
            name = f"{_WORDS[w1].capitalize()} {_WORDS[w2].capitalize()}"
        key = norm(name)
        while key in seen:
            name = f"{name} {_syllable_word(rng, 1)}"
            key = norm(name)
        seen.add(key)
        names.append(name)
    return names


def make_titles(track_artist: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Song titles from a word list, distinct within each artist after normalisation."""
    n = len(track_artist)
    nw = len(_WORDS)
    w = rng.integers(nw, size=(n, 3))
    shape = rng.random(n)
    tail = rng.integers(len(_TITLE_TAILS), size=n)
    words = _WORDS
    titles: list[str] = []
    seen: set[tuple[int, str]] = set()
    for i in range(n):
        s = shape[i]
        a, b, c = w[i]
        if s < 0.30:
            t = f"{words[a].capitalize()} {words[b].capitalize()}"
        elif s < 0.50:
            t = f"{words[a].capitalize()} of {words[b].capitalize()}"
        elif s < 0.62:
            t = words[a].capitalize()
        elif s < 0.72:
            t = f"{words[a].capitalize()} {words[b]} {words[c]}"
        elif s < 0.82:
            t = f"{words[a].capitalize()} {words[b].capitalize()}{_TITLE_TAILS[tail[i]]}"
        elif s < 0.88:
            t = f"The {words[a].capitalize()} {words[b].capitalize()}"
        elif s < 0.93:
            t = f"{words[a].capitalize()} ({words[b].capitalize()} {words[c].capitalize()})"
        else:
            t = f"{words[a].capitalize()} in {words[b].capitalize()}"
        key = (int(track_artist[i]), t.lower())
        k = 2
        base = t
        while key in seen:
            t = f"{base} {_roman(k)}" if k < 40 else f"{base} {k}"
            key = (int(track_artist[i]), t.lower())
            k += 1
        seen.add(key)
        titles.append(t)
    return titles


def _roman(k: int) -> str:
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while k >= v:
            out += s
            k -= v
    return out


def norm(s: str) -> str:
    """The comparison key of a name (NFKC, case-folded, whitespace collapsed and stripped)."""
    if s.isascii():
        return " ".join(s.lower().split())
    return " ".join(
        unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold()).split()
    )


def add_artist_quirks(
    names: list[str], pop: np.ndarray, rows: int, rng: np.random.Generator
) -> None:
    """Stray spaces, a nickname in raw quotes, and one artist written as an empty field."""
    n = len(names)
    for i in rng.choice(n, size=max(1, n // 70), replace=False):
        names[i] = " " + names[i] if rng.random() < 0.4 else names[i] + " "
    for i in rng.choice(n, size=max(1, n // 3000), replace=False):
        names[i] = f'"{_syllable_word(rng, 1)}" {names[i].strip()}'
    # The empty artist: one whose rows are about 0.08 % of the file, as in the real sample.
    share = pop / pop.sum()
    names[int(np.argmin(np.abs(share - 0.0008)))] = ""


def add_title_quirks(titles: list[str], rng: np.random.Generator) -> None:
    """Raw unescaped quotes (12\" mixes, quoted nicknames), stray spaces, non-ASCII titles."""
    n = len(titles)
    for i in rng.choice(n, size=max(2, n // 1500), replace=False):
        t = titles[i]
        titles[i] = (
            f'{t} - Original 12"'
            if rng.random() < 0.5
            else f'Serenade No. {i % 40 + 1} in G Major, K. {i % 600 + 1} "{t}": I: Allegro'
        )
    for i in rng.choice(n, size=max(1, n // 400), replace=False):
        titles[i] = " " + titles[i] if rng.random() < 0.3 else titles[i] + " "
    for i in rng.choice(n, size=max(1, n // 200), replace=False):
        titles[i] = f"{titles[i]} ({_FOREIGN[rng.integers(len(_FOREIGN))]})"


def playlist_names(
    playlist_user: np.ndarray,
    pl_scene: np.ndarray,
    kind: np.ndarray,
    n_users: int,
    rng: np.random.Generator,
) -> list[str]:
    """Names distinct within each user; common names ("Starred") are shared by many users."""
    n = len(playlist_user)
    r = rng.random(n)
    common = rng.zipf(1.6, size=n) - 1
    used: list[set[str]] = [set() for _ in range(n_users)]
    names: list[str] = []
    for p in range(n):
        user = int(playlist_user[p])
        if kind[p] == 2:
            name = "Starred" if p % 2 == 0 else "Liked from Radio"
            taken = used[user]
            if name in taken:  # the user already has one by that name
                name = "My Library"
        elif r[p] < 0.35:
            name = _COMMON_NAMES[common[p] % len(_COMMON_NAMES)]
        elif r[p] < 0.60:
            name = _SCENES[pl_scene[p] % len(_SCENES)]
            if r[p] < 0.45:
                name = name.lower()
        elif r[p] < 0.72:
            name = f"{_MONTHS[int(r[p] * 1000) % 12]} {2010 + int(r[p] * 10000) % 6}"
        elif r[p] < 0.90:
            name = (
                f"{_WORDS[int(r[p] * 1e6) % len(_WORDS)]} {_WORDS[int(r[p] * 1e8) % len(_WORDS)]}"
            )
        else:
            name = f"{_syllable_word(rng, 2)}{'!' if r[p] < 0.93 else ''}"
        if r[p] > 0.96:
            name += " "  # stray trailing space, as in "Daft Punk ", "frozen "
        base, k = name, 2
        while name in used[user]:
            name = f"{base.rstrip()} {k}"
            k += 1
        used[user].add(name)
        names.append(name)
    # The real file has a playlist named "/ (raw line ends ,""/").
    cand = [p for p in range(n) if kind[p] == 0 and '"/' not in used[int(playlist_user[p])]]
    if cand:
        names[cand[0]] = '"/'
    return names
