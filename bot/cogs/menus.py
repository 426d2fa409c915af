"""Right-click a message → Apps → "Find similar songs": songs like what the message names.

A message context menu reads someone else's message (its song link, else its "artist -
title") and answers as ``/similar`` does, in servers, DMs and group DMs (user installs).
The interaction carries the message's content even without the Message Content intent.

discord.py cannot declare a context menu as a cog method, so the cog builds an
``app_commands.ContextMenu`` and adds it to the command tree when it loads. Context menus
are not hybrid commands, so the shared cooldown, the error cog and the server's settings
(the menu is off where ``similar`` is; private replies) do not reach them: all are applied
here.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._options import OOPS
from bot.commands import FIND_SIMILAR
from bot.embeds import notice_embed
from bot.i18n import N_, _, number
from bot.replies import Answers, Reply
from bot.replies.reply import notice
from bot.replies.seeds import message_song_text
from bot.views import reply_view
from bot.working import PUBLIC_THINKING, send_answer, settle_thinking

if TYPE_CHECKING:
    from bot.bot import SongsimBot

log = logging.getLogger(__name__)

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)
NOTHING_TO_READ = N_(
    "That message has no song link or “artist - title” I can read. Right-click a message "
    "with a Spotify, YouTube, Apple Music, Deezer or Last.fm link, or use `/similar`."
)


class Menus(commands.Cog):
    """The message context menus (right-click → Apps)."""

    def __init__(self, bot: SongsimBot) -> None:
        self.bot = bot
        self.find_similar_menu = app_commands.ContextMenu(
            name=FIND_SIMILAR.name,
            callback=self.find_similar,
            allowed_contexts=EVERYWHERE,
            allowed_installs=ANY_INSTALL,
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.find_similar_menu)

    async def cog_unload(self) -> None:
        menu = self.find_similar_menu
        self.bot.tree.remove_command(menu.name, type=menu.type)

    async def find_similar(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Songs like the right-clicked message's link or song, answered like ``/similar``."""
        if retry_after := self.cooling_down(interaction.user):
            await interaction.response.send_message(
                embed=notice_embed(
                    _(
                        "Easy there — you can ask again in {seconds} s.",
                        seconds=number(retry_after),
                    ),
                    "warning",
                ),
                ephemeral=True,
            )
            return
        server = self.bot.services.user_db.servers.get(interaction.guild_id)
        if server.is_off("similar"):
            await interaction.response.send_message(
                embed=notice_embed(
                    _("This server has turned `{name}` off.", name="similar"), "warning"
                ),
                ephemeral=True,
            )
            return
        channel = interaction.channel
        outside = not server.prefix_allowed(
            interaction.channel_id, getattr(channel, "parent_id", None)
        )
        await interaction.response.defer(thinking=True, ephemeral=server.private or outside)
        interaction.extras[PUBLIC_THINKING] = not (server.private or outside)
        answers: Answers = self.bot.answers_for(interaction)
        try:
            embeds = [(e.url or "", e.title or "", e.description or "") for e in message.embeds]
            text = message_song_text(message.content, embeds)
            reply = await answers.similar(text) if text else notice(_(NOTHING_TO_READ), "info")
            if not (reply.items or reply.interactive):  # a miss on someone's message: the
                reply = replace(reply, ephemeral=True)  # asker's to see, not the channel's
            await send_followup(interaction, reply, answers)
        except Exception:
            log.exception("The %r menu failed", FIND_SIMILAR.name)
            log.debug("The failed menu was user %s's", interaction.user.id)
            try:  # the public "thinking…" goes, so that only the user sees the apology
                await settle_thinking(interaction, private=True)
                await interaction.followup.send(
                    embed=notice_embed(_(OOPS), "error"), ephemeral=True
                )
            except discord.HTTPException:
                log.warning("Could not tell a user about a failed menu")
                log.debug("The user not told was %s", interaction.user.id)

    def cooling_down(self, user: discord.abc.User) -> float | None:
        """Seconds to wait when ``user`` is over the bot's shared per-user cooldown."""
        owners = self.bot.owner_ids or set()
        if user.id in owners:
            return None
        bucket = self.bot.cooldown.get_bucket(SimpleNamespace(author=user))  # keyed by author id
        return bucket.update_rate_limit() if bucket is not None else None


async def send_followup(interaction: discord.Interaction, reply: Reply, answers: Answers) -> None:
    """Send ``reply`` after a defer, with its buttons (for the person who asked)."""
    view = await reply_view(reply, interaction.user.id, answers)
    kwargs: dict[str, Any] = {"embed": reply.embed, "wait": True, "ephemeral": reply.ephemeral}
    if view is not None:
        kwargs["view"] = view
    await send_answer(interaction, interaction.followup.send, private=reply.ephemeral, **kwargs)


async def setup(bot: SongsimBot) -> None:
    await bot.add_cog(Menus(bot))
