"""``sync``: the owner publishes the slash commands, to one server or everywhere.

Syncing is rate-limited by Discord and rarely needed (only when commands change), so it is
an explicit owner-only command, never done on start.
"""

from __future__ import annotations

import logging
from typing import Literal

from discord.ext import commands

from bot.cogs._options import command
from bot.commands import SYNC
from bot.embeds import notice_embed
from bot.text import count_of

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    """Commands only the bot's owner can run."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(SYNC)  # owner-only: the catalogue says so and the decorator adds the check
    async def sync(
        self, ctx: commands.Context, scope: Literal["guild", "global", "clear"] = "guild"
    ) -> None:
        """Sync slash commands: `sync guild` (this server, instant), `sync global`, `sync clear`."""
        tree = self.bot.tree
        if scope == "global":
            synced = await tree.sync()
            where = "everywhere (may take up to an hour to show)"
        elif ctx.guild is None:
            await ctx.send(
                embed=notice_embed(
                    "Use `sync global` in a DM, or `sync guild` in a server.", "warning"
                )
            )
            return
        elif scope == "clear":
            tree.clear_commands(guild=ctx.guild)
            synced = await tree.sync(guild=ctx.guild)
            where = "for this server (cleared)"
        else:
            tree.copy_global_to(guild=ctx.guild)
            synced = await tree.sync(guild=ctx.guild)
            where = "to this server"
        log.info("Synced %d commands %s", len(synced), where)
        names = ", ".join(f"/{c.name}" for c in synced) or "none"
        await ctx.send(
            embed=notice_embed(f"Synced {count_of(len(synced), 'command')} {where}: {names}.", "ok")
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Admin(bot))
