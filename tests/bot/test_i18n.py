"""The message catalogues: German is complete, placeholders match, the template is current,
and the language of a reply follows the rules (Discord locale, server setting, default)."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import embeds
from bot.commands import COMMANDS, SLASH
from bot.i18n import (
    SOURCE,
    _,
    current,
    language_of,
    languages,
    ngettext,
    po_path,
    translate,
    use_language,
)
from bot.i18n.extract import template
from bot.server_settings import DEFAULTS, SettingError, change
from bot.settings import Settings, SettingsError
from bot.text import percent

TRANSLATED = [lang for lang in languages() if lang != SOURCE]


def fields(text: str) -> set[str]:
    """The ``{name}`` placeholders of a message (format specs and conversions ignored)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def catalogue(language: str) -> list:
    with po_path(language).open("rb") as f:
        return [m for m in read_po(f, locale=language) if m.id]


def forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value),)


def test_german_is_there_and_english_is_the_source() -> None:
    assert languages()[0] == SOURCE == "en"
    assert "de" in TRANSLATED


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_of_the_template_is_translated(language: str) -> None:
    """No template message is missing, empty or fuzzy (a fuzzy one would show in English)."""
    po = {(m.context, forms(m.id)): m for m in catalogue(language)}
    problems = []
    for message in template():
        if not message.id:
            continue
        got = po.get((message.context, forms(message.id)))
        if got is None:
            problems.append(f"missing: {message.id!r}")
        elif got.fuzzy or not all(s.strip() for s in forms(got.string)):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
    assert not problems, (
        f"{len(problems)} {language} messages need work "
        "(python scripts/update_translations.py, then translate):\n" + "\n".join(problems[:20])
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match_between_source_and_translation(language: str) -> None:
    wrong = []
    for m in catalogue(language):
        wanted = set().union(*(fields(f) for f in forms(m.id)))
        for text in forms(m.string):
            if text and fields(text) != wanted:
                wrong.append(f"{m.id!r}: {sorted(fields(text))} != {sorted(wanted)}")
    assert not wrong, "\n".join(wrong)


def test_the_template_on_disk_is_current() -> None:
    """bot/locale/songsim.pot holds what the code marks now (so translators see it)."""
    pot = Path(po_path(SOURCE)).parent.parent.parent / "songsim.pot"
    with pot.open("rb") as f:
        on_disk = {(m.context, forms(m.id)) for m in read_po(f) if m.id}
    now = {(m.context, forms(m.id)) for m in template() if m.id}
    assert on_disk == now, "run python scripts/update_translations.py"


def test_translated_command_texts_fit_discord() -> None:
    """Slash names lower case without spaces, descriptions ≤ 100 characters, in every language."""
    for language in TRANSLATED:
        for spec in COMMANDS:
            if SLASH not in spec.surfaces:
                continue
            name = translate(spec.name, language, "command name")
            assert name == name.lower() and " " not in name and len(name) <= 32, name
            assert len(translate(spec.description, language)) <= 100, spec.name
            for option, text in spec.params.items():
                local = translate(option, language, "option name")
                assert local == local.lower() and " " not in local, local
                assert len(translate(text, language)) <= 100, (spec.name, option)


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de", "de"), ("de-DE", "de"), ("en-US", "en"), ("en-GB", "en"), ("fr", "en"),
     ("pt-BR", "en"), ("", "en"), (None, "en")],
)  # fmt: skip
def test_a_discord_locale_chooses_a_catalogue_and_unknown_ones_are_english(
    locale: str | None, language: str
) -> None:
    assert language_of(locale) == language


def test_the_language_is_set_for_a_block_only() -> None:
    assert current() == "en" and _("More") == "More"
    with use_language("de"):
        assert _("More") == "Mehr"
        assert ngettext("{n} song", "{n} songs", 1) == "1 Song"
        assert ngettext("{n} song", "{n} songs", 2262292) == "2.262.292 Songs"
        assert percent(0.042) == "4,2 %"
    with use_language("fr"):  # no French: English
        assert _("More") == "More" and percent(0.042) == "4.2%"
    assert _("More") == "More" and ngettext("{n} song", "{n} songs", 1000) == "1,000 songs"


