"""Buttons and menus an older songsim posted, before they carried their state.

Their custom ids are discord.py's random ones and what they stood for lived in the memory of
a process that is gone, so they cannot be answered. :class:`FromBefore` (registered with the
current components, :data:`bot.views.DYNAMIC_ITEMS`) gives a press on one a private note
saying to ask again, instead of Discord's "This interaction failed". It answers only on
songsim's old lists and menus (their labels), never on another live view's component.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.i18n import N_, SLASH_PREFIX, _, use_language

FROM_BEFORE = N_(
    "These buttons were posted before songsim was updated and no longer work — ask again "
    "(`{c.help}` lists the commands)."
)
OLD_LABELS = {"Back", "More", "Why?", "Export"}
OLD_PLACEHOLDERS = {"Did you mean…", "Not the one? Pick another song…", "Why is this song here?"}
OLD_MESSAGE_MARKS = {"Export", *OLD_PLACEHOLDERS}  # one of them was on every such message


class FromBefore(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"[0-9a-f]{32}"):
    """A press on an old songsim component (discord.py's random 32-hex-digit id)."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FromBefore:
        return cls(item)  # type: ignore[arg-type]

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only a press on one of songsim's old lists or menus (an Export button or one of
        its menus beside it): another view's component is left to that view."""
        siblings = self.view.children if self.view is not None else []
        return _old_mark(self.item) is not None and any(
            _old_mark(i) in OLD_MESSAGE_MARKS for i in siblings
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        with use_language(str(interaction.locale)):
            text = _(FROM_BEFORE, prefix=SLASH_PREFIX)  # a press: the slash commands work
        await interaction.response.send_message(text, ephemeral=True)


def _old_mark(item: discord.ui.Item[Any]) -> str | None:
    """The label or placeholder that shows ``item`` was one of songsim's old components."""
    item = getattr(item, "item", item)  # a dynamic item: the button or menu it wraps
    mark = getattr(item, "label", None) or getattr(item, "placeholder", None)
    return mark if mark in OLD_LABELS | OLD_PLACEHOLDERS else None
