"""``about`` and ``help``: what the bot is, how big its index is, and what it can do."""

from __future__ import annotations

import math

from discord.ext import commands

from bot.cogs._options import command
from bot.commands import ABOUT, HELP
from bot.views import send_reply
from bot.working import working


class About(commands.Cog):
    """Information about songsim."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(ABOUT)
    async def about(self, ctx: commands.Context) -> None:
        """How big the index is and how songsim works."""
        latency = self.bot.latency * 1000 if math.isfinite(self.bot.latency) else None
        answers = self.bot.answers_for(ctx)
        async with working(ctx):
            await send_reply(ctx, await answers.about(latency), answers)

    @command(HELP)
    async def help(self, ctx: commands.Context) -> None:
        """Every command with an example."""
        answers = self.bot.answers_for(ctx)
        reply = answers.help()
        reply.ephemeral = True
        await send_reply(ctx, reply, answers)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(About(bot))
