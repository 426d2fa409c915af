"""The message template: every English text songsim shows, found in the code.

:func:`template` collects the texts marked with ``_``, ``N_``, ``ngettext`` and
``pgettext`` (Babel's Python extractor, as ``pybabel extract -k N_ …`` would) and adds the
slash commands' and options' names from the command catalogue (:mod:`bot.commands`),
under the contexts ``command name`` and ``option name`` (:mod:`bot.i18n.tree`), since a
name is data there rather than a marked text. ``scripts/update_translations.py`` writes
the template and merges it into every language; the tests check that every language
translates all of it.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from bot.commands import COMMANDS, MENU, SLASH

BOT_DIR = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# bot/cli is the command-line tools' text for operators, in English.
METHODS = [("cli/**.py", "ignore"), ("**.py", "python")]


def template() -> Catalog:
    """Every message to translate, with where it is used."""
    cat = Catalog(project="songsim", domain="songsim", charset="utf-8", fuzzy=False)
    for filename, line, message, _comments, context in extract_from_dir(
        str(BOT_DIR), METHODS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        cat.add(message, locations=[(f"bot/{filename}", line)], context=context)
    for spec in COMMANDS:
        if spec.surfaces & {SLASH, MENU}:
            cat.add(spec.name, locations=[("bot/commands.py", 0)], context="command name")
            for option in spec.params:
                cat.add(option, locations=[("bot/commands.py", 0)], context="option name")
    return cat
