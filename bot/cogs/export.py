"""``export``: the caller's last list of songs as files (the Export button's command)."""

from __future__ import annotations

from discord.ext import commands

from bot.cogs._options import command
from bot.commands import EXPORT
from bot.views import send_reply
from bot.working import working


class Export(commands.Cog):
    """Take a list of songs elsewhere: Spotify links, CSV and JSPF."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(EXPORT)
    async def export(self, ctx: commands.Context) -> None:
        """Your last list of songs as files: !export"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.export_last(), answers)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Export(bot))
