"""``similar``, ``artist`` and ``mix``: recommendations from a song, an artist or a few songs."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discovery import EXPLAINED, FLAG_HINT
from bot.replies import Answers
from bot.views import send_reply
from bot.working import working
from index.read.ranking import DISCOVERY

log = logging.getLogger(__name__)

AUTOCOMPLETE_BUDGET = 2.5  # Discord drops autocomplete answers after 3 s

# The slash option for the discovery setting; prefix users write --popular etc. instead.
DISCOVERY_CHOICES = [app_commands.Choice(name=f"{r} — {EXPLAINED[r]}", value=r) for r in DISCOVERY]
DISCOVERY_HELP = "closest (default), popular (better-known songs) or deep cuts (less-known ones)"


async def choices_within_budget(coro, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices, or the user's own text if the index is too slow to answer."""
    try:
        pairs = await asyncio.wait_for(coro, AUTOCOMPLETE_BUDGET)
    except Exception:
        log.warning("Autocomplete for %r failed or took too long", current[:100], exc_info=True)
        pairs = [(current[:100], current[:100])] if current.strip() else []
    return [app_commands.Choice(name=name, value=value) for name, value in pairs[:25]]


class Similar(commands.Cog):
    """Find songs and artists through the playlists they share."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    def answers(self, ctx_or_interaction: commands.Context | discord.Interaction) -> Answers:
        user = getattr(ctx_or_interaction, "author", None) or ctx_or_interaction.user
        return self.bot.answers_for(user)

    @commands.hybrid_command(
        name="similar",
        aliases=["sim", "s"],
        description="Songs that share playlists with a song",
        usage=f"<artist - title> [{FLAG_HINT}]",
    )
    @app_commands.describe(
        song="artist - title, for example: daft punk - one more time", discovery=DISCOVERY_HELP
    )
    @app_commands.choices(discovery=DISCOVERY_CHOICES)
    async def similar(
        self, ctx: commands.Context, *, song: str, discovery: str | None = None
    ) -> None:
        """Songs that share playlists with a song: !similar daft punk - one more time --popular

        The prefix form takes the rest of the line as the song, so its discovery setting is a
        trailing flag (read by :meth:`Answers.similar`); ``discovery`` is the slash option.
        """
        answers = self.answers(ctx)
        async with working(ctx):
            reply = await answers.similar(song, discovery)
            await send_reply(ctx, reply, answers)

    @similar.autocomplete("song")
    async def similar_song(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(self.answers(interaction).song_choices(current), current)

    @commands.hybrid_command(name="artist", description="Artists similar to an artist")
    @app_commands.describe(name="an artist, for example: daft punk")
    async def artist(self, ctx: commands.Context, *, name: str) -> None:
        """Artists whose songs share playlists with this artist's: !artist daft punk"""
        answers = self.answers(ctx)
        async with working(ctx):
            await send_reply(ctx, await answers.artist(name), answers)

    @artist.autocomplete("name")
    async def artist_name(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.answers(interaction).artist_choices(current), current
        )

    @commands.hybrid_command(
        name="mix",
        description="Songs close to 2–5 songs at once",
        usage=f"<song | song | …> [{FLAG_HINT}]",
    )
    @app_commands.describe(
        songs="2–5 songs separated by |, for example: daft punk - one more time | queen - bohemian rhapsody",
        discovery=DISCOVERY_HELP,
    )
    @app_commands.choices(discovery=DISCOVERY_CHOICES)
    async def mix(self, ctx: commands.Context, *, songs: str, discovery: str | None = None) -> None:
        """Songs close to 2–5 songs at once: !mix song | song | song --deep-cuts"""
        answers = self.answers(ctx)
        async with working(ctx):
            await send_reply(ctx, await answers.mix(songs, discovery), answers)

    @mix.autocomplete("songs")
    async def mix_songs(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(self.answers(interaction).mix_choices(current), current)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Similar(bot))
