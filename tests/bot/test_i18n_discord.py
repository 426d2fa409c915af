"""Languages through the real discord.py client and the fake Discord: the synced commands
carry German names and descriptions, a German client gets German replies, buttons and
errors, a German server's prefix commands answer in German, and anything else is English."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.services import Services
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component

pytest.importorskip("index.read.api")

ENGLISH_TITLE = "Songs like One More Time — Daft Punk"
GERMAN_TITLE = "Songs wie One More Time — Daft Punk"


@pytest_asyncio.fixture
async def bot(start_bot, services: Services) -> SongsimBot:
    bot = await start_bot(SongsimBot(services))
    await bot.tree.sync()  # what the owner's `sync global` does
    return bot


def general(fake: FakeDiscord) -> str:
    return f"/channels/{fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def test_sync_sends_german_names_descriptions_and_choices(
    fake_discord: FakeDiscord, bot
) -> None:
    synced = {c["name"]: c for c in fake_discord.synced_commands()}
    similar = synced["similar"]
    assert similar["name_localizations"]["de"] == "ähnlich"
    assert (
        similar["description_localizations"]["de"] == "Songs, die Playlists mit einem Song teilen"
    )
    assert "en-US" not in (similar.get("name_localizations") or {})  # English is the default
    options = {o["name"]: o for o in similar["options"]}
    assert options["discovery"]["name_localizations"]["de"] == "entdecken"
    assert options["song"]["description_localizations"]["de"].startswith("Künstler - Titel")
    deep = next(c for c in options["discovery"]["choices"] if c["value"] == "deep cuts")
    assert deep["name_localizations"]["de"].startswith("Geheimtipps — ")
    assert synced["Find similar songs"]["name_localizations"]["de"] == "Ähnliche Songs finden"
    setting = {o["name"]: o for o in synced["settings"]["options"]}["setting"]
    language = next(c for c in setting["choices"] if c["value"] == "language")
    assert language["name_localizations"]["de"].startswith("language — default, en oder de")
    action = {o["name"]: o for o in synced["privacy"]["options"]}["action"]
    shown = {c["value"]: c["name_localizations"]["de"] for c in action["choices"]}
    assert shown == {"show": "anzeigen", "export": "exportieren", "delete": "löschen"}


async def test_a_german_client_gets_german_replies_and_buttons(
    fake_discord: FakeDiscord, bot
) -> None:
    inter = await fake_discord.slash("similar", {"song": SEED}, locale="de")
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    embed = follow.json["embeds"][0]
    assert embed["title"] == GERMAN_TITLE
    assert embed["description"].startswith("Gefunden: ")
    assert "Entdecken: am ähnlichsten" in embed["footer"]["text"]
    message = fake_discord.messages[inter.original_id]
    assert find_component(message, label="Mehr") and find_component(message, label="Warum?")

    # A press answers in the presser's language: German here, English for a stranger's
    # refusal from an English client.
    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.click(message, label="Mehr", user=stranger, locale="en-GB")
    answer = await refused.wait_answer()
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Only the person who asked")
    pressed = await fake_discord.click(message, label="Mehr", locale="de")
    await pressed.wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    page2 = fake_discord.messages[inter.original_id]
    assert page2["embeds"][0]["title"] == GERMAN_TITLE
    assert find_component(page2, label="Zurück")["disabled"] is False


async def test_an_unknown_locale_gets_english(fake_discord: FakeDiscord, bot) -> None:
    inter = await fake_discord.slash("similar", {"song": SEED}, locale="fr")
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == ENGLISH_TITLE
    assert find_component(fake_discord.messages[inter.original_id], label="More")


async def test_german_errors_menus_and_autocomplete(fake_discord: FakeDiscord, bot) -> None:
    bad = await fake_discord.slash("similar", {"song": SEED, "discovery": "--loud"}, locale="de")
    await bad.wait_answer()
    note = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "ist keine Entdecken-Einstellung" in note.json["embeds"][0]["description"]

    choices = await fake_discord.autocomplete(
        "similar", {"song": "one more"}, focused="song", locale="de"
    )
    assert "One More Time — Daft Punk" in [c["name"] for c in choices]

    said = fake_discord.add_message("hör dir das an: daft punk - one more time")
    menu = await fake_discord.context_menu("Find similar songs", said, locale="de")
    await menu.wait_answer()
    answer = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert answer.json["embeds"][0]["title"] == GERMAN_TITLE


async def test_a_german_server_answers_prefix_commands_in_german(
    fake_discord: FakeDiscord, bot
) -> None:
    await fake_discord.send_message(f"!similar {SEED}")
    before = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert before.json["embeds"][0]["title"] == ENGLISH_TITLE

    inter = await fake_discord.slash("settings", {"setting": "language", "value": "de"})
    await inter.wait_answer()
    saved = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    fields = {f["name"]: f["value"] for f in saved.json["embeds"][0]["fields"]}
    assert fields["language"] == "`de` — Deutsch"

    await fake_discord.send_message(f"!similar {SEED}")
    after = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert after.json["embeds"][0]["title"] == GERMAN_TITLE
    assert find_component(after.response, label="Mehr")
    await fake_discord.send_message("!artist")  # a missing argument: the error in German too
    error = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert error.json["embeds"][0]["description"].startswith("`name` fehlt.")
    # Slash commands keep following each member's own client there.
    inter = await fake_discord.slash("similar", {"song": SEED}, locale="en-US")
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == ENGLISH_TITLE
    # A DM is no server's: the bot's default language (bob: alice is at the cooldown).
    bob = fake_discord.add_user("bob")
    await fake_discord.send_message(f"!similar {SEED}", author=bob, dm=True)
    dm = await fake_discord.wait_for_request("POST", f"/channels/{bob.dm_channel_id}/messages")
    assert dm.json["embeds"][0]["title"] == ENGLISH_TITLE
