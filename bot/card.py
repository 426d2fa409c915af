"""An embed's content before it meets Discord, and :func:`fit`, which makes it fit.

Discord refuses a whole message when one part of an embed is too long, and song names can
be any length, so every embed is built as a :class:`Card` and turned into a
``discord.Embed`` only by :func:`fit`, which cuts each part to Discord's limits (title 256,
description 4096, field name 256, field value 1024, footer 2048, 25 fields, 6000 in total).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.text import clip

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
FIELDS_MAX = 25
TOTAL_MAX = 6000

COLOUR_OK = discord.Colour(0x1DB954)
COLOUR_INFO = discord.Colour.blurple()
COLOUR_WARN = discord.Colour.gold()
COLOUR_ERROR = discord.Colour.red()


@dataclass
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass
class Card:
    """An embed's content before it meets Discord's limits; strings are already safe."""

    title: str
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    footer: str = ""
    url: str | None = None
    thumbnail: str | None = None
    colour: discord.Colour = COLOUR_OK


def fit(card: Card) -> discord.Embed:
    """Build the embed, cutting every part to Discord's limits and the 6000 total.

    Fields beyond 25 are dropped; when the total is still too long, fields go from the end,
    then the description is shortened.
    """
    title = clip(card.title, TITLE_MAX)
    footer = clip(card.footer, FOOTER_MAX)
    fields = [
        Field(
            _shown(clip(f.name, FIELD_NAME_MAX)), _shown(clip(f.value, FIELD_VALUE_MAX)), f.inline
        )
        for f in card.fields[:FIELDS_MAX]
    ]
    description = clip(card.description, DESCRIPTION_MAX)

    def total() -> int:
        return (
            len(title)
            + len(footer)
            + len(description)
            + sum(len(f.name) + len(f.value) for f in fields)
        )

    while total() > TOTAL_MAX and fields:
        fields.pop()
    if total() > TOTAL_MAX:
        description = clip(description, max(TOTAL_MAX - (total() - len(description)), 1))
    embed = discord.Embed(
        title=title, description=description or None, colour=card.colour, url=card.url
    )
    for f in fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if footer:
        embed.set_footer(text=footer)
    if card.thumbnail:
        embed.set_thumbnail(url=card.thumbnail)
    return embed


def _shown(text: str) -> str:
    """A field's name or value as Discord requires it: with something besides white space
    (a zero-width space stands for nothing)."""
    return text if text.strip() else "\u200b"


def embed_length(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6000 total."""
    return len(embed)
