"""The command tree in every language: Discord shows each user the commands in theirs.

discord.py asks an :class:`~discord.app_commands.Translator` for every command name,
description, option and choice in every Discord locale when the tree is synced, and sends
the answers as ``name_localizations`` / ``description_localizations``.
:class:`CatalogueTranslator` answers from songsim's catalogues (:mod:`bot.i18n`): the
description texts are the catalogue's own (:mod:`bot.commands`), and names are looked up
under the contexts ``command name`` and ``option name``, since a word such as "artist" is
translated differently as a Discord name (lower case, no spaces) than in a sentence.

:class:`LocalisedTree` sets the language of everything a slash command, a context menu or
an autocomplete answers: the user's Discord locale, sent with every interaction.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.i18n import SOURCE, catalogue, language_of, set_language

_NAME_CONTEXTS = {
    app_commands.TranslationContextLocation.command_name: "command name",
    app_commands.TranslationContextLocation.parameter_name: "option name",
}


class CatalogueTranslator(app_commands.Translator):
    """Command texts from the message catalogues; None (no localisation) for a language
    without a catalogue, and for English, the commands' own language."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = language_of(locale.value)
        if language == SOURCE:
            return None
        cat = catalogue(language)
        if "key" in string.extras:  # keyed_choice: "key — text", the text translated
            text = cat.gettext(string.extras["text"])
            return (
                f"{string.extras['key']} — {text}"[:100] if text != string.extras["text"] else None
            )
        name_context = _NAME_CONTEXTS.get(context.location)
        if name_context is not None:
            text = cat.pgettext(name_context, string.message)
        else:
            text = cat.gettext(string.message)
        return text if text != string.message else None


class LocalisedTree(app_commands.CommandTree[Any]):
    """A command tree whose commands answer in the language of the user's Discord client."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Runs first in the task that then runs the command (or autocomplete), so the
        # language set here is the one every reply of that task is written in.
        set_language(str(interaction.locale.value))
        return True


def keyed_choice(key: str, text: str) -> app_commands.locale_str:
    """A choice shown as "key — text" (at most 100 characters): the key is typed as it is
    in every language, the text is translated."""
    return app_commands.locale_str(f"{key} — {text}"[:100], key=key, text=text)
