"""The Discord bot: a ``commands.Bot`` with songsim's cogs, defaults and safety settings.

Set once here so no command can forget them: mentions are disabled on every message
(``AllowedMentions.none()``), slash commands are allowed in servers, DMs and private
channels and for both server and user installs, every user shares one cooldown across
commands, and a heartbeat file is touched while connected. Commands are synced only by
the owner's ``sync`` command, never on start. The buttons and menus under replies are
registered at start-up, so they keep working across restarts (:mod:`bot.views`). A server's
settings (``/settings``) decide where prefix commands are answered: elsewhere they are left
unanswered, as if meant for another bot.
"""

from __future__ import annotations

import logging
import math
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.channel_checks import can_answer_here
from bot.heartbeat import Heartbeat
from bot.i18n import SLASH_PREFIX, language_of, use_language
from bot.i18n.tree import CatalogueTranslator, LocalisedTree
from bot.replies import Answers
from bot.services import Services
from bot.stopping import CleanStop
from bot.views import DYNAMIC_ITEMS

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.errors",
    "bot.cogs.similar",
    "bot.cogs.likes",
    "bot.cogs.blocks",
    "bot.cogs.export",
    "bot.cogs.menus",
    "bot.cogs.about",
    "bot.cogs.admin",
    "bot.cogs.settings",
    "bot.cogs.privacy",
)

COOLDOWN_RATE, COOLDOWN_PER = 5, 10.0


def intents(message_content: bool, presence: bool = False) -> discord.Intents:
    """Only what the bot reads: guild and DM messages (content when the intent is granted);
    with ``presence``, members and their presences, for "what I'm playing" (both privileged:
    enable "Presence Intent" and "Server Members Intent" in the Developer Portal)."""
    return discord.Intents(
        guilds=True,
        guild_messages=True,
        dm_messages=True,
        message_content=message_content,
        presences=presence,
        members=presence,
    )


class SongsimBot(CleanStop, commands.Bot):
    """songsim on Discord: hybrid commands (``!similar`` and ``/similar``) over the index.

    ``close()`` works at any moment, even mid-reconnect (:mod:`bot.stopping`).
    """

    def __init__(
        self,
        services: Services,
        *,
        message_content: bool | None = None,
        presence: bool | None = None,
    ) -> None:
        settings = services.settings
        content = settings.message_content if message_content is None else message_content
        presence = settings.presence if presence is None else presence
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.prefix),
            intents=intents(content, presence),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            case_insensitive=True,
            strip_after_prefix=True,
            owner_ids=set(settings.owner_ids) or None,
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            activity=discord.Activity(
                type=discord.ActivityType.listening, name=f"{settings.prefix}help"
            ),
            tree_cls=LocalisedTree,
        )
        self.services = services
        self.started_at = time.time()
        self.failed_extensions: dict[str, str] = {}
        self.cooldown = commands.CooldownMapping.from_cooldown(
            COOLDOWN_RATE, COOLDOWN_PER, commands.BucketType.user
        )
        self.add_check(can_answer_here, call_once=True)  # before the cooldown counts it
        self.add_check(self._per_user_cooldown, call_once=True)
        self.heartbeat = (
            Heartbeat(settings.heartbeat_path, settings.heartbeat_interval, self.is_healthy)
            if settings.heartbeat_path
            else None
        )
        self._connected = False
        self._stopping = False

    def answers_for(self, asked: commands.Context | discord.Interaction) -> Answers:
        """The answers for who ``asked``; a server member's follow that server's settings.

        Asked by a slash command or a button, their texts name commands as ``/name`` (the
        name the reader's Discord shows); by a message, with the prefix it was typed with.
        """
        if isinstance(asked, discord.Interaction):
            user, slash = asked.user, True
        else:
            user, slash = asked.author, asked.interaction is not None
        guild = getattr(user, "guild", None)  # a Member (in a server) knows its server
        return Answers(
            self.services,
            user.id,
            SLASH_PREFIX if slash else None,
            guild_id=guild.id if guild is not None else None,
        )

    def language_for(self, ctx: commands.Context) -> str:
        """The language to answer ``ctx`` in: a slash command's user's Discord language; for
        a prefix command the server's ``language`` setting, else the bot's (SONGSIM_LANG)."""
        if ctx.interaction is not None:
            return language_of(ctx.interaction.locale.value)
        return self.server_language(ctx.guild.id if ctx.guild is not None else None)

    def server_language(self, guild_id: int | None) -> str:
        """A server's language for prefix commands (DMs: the bot's default)."""
        chosen = self.services.user_db.servers.get(guild_id).language
        return chosen or self.services.settings.language

    async def invoke(self, ctx: commands.Context, /) -> None:
        """Run a command written in the language it is answered in (errors included: their
        handler runs in a task copied from this one)."""
        with use_language(self.language_for(ctx)):
            await super().invoke(ctx)

    async def process_commands(self, message: discord.Message, /) -> None:
        """Answer prefix commands, except in channels a server keeps them out of."""
        if message.author.bot:
            return
        ctx = await self.get_context(message)
        if ctx.valid and message.guild is not None:
            server = self.services.user_db.servers.get(message.guild.id)
            channel = message.channel
            if not server.prefix_allowed(channel.id, getattr(channel, "parent_id", None)):
                return
        await self.invoke(ctx)

    async def setup_hook(self) -> None:
        # Buttons and menus answer from their custom ids, so presses on messages posted
        # before this process started are answered too (bot.views).
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        # Command names and descriptions in every language songsim has (bot.i18n).
        await self.tree.set_translator(CatalogueTranslator())
        for name in EXTENSIONS:
            try:
                await self.load_extension(name)
            except Exception as exc:  # one broken feature must not take the bot down
                self.failed_extensions[name] = f"{type(exc).__name__}: {exc}"
                log.exception("Could not load extension %s; the other commands still work", name)
        if self.heartbeat is not None:
            self.heartbeat.start()

    async def _per_user_cooldown(self, ctx: commands.Context) -> bool:
        """At most 5 commands per user per 10 s across all commands (owners are exempt)."""
        if self.owner_ids and ctx.author.id in self.owner_ids:
            return True
        bucket = self.cooldown.get_bucket(ctx.message)
        retry_after = bucket.update_rate_limit() if bucket else None
        if retry_after:
            raise commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.user)
        return True

    # --- health -----------------------------------------------------------------------------

    def is_healthy(self) -> bool:
        """Connected to the gateway, READY, and the connection has a live heartbeat."""
        return (
            self._connected
            and self.is_ready()
            and not self.is_closed()
            and math.isfinite(self.latency)
        )

    async def on_ready(self) -> None:
        self._connected = True
        log.info(
            "Connected as %s (id %s) to %d servers",
            self.user,
            self.user.id if self.user is not None else "?",
            len(self.guilds),
        )
        if self.heartbeat is not None:
            self.heartbeat.beat()

    async def on_resumed(self) -> None:
        self._connected = True
        log.info("Gateway session resumed")
        if self.heartbeat is not None:
            self.heartbeat.beat()

    async def on_disconnect(self) -> None:
        if self._connected and not self._stopping:
            log.warning("Disconnected from the gateway; discord.py reconnects by itself")
        self._connected = False

    async def close(self) -> None:
        self._stopping = True
        if self.heartbeat is not None:
            await self.heartbeat.stop()
        await super().close()
