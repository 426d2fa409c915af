"""``block``, ``unblock`` and ``blocks``: artists a user never wants in an answer."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._options import choices_within_budget, command
from bot.commands import BLOCK, BLOCKS, UNBLOCK
from bot.text import CHOICE_MAX, plain
from bot.views import send_reply
from bot.working import working


class Blocks(commands.Cog):
    """Leave artists out of every answer you get."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(BLOCK)
    async def block(self, ctx: commands.Context, *, artist: str) -> None:
        """Leave an artist out of every answer: !block drake"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.block(artist), answers)

    @block.autocomplete("artist")
    async def block_artist(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.bot.answers_for(interaction).artist_choices(current), current
        )

    @command(UNBLOCK)
    async def unblock(self, ctx: commands.Context, *, artist: str) -> None:
        """Show a blocked artist again: !unblock drake or !unblock 2"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.unblock(artist), answers)

    @unblock.autocomplete("artist")
    async def unblock_artist(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        answers = self.bot.answers_for(interaction)

        async def blocked() -> list[tuple[str, str]]:
            needle = current.casefold().strip()
            names = await answers.blocked_names()
            return [
                (plain(n, CHOICE_MAX), n[:CHOICE_MAX]) for n in names if needle in n.casefold()
            ][:25]

        return await choices_within_budget(blocked(), current)

    @command(BLOCKS)
    async def blocks(self, ctx: commands.Context) -> None:
        """List the artists you blocked."""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.blocks(), answers)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Blocks(bot))
