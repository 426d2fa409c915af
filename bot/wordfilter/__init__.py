"""Words a server does not want to read in strangers' text: a bundled profanity and slur
list, plus each server's own words.

Playlist names (shown by Why?) and song titles come from strangers, and a server that keeps
songsim for months must not be embarrassed by them. The list is glin-profanity's English
list (``profanity_en.txt``, MIT, see ``LICENSE-glin-profanity.txt``), bundled so nothing is
downloaded at run time; ``scripts/update_wordlist.py`` refreshes it from a newer wheel.

Matching is by whole words, and phrases of a few words, after folding case, accents and
leetspeak (``$h!t``, ``Fück``), so "Bass", "Class" and "Scunthorpe" pass: a list matched
inside other words would hide half the names in a music index. A plural ``s`` counts
("bitches" is caught by "bitch"). The filter is built once per word list and each check is
a few set look-ups per word, so filtering every name of a reply costs microseconds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

LIST_PATH = Path(__file__).with_name("profanity_en.txt")
MAX_WORD = 60  # characters of one entry (a server's word list is typed by people)

# Characters people put in place of letters ("$h!t", "@ss", "f4ck").
_LEET = str.maketrans({"$": "s", "@": "a", "!": "i", "0": "o", "1": "i", "3": "e", "4": "a",
                       "5": "s", "7": "t", "+": "t", "€": "e"})  # fmt: skip
# A word: a run of anything but spaces and punctuation that never stands for a letter.
_TOKEN = re.compile(r"[^\s\-–—_.,;:/\\()\[\]{}<>\"'“”‘’«»?|~^=#%&]+")
_EDGES = ".,!?;:*'\""  # stripped off a word's ends before folding ("Fuck!" is "fuck")


def fold(word: str) -> str:
    """A word as the filter compares it: lower case, no accents, leetspeak read as letters."""
    text = unicodedata.normalize("NFKD", word.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    stripped = text.strip(_EDGES) or text
    if any(c.isalpha() for c in stripped):
        stripped = stripped.translate(_LEET)
    return stripped


def words_of(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, folded word)`` for each word of ``text``."""
    return [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]


def read_list(path: Path = LIST_PATH) -> list[str]:
    """The entries of a word-list file (one a line; ``#`` starts a comment line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class WordFilter:
    """Whether a text holds a listed word or phrase, and the text with them masked."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()
        for entry in entries:
            parts = tuple(w for _, _, w in words_of(entry[:MAX_WORD]) if w)
            if len(parts) == 1:
                self.words.add(parts[0])
            elif parts:
                self.phrases.add(parts)
        self.longest = max((len(p) for p in self.phrases), default=1)

    def extended(self, extra: Iterable[str]) -> WordFilter:
        """This filter with more words (a server's own list)."""
        more = WordFilter(extra)
        out = WordFilter(())
        out.words = self.words | more.words
        out.phrases = self.phrases | more.phrases
        out.longest = max(self.longest, more.longest)
        return out

    def _listed(self, word: str) -> bool:
        return word in self.words or (
            len(word) > 3 and word.endswith("s") and word[:-1] in self.words
        )

    def _found(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` that are listed words, or words of a listed phrase."""
        tokens = words_of(text)
        spans = [(s, e) for s, e, w in tokens if self._listed(w)]
        if self.phrases:
            folded = [w for _, _, w in tokens]
            for i in range(len(tokens)):
                for n in range(2, min(self.longest, len(tokens) - i) + 1):
                    if tuple(folded[i : i + n]) in self.phrases:
                        spans += [(s, e) for s, e, _ in tokens[i : i + n]]
        return spans

    def matches(self, text: str) -> bool:
        """True when ``text`` holds a listed word or phrase."""
        return bool(self._found(text))

    def mask(self, text: str) -> str:
        """``text`` with each listed word shown as its first letter and asterisks."""
        spans = sorted(set(self._found(text)))
        if not spans:
            return text
        out, at = [], 0
        for start, end in spans:
            if start < at:
                continue
            word = text[start:end]
            out += [text[at:start], word[0] + "*" * (len(word) - 1) if len(word) > 1 else "*"]
            at = end
        out.append(text[at:])
        return "".join(out)


@functools.cache
def bundled() -> WordFilter:
    """The filter of the bundled list (read once per process)."""
    return WordFilter(read_list())
