"""Server settings without Discord: reading ``setting value``, the stored rows (kept across an
upgrade and a restart), and the word filter behind Why? and song names."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot import user_db_schema
from bot.server_settings import (
    DEFAULTS,
    FILTERED_PLAYLIST,
    ServerSettings,
    SettingError,
    change,
)
from bot.user_db import UserDB
from bot.wordfilter import WordFilter, bundled
from index.model import PlaylistRef

GUILD = 42
ALICE = 1001
COMMANDS = ("similar", "mix", "foryou", "like")


def changed(setting: str, value: str, current: ServerSettings = DEFAULTS) -> ServerSettings:
    channels = {"music": 5, "here": 9}
    return change(
        current, setting, value, commands=COMMANDS, channel=lambda w: channels.get(w.lstrip("#"))
    )


def test_values_are_read_as_people_type_them() -> None:
    assert changed("discovery", "--deep-cuts").discovery == "deep cuts"
    assert changed("Why names", "HIDDEN").why_names == "hidden"
    assert changed("replies", "private").private is True
    s = changed("prefix_channels", "#music, here <#123456789012345678>")
    assert s.prefix_channels == {5, 9, 123456789012345678}
    assert changed("prefix_channels", "remove here", s).prefix_channels == {5, 123456789012345678}
    assert changed("prefix_channels", "all", s).prefix_channels == frozenset()
    off = changed("commands_off", "add /mix foryou")
    assert off.commands_off == {"mix", "foryou"} and off.is_off("mix")
    assert changed("commands_off", "none", off).commands_off == frozenset()
    words = changed("words", "add Road trip, gym")
    assert changed("words", "remove gym", words).words == ("Road trip",)


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("volume", "11", "There is no setting"),
        ("why_names", "blurred", "`why_names` is `shown`, `filtered` or `hidden`"),
        ("discovery", "loud", "not a discovery setting"),
        ("commands_off", "add settings", "`settings` cannot be turned off"),
        ("commands_off", "add dance", "There is no command “dance”"),
        ("prefix_channels", "#nowhere", "can't find the channel"),
        ("replies", "", "Give `replies` a value"),
    ],
)
def test_a_wrong_setting_says_what_to_type(setting: str, value: str, says: str) -> None:
    with pytest.raises(SettingError, match=says):
        changed(setting, value)


def test_stored_settings_keep_only_changes_and_read_old_rows_leniently() -> None:
    s = changed("why_names", "hidden", changed("commands_off", "mix"))
    assert ServerSettings.from_json(s.to_json()) == s
    assert s.to_json() == '{"commands_off": ["mix"], "why_names": "hidden"}'
    odd = '{"why_names": "purple", "future_setting": 3, "discovery": "deep-cuts"}'
    assert ServerSettings.from_json(odd) == ServerSettings(discovery="deep cuts")
    assert ServerSettings.from_json("not json") == DEFAULTS


def test_prefix_channels_count_a_thread_by_its_parent() -> None:
    s = changed("prefix_channels", "#music")
    assert s.prefix_allowed(5) and s.prefix_allowed(77, parent_id=5)
    assert not s.prefix_allowed(6) and DEFAULTS.prefix_allowed(6)


def test_why_names_shown_filtered_or_hidden() -> None:
    names = ["Road trip", "Sh!t I love", "Bitches brew", "Class of 2024"]
    refs = [PlaylistRef(n) for n in names]
    assert DEFAULTS.playlist_names(refs) == [
        "Road trip",
        FILTERED_PLAYLIST,
        FILTERED_PLAYLIST,
        "Class of 2024",
    ]
    assert changed("why_names", "shown").playlist_names(refs) == names
    assert changed("why_names", "hidden").playlist_names(refs) == []
    own = changed("words", "road trip, march")
    assert own.playlist_names([PlaylistRef("Road  Trip"), PlaylistRef("Party")]) == [
        FILTERED_PLAYLIST,
        "Party",
    ]
    # A session is named by songsim, never filtered: its date is no stranger's word.
    session = PlaylistRef(day=date(2025, 3, 3))
    assert own.playlist_names([session]) == ["a listening session on 3 March 2025"]


def test_the_bundled_list_reads_whole_words_with_leetspeak_and_accents() -> None:
    f = bundled()
    for bad in ("f*ck this", "$h!t happens!", "FÜCK", "my bitches", "2 girls 1 cup"):
        assert f.matches(bad), bad
    for fine in ("Bass Class", "Scunthorpe", "Spices", "Maroon 5", "Pass the Grass"):
        assert not f.matches(fine), fine
    assert f.mask("Fuck the rain") == "F*** the rain"
    assert WordFilter(["bad word"]).mask("A bad  word here") == "A b**  w*** here"


def test_settings_change_only_when_the_songs_filter_is_asked_for() -> None:
    assert DEFAULTS.mask_names("Shit Song") == "Shit Song"
    assert changed("song_names", "filtered").mask_names("Shit Song") == "S*** Song"


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_an_upgrade_from_version_2_keeps_likes_and_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.sqlite"
    with monkeypatch.context() as m:  # the database as songsim with schema 2 left it
        m.setattr(user_db_schema, "MIGRATIONS", user_db_schema.MIGRATIONS[:2])
        m.setattr(user_db_schema, "SCHEMA_VERSION", 2)
        with sqlite3.connect(path) as conn:
            user_db_schema.migrate(conn)
            conn.execute(
                "INSERT INTO likes VALUES (?, 7, 'Daft Punk', 'One More Time', "
                "'2026-01-02T03:04:05Z')",
                (ALICE,),
            )
            conn.execute(
                "INSERT INTO blocks VALUES (?, 'drake', 'Drake', '2026-01-03T00:00:00Z')", (ALICE,)
            )
        conn.close()
    assert version_of(path) == 2

    db = await UserDB.open(path)
    try:
        assert version_of(path) == user_db_schema.SCHEMA_VERSION
        likes = await db.likes(ALICE)
        assert [(x.track_id, x.title, x.liked_at) for x in likes] == [
            (7, "One More Time", "2026-01-02T03:04:05Z")
        ]
        assert [(b.name, b.blocked_at) for b in await db.blocks(ALICE)] == [
            ("Drake", "2026-01-03T00:00:00Z")
        ]
        assert db.servers.get(GUILD) == DEFAULTS
        await db.servers.put(GUILD, changed("why_names", "hidden"))
    finally:
        await db.close()

    again = await UserDB.open(path)  # a restart reads every server's settings back
    try:
        assert again.servers.get(GUILD).why_names == "hidden"
        assert again.servers.get(GUILD + 1) == DEFAULTS
        await again.servers.put(GUILD, DEFAULTS)  # back to the defaults: the row goes
        assert await again.likes(ALICE)  # settings never touch a user's data
    finally:
        await again.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM guild_settings").fetchone()[0] == 0


async def test_an_upgrade_from_version_3_keeps_likes_blocks_and_saved_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.sqlite"
    with monkeypatch.context() as m:  # the database as songsim with schema 3 left it
        m.setattr(user_db_schema, "MIGRATIONS", user_db_schema.MIGRATIONS[:3])
        m.setattr(user_db_schema, "SCHEMA_VERSION", 3)
        with sqlite3.connect(path) as conn:
            user_db_schema.migrate(conn)
            conn.execute(
                "INSERT INTO likes VALUES (?, 7, 'Daft Punk', 'One More Time', 'x')", (ALICE,)
            )
            conn.execute("INSERT INTO blocks VALUES (?, 'drake', 'Drake', 'y')", (ALICE,))
            conn.execute(
                "INSERT INTO saved_lists(list_key, user_id, seeds, note) VALUES (?,?,?,?)",
                ("k1", ALICE, "7.abcd", "from mix.m3u"),
            )
            conn.execute(
                "INSERT INTO button_songs VALUES (7, 'abcd', 'Daft Punk', 'One More Time')"
            )
        conn.close()
    assert version_of(path) == 3

    db = await UserDB.open(path)
    try:
        assert version_of(path) == user_db_schema.SCHEMA_VERSION == 4
        assert [x.title for x in await db.likes(ALICE)] == ["One More Time"]
        assert [b.name for b in await db.blocks(ALICE)] == ["Drake"]
        assert await db.saved_list("k1", ALICE) == ("7.abcd", "from mix.m3u")  # buttons work
        assert await db.song_name(7, "abcd") == ("Daft Punk", "One More Time")
        await db.servers.put(GUILD, changed("why_names", "hidden"))  # the new table is there
    finally:
        await db.close()


async def test_forget_user_deletes_only_that_users_rows_in_every_table(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite"
    db = await UserDB.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:  # a table some later version keeps per user
        conn.execute("CREATE TABLE later_things(thing TEXT, user_id INTEGER)")
        conn.executemany("INSERT INTO later_things VALUES (?, ?)", [("a", ALICE), ("b", 7)])
    conn.close()
    db = await UserDB.open(path)
    try:
        await db.like(ALICE, 1, "A", "a")
        await db.like(ALICE + 1, 1, "A", "a")
        await db.block_artist(ALICE, "Drake")
        await db.save_list("mine", ALICE, "1.abcd", "from my-file.m3u")  # behind buttons
        await db.save_list("theirs", 7, "1.abcd", "")
        db.remember_songs([(1, "abcd", "A", "a")])  # a song's name: nobody's data
        await db.write_songs()
        rows = await db.user_rows(ALICE)
        assert rows["later_things"] == [{"thing": "a", "user_id": ALICE}]
        assert [(r["list_key"], r["note"]) for r in rows["saved_lists"]] == [
            ("mine", "from my-file.m3u")
        ]
        assert "button_songs" not in rows
        assert await db.forget_user(ALICE) == {
            "blocks": 1,
            "later_things": 1,
            "likes": 1,
            "saved_lists": 1,
        }
        assert await db.likes(ALICE) == [] and await db.blocks(ALICE) == []
        assert await db.saved_list("mine", ALICE) is None  # its buttons say "ask again"
        assert len(await db.likes(ALICE + 1)) == 1
        assert await db.saved_list("theirs", 7) is not None
        assert (await db.user_rows(7))["later_things"] == [{"thing": "b", "user_id": 7}]
        assert await db.song_name(1, "abcd") == ("A", "a")
    finally:
        await db.close()


async def test_the_console_tries_settings_and_privacy(tmp_path: Path) -> None:
    from tests.support.bot_fixtures import SEED, build_song_index, console_text

    index = build_song_index(tmp_path / "songs.sqlite")
    out = await console_text(
        index,
        tmp_path,
        f"similar {SEED}",
        "why 1",
        "settings why_names hidden",
        "why 1",
        "settings",
        f"like {SEED}",
        "privacy delete",
        "privacy delete confirm",
        "privacy",
    )
    before, _, after = out.partition("why_names changed")
    assert "• Road trip" in before and "Road trip" not in after
    assert "Playlist names are hidden in this server." in after
    assert "why_names: hidden — not shown" in after
    assert "Type `privacy delete confirm` to delete it." in after
    assert "deleted 1 liked song, 0 blocked artists, your last list" in after
    assert after.rstrip().endswith("Your last list (in memory, gone at restart): none")


def test_the_settings_card_names_discovery_once_or_in_the_readers_language() -> None:
    from bot.i18n import use_language
    from bot.server_embeds import settings_embed

    chosen = ServerSettings(discovery="popular")

    def discovery_line() -> str:
        return next(f.value for f in settings_embed(chosen).fields if f.name == "discovery")

    assert discovery_line() == "`popular` — better-known songs, more familiar"
    with use_language("de"):
        line = discovery_line()
    assert line.startswith("`popular` (") and "(popular)" not in line  # the German name beside it
