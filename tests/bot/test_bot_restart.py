"""Buttons and menus survive a restart: a reply is posted, the bot stops, a new bot (new
services, nothing in memory, the same fake Discord, index and user database) answers
presses on the message it never saw — through the real discord.py client."""

from __future__ import annotations

import asyncio
import copy
import os
import re
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from bot import custom_ids as ids
from bot.bot import SongsimBot
from bot.i18n import Commands
from bot.old_components import FROM_BEFORE, FromBefore
from bot.services import Services
from bot.settings import Settings
from bot.user_db import SAVED_LIST_DAYS
from bot.views import FORGOTTEN, NOT_YOURS
from tests.bot.test_bot_process import bot_env, songsim, wait_for_file
from tests.bot.test_bot_reload import write_fixture_index
from tests.support.bot_fixtures import SEED, build_song_index
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component
from tests.support.fakediscord.client import start_client, stop_client

pytest.importorskip("index.read.api")

SEED_TITLE = "Songs like One More Time — Daft Punk"
SONG_LINE = re.compile(r"^\*\*(\d+)\.\*\* ", re.M)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("restart-indexes")
    return {
        "old": write_fixture_index(folder / "old.sqlite"),
        "new": write_fixture_index(folder / "new.sqlite", renamed=True),  # song 1 renamed
        "renumbered": build_song_index(folder / "renumbered.sqlite", reverse=True),
    }


class Deployment:
    """One bot at a time on the fake Discord, over one index file and one user database."""

    def __init__(self, fake: FakeDiscord, folder: Path, index: Path) -> None:
        self.fake, self.folder, self.index = fake, folder, index
        self.running: tuple[SongsimBot, Services, Any] | None = None
        self.starts = 0

    async def start(self) -> SongsimBot:
        settings = Settings.from_mapping(
            {
                "SONGSIM_INDEX": str(self.index),
                "SONGSIM_USER_DB": str(self.folder / "users.sqlite"),
                "SONGSIM_OWNER_IDS": str(self.fake.owner.id),
            }
        )
        services = await Services.open(settings, spotify=False)
        bot = SongsimBot(services)
        task = await start_client(self.fake, bot)
        # One user asking many times: the per-user cooldown has its own test.
        bot.cooldown = commands.CooldownMapping.from_cooldown(1000, 1.0, commands.BucketType.user)
        self.running = (bot, services, task)
        self.starts += 1
        return bot

    async def stop(self) -> None:
        if self.running is not None:
            bot, services, task = self.running
            self.running = None
            await stop_client(bot, task)
            await services.close()

    async def restart(self) -> SongsimBot:
        await self.stop()
        return await self.start()

    async def rebuild(self, built: Path) -> SongsimBot:
        """Stop, rename a rebuilt index over the file (as a build does), start again."""
        await self.stop()
        swapped = self.folder / "swapped.sqlite"
        swapped.write_bytes(built.read_bytes())
        os.replace(swapped, self.index)
        return await self.start()


@pytest_asyncio.fixture
async def deployment(
    fake_discord: FakeDiscord, built: dict[str, Path], tmp_path: Path
) -> AsyncIterator[Deployment]:
    live = tmp_path / "neighbours.sqlite"
    live.write_bytes(built["old"].read_bytes())
    d = Deployment(fake_discord, tmp_path, live)
    await d.start()
    yield d
    await d.stop()


def general(fake: FakeDiscord) -> str:
    return f"/channels/{fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def ask(fake: FakeDiscord, text: str, **kwargs: Any) -> dict:
    await fake.send_message(text, **kwargs)
    return (await fake.wait_for_request("POST", general(fake))).response


async def press(fake: FakeDiscord, message_id: int, label: str, **kwargs: Any) -> dict:
    """Press a button on the stored message; the answer's callback body."""
    inter = await fake.click(fake.messages[message_id], label=label, **kwargs)
    return await inter.wait_answer()


def numbers(message: dict) -> list[int]:
    return [int(n) for n in SONG_LINE.findall(message["embeds"][0]["description"])]


def footer(message: dict) -> str:
    return message["embeds"][0]["footer"]["text"]


def custom_ids(message: dict) -> list[str]:
    return [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row["components"]
        if c.get("custom_id")
    ]


