"""A song with a few recommendations, not a page of them, gets the page completed from the
playlists it is in, labelled as the weaker hint it is (never instead of a recommendation).

Built with ``--min-shared 2``: "Hit" shares two or more playlists only with "Tune" (6) and
"Sunrise" (3), so its list has two songs and eight slots to complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n.labels import fallback_label as english
from index.build import build_index
from index.read.api import SongIndex
from tests.index.test_rare_fallback import PLAYLISTS, names, tid, write_playlists
from tests.support.bot_fixtures import console_text, open_services

HIT = ("Band Y", "Hit")


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("top_up")
    out = folder / "index.sqlite"
    build_index(
        write_playlists(folder / "p.csv", PLAYLISTS), out, fmt="csv", method="exact",
        min_playlists=2, min_shared=2, progress=False,
    )  # fmt: skip
    return out


@pytest.fixture()
def idx(index_path: Path):
    with SongIndex.open(index_path) as opened:
        yield opened


def test_a_short_list_is_completed_from_the_songs_playlists(idx) -> None:
    answer = idx.similar(tid(idx, HIT))
    assert [(r.track.artist, r.track.title) for r in answer.items] == [
        ("Band W", "Tune"),
        ("Night Owl", "Sunrise"),
    ]
    assert not answer.rare and answer.total == 2
    assert answer.fallback_source == "playlists"
    assert english(answer.fallback_label) == "Also from the 7 playlists with this song"
    more = names(answer.fallback)
    assert len(answer.items) + len(more) == 10
    # Nothing shown twice, no version of a shown song (Tune's radio edit), not the seed.
    assert ("Band W", "Tune") not in more and ("Band W", "Tune - Radio Edit") not in more
    assert ("Night Owl", "Sunrise") not in more and HIT not in more
    # Each shares one playlist with Hit: the lead is the best known (Both and Two Places,
    # in two playlists each), then the least known (Moonlit, in that playlist only).
    assert set(more[:2]) == {("Band X", "Both"), ("Loner", "Two Places")}
    assert more[2] == ("Night Owl", "Moonlit")
    # Three Filler songs under the cap, then a fourth only because nothing else is left.
    fillers = [i for i, (artist, _) in enumerate(more) if artist == "Filler"]
    assert len(fillers) == 4 and fillers[-1] == len(more) - 1


def test_shown_songs_count_toward_the_artist_cap(idx) -> None:
    answer = idx.similar(tid(idx, HIT), limit=5)
    more = names(answer.fallback)
    assert len(more) == 3
    # Sunrise (Night Owl) is on the page: Night Owl may add two more, not three.
    page = [r.track.artist for r in answer.items] + [a for a, _ in more]
    assert max(page.count(a) for a in set(page)) <= 3


def test_deep_cuts_completes_the_page_leaning_to_the_less_known(idx) -> None:
    closest = names(idx.similar(tid(idx, HIT)).fallback)
    deep = names(idx.similar(tid(idx, HIT), ranking="deep cuts").fallback)
    # Every mate shares one playlist with Hit; "deep cuts" damps the better known harder,
    # so Quiet (in 1 playlist) passes Both (in 2), which "closest" lists first.
    both, quiet = ("Band X", "Both"), ("Band Z", "Quiet")
    assert closest.index(both) < closest.index(quiet)
    assert deep.index(quiet) < deep.index(both)
    assert len(deep) == len(closest) == 8


def test_a_short_mix_is_completed_from_the_seeds_playlists(idx) -> None:
    answer = idx.mix([tid(idx, HIT), tid(idx, ("Band W", "Tune"))])
    assert [(r.track.artist, r.track.title) for r in answer.items] == [("Night Owl", "Sunrise")]
    assert english(answer.fallback_label) == "Also from the 7 playlists with these songs"
    more = names(answer.fallback)
    assert len(more) == 9 and ("Band W", "Tune - Radio Edit") not in more  # a seed's version


def test_a_full_page_is_not_topped_up(idx) -> None:
    answer = idx.similar(tid(idx, HIT), limit=2)
    assert len(answer.items) == 2 and answer.fallback == [] and answer.fallback_label is None
    later = idx.similar(tid(idx, HIT), limit=1, offset=1)
    assert len(later.items) == 1 and later.fallback == []


async def test_console_numbers_the_top_up_on_from_the_list(
    index_path: Path, tmp_path: Path
) -> None:
    text = await console_text(index_path, tmp_path, "similar band y - hit")
    assert "Also from the 7 playlists with this song" in text
    assert "weaker hint" in text
    assert text.index("Tune") < text.index("Sunrise") < text.index("Also from")
    after = text[text.index("Also from") :]
    assert "\n3. Two Places" in after  # numbered on, not from 1
    assert "Songs 1–2 of 2 and 8 songs from shared playlists · " in text  # all 10 counted


async def test_discord_embed_lists_the_top_up_under_the_recommendations(
    index_path: Path, tmp_path: Path, fake_discord, start_bot
) -> None:
    from bot.bot import SongsimBot

    async with open_services(index_path, tmp_path) as services:
        await start_bot(SongsimBot(services))
        await fake_discord.send_message("!similar band y - hit")
        reply = await fake_discord.wait_for_request(
            "POST", f"/channels/{fake_discord.channel_id}/messages"
        )
    assert reply.json["allowed_mentions"]["parse"] == []
    text = reply.json["embeds"][0]["description"]
    assert text.index("Sunrise") < text.index("**Also from the 7 playlists with this song**")
    after = text[text.index("Also from") :]
    assert "weaker hint" in after and "**3.**" in after and "**1.**" not in after


def test_ask_text_lists_the_top_up_after_the_table(idx) -> None:
    from bot.cli.ask import answer_text

    resolution = idx.resolve("band y - hit")
    text = answer_text(resolution, idx.similar(resolution.match.track_id), idx)
    table, _, more = text.partition("Also from the 7 playlists with this song")
    assert "Tune" in table and "Sunrise" in table and "Both" not in table
    assert "weaker hint" in more and "  3. " in more and "  1. " not in more