def test_help_is_written_in_the_language_asked() -> None:
    english = embeds.help_embed("!")
    with use_language("de"):
        german = embeds.help_embed("!")
    assert english.title == "songsim commands" and german.title == "songsim-Befehle"
    assert "`!similar Song oder Link` — Songs, die Playlists" in german.description
    assert "Ähnliche Songs finden" in german.description  # the context menu as Discord shows it
    assert "`/ähnlich`" in german.description


def test_songsim_lang_is_checked_and_lang_overrides_it() -> None:
    assert Settings.from_mapping({}).language == "en"
    assert Settings.from_mapping({"SONGSIM_LANG": "DE"}).language == "de"
    with pytest.raises(SettingsError, match="SONGSIM_LANG must be one of en, de"):
        Settings.from_mapping({"SONGSIM_LANG": "klingon"})
    assert Settings.from_mapping({}).with_language("de").language == "de"
    with pytest.raises(SettingsError, match="--lang"):
        Settings.from_mapping({}).with_language("fr")


def test_the_language_server_setting() -> None:
    german = change(DEFAULTS, "language", "Deutsch")
    assert german.language == "de"
    assert change(german, "lang", "default").language == ""
    assert german.to_json() == '{"language": "de"}'
    assert type(DEFAULTS).from_json(german.to_json()).language == "de"
    assert type(DEFAULTS).from_json('{"language": "xx"}').language == ""  # unknown: default
    with pytest.raises(SettingError, match="`default`, `en` or `de`"):
        change(DEFAULTS, "language", "français")


async def test_the_console_speaks_the_language_it_is_given(tmp_path: Path) -> None:
    from bot.console import run_console
    from tests.support.bot_fixtures import SEED, build_song_index, open_services

    index = build_song_index(tmp_path / "songs.sqlite")
    async with open_services(index, tmp_path) as services:
        out = io.StringIO()
        lines = io.StringIO(f"similar {SEED}\nmore\nnonsense\n")
        assert await run_console(services, lines, out, language="de") == 0
    text = out.getvalue()
    assert "songsim-Konsole" in text and "Songs wie One More Time — Daft Punk" in text
    assert "Unbekannter Befehl 'nonsense'" in text
    assert current() == "en"  # the console's language ends with it


def test_the_owners_sync_reply_and_exported_files_are_written_in_german() -> None:
    import json

    from bot.cogs.admin import _synced
    from bot.export import jspf_bytes, links_text
    from tests.support.bot_fixtures import make_track

    songs = [make_track(1, "Song", "Band")]  # no Spotify link: listed by name
    with use_language("de"):
        synced = _synced("global", 2, "/a, /b")
        links = links_text(songs, "Songs wie Song — Band").decode()
        jspf = json.loads(jspf_bytes(songs, "Songs wie Song — Band"))
    assert synced.startswith("2 Befehle überall synchronisiert")
    assert "# 1 Song, gefunden von songsim." in links
    assert "# Kein Spotify-Link für 1; stattdessen als Künstler - Titel:" in links
    assert jspf["playlist"]["annotation"].startswith("Songs, die songsim über gemeinsame")
    assert _synced("guild", 1, "/a") == "Synced 1 command to this server: /a."  # English


def test_where_the_data_comes_from_is_written_in_the_language_asked() -> None:
    import json

    from bot.i18n.labels import DATA_TEXTS, data_line
    from index.corpus import SourceInfo
    from index.sources import TERMS, SourceEntry, entries, source_rows

    # Every text an index stores about its data is in the catalogues (years need none).
    texts = {t for terms in TERMS.values() for t in (terms.title, terms.licence, terms.era) if t}
    assert {t for t in texts if not t.replace("-", "").isdigit()} <= set(DATA_TEXTS)
    rows = source_rows([SourceInfo("listens.tar.zst", "listenbrainz", 5, newest=1_795_996_800)])
    [lb] = entries({"sources": json.dumps(rows)})  # as an index stores it
    assert data_line(lb) == "ListenBrainz listens up to 30 November 2026, CC0"
    with use_language("de"):
        assert data_line(lb) == "ListenBrainz-Hördaten bis 30. November 2026, CC0"
        zenodo = data_line(entries({"format": "zenodo"})[0])  # an index from before `sources`
        assert zenodo == (
            "Spotify-Playlists (Zenodo) (um 2015), Bedingungen unter zenodo.org/records/2594557"
        )
        own = SourceEntry("csv", "my crawl", "ask me")  # another index's own text, as it is
        assert data_line(own) == "my crawl, ask me"
