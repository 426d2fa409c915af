"""The command catalogue is the one list: Discord, the console and help agree with it."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands

from bot import embeds
from bot.bot import EXTENSIONS
from bot.commands import COMMANDS, CONSOLE, MENU, PREFIX, QUIT, SLASH, CommandSpec, on
from bot.console import dispatch


async def loaded_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.none(), help_command=None)
    for name in EXTENSIONS:
        await bot.load_extension(name)
    return bot


async def test_the_cogs_register_exactly_the_catalogue() -> None:
    bot = await loaded_bot()
    registered = {c.name: c for c in bot.walk_commands()}
    assert set(registered) == {c.name for c in on(PREFIX)}
    slash = {c.name: c for c in bot.tree.get_commands(type=discord.AppCommandType.chat_input)}
    assert set(slash) == {c.name for c in on(SLASH)}
    menus = bot.tree.get_commands(type=discord.AppCommandType.message)
    assert {c.name for c in menus} == {c.name for c in on(MENU)}
    for spec in on(PREFIX):
        cmd = registered[spec.name]
        assert (tuple(cmd.aliases), cmd.description, cmd.hidden) == (
            spec.aliases,
            spec.description,
            spec.hidden,
        )
        if spec.name in slash:
            options = {p.name: p.description for p in slash[spec.name].parameters}
            assert slash[spec.name].description == spec.description
            assert options == dict(spec.params)


def test_the_console_answers_every_console_name() -> None:
    names = {n: n for n in (c.name for c in on(CONSOLE) if c is not QUIT)}
    table = dispatch(names)
    assert set(table) == {a for c in on(CONSOLE) if c is not QUIT for a in c.names}
    with pytest.raises(ValueError):
        dispatch({**names, "dance": "dance"})


def test_help_lists_the_listed_commands() -> None:
    text = embeds.help_embed("!").description
    for spec in COMMANDS:
        if spec.is_menu:
            assert f"Apps → **{spec.name}**" in text
        else:
            assert (f"`!{spec.name}" in text) == spec.listed, spec.name


def test_a_context_menu_has_no_options_and_no_other_surface() -> None:
    with pytest.raises(ValueError):
        CommandSpec("Menu", "x", surfaces=frozenset({MENU, SLASH, PREFIX}))
    with pytest.raises(ValueError):
        CommandSpec("Menu", "x", surfaces=frozenset({MENU}), params={"a": "b"})


def test_a_slash_command_is_also_a_prefix_command() -> None:
    with pytest.raises(ValueError):
        CommandSpec("x", "y", surfaces=frozenset({SLASH}))
