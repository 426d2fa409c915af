"""What the bot answers (no Discord): the cogs' logic on a small real index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.console import markdown_to_text
from bot.replies import Answers
from bot.replies import likes as likes_replies
from bot.replies.autocomplete import song_choices
from bot.services import Services, StartupError, open_index
from bot.settings import Settings
from bot.views import ChoiceMenu
from tests.support.bot_fixtures import (
    NASTY_ID,
    SEED,
    SEED_ID,
    build_song_index,
    make_track,
    shared_playlists,
)

pytest.importorskip("index.read.api")

ALICE, BOB = 101, 202


def settings_for(index: Path, tmp: Path) -> Settings:
    return Settings.from_mapping(
        {"SONGSIM_INDEX": str(index), "SONGSIM_USER_DB": str(tmp / "users.sqlite")}
    )


@pytest_asyncio.fixture
async def services(song_index: Path, tmp_path: Path) -> AsyncIterator[Services]:
    s = await Services.open(settings_for(song_index, tmp_path), spotify=False)
    yield s
    await s.close()


def text_of(reply) -> str:
    e = reply.embed
    return markdown_to_text(
        "\n".join(x or "" for x in (e.title, e.description, e.footer.text if e.footer else ""))
    )


async def test_similar_names_the_match_and_lists_a_page(services: Services) -> None:
    reply = await Answers(services, ALICE).similar(SEED)
    assert reply.embed.title == "Songs like One More Time — Daft Punk"
    assert reply.embed.description.startswith(
        "Matched [**One More Time**](https://open.spotify.com/track/"
    )
    assert 1 <= len(reply.items) <= 10
    assert f"**{len(reply.items)}.**" in reply.embed.description
    assert not reply.choices  # an exact match needs no "did you mean"
    assert SEED_ID not in [t.track_id for t in reply.items]
    assert reply.page is not None and reply.page.has_more
    # The index's Spotify URI becomes the seed's link without any API call.
    assert reply.embed.url == "https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV"


async def test_more_and_back_page_through_the_neighbours(services: Services) -> None:
    answers = Answers(services, ALICE)
    first = await answers.similar(SEED)
    second = await answers.more(first)
    # Numbers carry on from the first page even when a page is short (artist cap).
    n = len(first.items)
    assert f"**{n + 1}.**" in second.embed.description
    assert "**1.**" not in second.embed.description
    assert second.embed.footer.text.startswith(f"Songs {n + 1}–")
    assert not {t.track_id for t in first.items} & {t.track_id for t in second.items}
    back = await answers.back(second)
    assert [t.track_id for t in back.items] == [t.track_id for t in first.items]
    assert "**1.**" in back.embed.description and back.page.offset == 0


async def test_unknown_text_says_so_without_choices(services: Services) -> None:
    reply = await Answers(services, ALICE).similar("zzqx vvbn")
    assert not reply.choices and reply.page is None
    text = reply.embed.description
    assert "No song matches “zzqx vvbn”" in text and "check the spelling" in text
    assert text.count("for example") == 1  # one piece of advice, with a song of the index


async def test_ambiguous_text_offers_both_songs_and_picking_answers(services: Services) -> None:
    answers = Answers(services, ALICE)
    reply = await answers.similar("one more")
    offered = {t.track_id for t in reply.choices}
    if reply.page is not None:  # the reader picked one and offers the other as an alternative
        offered.add(reply.page.seeds[0])
    night = next(t for t in reply.choices if t.title == "One More Night")
    assert {SEED_ID, night.track_id} <= offered
    picked = await answers.pick(reply, night.track_id)
    assert picked.embed.title == "Songs like One More Night — Maroon 5"


async def test_markdown_and_mentions_in_names_are_inert(services: Services) -> None:
    reply = await Answers(services, ALICE).similar(f"track:{NASTY_ID}")
    e = reply.embed
    assert e.title == "Songs like @\u200beveryone — \\*\\*Bold\\*\\*"
    assert "@everyone" not in e.description


async def test_why_counts_shared_playlists_and_names_them(services: Services) -> None:
    answers = Answers(services, ALICE)
    reply = await answers.similar(SEED)
    other = reply.items[0]
    embed = await answers.why(reply, other.track_id)
    names = shared_playlists(SEED_ID, other.track_id)
    assert f"in {len(names)} playlists" in embed.description
    if embed.fields:  # the index keeps memberships, so examples are shown, escaped
        shown = markdown_to_text(embed.fields[0].value).replace("\u200b", "")
        for name in names[:3]:
            assert name in shown
        assert "@here" not in embed.fields[0].value


async def test_likes_are_per_user_and_feed_for_you(services: Services) -> None:
    alice, bob = Answers(services, ALICE), Answers(services, BOB)
    assert "Liked" in text_of(await alice.like(SEED))
    assert "already like" in text_of(await alice.like(SEED))
    assert "One More Time" in text_of(await alice.likes())
    assert "haven't liked" in text_of(await bob.likes())
    picks = await alice.for_you()
    assert picks.embed.title == "Picked for you"
    assert picks.items and SEED_ID not in [t.track_id for t in picks.items]
    assert "Like a few songs first" in text_of(await bob.for_you())
    assert "Removed" in text_of(await alice.unlike("1"))
    assert "haven't liked" in text_of(await alice.likes())


async def test_a_long_likes_list_says_it_shows_the_most_recent(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(likes_replies, "LIKES_SHOWN", 2)
    alice = Answers(services, ALICE)
    for song in (SEED, "queen - bohemian rhapsody", "justice - d.a.n.c.e."):
        assert "Liked" in text_of(await alice.like(song))
    reply = await alice.likes()
    assert "D.A.N.C.E." in text_of(reply) and "One More Time" not in text_of(reply)
    assert (
        reply.embed.footer.text
        == "The 2 most recent of 3 liked songs · !privacy export lists them all"
    )


async def test_unlike_by_name_and_unknown(services: Services) -> None:
    alice = Answers(services, ALICE)
    await alice.like(SEED)
    assert "not in your likes" in text_of(await alice.unlike("queen - bohemian rhapsody"))
    assert "Removed" in text_of(await alice.unlike("one more time"))


async def test_likes_follow_songs_into_a_rebuilt_index(song_index: Path, tmp_path: Path) -> None:
    settings = settings_for(song_index, tmp_path)
    services = await Services.open(settings, spotify=False)
    await Answers(services, ALICE).like(SEED)
    await services.close()
    rebuilt = build_song_index(tmp_path / "rebuilt.sqlite", reverse=True)  # every id changes
    services = await Services.open(settings_for(rebuilt, tmp_path), spotify=False)
    try:
        reply = await Answers(services, ALICE).likes()
        assert "One More Time" in text_of(reply)
        assert "no longer in the index" not in text_of(reply)
    finally:
        await services.close()


async def test_mix_needs_two_to_five_songs(services: Services) -> None:
    answers = Answers(services, ALICE)
    one = await answers.mix(SEED)
    assert "2–5 songs" in one.embed.description
    mix = await answers.mix(f"{SEED} | queen - bohemian rhapsody")
    assert mix.embed.title == "Your mix"
    assert mix.items
    assert not {t.title for t in mix.items} & {"One More Time", "Bohemian Rhapsody"}


async def test_mix_and_for_you_lines_say_which_of_your_songs_each_is_like(
    services: Services,
) -> None:
    answers = Answers(services, ALICE)
    mix = await answers.mix(f"{SEED} | queen - bohemian rhapsody")
    await answers.like(SEED)
    await answers.like("queen - bohemian rhapsody")
    picks = await answers.for_you()
    for reply in (mix, picks):
        lines = [x for x in reply.embed.description.splitlines() if x.startswith("**")]
        assert len(lines) == len(reply.items) > 0
        endings = ("like One More Time", "like Bohemian Rhapsody", "like both your songs")
        assert all(x.endswith(endings) for x in lines), lines
        # Merged by rank over both songs: no percentage, no summed playlist count.
        assert not any("%" in x or "playlist" in x for x in lines)


async def test_artist_lists_other_artists(services: Services) -> None:
    reply = await Answers(services, ALICE).artist("daft punk")
    assert reply.embed.title == "Artists like Daft Punk"
    assert "Daft Punk" not in reply.embed.description.split("\n", 2)[-1]


async def test_autocomplete_fits_discord_and_offers_own_text(services: Services) -> None:
    answers = Answers(services, ALICE)
    choices = await answers.song_choices("one more")
    assert 1 <= len(choices) <= 25
    assert all(len(n) <= 100 and len(v) <= 100 for n, v in choices)
    assert any(n == "One More Time — Daft Punk" for n, _ in choices)
    # The value sent back resolves to the song the user picked.
    value = next(v for n, v in choices if n == "One More Time — Daft Punk")
    reply = await answers.similar(value)
    assert reply.embed.title == "Songs like One More Time — Daft Punk"
    assert await answers.song_choices("qqzzxx") == [("qqzzxx", "qqzzxx")]


def test_song_choices_cut_long_names_to_100() -> None:
    t = make_track(5, "x" * 150, "y" * 50)
    [(name, value)] = song_choices("x", [t])
    assert len(name) <= 100 and value == "track:5"


def test_missing_index_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"No index at .*`songsim index build"):
        open_index(settings_for(tmp_path / "absent.sqlite", tmp_path))


async def test_unwritable_user_db_stops_start_up(song_index: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(song_index), "SONGSIM_USER_DB": str(blocker / "u.sqlite")}
    )
    with pytest.raises(StartupError, match="SONGSIM_USER_DB"):
        await Services.open(settings, spotify=False)


@pytest.mark.parametrize(
    ("text", "artist"), [("daft", "Daft Punk"), ("qu", "Queen"), ("punk --popular", "Daft Punk")]
)
async def test_an_unsure_artist_is_offered_as_artists_not_songs(
    services: Services, text: str, artist: str
) -> None:
    answers = Answers(services, ALICE)
    reply = await answers.artist(text)
    assert reply.embed.title == "Did you mean…"
    ids = [t.artist_id for t in reply.choices]
    assert ids and len(ids) == len(set(ids))  # one entry per artist
    listed = [x for x in text_of(reply).splitlines() if x[:1].isdigit()]
    assert listed == [f"{i}. {t.artist}" for i, t in enumerate(reply.choices, 1)]
    assert artist in listed[0]  # names, not "title — artist"
    menu = ChoiceMenu.of(reply, ALICE)
    assert [o.label for o in menu.item.options] == [t.artist for t in reply.choices]
    picked = await answers.pick(reply, reply.choices[0].track_id)
    assert picked.embed.title == f"Artists like {artist}"


async def test_unlike_by_number_with_no_likes_says_there_are_none(services: Services) -> None:
    reply = await Answers(services, BOB).unlike("1")
    assert "You haven't liked any songs yet" in text_of(reply)
    assert "0 liked songs" not in text_of(reply)
