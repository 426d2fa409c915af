"""Nothing about a user reaches the log but their id, and that only at debug level: commands
run through the real discord.py client against the fake Discord with the bot's own logging
set up at LOG_LEVEL=DEBUG, every record kept."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.cli.run_bot import configure_logging
from bot.services import Services
from bot.settings import Settings
from tests.support.bot_fixtures import SEED, build_song_index
from tests.support.fakediscord import FakeDiscord

pytest.importorskip("index.read.api")

USERNAME, DISPLAY_NAME = "zed-the-listener", "Zed Quintillian"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Keep]:
    """The bot's logging at LOG_LEVEL=DEBUG, as ``songsim bot`` sets it up; restored after."""
    loggers = [logging.getLogger(n) for n in ("", "discord", "aiosqlite")]
    levels = [x.level for x in loggers]
    keep = Keep()
    loggers[0].addHandler(keep)
    configure_logging(Settings.from_mapping({"LOG_LEVEL": "DEBUG"}))
    yield keep
    loggers[0].removeHandler(keep)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest_asyncio.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    index = build_song_index(tmp_path / "songs.sqlite")
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(index), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


async def test_users_reach_the_log_by_id_at_debug_level_only(
    debug_log: Keep, fake_discord: FakeDiscord, start_bot, services: Services, monkeypatch
) -> None:
    zed = fake_discord.add_user(USERNAME)
    zed.global_name = DISPLAY_NAME
    bot = await start_bot(SongsimBot(services))
    general = f"/channels/{fake_discord.channel_id}/messages"
    await fake_discord.send_message(f"!similar {SEED}", author=zed)
    sent = await fake_discord.wait_for_request("POST", general)
    await (await fake_discord.click(sent.response, label="More", user=zed)).wait_answer()
    await fake_discord.send_message(f"!like {SEED}", author=zed)
    await fake_discord.wait_for_request("POST", general)
    inter = await fake_discord.slash("privacy", {}, user=zed, context="dm")
    await inter.wait_answer()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.services.index, "similar", broken)
    await fake_discord.send_message(f"!similar {SEED}", author=zed)  # fails: logged
    await fake_discord.wait_for_request("POST", general)

    formatter = logging.Formatter("%(message)s")
    lines = [(r, formatter.format(r)) for r in debug_log.records]
    assert any(r.levelno == logging.ERROR and "disk on fire" in text for r, text in lines)
    for record, text in lines:
        assert USERNAME not in text and DISPLAY_NAME not in text, (record.name, text[:200])
    with_id = [(r.levelno, r.name, text) for r, text in lines if str(zed.id) in text]
    assert with_id, "the failure's debug line names the user by id"
    assert {level for level, _, _ in with_id} == {logging.DEBUG}, with_id
    assert not [t for _, _, t in with_id if "One More Time" in t]  # not what they liked
