"""``settings``: how songsim behaves in this server, and the rules every command follows there.

Members with Manage Server see and change the settings (:mod:`bot.replies.settings`); the
permission is read from the interaction (Discord resolves it, with the channel's overwrites)
or, for a prefix command, from the channel. Everyone else gets a private refusal, even
where a server has let them see the command.

The cog also applies the settings to every command, in a bot check run once per command
before it starts: a command the server turned off is refused, and a slash command answers
privately when the server asks for private replies, or when it is used outside the
channels where prefix commands are answered (with a note saying so). Prefix commands in
other channels are never answered (:meth:`bot.bot.SongsimBot.process_commands`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._options import ServerRefusal, command
from bot.commands import SETTINGS
from bot.discovery import EXPLAINED
from bot.i18n import _, languages
from bot.i18n.tree import keyed_choice
from bot.server_settings import SETTINGS as SETTING_HELP
from bot.server_settings import SONG_NAMES, WHY_NAMES, SettingError, setting_named
from bot.views import send_reply
from bot.working import PRIVATE, working

if TYPE_CHECKING:
    from bot.bot import SongsimBot

# "why_names — shown, filtered …": the command tree's translator puts the text in each
# language (bot.i18n.tree reads the key and text from the choice's extras).
SETTING_CHOICES = [
    app_commands.Choice(name=keyed_choice(k, v), value=k) for k, v in SETTING_HELP.items()
]
VALUES: dict[str, tuple[str, ...]] = {
    "discovery": tuple(EXPLAINED),
    "replies": ("public", "private"),
    "why_names": WHY_NAMES,
    "song_names": SONG_NAMES,
    "prefix_channels": ("all", "add here", "remove here", "add #", "remove #"),
    "commands_off": ("none", "add ", "remove "),
    "words": ("none", "add ", "remove "),
    "language": ("default", *languages()),
}


def can_manage(ctx: commands.Context) -> bool:
    """Whether the caller may change this server's settings (Manage Server or Administrator)."""
    perms = ctx.permissions
    return bool(perms.manage_guild or perms.administrator)


def channel_reader(ctx: commands.Context) -> Callable[[str], int | None]:
    """Reads a channel as people name it in ``prefix_channels``: #music, music, here."""

    def find(word: str) -> int | None:
        name = word.strip().lstrip("#").casefold()
        if name in ("here", "this"):
            return ctx.channel.id
        guild = ctx.guild
        channels = list(guild.text_channels) if isinstance(guild, discord.Guild) else []
        return next((c.id for c in channels if c.name.casefold() == name), None)

    return find


def private_note(ctx: commands.Context, channels: frozenset[int]) -> str:
    """Why a slash command in a channel without prefix commands answers privately."""
    guild = ctx.guild
    names = []
    for cid in sorted(channels)[:3]:
        channel = guild.get_channel(cid) if isinstance(guild, discord.Guild) else None
        names.append(f"#{channel.name}" if channel is not None else _("its channels"))
    shown = ", ".join(dict.fromkeys(names))
    return _(
        "Only you can see this: in this server songsim answers in public in {channels}.",
        channels=shown,
    )


class Settings(commands.Cog):
    """A server's settings, and applying them to every command there."""

    def __init__(self, bot: SongsimBot) -> None:
        self.bot = bot

    async def bot_check_once(self, ctx: commands.Context) -> bool:
        """Apply the server's settings before any command runs (a lookup in memory)."""
        guild_id = ctx.guild.id if ctx.guild is not None else None
        if guild_id is None or ctx.command is None:
            return True
        server = self.bot.services.user_db.servers.get(guild_id)
        name = ctx.command.qualified_name.split(" ")[0]
        if server.is_off(name):
            raise ServerRefusal(_("This server has turned `{name}` off.", name=name))
        if ctx.interaction is not None:
            channel = ctx.channel
            outside = not server.prefix_allowed(channel.id, getattr(channel, "parent_id", None))
            if outside:
                ctx.interaction.extras[PRIVATE] = private_note(ctx, server.prefix_channels)
            elif server.private:
                ctx.interaction.extras[PRIVATE] = True
        return True

    @command(SETTINGS)  # servers only, Manage Server: the catalogue says so
    @app_commands.choices(setting=SETTING_CHOICES)
    async def settings(
        self, ctx: commands.Context, setting: str | None = None, *, value: str = ""
    ) -> None:
        """This server's settings: !settings, or !settings why_names hidden to change one."""
        answers = self.bot.answers_for(ctx)
        async with working(ctx, ephemeral=True):
            reply = await answers.settings(
                setting or "", value, can_manage=can_manage(ctx), channel=channel_reader(ctx)
            )
            await send_reply(ctx, reply, answers)

    @settings.autocomplete("value")
    async def settings_value(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The values of the setting chosen in the first option."""
        try:
            key = setting_named(str(getattr(interaction.namespace, "setting", "") or ""))
        except SettingError:
            return []
        needle = current.casefold().strip()
        values = [v for v in VALUES[key] if v.startswith(needle) or needle.startswith(v)]
        if current.strip() and current not in values:
            values.insert(0, current)
        return [app_commands.Choice(name=v[:100], value=v[:100]) for v in values[:25]]


async def setup(bot: SongsimBot) -> None:
    await bot.add_cog(Settings(bot))
