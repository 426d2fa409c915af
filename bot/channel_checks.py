"""Where a prefix command can be answered: a server channel must let the bot post there,
and post embeds, since songsim's answers are embeds.

Only prefix commands are checked. A slash command is answered through its interaction,
and channel permissions do not limit that. Without Send Messages nothing can be said in the
channel: :class:`CannotPostHere` makes the error handler stay silent and log one line, with
no traceback. Without Embed Links the command does not run. The error handler then says in
plain text that the permission is missing: Discord refuses a message that is only an
embed, and drops the embeds from one that has text.
"""

from __future__ import annotations

import discord
from discord.ext import commands


class CannotPostHere(commands.CheckFailure):
    """The bot may not post in the channel a prefix command came from."""


def can_embed(ctx: commands.Context) -> bool:
    """Whether a reply to ``ctx`` may carry embeds (always for slash commands and DMs)."""
    perms = _permissions(ctx)
    return perms is None or perms.embed_links


async def can_answer_here(ctx: commands.Context) -> bool:
    """Bot-wide check: a prefix command in a server channel needs Send Messages and Embed
    Links there (raises :class:`CannotPostHere` or ``BotMissingPermissions``)."""
    perms = _permissions(ctx)
    if perms is None:
        return True
    if not perms.send_messages:
        raise CannotPostHere("no permission to post in this channel")
    if not perms.embed_links:
        raise commands.BotMissingPermissions(["embed_links"])
    return True


def _permissions(ctx: commands.Context) -> discord.Permissions | None:
    """The bot's permissions where a prefix command came from, or None when they do not
    limit the answer (a slash command, a DM) or are not known: a channel or member the
    cache does not hold (discord.py gives a partial channel, with no permissions at all),
    where the command is tried and a refusal is logged without a traceback."""
    if ctx.interaction is not None or ctx.guild is None:
        return None
    channel, me = ctx.channel, ctx.guild.me
    if me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return None
    # A thread's Send Messages is its parent's Send Messages in Threads (discord.py's rule).
    return channel.permissions_for(me)
