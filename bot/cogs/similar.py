"""``similar``, ``artist`` and ``mix``: recommendations from a song, an artist or a few songs.

A song may be typed, pasted as a link, or (``/similar`` alone) what the caller is playing
on Spotify; ``/mix`` also takes an attached playlist file.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._options import choices_within_budget, command
from bot.commands import ARTIST, MIX, SIMILAR
from bot.presence import listening_of
from bot.replies.playlist import Upload
from bot.views import send_reply
from bot.working import working


class Similar(commands.Cog):
    """Find songs and artists through the playlists they share."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(SIMILAR)
    async def similar(
        self,
        ctx: commands.Context,
        *,
        song: str = "",
        discovery: str | None = None,
        other_artists: bool | None = None,
        include_liked: bool | None = None,
    ) -> None:
        """Songs that share playlists with a song: !similar daft punk - one more time --popular

        The prefix form takes the rest of the line as the song, so its discovery setting and
        exclusion options are trailing flags (read by :meth:`Answers.similar`); the slash
        command has them as options. The song may be a link; without one, what the caller
        is playing on Spotify.
        """
        answers = self.bot.answers_for(ctx)
        listening = listening_of(self.bot, ctx.author, ctx.guild)
        async with working(ctx):
            reply = await answers.similar(
                song, discovery, listening, other_artists=other_artists, include_liked=include_liked
            )
            await send_reply(ctx, reply, answers)

    @similar.autocomplete("song")
    async def similar_song(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.bot.answers_for(interaction).song_choices(current), current
        )

    @command(ARTIST)
    async def artist(self, ctx: commands.Context, *, name: str) -> None:
        """Artists whose songs share playlists with this artist's: !artist daft punk"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx):
            await send_reply(ctx, await answers.artist(name), answers)

    @artist.autocomplete("name")
    async def artist_name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.bot.answers_for(interaction).artist_choices(current), current
        )

    @command(MIX)
    async def mix(
        self,
        ctx: commands.Context,
        *,
        songs: str = "",
        discovery: str | None = None,
        playlist: discord.Attachment | None = None,
        other_artists: bool | None = None,
        include_liked: bool | None = None,
    ) -> None:
        """Songs close to 2–5 songs at once: !mix song | song | song --deep-cuts

        An attached playlist file (the slash option, or the prefix message's attachment)
        gives up to 100 seeds.
        """
        answers = self.bot.answers_for(ctx)
        if playlist is None and ctx.interaction is None and ctx.message.attachments:
            playlist = ctx.message.attachments[0]
        upload = None
        if playlist is not None:
            upload = Upload(playlist.filename, playlist.size, playlist.read)
        async with working(ctx):
            reply = await answers.mix(
                songs, discovery, upload, other_artists=other_artists, include_liked=include_liked
            )
            await send_reply(ctx, reply, answers)

    @mix.autocomplete("songs")
    async def mix_songs(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.bot.answers_for(interaction).mix_choices(current), current
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Similar(bot))
