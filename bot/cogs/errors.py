"""The one error handler: every failure becomes a short, friendly reply and a log line.

Expected problems (a missing argument, a cooldown, a check) get a sentence saying what to
do; anything else is logged with its traceback and the user sees only that something went
wrong. Slash command replies are ephemeral, so mistakes do not clutter the channel. A
user's id and what they typed reach the log at debug level only.
"""

from __future__ import annotations

import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.channel_checks import CannotPostHere, can_embed
from bot.cogs._options import OOPS, ServerRefusal
from bot.embeds import notice_embed
from bot.i18n import _, number, use_language
from bot.working import settle_thinking

log = logging.getLogger(__name__)


def unwrap(error: BaseException) -> BaseException:
    """The exception that actually happened, out of discord.py's wrappers."""
    while True:
        wrappers = (
            commands.HybridCommandError,
            commands.CommandInvokeError,
            app_commands.CommandInvokeError,
        )
        if isinstance(error, wrappers):
            error = error.original
        else:
            return error


def usage(ctx: commands.Context) -> str:
    """How to call the command, in the form the user used (slash or prefix)."""
    cmd = ctx.command
    if cmd is None:
        return ""
    if ctx.interaction is not None:
        return f"/{cmd.qualified_name}"
    prefix = ctx.clean_prefix if ctx.prefix else ""
    return f"{prefix}{cmd.qualified_name} {cmd.signature}".strip()


class Errors(commands.Cog):
    """Turns command failures into replies; logs what users should not see."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._cooldown_noticed: dict[int, float] = {}  # user id → end of the noticed cooldown

    def message_for(self, ctx: commands.Context, error: BaseException) -> tuple[str, str] | None:
        """``(kind, text)`` to tell the user, or None to stay silent."""
        if isinstance(error, commands.CommandNotFound):
            return None  # another bot may share the prefix: unknown commands are not ours
        if isinstance(error, CannotPostHere):
            return None  # nothing can be said there
        if isinstance(error, commands.CommandOnCooldown):
            now = time.monotonic()
            if self._cooldown_noticed.get(ctx.author.id, 0.0) > now and ctx.interaction is None:
                # One notice a cooldown for messages; a slash command must always be answered
                # (Discord says "did not respond" otherwise), privately, so it clutters nothing.
                return None
            self._cooldown_noticed[ctx.author.id] = now + error.retry_after
            if len(self._cooldown_noticed) > 10_000:
                self._cooldown_noticed = {
                    k: v for k, v in self._cooldown_noticed.items() if v > now
                }
            return (
                "warning",
                _(
                    "Easy there — you can ask again in {seconds} s.",
                    seconds=number(error.retry_after),
                ),
            )
        if isinstance(error, commands.MissingRequiredArgument):
            return (
                "warning",
                _("Missing `{name}`. Use: `{usage}`", name=error.param.name, usage=usage(ctx)),
            )
        if isinstance(error, commands.BadLiteralArgument):
            options = ", ".join(f"`{x}`" for x in error.literals)
            return (
                "warning",
                _("`{name}` must be one of {options}.", name=error.param.name, options=options),
            )
        if isinstance(error, commands.UserInputError):
            return ("warning", _("I didn't understand that. Use: `{usage}`", usage=usage(ctx)))
        if isinstance(error, commands.NotOwner):
            return ("warning", _("Only the bot's owner can do that."))
        if isinstance(error, commands.NoPrivateMessage):
            return ("warning", _("That only works in a server."))
        if isinstance(error, commands.BotMissingPermissions):
            perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
            return ("warning", _("I need these permissions here: {perms}.", perms=perms))
        if isinstance(error, ServerRefusal):
            return ("warning", str(error))
        if isinstance(error, commands.CheckFailure):
            return ("warning", _("You can't use that command here."))
        if isinstance(error, commands.DisabledCommand):
            return ("warning", _("That command is switched off right now."))
        return None

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        original = unwrap(error)
        with use_language(self.bot.language_for(ctx)):  # type: ignore[attr-defined]
            await self.answer(ctx, original)

    async def answer(self, ctx: commands.Context, original: BaseException) -> None:
        """Log ``original`` and tell the user what went wrong, in their language."""
        if isinstance(original, discord.Forbidden) and ctx.interaction is None:
            # The channel's permissions changed while the command ran: no one to tell there.
            log.warning("Discord refused an answer in a channel (code %s)", original.code)
            return
        reply = self.message_for(ctx, original)
        if reply is None and not isinstance(original, commands.CommandError):
            log.error(
                "Command %s failed (%s)",
                ctx.command.qualified_name if ctx.command else "?",
                "slash" if ctx.interaction else "prefix",
                exc_info=original,
            )
            log.debug("The failed command was user %s's", ctx.author.id)
            reply = ("error", _(OOPS))
        elif isinstance(original, CannotPostHere):
            log.info("A prefix command came from a channel songsim may not post in: not answered")
        elif reply is None and not isinstance(
            original, commands.CommandNotFound | commands.CommandOnCooldown
        ):
            # The message may quote what the user typed: only at debug level.
            log.warning("Unhandled command error %s", type(original).__name__)
            log.debug("Unhandled command error %s: %s", type(original).__name__, original)
        if reply is None:
            return
        kind, text = reply
        try:
            await self.tell(ctx, text, kind)
        except discord.HTTPException:
            log.warning("Could not tell a user about a failed command")
            log.debug("The user not told was %s", ctx.author.id)

    async def tell(self, ctx: commands.Context, text: str, kind: str) -> None:
        """Reply privately to a slash command, publicly to a prefix command: a notice embed,
        or the same sentence as text in a channel without Embed Links.

        A slash command that deferred publicly and then failed still shows "thinking…" to
        everyone; that placeholder is removed so the error goes only to the user.
        """
        if not can_embed(ctx):
            await ctx.send(text)
            return
        embed = notice_embed(text, kind)
        interaction = ctx.interaction
        if interaction is None or not interaction.response.is_done():
            await ctx.send(embed=embed, ephemeral=True)
            return
        await settle_thinking(interaction, private=True)
        await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Errors(bot))
