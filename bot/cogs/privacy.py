"""``privacy``: what songsim keeps about you, as a list, a JSON file, or deleted.

A user's data is their own, so the answers are private: a slash command answers
ephemerally, and a prefix command in a server channel only says where to ask (a DM, or the
slash command). Deleting asks first, with a button only the caller can press
(:class:`ConfirmDelete`, which still works after a restart).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord.ext import commands

from bot import custom_ids
from bot.cogs._options import command
from bot.commands import PRIVACY
from bot.embeds import notice_embed
from bot.i18n import N_, _
from bot.replies import Answers
from bot.views import Owned, send_reply
from bot.working import working

if TYPE_CHECKING:
    from bot.bot import SongsimBot

ASK_PRIVATELY = N_(
    "Your data is yours: use `/privacy` (only you see its answer), or send me `{c.privacy}` "
    "in a direct message."
)
CANCELLED = N_("Nothing was deleted.")
# The slash option's choices, as a German client shows them (the value stays English).
ACTIONS = (N_("show"), N_("export"), N_("delete"))
BUTTONS = {  # act → label (shown translated), style
    "d": (N_("Delete my data"), discord.ButtonStyle.danger),
    "c": (N_("Cancel"), discord.ButtonStyle.secondary),
}


AGAIN = 60.0  # seconds in which a second "Delete my data" press is the same request
_DELETED_AT: dict[int, float] = {}  # owner → when a press deleted their data


class ConfirmDelete(
    Owned, discord.ui.DynamicItem[discord.ui.Button[Any]], template=custom_ids.CONFIRM_DELETE
):
    """**Delete my data** or **Cancel** under ``/privacy delete``, for the caller only; the
    custom id says which and whose, so a press after a restart is answered too."""

    def __init__(self, owner_id: int, act: str) -> None:
        label, style = BUTTONS[act]
        super().__init__(
            discord.ui.Button(
                label=_(label), style=style, custom_id=custom_ids.confirm_id(owner_id, act)
            )
        )
        self.owner_id, self.act = owner_id, act

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmDelete:
        return cls(int(match["owner"], 36), match["act"])

    @classmethod
    def view(cls, owner_id: int) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for act in BUTTONS:
            view.add_item(cls(owner_id, act))
        return view

    async def answer(self, interaction: discord.Interaction, answers: Answers) -> None:
        # Acknowledged first: deleting may take longer than the 3 s Discord waits.
        await interaction.response.defer()
        if self.act == "d":
            reply = await answers.forget_me()
            now = time.monotonic()
            if reply.gone and now - _DELETED_AT.get(self.owner_id, -AGAIN) < AGAIN:
                return  # a second press: the first answer stands
            if not reply.gone:
                _DELETED_AT[self.owner_id] = now
                for owner in [o for o, t in _DELETED_AT.items() if now - t >= AGAIN]:
                    del _DELETED_AT[owner]
            embed = reply.embed
        else:
            embed = notice_embed(_(CANCELLED), "info")
        await interaction.edit_original_response(embed=embed, view=None)


class Privacy(commands.Cog):
    """A user's own data: see it, take it out, delete it."""

    def __init__(self, bot: SongsimBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConfirmDelete)  # loaded in setup_hook: before any press

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConfirmDelete)

    @command(PRIVACY)
    async def privacy(
        self, ctx: commands.Context, action: Literal["show", "export", "delete"] = "show"
    ) -> None:
        """What songsim keeps about you: !privacy, !privacy export, !privacy delete"""
        answers = self.bot.answers_for(ctx)
        if ctx.interaction is None and ctx.guild is not None:
            text = _(ASK_PRIVATELY, prefix=answers.prefix)
            await ctx.send(embed=notice_embed(text, "info"))
            return
        async with working(ctx, ephemeral=True):
            reply = await answers.privacy(action)
            if action != "delete":
                await send_reply(ctx, reply, answers)
                return
            view = ConfirmDelete.view(ctx.author.id)
            await ctx.send(embed=reply.embed, view=view, ephemeral=True)


async def setup(bot: SongsimBot) -> None:
    await bot.add_cog(Privacy(bot))
