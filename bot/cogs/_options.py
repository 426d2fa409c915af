"""What the cogs share: commands declared from the catalogue, and their slash options.

:func:`command` turns a :class:`~bot.commands.CommandSpec` into a discord.py command, so a
cog method says only which catalogue entry it answers. The discovery choices and
:func:`choices_within_budget` (autocomplete that never misses Discord's deadline) are used
by several cogs; they live here so that no cog imports another. The leading underscore
keeps this module out of :data:`bot.bot.EXTENSIONS`: it is not a feature.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from discord import app_commands
from discord.ext import commands

from bot.commands import DISCOVERY_OPTION, SLASH, CommandSpec
from bot.discovery import CHOICE_NAMES
from bot.i18n import N_
from index.read.ranking import DISCOVERY as RANKINGS

log = logging.getLogger(__name__)

# What a user sees when a command failed on our side (the error cog and the menus send it).
OOPS = N_(
    "Sorry, something went wrong on my side. It has been logged; please try again in a moment."
)

AUTOCOMPLETE_BUDGET = 2.5  # Discord drops autocomplete answers after 3 s

# The slash option for the discovery setting; prefix users write --popular etc. instead.
# (translated by the command tree's translator, bot.i18n.tree)
DISCOVERY_CHOICES = [app_commands.Choice(name=CHOICE_NAMES[r], value=r) for r in RANKINGS]


class ServerRefusal(commands.CheckFailure):
    """A server's settings refuse this command here (it is turned off); the message is a
    sentence for the user."""


def command(spec: CommandSpec) -> Callable[[Callable[..., Any]], commands.Command[Any, ..., Any]]:
    """Decorate a cog method as the command ``spec`` describes.

    A slash command is a hybrid command (``/similar`` and ``!similar``); a prefix-only one
    is a plain command. Name, aliases, description, usage and hidden come from the
    catalogue, as do the slash options' descriptions (and the discovery choices for the
    commands that take the setting); an owner-only entry gets discord.py's owner check, and
    a Manage Server entry is offered in servers only, shown by Discord to members with that
    permission (the cog checks it again: a server can change who sees a command).
    """
    attrs: dict[str, Any] = {
        "name": spec.name,
        "aliases": list(spec.aliases),
        "description": spec.description,
        "usage": spec.usage,
        "hidden": spec.hidden,
    }

    def decorate(func: Callable[..., Any]) -> commands.Command[Any, ..., Any]:
        if spec.params:
            func = app_commands.describe(**spec.params)(func)
        if spec.takes_discovery:
            func = app_commands.choices(**{DISCOVERY_OPTION: DISCOVERY_CHOICES})(func)
        if spec.manage_server:
            func = app_commands.default_permissions(manage_guild=True)(func)
            func = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(
                func
            )
            func = app_commands.guild_only()(func)
        if SLASH in spec.surfaces:
            cmd: commands.Command[Any, ..., Any] = commands.hybrid_command(**attrs)(func)
        else:
            cmd = commands.command(**attrs)(func)
        if spec.owner_only:
            cmd = commands.is_owner()(cmd)
        if spec.manage_server:
            cmd = commands.guild_only()(cmd)
        return cmd

    return decorate


async def choices_within_budget(
    coro: Awaitable[Sequence[tuple[str, str]]], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices, or the user's own text if the index is too slow to answer."""
    try:
        pairs = await asyncio.wait_for(coro, AUTOCOMPLETE_BUDGET)
    except Exception:
        log.warning("Autocomplete failed or took too long", exc_info=True)
        log.debug("The autocomplete text was %r", current[:100])  # the user's: debug only
        typed = " ".join(current.split())[:100]  # Discord refuses a blank or long choice
        pairs = [(typed, typed)] if typed else []
    return [app_commands.Choice(name=name, value=value) for name, value in pairs[:25]]
