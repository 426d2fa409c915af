"""The discovery setting as users write it, and what each setting lists (no Discord).

The song order for each setting must be exactly the read API's order for that ranking
(``SongIndex.similar(..., ranking=R)``), on every page; these run on the demo index, whose
three settings order a song's neighbours differently.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.console import markdown_to_text
from bot.discovery import FLAGS, UnknownDiscovery, ranking_named, split_discovery
from bot.replies import PAGE_SIZE, Answers
from bot.services import Services
from bot.settings import Settings
from index.read.ranking import DEFAULT_RANKING, DISCOVERY
from tests.support.bot_fixtures import build_song_index

pytest.importorskip("index.read.api")

ALICE = 101


# --- reading the flag ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "song", "ranking"),
    [
        ("daft punk - one more time --popular", "daft punk - one more time", "popular"),
        ("daft punk - one more time --deep-cuts", "daft punk - one more time", "deep cuts"),
        ("daft punk - one more time --deep cuts", "daft punk - one more time", "deep cuts"),
        ("daft punk - one more time --DeepCuts", "daft punk - one more time", "deep cuts"),
        ("daft punk - one more time —popular", "daft punk - one more time", "popular"),
        ("daft punk - one more time --closest", "daft punk - one more time", "closest"),
        ("a - b --closest --popular", "a - b", "popular"),  # the last flag wins
        ("--popular daft punk - one more time", "daft punk - one more time", "popular"),
        ("--deep-cuts a - b --closest", "a - b", "closest"),  # the last flag wins
    ],
)
def test_a_flag_at_either_end_sets_the_ranking_and_leaves_the_song(
    text: str, song: str, ranking: str
) -> None:
    found = split_discovery(text)
    assert (found.text, found.ranking) == (song, ranking)


@pytest.mark.parametrize(
    "text",
    [
        "daft punk - one more time",
        "blink-182 - all the small things",
        "the killers — mr. brightside —live",  # a typographic dash that names no setting
        "--bonus track - live",  # a leading --word that names no setting is text
    ],
)
def test_text_without_a_flag_is_left_alone(text: str) -> None:
    found = split_discovery(text)
    assert found == type(found)(text, None)


def test_an_unknown_flag_names_the_real_ones() -> None:
    with pytest.raises(UnknownDiscovery) as caught:
        split_discovery("daft punk - one more time --popularr")
    assert all(flag in str(caught.value) for flag in FLAGS)


def test_every_setting_has_a_flag_and_a_name() -> None:
    assert sorted(FLAGS.values()) == sorted(DISCOVERY)
    for ranking in DISCOVERY:
        assert ranking_named(ranking) == ranking
        assert ranking_named(ranking.upper()) == ranking


# --- what each setting lists -----------------------------------------------------------------


@pytest_asyncio.fixture
async def demo(demo_index: Path, tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(demo_index), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


def seed_of(services: Services):
    """A well-known song of the demo index (its most-playlisted track)."""
    return services.index.track(int(services.index.rank_track[0]))


def ids(reply) -> list[int]:
    return [t.track_id for t in reply.items]


def footer(reply) -> str:
    return markdown_to_text(reply.embed.footer.text or "")


def index_order(services: Services, seed: int, ranking: str, offset: int = 0) -> list[int]:
    answer = services.index.similar(seed, limit=PAGE_SIZE, offset=offset, ranking=ranking)
    return [r.track.track_id for r in answer.items]


async def test_the_settings_really_order_the_demo_songs_differently(demo: Services) -> None:
    """Guards the tests below: equal orders would let a setting that is ignored pass."""
    seed = seed_of(demo).track_id
    assert len({tuple(index_order(demo, seed, r)) for r in DISCOVERY}) == len(DISCOVERY)


@pytest.mark.parametrize("ranking", DISCOVERY)
async def test_similar_lists_songs_in_the_settings_order(demo: Services, ranking: str) -> None:
    seed = seed_of(demo)
    expected = index_order(demo, seed.track_id, ranking)
    flag = next(f for f, r in FLAGS.items() if r == ranking)
    by_flag = await Answers(demo, ALICE).similar(f"{seed.artist} - {seed.title} {flag}")
    by_option = await Answers(demo, ALICE).similar(f"{seed.artist} - {seed.title}", ranking)
    assert ids(by_flag) == expected and ids(by_option) == expected
    assert f"Discovery: {ranking}" in footer(by_flag)
    assert by_flag.embed.title == f"Songs like {seed.title} — {seed.artist}"


async def test_without_a_setting_the_default_is_used_and_shown(demo: Services) -> None:
    seed = seed_of(demo)
    reply = await Answers(demo, ALICE).similar(f"{seed.artist} - {seed.title}")
    assert ids(reply) == index_order(demo, seed.track_id, DEFAULT_RANKING)
    assert f"Discovery: {DEFAULT_RANKING}" in footer(reply)


async def test_the_slash_option_wins_over_a_flag_in_the_text(demo: Services) -> None:
    seed = seed_of(demo)
    reply = await Answers(demo, ALICE).similar(
        f"{seed.artist} - {seed.title} --popular", "deep cuts"
    )
    assert ids(reply) == index_order(demo, seed.track_id, "deep cuts")


async def test_more_and_back_keep_the_setting(demo: Services) -> None:
    seed = seed_of(demo)
    answers = Answers(demo, ALICE)
    first = await answers.similar(f"{seed.artist} - {seed.title} --deep-cuts")
    assert first.page is not None and first.page.has_more
    second = await answers.more(first)
    assert second.page.ranking == "deep cuts"
    assert ids(second) == index_order(demo, seed.track_id, "deep cuts", offset=PAGE_SIZE)
    assert "Discovery: deep cuts" in footer(second)
    again = await answers.back(second)
    assert ids(again) == ids(first) and "Discovery: deep cuts" in footer(again)


async def test_an_unknown_flag_is_a_private_hint_not_a_search(demo: Services) -> None:
    seed = seed_of(demo)
    reply = await Answers(demo, ALICE).similar(f"{seed.artist} - {seed.title} --obscure")
    assert reply.ephemeral and reply.page is None
    assert "--deep-cuts" in reply.embed.description


async def test_mix_takes_the_flag_too(demo: Services) -> None:
    a, b = (demo.index.track(int(t)) for t in demo.index.rank_track[:2])
    reply = await Answers(demo, ALICE).mix(
        f"{a.artist} - {a.title} | {b.artist} - {b.title} --popular"
    )
    expected = demo.index.mix([a.track_id, b.track_id], limit=PAGE_SIZE, ranking="popular")
    assert ids(reply) == [r.track.track_id for r in expected.items]
    assert "Discovery: popular" in footer(reply)


@pytest.mark.parametrize("written", ["--deep-cuts", "deep cuts", "Deep Cuts"])
async def test_for_you_follows_the_setting_on_every_page(demo: Services, written: str) -> None:
    answers = Answers(demo, ALICE)
    liked = [demo.index.track(int(t)) for t in demo.index.rank_track[:4]]
    for t in liked:
        await answers.like(f"track:{t.track_id}")
    reply = await answers.for_you(written)
    liked_ids = [t.track_id for t in liked]
    expected = demo.index.for_you(liked_ids, limit=PAGE_SIZE, ranking="deep cuts")
    assert ids(reply) == [r.track.track_id for r in expected.items]
    assert reply.page.ranking == "deep cuts" and "Discovery: deep cuts" in footer(reply)
    assert not set(ids(reply)) & set(liked_ids)
    if reply.page.has_more:
        nxt = await answers.more(reply)
        later = demo.index.for_you(
            liked_ids, limit=PAGE_SIZE, offset=PAGE_SIZE, ranking="deep cuts"
        )
        assert ids(nxt) == [r.track.track_id for r in later.items]


async def test_for_you_refuses_a_setting_it_does_not_know(demo: Services) -> None:
    reply = await Answers(demo, ALICE).for_you("jazz")
    assert reply.ephemeral and "--popular" in reply.embed.description


async def test_help_explains_the_setting() -> None:
    from bot import embeds

    text = markdown_to_text(embeds.help_embed("?").description)
    assert "?similar daft punk - one more time --deep-cuts" in text
    assert all(flag in text for flag in FLAGS) and "discovery" in text


# --- "did you mean" keeps it -------------------------------------------------------------------


@pytest_asyncio.fixture
async def small(tmp_path: Path) -> AsyncIterator[Services]:
    index = build_song_index(tmp_path / "songs.sqlite")
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(index), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


async def test_picking_a_suggestion_keeps_the_setting(small: Services) -> None:
    answers = Answers(small, ALICE)
    unsure = await answers.similar("one more --popular")
    assert unsure.choices and unsure.page is None
    picked = await answers.pick(unsure, unsure.choices[0].track_id)
    assert picked.page is not None and picked.page.ranking == "popular"
    assert "Discovery: popular" in footer(picked)
