"""What a button's custom id holds (bot.custom_ids): read back exactly, within Discord's
100 characters for the biggest lists a custom id carries, and the database for the rest."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot import custom_ids
from bot.replies import PageSpec
from bot.replies.refs import SongRef, base36, song_check
from bot.user_db import UserDB
from index.read.ranking import DISCOVERY
from tests.support.bot_fixtures import make_track

BIGGEST_USER = 2**64 - 1  # Discord ids are 64-bit
BIG_SONG = 36**5 - 1  # 60 million songs: bigger than any index songsim builds


def read(template: str, text: str) -> re.Match[str]:
    m = re.fullmatch(template, text)
    assert m is not None, text
    return m


def mix_of(n: int, song: int = BIG_SONG, **kwargs) -> PageSpec:
    seeds = tuple(song - i for i in range(n))
    return PageSpec("mix", seeds, checks=tuple("zz9z" for _ in seeds), **kwargs)


@pytest.mark.parametrize("ranking", DISCOVERY)
@pytest.mark.parametrize("act", ["m", "b", "w", "e", "y"])
def test_a_page_reads_back_as_it_was_written(act: str, ranking: str) -> None:
    spec = mix_of(5, ranking=ranking, offset=40, number=37, other_artists=True)
    if act == "b":
        spec = spec.previous_page()
    seeds = custom_ids.seeds_of(spec)
    text = custom_ids.list_id(act, BIGGEST_USER, spec, seeds)
    assert len(text) <= custom_ids.MAX_LEN
    template = custom_ids.WHY_MENU if act == "y" else custom_ids.LIST_BUTTON
    owner, back, key = custom_ids.read_list(read(template, text))
    assert (owner, back, key) == (BIGGEST_USER, spec, None)


def test_a_back_button_numbers_its_page_once_read() -> None:
    page3 = PageSpec("similar", (1,), checks=("abcd",), offset=20, number=17)
    text = custom_ids.list_id("b", 42, page3.previous_page(), "1.abcd")
    _, back, _ = custom_ids.read_list(read(custom_ids.LIST_BUTTON, text))
    assert (back.offset, back.next_number) == (10, 17)
    assert back.numbered(7).number == 10  # songs 10–16 were on page 2
    first = custom_ids.read_list(read(custom_ids.LIST_BUTTON, custom_ids.list_id(
        "b", 42, back.numbered(7).previous_page(), "1.abcd")))[1]  # fmt: skip
    assert first.numbered(9).number == 1


def test_five_seeds_fit_and_a_file_or_a_long_list_is_saved() -> None:
    assert custom_ids.fits_inline(mix_of(5), BIGGEST_USER)
    assert not custom_ids.fits_inline(mix_of(8), BIGGEST_USER)
    assert not custom_ids.fits_inline(replace(mix_of(2), mode="playlist", note="From x"), 1)
    foryou = PageSpec("foryou", tuple(range(500)))  # the likes are read at each press
    assert custom_ids.seeds_of(foryou) == "" and custom_ids.fits_inline(foryou, BIGGEST_USER)
    key = custom_ids.list_key(7, "1.abcd,2.efgh", "From x")
    assert len(key) == custom_ids.KEY_LEN and key == custom_ids.list_key(
        7, "1.abcd,2.efgh", "From x"
    )
    assert key != custom_ids.list_key(8, "1.abcd,2.efgh", "From x")  # one user's list
    text = custom_ids.list_id("m", 7, mix_of(30), f"@{key}")
    owner, spec, got = custom_ids.read_list(read(custom_ids.LIST_BUTTON, text))
    assert got == key and spec.seeds == () and owner == 7
    with pytest.raises(custom_ids.BadCustomId):
        custom_ids.list_id("m", 7, mix_of(9), custom_ids.seeds_of(mix_of(9)))


@pytest.mark.parametrize("purpose", ["similar", "like", "artist"])
def test_a_choice_menu_keeps_what_the_question_asked(purpose) -> None:
    options = custom_ids.Options(purpose, "deep cuts", False, True)
    text = custom_ids.choice_id(BIGGEST_USER, options)
    assert len(text) <= custom_ids.MAX_LEN
    assert custom_ids.read_choice(read(custom_ids.CHOICE_MENU, text)) == (BIGGEST_USER, options)


def test_the_templates_do_not_overlap() -> None:
    spec = mix_of(2)
    ids = {
        "list": custom_ids.list_id("m", 1, spec, custom_ids.seeds_of(spec)),
        "why": custom_ids.list_id("y", 1, spec, custom_ids.seeds_of(spec)),
        "choice": custom_ids.choice_id(1, custom_ids.Options("similar", "closest", False, False)),
    }
    templates = {
        "list": custom_ids.LIST_BUTTON,
        "why": custom_ids.WHY_MENU,
        "choice": custom_ids.CHOICE_MENU,
    }
    for name, text in ids.items():
        assert [t for t, pattern in templates.items() if re.fullmatch(pattern, text)] == [name]
    assert not re.fullmatch(custom_ids.LIST_BUTTON, "ss2:m:1:sc0:0:1:")  # another version


def test_a_song_is_its_id_and_the_check_of_its_name() -> None:
    song = make_track(123456, "One More Time", "Daft Punk")
    ref = SongRef.of(song)
    assert custom_ids.read_song(custom_ids.song_value(ref)) == ref
    assert custom_ids.song_value(ref) == f"{base36(123456)}.{ref.check}"
    # The check follows the name, not its spelling of case and spaces, nor the id.
    assert song_check(make_track(9, "ONE MORE  TIME", "daft punk")) == ref.check
    assert ref.names(make_track(123456, "One more time", "Daft Punk"))
    assert not ref.names(make_track(123456, "Around the World", "Daft Punk"))
    assert not ref.names(make_track(654321, "One More Time", "Daft Punk"))
    assert not ref.names(None)
    with pytest.raises(custom_ids.BadCustomId):
        custom_ids.read_song("123")


async def test_saved_lists_are_per_user_and_forgotten_when_unused(tmp_path: Path) -> None:
    db = await UserDB.open(tmp_path / "users.sqlite")
    try:
        await db.save_list("k1", 7, "1.abcd,2.efgh", "From “road trip.txt”")
        await db.save_list("k1", 7, "1.abcd,2.efgh", "From “road trip.txt”")  # once
        assert await db.saved_list("k1", 7) == ("1.abcd,2.efgh", "From “road trip.txt”")
        assert await db.saved_list("k1", 8) is None  # not another user's
        assert await db.forget_old_lists() == 0
        await db._conn.execute("UPDATE saved_lists SET used_at='2000-01-01T00:00:00Z'")  # noqa: SLF001
        await db._conn.commit()  # noqa: SLF001
        assert await db.forget_old_lists() == 1
        assert await db.saved_list("k1", 7) is None
    finally:
        await db.close()
