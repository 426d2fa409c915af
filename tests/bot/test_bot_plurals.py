"""Counts shown to users agree with their nouns: "in 1 playlist", "1 shared playlist"."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.console import markdown_to_text, render_reply
from bot.embeds import likes_embed
from bot.replies import Answers
from bot.services import Services
from bot.settings import Settings
from bot.song_lines import index_footer
from bot.text import count_of, playlists_phrase
from tests.support.bot_fixtures import SEED, make_stats, make_track

pytest.importorskip("index.read.api")

# A one followed by a plural noun, as in "1 playlists" or "1,000 … " excluded by the \b.
ONE_PLURAL = re.compile(r"(?<![\d,.])1 (shared )?(playlists|songs|liked songs|commands)\b")


@pytest_asyncio.fixture
async def services(song_index: Path, tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(song_index), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


def test_count_of_and_playlists_phrase() -> None:
    assert count_of(1, "song") == "1 song"
    assert count_of(0, "song") == "0 songs"
    assert count_of(2_262_292, "song") == "2,262,292 songs"
    assert playlists_phrase(1) == "in 1 playlist"
    assert playlists_phrase(1, "shared playlists") == "in 1 shared playlist"
    assert playlists_phrase(17, "shared playlists") == "in 17 shared playlists"


def test_footer_of_a_one_song_index() -> None:
    stats = make_stats(tracks=1, playlists=1, built_at="2026-11-26T20:00:00")
    assert index_footer(stats) == "Index: 1 song from 1 playlist · built 2026-11-26"


def test_likes_list_of_one() -> None:
    song = make_track(1, "One More Time", "Daft Punk")
    embed = likes_embed([song], {}, 1, "!")
    assert embed.footer.text.startswith("1 liked song ·")
    assert "1 liked song is no longer in the index" in markdown_to_text(embed.description)


async def test_every_reply_on_a_small_index_agrees_in_number(services: Services) -> None:
    """Pages of neighbours, mixes, a song in one playlist, likes: no "1 playlists"."""
    answers = Answers(services, 7)
    shown: list[str] = []
    first = await answers.similar(SEED)
    second = await answers.more(first)
    alone = await answers.similar("loner - only song")  # in a single playlist
    mix = await answers.mix(f"{SEED} | queen - bohemian rhapsody")
    liked = await answers.like(SEED)
    wrong_number = await answers.unlike("5")  # "You have 1 liked song; pick a number…"
    for reply in (first, second, alone, mix, liked, wrong_number, await answers.likes()):
        shown.append(render_reply(reply))
    why = await answers.why(first, first.items[-1].track_id)
    shown.append(markdown_to_text(why.description or ""))
    text = "\n".join(shown)
    assert "in 1 playlist" in text  # the case is really exercised
    assert "You have 1 liked song;" in text
    assert "in 1 shared playlist" in text
    assert not ONE_PLURAL.search(text), ONE_PLURAL.search(text)
