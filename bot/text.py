"""Strangers' text made safe and short, and numbers put into words.

Song titles, artist and playlist names come from users and from the dataset, so any of them
may be ``@everyone``, ``**bold**`` or a masked link. Everything shown on Discord passes
through :func:`safe` (markdown and mentions escaped) or, where Discord shows no markdown
(select labels, autocomplete choices), :func:`plain`; :func:`clip` cuts to a limit without
breaking an escape. The counting helpers keep nouns in the right number ("1 playlist").

A server may ask for song and artist names to be filtered (``/settings song_names
filtered``): each command sets :data:`NAME_FILTER` for its own task
(:meth:`bot.replies.base.AnswersBase.use_names`), and :func:`safe` and :func:`plain` mask
listed words in everything that task shows, whichever reply builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from discord.utils import escape_markdown, escape_mentions

from bot.i18n import _, ngettext, number
from index.model import Track

CHOICE_MAX = 100  # select options and autocomplete choices
ELLIPSIS = "…"
# Masks listed words in strangers' text for the command running in this task (None: off).
NAME_FILTER: ContextVar[Callable[[str], str] | None] = ContextVar("NAME_FILTER", default=None)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    A cut never leaves a lone backslash at the end, which would escape the ellipsis.
    """
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    return head + ELLIPSIS


def safe(text: object, limit: int | None = None, *, unfiltered: bool = False) -> str:
    """A user- or data-supplied string made inert: markdown escaped, mentions defused.

    Square brackets are escaped too so a title cannot open or close a masked link.
    ``unfiltered`` skips the server's name filter (to show a server its own word list).
    """
    s = (str(text) if unfiltered else _filtered(str(text))).replace("\r", " ").replace("\n", " ")
    s = escape_markdown(s.translate(_HIDE_BRACKETS))
    s = escape_mentions(s).replace(_OPEN, "\\[").replace(_CLOSE, "\\]")
    return clip(s, limit) if limit is not None else s


# escape_markdown takes "[a **b**](c)" for a masked link and escapes only its "[", leaving
# "**b**" bold: brackets are set aside as two noncharacters (which no name holds: any are
# dropped) while it escapes the rest, then come back escaped.
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_HIDE_BRACKETS = str.maketrans({"[": _OPEN, "]": _CLOSE, _OPEN: None, _CLOSE: None})


def plain(text: object, limit: int) -> str:
    """A string for a place Discord shows without markdown (select labels, choices)."""
    s = " ".join(_filtered(str(text)).split())
    return clip(s, limit) or "?"


def _filtered(text: str) -> str:
    mask = NAME_FILTER.get()
    return mask(text) if mask is not None else text


def percent(x: float) -> str:
    """A similarity as a short percentage: 63%, 4.2%, <0.1% (4,2 % in German)."""
    p = 100.0 * float(x)
    if p >= 10:
        return _("{p}%", p=number(p))
    if p >= 0.1:
        return _("{p}%", p=number(p, 1))
    return _("<{p}%", p=number(0.1, 1))


def song_name(track: Track) -> str:
    """ "Title — Artist" without markdown, for labels and plain text."""
    return f"{track.title} — {track.artist}"


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its English noun in the right number: "1 song", "2 songs" (for the
    command-line tools; replies use :func:`bot.i18n.ngettext`)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def songs_count(n: int) -> str:
    """ "1 song", "2,262,292 songs", in the language being written."""
    return ngettext("{n} song", "{n} songs", n)


def playlists_phrase(n: int, shared: bool = False) -> str:
    """ "in 1 playlist", "in 17 shared playlists", in the language being written."""
    if shared:
        return ngettext("in {n} shared playlist", "in {n} shared playlists", n)
    return ngettext("in {n} playlist", "in {n} playlists", n)
