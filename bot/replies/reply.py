"""What one answer is: a :class:`Reply` (an embed and what its buttons can do).

The commands (:class:`bot.replies.Answers`) make replies; the Discord views
(:mod:`bot.views`) and the console (:mod:`bot.console`) show them and press their buttons.
A list that can page further carries a :class:`PageSpec` saying how to fetch its pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
    ``previous`` holds the first numbers of earlier pages for "Back". ``ranking`` is the
    discovery setting the list was asked with, and ``other_artists`` / ``include_liked``
    its exclusion options, so every page (and the Export) keeps them; the user's blocks are
    read afresh for each page. ``note`` is the line every page repeats above the list (what
    an attached playlist file gave).
    """

    mode: Mode
    seeds: tuple[int, ...]
    offset: int = 0
    limit: int = PAGE_SIZE
    has_more: bool = False
    number: int = 1
    previous: tuple[int, ...] = ()
    ranking: str = DEFAULT_RANKING
    other_artists: bool = False
    include_liked: bool = False
    note: str = ""

    @property
    def explains(self) -> bool:
        """True when "Why?" can name the seed a listed song is close to (a few seeds)."""
        return self.mode in ("similar", "mix")


@dataclass
class Reply:
    """One answer: an embed plus what its buttons can do.

    ``choices`` are "did you mean" songs (picking one does ``purpose``); ``page`` is set on
    lists that can page further; ``items`` are the songs listed, for "Why?"; ``generation``
    is the index (:attr:`bot.services.Services.generation`) their song ids belong to;
    ``ranking``, ``other_artists`` and ``include_liked`` are the options a picked choice is
    answered with; ``files`` are attachments (an Export's files).
    """

    embed: discord.Embed
    choices: list[Track] = field(default_factory=list)
    purpose: Purpose = "similar"
    page: PageSpec | None = None
    items: list[Track] = field(default_factory=list)
    ephemeral: bool = False
    generation: int | None = None
    ranking: str = DEFAULT_RANKING
    other_artists: bool = False
    include_liked: bool = False
    files: list[ExportFile] = field(default_factory=list)

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
