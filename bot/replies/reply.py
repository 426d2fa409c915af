"""What one answer is: a :class:`Reply` (an embed and what its buttons can do).

The commands (:class:`bot.replies.Answers`) make replies; the Discord views
(:mod:`bot.views`) and the console (:mod:`bot.console`) show them and press their buttons.
A list that can page further carries a :class:`PageSpec` saying how to fetch its pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import discord

from bot import embeds
from bot.export import ExportFile
from index.model import Track
from index.read.ranking import DEFAULT_RANKING

PAGE_SIZE = 10

Mode = Literal["similar", "mix", "foryou", "playlist"]  # playlist: /mix with a file
Purpose = Literal["similar", "like", "artist"]


@dataclass
class PageSpec:
    """Where a list of recommendations came from, so "More" and "Back" can fetch pages.

    Pages can be shorter than ``limit`` (the index caps songs per artist on a page), so the
    number shown beside the first song is kept here rather than computed from ``offset``;
    a page reached by "Back" knows only ``next_number`` (the first number of the page after
    it) until it is read, and numbers itself back from there (:meth:`numbered`), so a
    button needs no history of the pages before. ``ranking`` is the discovery setting the
    list was asked with, and ``other_artists`` / ``include_liked`` its exclusion options,
    so every page (and the Export) keeps them; the user's blocks are read afresh for each
    page. ``note`` is the line every page repeats above the list (what an attached playlist
    file gave). ``checks`` holds each seed's :func:`~bot.replies.refs.song_check`, so a page
    asked for after the index was replaced can tell whether its seeds are still the same
    songs (``/foryou`` has none: its seeds are the user's likes, read again for each page).
    """

    mode: Mode
    seeds: tuple[int, ...]
    offset: int = 0
    limit: int = PAGE_SIZE
    has_more: bool = False
    number: int = 1
    ranking: str = DEFAULT_RANKING
    other_artists: bool = False
    include_liked: bool = False
    note: str = ""
    checks: tuple[str, ...] = ()
    next_number: int | None = None

    @property
    def explains(self) -> bool:
        """True when "Why?" can name the seed a listed song is close to (a few seeds)."""
        return self.mode in ("similar", "mix")

    def next_page(self, shown: int) -> PageSpec:
        """The page "More" shows after this one, which listed ``shown`` songs."""
        return replace(
            self, offset=self.offset + self.limit, number=self.number + shown, next_number=None
        )

    def previous_page(self) -> PageSpec:
        """The page "Back" shows: numbered once read, from this page's first number."""
        offset = max(0, self.offset - self.limit)
        return replace(self, offset=offset, number=1, next_number=self.number)

    def numbered(self, shown: int) -> PageSpec:
        """This page with its first number, now that it is read and lists ``shown`` songs."""
        if self.next_number is None:
            return self
        number = 1 if self.offset == 0 else max(1, self.next_number - shown)
        return replace(self, number=number, next_number=None)


@dataclass
class Reply:
    """One answer: an embed plus what its buttons can do.

    ``choices`` are "did you mean" songs (picking one does ``purpose``); ``page`` is set on
    lists that can page further; ``items`` are the songs listed, for "Why?"; ``ranking``,
    ``other_artists`` and ``include_liked`` are the options a picked choice is answered
    with; ``files`` are attachments (an Export's files). ``gone`` marks the notice a button
    gets when a song it names is no longer in the index (the buttons under it are then
    turned off).
    """

    embed: discord.Embed
    choices: list[Track] = field(default_factory=list)
    purpose: Purpose = "similar"
    page: PageSpec | None = None
    items: list[Track] = field(default_factory=list)
    ephemeral: bool = False
    ranking: str = DEFAULT_RANKING
    other_artists: bool = False
    include_liked: bool = False
    files: list[ExportFile] = field(default_factory=list)
    gone: bool = False

    @property
    def interactive(self) -> bool:
        return bool(self.choices or self.page)

    @classmethod
    def of_list(
        cls, embed: discord.Embed, page: PageSpec, items: list[Track], choices: Sequence[Track] = ()
    ) -> Reply:
        """A page of a list, with the options its choices and buttons answer with."""
        return cls(
            embed,
            choices=list(choices),
            page=page,
            items=items,
            ranking=page.ranking,
            other_artists=page.other_artists,
            include_liked=page.include_liked,
        )


def notice(
    text: str, kind: str = "info", title: str | None = None, ephemeral: bool = False
) -> Reply:
    """A short message without buttons (``kind`` as in :func:`bot.embeds.notice_embed`)."""
    return Reply(embeds.notice_embed(text, kind, title), ephemeral=ephemeral)
