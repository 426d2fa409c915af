"""``privacy``: what songsim keeps about you, as a list, a JSON file, or deleted.

A user's data is their own, so the answers are private: a slash command answers
ephemerally, and a prefix command in a server channel only says where to ask (a DM, or the
slash command). Deleting asks first, with a button only the caller can press
(:class:`ConfirmDelete`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord.ext import commands

from bot.cogs._options import command
from bot.commands import PRIVACY
from bot.embeds import notice_embed
from bot.views import OwnedView, send_reply
from bot.working import working

if TYPE_CHECKING:
    from bot.bot import SongsimBot

ASK_PRIVATELY = (
    "Your data is yours: use `/privacy` (only you see its answer), or send me `{prefix}privacy` "
    "in a direct message."
)
CANCELLED = "Nothing was deleted."


class ConfirmDelete(OwnedView):
    """**Delete my data** and **Cancel** under ``/privacy delete``, for the caller only."""

    def __init__(self, bot: SongsimBot, owner_id: int) -> None:
        super().__init__(owner_id)
        self.bot = bot

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def delete(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        reply = await self.bot.answers_for(interaction.user).forget_me()
        await interaction.response.edit_message(embed=reply.embed, view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(embed=notice_embed(CANCELLED, "info"), view=None)


class Privacy(commands.Cog):
    """A user's own data: see it, take it out, delete it."""

    def __init__(self, bot: SongsimBot) -> None:
        self.bot = bot

    @command(PRIVACY)
    async def privacy(
        self, ctx: commands.Context, action: Literal["show", "export", "delete"] = "show"
    ) -> None:
        """What songsim keeps about you: !privacy, !privacy export, !privacy delete"""
        answers = self.bot.answers_for(ctx.author)
        if ctx.interaction is None and ctx.guild is not None:
            text = ASK_PRIVATELY.format(prefix=answers.prefix)
            await ctx.send(embed=notice_embed(text, "info"))
            return
        async with working(ctx, ephemeral=True):
            reply = await answers.privacy(action)
            if action != "delete":
                await send_reply(ctx, reply, answers)
                return
            view = ConfirmDelete(self.bot, ctx.author.id)
            view.message = await ctx.send(embed=reply.embed, view=view, ephemeral=True)


async def setup(bot: SongsimBot) -> None:
    await bot.add_cog(Privacy(bot))
