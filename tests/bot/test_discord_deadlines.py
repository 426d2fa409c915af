"""Every interaction is answered in time even when the index and the user database are slow.

Discord waits 3 s for an interaction's first answer and then shows "This interaction failed":
whatever reads the index or the user database must come after a defer. Here every index
read and every user-database call takes longer than the fake Discord's deadline, so any
command, button or menu that does such work before answering is refused, as Discord would
refuse it. Autocomplete cannot be deferred: it answers with the user's own text in time.
"""

from __future__ import annotations

import asyncio
import functools
import inspect

import pytest

from bot.bot import SongsimBot
from bot.cogs import _options
from bot.services import Services
from bot.user_db import UserDB
from bot.user_rows import UserRows
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import FakeDiscord, find_component

pytest.importorskip("index.read.api")

SLOW = 0.8  # seconds each index read and database call takes
DEADLINE = 0.5  # the fake's deadline for a first answer (Discord's is 3 s)


def _slowed(fn):
    @functools.wraps(fn)
    async def slow(*args, **kwargs):
        await asyncio.sleep(SLOW)
        return await fn(*args, **kwargs)

    return slow


@pytest.fixture
async def slow_bot(start_bot, services: Services, fake_discord: FakeDiscord, monkeypatch):
    bot = await start_bot(SongsimBot(services))
    await fake_discord.send_message("!sync global", author=fake_discord.owner)
    await fake_discord.wait_for_request("POST", f"/channels/{fake_discord.channel_id}/messages")
    for cls in (Services, UserDB, UserRows):
        for name, fn in vars(cls).items():
            if inspect.iscoroutinefunction(fn) and name not in ("open", "close"):
                monkeypatch.setattr(cls, name, _slowed(fn))
    monkeypatch.setattr(_options, "AUTOCOMPLETE_BUDGET", DEADLINE / 4)
    fake_discord.interaction_deadline = DEADLINE
    return bot


async def answered(interaction) -> dict:
    """The interaction's first answer, asserting Discord accepted it (in time, once)."""
    answer = await interaction.wait_answer(timeout=10)
    assert not interaction.refusals, interaction.refusals
    return answer


async def latest_followup(fake: FakeDiscord, interaction, timeout: float = 10.0) -> dict:
    """The message the interaction's deferred answer became."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        ids = [interaction.original_id, *interaction.followup_ids]
        shown = [fake.messages[i] for i in ids if i and fake.messages.get(i, {}).get("embeds")]
        if shown:
            return shown[-1]
        assert loop.time() < deadline, "the deferred answer never came"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("similar", {"song": SEED}),
        ("similar", {"song": "one more"}),
        ("artist", {"name": "daft punk"}),
        ("mix", {"songs": f"{SEED} | queen - bohemian rhapsody"}),
        ("like", {"song": SEED}),
        ("unlike", {"song": "1"}),
        ("likes", {}),
        ("foryou", {}),
        ("block", {"artist": "queen"}),
        ("unblock", {"artist": "queen"}),
        ("blocks", {}),
        ("export", {}),
        ("about", {}),
        ("help", {}),
        ("settings", {}),
        ("privacy", {}),
        ("privacy", {"action": "export"}),
        ("privacy", {"action": "delete"}),
    ],
)
async def test_a_slow_index_or_database_never_costs_a_slash_answer(
    fake_discord: FakeDiscord, slow_bot, name: str, options: dict
) -> None:
    await answered(await fake_discord.slash(name, options, user=fake_discord.owner))


@pytest.mark.parametrize("focused", [("similar", "song"), ("unlike", "song"), ("block", "artist")])
async def test_slow_autocomplete_offers_the_users_text_in_time(
    fake_discord: FakeDiscord, slow_bot, focused: tuple[str, str]
) -> None:
    name, option = focused
    choices = await fake_discord.autocomplete(name, {option: "daft"}, focused=option)
    assert choices == [{"name": "daft", "value": "daft"}]
    padded = " " * 120 + "daft   punk"  # what was typed, not 100 spaces, which Discord refuses
    choices = await fake_discord.autocomplete(name, {option: padded}, focused=option)
    assert choices == [{"name": "daft punk", "value": "daft punk"}]


async def test_every_button_and_menu_answers_in_time(fake_discord: FakeDiscord, slow_bot) -> None:
    fake, owner = fake_discord, fake_discord.owner

    async def press(message: dict, method: str, *, label: str = "", value: str = "") -> None:
        """Press a button (or pick a menu value); its answer is accepted and its deferred
        work ends with a ``method`` request (an edit, or a private follow-up)."""
        if value:
            pressed = await fake.select(message, [value], user=owner)
        else:
            pressed = await fake.click(message, label=label, user=owner)
        await answered(pressed)
        await fake.wait_for_request(method, f"/webhooks/{fake.application_id}/*", timeout=10)

    asked = await fake.slash("similar", {"song": SEED}, user=owner)
    await answered(asked)
    listed = await latest_followup(fake, asked)
    await press(listed, "PATCH", label="More")
    await press(listed, "PATCH", label="Back")
    await press(listed, "POST", label="Export")
    why = await fake.click(listed, label="Why?", user=owner)
    await answered(why)
    menu_message = await latest_followup(fake, why)
    first = find_component(menu_message, type=3)["options"][0]["value"]
    await press(menu_message, "PATCH", value=first)

    guess = await fake.slash("similar", {"song": "one more"}, user=owner)
    await answered(guess)
    choices = await latest_followup(fake, guess)
    await press(choices, "PATCH", value=find_component(choices, type=3)["options"][0]["value"])

    await answered(await fake.slash("like", {"song": SEED}, user=owner))
    for label in ("Cancel", "Delete my data"):
        delete = await fake.slash("privacy", {"action": "delete"}, user=owner)
        await answered(delete)
        await press(await latest_followup(fake, delete), "PATCH", label=label)

    said = fake.add_message("daft punk - one more time")
    menu = await fake.context_menu("Find similar songs", said, user=owner)
    await answered(menu)
    await latest_followup(fake, menu)