async def test_more_back_why_and_export_answer_after_restarts(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    sent = await ask(fake_discord, f"!similar {SEED} --popular")
    message_id = int(sent["id"])
    first = numbers(sent)
    assert sent["embeds"][0]["title"] == SEED_TITLE and first[0] == 1
    assert all(len(c) <= 100 for c in custom_ids(sent))

    await deployment.restart()
    assert (await press(fake_discord, message_id, "More"))["type"] == 6
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    page2 = fake_discord.messages[message_id]
    assert page2["embeds"][0]["title"] == SEED_TITLE
    assert numbers(page2)[0] == first[-1] + 1  # numbering carries on across the restart
    assert "Discovery: popular" in footer(page2)  # the setting is kept
    assert find_component(page2, label="Back")["disabled"] is False
    second = numbers(page2)

    await deployment.restart()
    stranger = fake_discord.add_user("mallory")
    refused = await press(fake_discord, message_id, "Back", user=stranger)
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
    assert refused["data"]["content"] == NOT_YOURS
    assert numbers(fake_discord.messages[message_id]) == second  # untouched

    await press(fake_discord, message_id, "Back")
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    again = fake_discord.messages[message_id]
    assert numbers(again) == first and "Discovery: popular" in footer(again)
    assert find_component(again, label="Back")["disabled"] is True

    why = await fake_discord.click(again, label="Why?")
    assert (await why.wait_answer())["type"] == 5
    menu_message = (await fake_discord.wait_for_request("POST", webhook(fake_discord))).response
    assert menu_message["flags"] & EPHEMERAL
    options = find_component(menu_message, type=3)["options"]
    assert len(options) == len(first)

    await deployment.restart()  # the private menu outlives a restart too
    picked = await fake_discord.select(fake_discord.messages[int(menu_message["id"])],
                                       [options[0]["value"]])  # fmt: skip
    assert (await picked.wait_answer())["type"] == 6
    explained = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert explained.json["embeds"][0]["title"] == "Why these songs?"
    assert "playlists" in explained.json["embeds"][0]["description"]

    exported = await fake_discord.click(fake_discord.messages[message_id], label="Export")
    await exported.wait_answer()
    files = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert files.json["flags"] & EPHEMERAL and len(files.files) == 3
    assert deployment.starts == 4


async def test_did_you_mean_answers_after_a_restart(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    unsure = await ask(fake_discord, "!similar one more --deep-cuts")
    liking = await ask(fake_discord, "!like one more")
    await deployment.restart()

    menu = find_component(unsure, type=3)
    night = next(o for o in menu["options"] if o["label"] == "One More Night")
    picked = await fake_discord.select(unsure, [night["value"]])
    assert (await picked.wait_answer())["type"] == 6
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    answer = fake_discord.messages[int(unsure["id"])]
    assert answer["embeds"][0]["title"] == "Songs like One More Night — Maroon 5"
    assert "Discovery: deep cuts" in footer(answer)  # the question's setting is kept

    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.select(liking, [night["value"]], user=stranger)
    assert (await refused.wait_answer())["data"]["content"] == NOT_YOURS
    await (await fake_discord.select(liking, [night["value"]])).wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    liked = fake_discord.messages[int(liking["id"])]
    assert "Liked **One More Night**" in liked["embeds"][0]["description"]


async def test_a_press_whose_song_left_the_index_says_so_after_a_restart(
    fake_discord: FakeDiscord, deployment: Deployment, built: dict[str, Path]
) -> None:
    listed = await ask(fake_discord, f"!similar {SEED}")
    unsure = await ask(fake_discord, "!similar one more")
    await deployment.rebuild(built["new"])  # in it, song 1 is another song

    assert (await press(fake_discord, int(listed["id"]), "More"))["type"] == 6
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    note = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert note.json["flags"] & EPHEMERAL
    assert note.json["embeds"][0]["title"] == "No longer in the index"
    assert "no longer in the index" in note.json["embeds"][0]["description"]
    kept = fake_discord.messages[int(listed["id"])]
    assert kept["embeds"][0]["title"] == SEED_TITLE  # the list stays, its buttons off
    assert all(c["disabled"] for row in kept["components"] for c in row["components"])

    options = find_component(unsure, type=3)["options"]
    gone = next(o for o in options if o["label"] == "One More Time")
    there = next(o for o in options if o["label"] == "One More Night")
    await (await fake_discord.select(unsure, [gone["value"]])).wait_answer()
    said = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert said.json["flags"] & EPHEMERAL
    assert said.json["embeds"][0]["title"] == "No longer in the index"
    await (await fake_discord.select(unsure, [there["value"]])).wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    answer = fake_discord.messages[int(unsure["id"])]
    assert answer["embeds"][0]["title"] == "Songs like One More Night — Maroon 5"


async def test_mixes_a_playlist_file_and_foryou_page_after_a_restart(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    mix = await ask(fake_discord, "!mix daft punk - aerodynamic | daft punk - digital love")
    songs = [
        "Daft Punk - One More Time", "Daft Punk - Aerodynamic", "Daft Punk - Digital Love",
        "Justice - D.A.N.C.E.", "Queen - Bohemian Rhapsody", "Nobody - Not A Song",
    ]  # fmt: skip
    upload = await ask(fake_discord, "!mix", files={"road trip.txt": "\n".join(songs).encode()})
    await ask(fake_discord, f"!like {SEED}")
    await ask(fake_discord, "!like daft punk - aerodynamic")
    picks = await ask(fake_discord, "!foryou")
    note = upload["embeds"][0]["description"].split("\n")[0]
    assert "1 song not found" in note
    saved = [c for c in custom_ids(upload) if ":@" in c]
    assert saved, "a file's mix (with its note) is kept in the database, not in the id"

    lists = {"Your mix": mix, "Your playlist mix": upload, "Picked for you": picks}
    more = {t: not find_component(m, label="More")["disabled"] for t, m in lists.items()}
    last = {t: numbers(m)[-1] for t, m in lists.items()}
    assert more["Your playlist mix"] and sum(more.values()) >= 2

    await deployment.restart()
    for title, sent in lists.items():
        if not more[title]:
            continue
        message_id = int(sent["id"])
        await press(fake_discord, message_id, "More")
        await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
        page2 = fake_discord.messages[message_id]
        assert page2["embeds"][0]["title"] == title
        assert numbers(page2)[0] == last[title] + 1
        if title == "Your playlist mix":
            assert page2["embeds"][0]["description"].startswith(note)  # the note is kept


async def test_a_rebuild_that_numbers_every_song_anew_keeps_the_buttons(
    fake_discord: FakeDiscord, deployment: Deployment, built: dict[str, Path]
) -> None:
    listed = await ask(fake_discord, f"!similar {SEED}")
    first = numbers(listed)
    unsure = await ask(fake_discord, "!similar one more")
    why = await fake_discord.click(listed, label="Why?")
    await why.wait_answer()
    menu_message = (await fake_discord.wait_for_request("POST", webhook(fake_discord))).response
    options = find_component(menu_message, type=3)["options"]
    await deployment.rebuild(built["renumbered"])  # song 1 is song 21 now, and so on

    await press(fake_discord, int(listed["id"]), "More")
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    page2 = fake_discord.messages[int(listed["id"])]
    assert page2["embeds"][0]["title"] == SEED_TITLE
    assert numbers(page2)[0] == first[-1] + 1
    back = find_component(page2, label="Back")["custom_id"]
    _, spec, _ = ids.read_list(re.fullmatch(ids.LIST_BUTTON, back))
    assert spec.seeds == (21,)  # the buttons now name the song by its new id

    picked = await fake_discord.select(fake_discord.messages[int(menu_message["id"])],
                                       [options[0]["value"]])  # fmt: skip
    await picked.wait_answer()
    explained = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert explained.json["embeds"][0]["title"] == "Why these songs?"
    assert options[0]["label"] in explained.json["embeds"][0]["description"]

    night = next(
        o for o in find_component(unsure, type=3)["options"] if o["label"] == "One More Night"
    )
    await (await fake_discord.select(unsure, [night["value"]])).wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    answer = fake_discord.messages[int(unsure["id"])]
    assert answer["embeds"][0]["title"] == "Songs like One More Night — Maroon 5"


async def test_a_saved_list_unused_for_months_says_it_is_forgotten(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    songs = "\n".join(
        ["Daft Punk - One More Time", "Daft Punk - Aerodynamic", "Justice - D.A.N.C.E."]
    )
    upload = await ask(fake_discord, "!mix", files={"mix.txt": songs.encode()})
    assert not find_component(upload, label="More")["disabled"]
    await deployment.stop()
    with sqlite3.connect(deployment.folder / "users.sqlite") as conn:
        conn.execute("UPDATE saved_lists SET used_at = '2000-01-01T00:00:00Z'")
    await deployment.start()  # forgets lists unused for SAVED_LIST_DAYS

    await press(fake_discord, int(upload["id"]), "More")
    note = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert note.json["flags"] & EPHEMERAL
    assert note.json["embeds"][0]["description"] == FORGOTTEN.format(days=SAVED_LIST_DAYS)
    kept = fake_discord.messages[int(upload["id"])]
    assert kept["embeds"][0]["title"] == "Your playlist mix"
    assert find_component(kept, label="More")["disabled"] is True


async def test_a_button_from_before_the_update_says_to_ask_again(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    # What an older songsim posted: discord.py's random custom ids, state kept in memory.
    buttons = [
        {"type": 2, "style": 2, "label": "Back", "custom_id": "4f" * 16, "disabled": True},
        {"type": 2, "style": 1, "label": "More", "custom_id": "a1" * 16},
        {"type": 2, "style": 2, "label": "Export", "custom_id": "e5" * 16},
    ]
    old = fake_discord.new_bot_message(
        fake_discord.channel_id,
        {"embeds": [{"title": SEED_TITLE}], "components": [{"type": 1, "components": buttons}]},
    )
    answer = await press(fake_discord, int(old["id"]), "More")
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == FROM_BEFORE.format(c=Commands("/"))
    assert "(`/help` lists the commands)" in answer["data"]["content"]  # a press: slash
    menu = {"type": 3, "custom_id": "c3" * 16, "placeholder": "Did you mean…",
            "options": [{"label": "One More Night", "value": "8"}]}  # fmt: skip
    old_menu = fake_discord.new_bot_message(
        fake_discord.channel_id,
        {"embeds": [{"title": "?"}], "components": [{"type": 1, "components": [menu]}]},
    )
    picked = await (await fake_discord.select(old_menu, ["8"])).wait_answer()
    assert picked["data"]["content"] == FROM_BEFORE.format(c=Commands("/"))


async def test_another_live_view_with_a_random_id_is_left_alone() -> None:
    """A confirmation button of a live view (random id too) is not taken for an old one."""

    def pressed(label: str, *others: str) -> FromBefore:
        view = discord.ui.View(timeout=None)
        button = discord.ui.Button(label=label, custom_id=os.urandom(16).hex())
        view.add_item(button)
        for other in others:
            view.add_item(discord.ui.Button(label=other, custom_id=os.urandom(16).hex()))
        item = FromBefore(button)
        item._view = view  # noqa: SLF001 - as discord.py sets it before the check
        return item

    for theirs in (pressed("Delete my data", "Keep it"), pressed("More", "Back")):
        assert await theirs.interaction_check(None) is False  # type: ignore[arg-type]
    ours = pressed("More", "Back", "Why?", "Export")
    assert await ours.interaction_check(None) is True  # type: ignore[arg-type]


@pytest.mark.slow
async def test_a_new_songsim_bot_process_answers_the_old_ones_buttons(
    fake_discord: FakeDiscord, built: dict[str, Path], tmp_path: Path
) -> None:
    """The real ``songsim bot`` twice: the second process answers the first one's More."""
    env = bot_env(fake_discord, built["old"], tmp_path)
    first = numbers(await run_once(fake_discord, env, tmp_path, f"!similar {SEED}"))
    message = next(m for m in fake_discord.messages.values() if m.get("components"))

    proc = await songsim(env, "bot", cwd=tmp_path)
    try:
        await wait_for_file(tmp_path / "heartbeat", proc)
        await press(fake_discord, int(message["id"]), "More")
        await fake_discord.wait_for_request("PATCH", webhook(fake_discord), timeout=10)
        assert numbers(fake_discord.messages[int(message["id"])])[0] == first[-1] + 1
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]


async def run_once(fake: FakeDiscord, env: dict[str, str], folder: Path, text: str) -> dict:
    """Start ``songsim bot``, ask ``text``, stop it; the message it posted (a copy)."""
    proc = await songsim(env, "bot", cwd=folder)
    try:
        await wait_for_file(folder / "heartbeat", proc)
        sent = await ask(fake, text)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert not (folder / "heartbeat").exists()
    return copy.deepcopy(sent)
