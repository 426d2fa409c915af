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
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import discord
from discord.ext import commands

log = logging.getLogger(__name__)
T = TypeVar("T")

TYPING_EVERY = 8.0  # seconds; Discord shows one typing signal for about 10 s
# Interaction.extras key: answer privately (True, or a note saying why, for the reply).
PRIVATE = "songsim_private"
# Interaction.extras keys: the defer showed "thinking…" to everyone; the answer was sent.
PUBLIC_THINKING = "songsim_public_thinking"
REPLIED = "songsim_replied"


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
    """Before an answer (or an apology) to a deferred interaction: a private one while a
    public "thinking…" still waits (not yet replaced by a sent answer, :data:`REPLIED`)
    removes that placeholder first, or Discord would show it to everyone in its place."""
    extras = interaction.extras
    if private and extras.get(PUBLIC_THINKING) and not extras.get(REPLIED):
        extras[PUBLIC_THINKING] = False
        with contextlib.suppress(discord.HTTPException):  # gone already: the answer still goes
            await interaction.delete_original_response()


async def send_answer(
    interaction: discord.Interaction, send: Callable[..., Awaitable[T]], *, private: bool, **kw
) -> T:
    """``send(**kw)`` as the answer to ``interaction``: the placeholder settled first
    (:func:`settle_thinking`), the answer marked sent after (:data:`REPLIED`), so an
    apology that follows knows nothing public waits any more."""
    await settle_thinking(interaction, private=private)
    message = await send(**kw)
    interaction.extras[REPLIED] = True
    return message
