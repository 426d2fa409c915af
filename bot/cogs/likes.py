"""``like``, ``unlike``, ``likes`` and ``foryou``: each user's liked songs and picks from them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._options import choices_within_budget, command
from bot.commands import FOR_YOU, LIKE, LIKES, UNLIKE
from bot.text import CHOICE_MAX, plain
from bot.views import send_reply
from bot.working import working


class Likes(commands.Cog):
    """Remember songs you like and get recommendations from them."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @command(LIKE)
    async def like(self, ctx: commands.Context, *, song: str) -> None:
        """Remember a song you like: !like daft punk - one more time"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.like(song), answers)

    @like.autocomplete("song")
    async def like_song(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await choices_within_budget(
            self.bot.answers_for(interaction).song_choices(current), current
        )

    @command(UNLIKE)
    async def unlike(self, ctx: commands.Context, *, song: str) -> None:
        """Forget a liked song: !unlike 3 or !unlike daft punk - one more time"""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.unlike(song), answers)

    @unlike.autocomplete("song")
    async def unlike_song(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        answers = self.bot.answers_for(interaction)

        async def liked() -> list[tuple[str, str]]:
            tracks, _missing = await answers.liked_tracks()
            needle = current.casefold().strip()
            pairs = [
                (plain(f"{i}. {t.title} — {t.artist}", CHOICE_MAX), str(i))
                for i, t in enumerate(tracks, start=1)
                if needle in f"{t.artist} {t.title}".casefold()
            ]
            return pairs[:25]

        return await choices_within_budget(liked(), current)

    @command(LIKES)
    async def likes(self, ctx: commands.Context) -> None:
        """List the songs you liked."""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await answers.likes(), answers)

    @command(FOR_YOU)
    async def foryou(self, ctx: commands.Context, *, discovery: str | None = None) -> None:
        """Recommendations from the songs you liked (leaving out the ones you already like).

        !foryou --popular or !foryou --deep-cuts chooses the discovery setting.
        """
        answers = self.bot.answers_for(ctx)
        async with working(ctx):
            await send_reply(ctx, await answers.for_you(discovery), answers)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Likes(bot))
