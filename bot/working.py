"""Show that a command is being worked on: "thinking…" for slash, typing for prefix.

A slash command must be acknowledged within 3 s, so it is deferred before any work. A
prefix command has no such deadline, but a user who typed ``!similar`` should see the
bot typing rather than nothing. The typing indicator is cosmetic, so it runs beside the
command: a slow or rate-limited typing request never delays the answer, and a failed one
is only logged.

A server may have slash commands answer privately (``/settings``): the settings cog marks
such an interaction with :data:`PRIVATE` before the command runs, and the defer is then
ephemeral, so the answer that replaces "thinking…" is too. Discord turns the first
follow-up of a "thinking…" into that message, whatever the follow-up's own flags say: a
reply meant for the user alone after a public "thinking…" (:func:`settle_thinking`) first
removes the placeholder, so that it is sent as a private message of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import discord
from discord.ext import commands

log = logging.getLogger(__name__)

TYPING_EVERY = 8.0  # seconds; Discord shows one typing signal for about 10 s
# Interaction.extras key: answer privately (True, or a note saying why, for the reply).
PRIVATE = "songsim_private"
# Interaction.extras key: a "thinking…" that everyone sees is waiting for the answer.
PUBLIC_THINKING = "songsim_public_thinking"


@contextlib.asynccontextmanager
async def working(ctx: commands.Context, *, ephemeral: bool = False) -> AsyncIterator[None]:
    """While the block runs, the user sees that the bot is on it (defer or typing)."""
    if ctx.interaction is not None:
        private = ephemeral or bool(ctx.interaction.extras.get(PRIVATE))
        await ctx.defer(ephemeral=private)
        ctx.interaction.extras[PUBLIC_THINKING] = not private
        yield
        return
    typing = asyncio.create_task(_keep_typing(ctx), name="songsim-typing")
    try:
        yield
    finally:
        typing.cancel()


async def _keep_typing(ctx: commands.Context) -> None:
    """Send the typing signal now and every :data:`TYPING_EVERY` seconds until cancelled."""
    try:
        while True:
            await ctx.typing()  # one signal (discord.py's Typing is awaitable)
            await asyncio.sleep(TYPING_EVERY)
    except Exception:  # e.g. no permission to type here, or a network error: answer anyway
        log.debug("Typing indicator failed in channel %s", ctx.channel.id, exc_info=True)


async def settle_thinking(interaction: discord.Interaction, *, private: bool) -> None:
    """Before the answer to a deferred interaction: a private answer after a public
    "thinking…" removes the placeholder first, or Discord would show the answer to everyone
    in its place. Once answered, nothing is left to remove."""
    if interaction.extras.pop(PUBLIC_THINKING, False) and private:
        with contextlib.suppress(discord.HTTPException):  # gone already: the answer still goes
            await interaction.delete_original_response()
