"""Languages: songsim's message catalogues, and the language each reply is written in.

The English text in the code is the source (gettext's ``msgid``); other languages are
gettext catalogues in ``bot/locale/<lang>/LC_MESSAGES/songsim.po``. They are read with
Babel straight from the ``.po`` files at first use (no ``.mo`` compile step to forget, so
a checkout or ``pip install -e .`` works as it is; a catalogue of a few hundred messages
reads in milliseconds) and handed to the standard library's ``gettext`` as an in-memory
``.mo``, which brings plural rules and contexts. Untranslated or fuzzy messages fall back
to English.

The language of the text being written is a :class:`~contextvars.ContextVar` (:func:`_`
reads it), set where a command or a press starts (:func:`use_language`): discord.py runs
each event in its own task, so one user's language never leaks into another's reply, and
the helpers deep down (embeds, link messages) need no language parameter.
:func:`translate` takes the language explicitly, for the command tree's
:class:`~bot.i18n.tree.CatalogueTranslator`.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

SOURCE = "en"  # the language the code is written in
DOMAIN = "songsim"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
NAMES = {"en": "English", "de": "Deutsch"}  # what a language calls itself, for settings

_language: ContextVar[str] = ContextVar("songsim_language", default=SOURCE)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def languages() -> tuple[str, ...]:
    """English and every language with a catalogue, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *(lang for lang in found if lang != SOURCE))


@cache
def catalogue(language: str) -> _gettext.NullTranslations:
    """The translations of ``language`` (English, or an unknown language: the source text)."""
    if language == SOURCE or language not in languages():
        return _gettext.NullTranslations()
    with po_path(language).open("rb") as f:
        po = read_po(f, locale=language, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, po)  # leaves out fuzzy and untranslated messages: they stay English
    mo.seek(0)
    return _gettext.GNUTranslations(mo)


def language_of(locale: object) -> str:
    """The catalogue for a Discord locale ("de", "en-US", "es-419") or a language code
    ("de_DE"): the exact one, else its language, else English."""
    code = str(locale or "").strip().replace("_", "-").lower()
    known = languages()
    if code in known:
        return code
    base = code.split("-", 1)[0]
    return base if base in known else SOURCE


def current() -> str:
    """The language replies are being written in now."""
    return _language.get()


def set_language(language: str) -> Token[str]:
    """Write in ``language`` from now on in this task (for entry points that cannot use
    :func:`use_language`, such as discord.py's before-invoke hook)."""
    return _language.set(language_of(language))


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Write in ``language`` (any spelling :func:`language_of` reads) inside the block."""
    token = _language.set(language_of(language))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def translate(message: str, language: str, context: str | None = None) -> str:
    """``message`` in ``language`` (the source text when it has no translation)."""
    cat = catalogue(language_of(language))
    return cat.pgettext(context, message) if context else cat.gettext(message)


SLASH_PREFIX = "/"  # the ``prefix`` of a reply to a slash command or a button


class Commands:
    """Commands as the reader types them, for ``{c.likes}`` in a message: ``!likes`` after
    a message (with the prefix it was typed with), ``/likes`` after a slash command or a
    button, in the name the reader's Discord shows (``/fürdich`` in German). Written when
    the text is formatted, so in that text's language."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        if self.prefix == SLASH_PREFIX:
            return SLASH_PREFIX + slash_name(name)
        return self.prefix + name


def _with_commands(values: dict[str, object]) -> dict[str, object]:
    """A ``prefix`` value brings ``{c.name}``, the command as its reader types it."""
    if "prefix" in values and "c" not in values:
        return {**values, "c": Commands(str(values["prefix"]))}
    return values


def _(message: str, /, **values: object) -> str:
    """``message`` in the current language, with ``{name}`` placeholders filled in (and
    ``{c.likes}``, a command as its reader types it, where a ``prefix`` is given)."""
    text = catalogue(current()).gettext(message)
    return text.format(**_with_commands(values)) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural form for ``n`` in the current language; ``{n}`` is the count
    written as the language writes numbers (1,000 / 1.000)."""
    text = catalogue(current()).ngettext(singular, plural, n)
    return text.format(n=number(n), **_with_commands(values))


def pgettext(context: str, message: str, /, **values: object) -> str:
    """``message`` in the current language where the same English has other meanings."""
    text = catalogue(current()).pgettext(context, message)
    return text.format(**values) if values else text


def N_(message: str, /) -> str:  # noqa: N802 — gettext's name for "translated later"
    """Marks text translated where it is shown (module constants, the command catalogue)."""
    return message


def number(n: float, decimals: int = 0) -> str:
    """``n`` with the current language's digit grouping."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(n, format=fmt, locale=_babel_locale(current()))


def long_date(day: date) -> str:
    """A day as the current language writes it in a sentence: "3 March 2025" (English,
    day first as songsim always wrote it), "3. März 2025" (German: Babel's long form)."""
    if current() == SOURCE:
        return format_date(day, "d MMMM y", locale="en")
    return format_date(day, "long", locale=_babel_locale(current()))


def _babel_locale(language: str) -> str:
    return {"en": "en_US"}.get(language, language)


def lower_first(text: str) -> str:
    """English's sentence-in-a-list form ("Songs like…" → "songs like…"); other languages
    keep their capitals (a German noun stays capitalised)."""
    if current() != SOURCE:
        return text
    return text[:1].lower() + text[1:]


def slash_name(name: str) -> str:
    """A slash command's (or context menu's) name as Discord shows it in this language."""
    return pgettext("command name", name)


def option_name(name: str) -> str:
    """A slash option's name as Discord shows it in this language."""
    return pgettext("option name", name)
