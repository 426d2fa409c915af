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
from bot.i18n import _, ngettext

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
        elif ctx.guild is None:
            text = _("Use `sync global` in a DM, or `sync guild` in a server.")
            await ctx.send(embed=notice_embed(text, "warning"))
            return
        elif scope == "clear":
            tree.clear_commands(guild=ctx.guild)
            synced = await tree.sync(guild=ctx.guild)
        else:
            tree.copy_global_to(guild=ctx.guild)
            synced = await tree.sync(guild=ctx.guild)
        log.info("Synced %d commands (%s)", len(synced), scope)
        names = ", ".join(f"/{c.name}" for c in synced) or _("none")
        await ctx.send(embed=notice_embed(_synced(scope, len(synced), names), "ok"))


def _synced(scope: str, n: int, names: str) -> str:
    """What the owner is told: how many commands went where."""
    if scope == "global":
        return ngettext(
            "Synced {n} command everywhere (may take up to an hour to show): {names}.",
            "Synced {n} commands everywhere (may take up to an hour to show): {names}.",
            n, names=names,
        )  # fmt: skip
    if scope == "clear":
        return ngettext(
            "Synced {n} command for this server (cleared): {names}.",
            "Synced {n} commands for this server (cleared): {names}.",
            n, names=names,
        )  # fmt: skip
    return ngettext(
        "Synced {n} command to this server: {names}.",
        "Synced {n} commands to this server: {names}.",
        n, names=names,
    )  # fmt: skip


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Admin(bot))
