"""The real bot, through a real discord.py client, against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.cogs._options import OOPS
from bot.services import Services
from bot.settings import Settings
from bot.views import NOT_YOURS
from index.read.ranking import DISCOVERY
from tests.support.bot_fixtures import SEED, SEED_ID
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component

pytest.importorskip("index.read.api")

SEED_TITLE = "Songs like One More Time — Daft Punk"
AERO = "2VEZx7NWsZ1D0eJ4uv5Fym"  # a Spotify id of the real shape (22 base-62 characters)


@pytest_asyncio.fixture
async def services(
    song_index: Path, tmp_path: Path, fake_discord: FakeDiscord
) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {
            "SONGSIM_INDEX": str(song_index),
            "SONGSIM_USER_DB": str(tmp_path / "users.sqlite"),
            "SONGSIM_OWNER_IDS": str(fake_discord.owner.id),
            "SONGSIM_HEARTBEAT": str(tmp_path / "heartbeat"),
        }
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


@pytest_asyncio.fixture
async def bot(start_bot, services: Services) -> SongsimBot:
    return await start_bot(SongsimBot(services))


def general(fake: FakeDiscord) -> str:
    return f"/channels/{fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def eventually(condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


async def sync_global(fake: FakeDiscord) -> None:
    await fake.send_message("!sync global", author=fake.owner)
    await fake.wait_for_request("POST", general(fake))


async def test_prefix_command_in_a_server_and_in_a_dm(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!similar {SEED}")
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    embed = reply.json["embeds"][0]
    assert embed["title"] == SEED_TITLE
    assert (
        "**1.**" in embed["description"] and "Matched [**One More Time**]" in embed["description"]
    )
    assert find_component(reply.response, label="More")["disabled"] is False
    assert find_component(reply.response, label="Back")["disabled"] is True

    await fake_discord.send_message(f"!similar {SEED}", dm=True)
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert dm.json["embeds"][0]["title"] == SEED_TITLE


async def test_mention_works_without_the_message_content_intent(
    fake_discord: FakeDiscord, start_bot, services
) -> None:
    await start_bot(SongsimBot(services, message_content=False))
    await fake_discord.send_message(f"similar {SEED}", mention_bot=True)
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert reply.json["embeds"][0]["title"] == SEED_TITLE


async def test_slash_similar_defers_then_follows_up(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    inter = await fake_discord.slash("similar", {"song": SEED})
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == SEED_TITLE
    assert int(follow.response["id"]) == inter.original_id


async def test_slash_works_in_dms_and_private_channels_for_user_installs(
    fake_discord: FakeDiscord, bot
) -> None:
    await sync_global(fake_discord)
    for context in ("dm", "private_channel"):
        inter = await fake_discord.slash("similar", {"song": SEED}, context=context, install="user")
        assert (await inter.wait_answer())["type"] == 5
        follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
        assert follow.json["embeds"][0]["title"] == SEED_TITLE, context


async def test_autocomplete_fits_discord_and_offers_own_text(
    fake_discord: FakeDiscord, bot
) -> None:
    await sync_global(fake_discord)
    choices = await fake_discord.autocomplete("similar", {"song": "one more"}, focused="song")
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert "One More Time — Daft Punk" in [c["name"] for c in choices]
    nothing = await fake_discord.autocomplete("similar", {"song": "qqzzxx"}, focused="song")
    assert nothing[0] == {"name": "qqzzxx", "value": "qqzzxx"}


async def test_did_you_mean_select_answers_in_place(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message("!similar one more")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    menu = find_component(sent.response, type=3)
    night = next(o for o in menu["options"] if o["label"] == "One More Night")
    picked = await fake_discord.select(sent.response, [night["value"]])
    answer = await picked.wait_answer()
    assert answer["type"] == 6  # deferred update, then the message is edited in place
    edit = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert edit.json["embeds"][0]["title"] == "Songs like One More Night — Maroon 5"
    stored = fake_discord.messages[int(sent.response["id"])]
    assert stored["embeds"][0]["title"] == "Songs like One More Night — Maroon 5"


async def test_more_pages_and_a_stranger_is_refused(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!similar {SEED}")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    message_id = int(sent.response["id"])

    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.click(sent.response, label="More", user=stranger)
    answer = await refused.wait_answer()
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == NOT_YOURS
    assert "**1.**" in fake_discord.messages[message_id]["embeds"][0]["description"]

    pressed = await fake_discord.click(sent.response, label="More")
    await pressed.wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    page2 = fake_discord.messages[message_id]
    shown = sent.json["embeds"][0]["description"].count("\n**")
    assert shown >= 1 and f"**{shown + 1}.**" in page2["embeds"][0]["description"]
    assert "**1.**" not in page2["embeds"][0]["description"]
    assert find_component(page2, label="Back")["disabled"] is False


async def test_why_button_explains_privately(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!similar {SEED}")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    why = await fake_discord.click(sent.response, label="Why?")
    answer = await why.wait_answer()
    assert answer["type"] == 5 and answer["data"]["flags"] & EPHEMERAL  # private "thinking…"
    shown = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert shown.json["flags"] & EPHEMERAL
    menu = find_component(shown.json, type=3)
    first = menu["options"][0]
    listed = re.findall(r"^\*\*\d+\.\*\*", sent.json["embeds"][0]["description"], re.M)
    assert len(menu["options"]) == len(listed) > 1  # one option per song on the page
    stored = fake_discord.messages[why.original_id] if why.original_id else None
    assert stored is not None and find_component(stored, type=3)
    picked = await fake_discord.select(stored, [first["value"]])
    await picked.wait_answer()
    edit = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert edit.json["embeds"][0]["title"] == "Why these songs?"
    assert "playlists" in edit.json["embeds"][0]["description"]


async def test_every_outgoing_message_has_mentions_disabled(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    await fake_discord.send_message("!similar track:7")  # the song called @everyone
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert "@everyone" not in sent.json["embeds"][0]["title"]
    await fake_discord.send_message(f"!similar {SEED}")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    await (await fake_discord.click(sent.response, label="More")).wait_answer()
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    await (await fake_discord.slash("similar", {"song": SEED})).wait_answer()
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    await fake_discord.send_message("!like daft punk - one more time")
    await fake_discord.wait_for_request("POST", general(fake_discord))
    await fake_discord.send_message("!nosuchcommand")
    await fake_discord.send_message("!similar")  # missing argument: the error cog answers
    await fake_discord.wait_for_request("POST", general(fake_discord))

    bodies = fake_discord.message_bodies()
    assert len(bodies) >= 5
    assert fake_discord.unhandled == []
    for req, body in bodies:
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], (req, body)
        assert (
            not mentions.get("users")
            and not mentions.get("roles")
            and not mentions.get("replied_user")
        )


async def test_sync_publishes_contexts_and_install_types(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message("!sync global", author=fake_discord.owner)
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    synced = {c["name"]: c for c in fake_discord.synced_commands()}
    assert {
        "similar",
        "artist",
        "mix",
        "like",
        "unlike",
        "likes",
        "foryou",
        "about",
        "help",
    } <= set(synced)
    assert "sync" not in synced  # owner-only, prefix only
    for command in synced.values():
        servers_only = command["name"] == "settings"  # a server's own settings
        assert command["contexts"] == ([0] if servers_only else [0, 1, 2]), command["name"]
        assert command["integration_types"] == [0, 1], command["name"]
    assert synced["similar"]["options"][0]["autocomplete"] is True
    assert f"Synced {len(synced)} commands" in reply.json["embeds"][0]["description"]

    await fake_discord.send_message("!sync global")  # not the owner
    refusal = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert "owner" in refusal.json["embeds"][0]["description"]
    assert len(fake_discord.requests.matching(lambda r: r.method == "PUT")) == 1


async def test_a_rate_limited_reply_is_retried_and_sent_once(
    fake_discord: FakeDiscord, bot
) -> None:
    path = general(fake_discord)
    fake_discord.rate_limit("POST", path, count=1, retry_after=0.1)
    await fake_discord.send_message(f"!similar {SEED}")
    first = await fake_discord.wait_for_request("POST", path)
    second = await fake_discord.wait_for_request("POST", path)
    assert (first.status, second.status) == (429, 200)
    assert second.json["embeds"][0]["title"] == SEED_TITLE
    assert len(fake_discord.requests.matching(lambda r: r.matches("POST", path))) == 2


async def test_gateway_close_resumes_and_answers(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.wait_for_gateway(2)
    await fake_discord.close_gateway(4000)
    await fake_discord.send_message(f"!similar {SEED}")  # sent while away, replayed on RESUME
    await fake_discord.wait_for_gateway(6)
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert reply.json["embeds"][0]["title"] == SEED_TITLE
    assert len(fake_discord.gateway.frames.matching(lambda f: f.op == 2)) == 1


async def test_cooldown_gives_one_notice_not_one_per_message(
    fake_discord: FakeDiscord, bot
) -> None:
    for _ in range(8):
        await fake_discord.send_message("!help")
    await eventually(lambda: len(fake_discord.message_bodies()) >= 6)
    await asyncio.sleep(0.2)  # let any extra (wrong) notices arrive
    bodies = [b for _, b in fake_discord.message_bodies()]
    notices = [b for b in bodies if "ask again in" in (b["embeds"][0].get("description") or "")]
    assert len(bodies) == 6 and len(notices) == 1


async def test_every_slash_command_in_a_cooldown_is_answered_privately(
    fake_discord: FakeDiscord, bot
) -> None:
    """Discord shows "did not respond" for an unanswered interaction: no silent cooldown."""
    await sync_global(fake_discord)
    inters = [await fake_discord.slash("about", {}) for _ in range(8)]
    answers = [await i.wait_answer() for i in inters]  # fails if one is never answered
    notices = [a for a in answers if "ask again in" in str(a)]
    assert len(notices) == 3  # 5 commands per 10 s, then a notice each time
    assert all(a["data"]["flags"] & EPHEMERAL for a in notices)


async def test_a_crash_becomes_a_friendly_reply_and_a_logged_traceback(
    fake_discord: FakeDiscord, bot, monkeypatch, caplog
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.services.index, "similar", broken)
    await sync_global(fake_discord)
    with caplog.at_level(logging.ERROR):
        await fake_discord.send_message(f"!similar {SEED}")
        reply = await fake_discord.wait_for_request("POST", general(fake_discord))
        assert reply.json["embeds"][0]["description"] == OOPS
        assert "disk on fire" not in str(reply.json)
        inter = await fake_discord.slash("similar", {"song": SEED})
        await inter.wait_answer()
        follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
        assert follow.json["embeds"][0]["description"] == OOPS
        assert follow.json["flags"] & EPHEMERAL  # only the user sees the failure
        deleted = await fake_discord.wait_for_request("DELETE", webhook(fake_discord))
        assert deleted.path.endswith("/messages/@original")  # no public "thinking…" left
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)


async def test_heartbeat_is_touched_while_ready_and_removed_on_close(
    fake_discord: FakeDiscord, start_bot, services
) -> None:
    bot = await start_bot(SongsimBot(services))
    path = services.settings.heartbeat_path
    await eventually(lambda: path.exists())
    await bot.close()
    assert not path.exists()


async def test_likes_and_for_you_through_discord(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!like {SEED}")
    liked = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert "Liked" in liked.json["embeds"][0]["description"]
    await fake_discord.send_message("!foryou")
    picks = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert picks.json["embeds"][0]["title"] == "Picked for you"
    assert "One More Time" not in picks.json["embeds"][0]["description"]


async def test_spotify_links_and_artwork_reach_the_embed(
    fake_discord: FakeDiscord, start_bot, services
) -> None:
    from bot.spotify import SpotifyLinks
    from tests.support.fakespotify import FakeSpotify

    with FakeSpotify() as spotify:
        spotify.add(
            "0DiWol3AO6WpXZgp0goxAV",
            "One More Time",
            "Daft Punk",
            image_url="https://i.example/omt.jpg",
        )
        spotify.add(AERO, "Aerodynamic", "Daft Punk")
        links = SpotifyLinks.create(
            spotify.client_id, spotify.client_secret, None,
            api_prefix=spotify.api_prefix, token_url=spotify.token_url,
        )  # fmt: skip
        await links.start()
        services.links = links
        try:
            await start_bot(SongsimBot(services))
            await fake_discord.send_message(f"!similar {SEED}")
            reply = await fake_discord.wait_for_request("POST", general(fake_discord))
            pressed = await fake_discord.click(reply.response, label="Export")
            await pressed.wait_answer()
            export = await fake_discord.wait_for_request("POST", webhook(fake_discord))
        finally:
            services.links = None
            await links.close()
    embed = reply.json["embeds"][0]
    assert embed["url"] == "https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV"
    assert f"[Aerodynamic](https://open.spotify.com/track/{AERO})" in embed["description"]
    assert embed["thumbnail"]["url"].startswith("https://i.example/omt.jpg")
    said = export.json["embeds"][0]["description"]  # one song linked: the links can be pasted
    assert "as Spotify links, CSV and JSPF" in said and "Paste the links" in said
    links = next(data for name, data in export.file_data.items() if name.endswith(".txt"))
    assert f"https://open.spotify.com/track/{AERO}".encode() in links


async def test_a_broken_feature_is_logged_and_the_rest_still_works(
    fake_discord: FakeDiscord, start_bot, services, monkeypatch, caplog
) -> None:
    monkeypatch.setattr(
        "bot.bot.EXTENSIONS", ("bot.cogs.errors", "bot.cogs.no_such_feature", "bot.cogs.similar")
    )
    with caplog.at_level(logging.ERROR):
        bot = await start_bot(SongsimBot(services))
    assert list(bot.failed_extensions) == ["bot.cogs.no_such_feature"]
    assert any("bot.cogs.no_such_feature" in r.getMessage() for r in caplog.records)
    await fake_discord.send_message(f"!similar {SEED}")
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert reply.json["embeds"][0]["title"] == SEED_TITLE


# --- discovery setting and typing --------------------------------------------------------


def footer_of(body: dict) -> str:
    return body["embeds"][0]["footer"]["text"]


async def test_synced_commands_offer_the_discovery_choices(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    synced = {c["name"]: c for c in fake_discord.synced_commands()}
    for name in ("similar", "foryou", "mix"):
        options = {o["name"]: o for o in synced[name].get("options", [])}
        discovery = options["discovery"]
        assert discovery["type"] == 3 and not discovery.get("required"), name
        assert [c["value"] for c in discovery["choices"]] == list(DISCOVERY), name
        assert all(len(c["name"]) <= 100 for c in discovery["choices"])
    # The song stays the first, autocompleted option; optional since issue 17 (empty: what
    # the caller is playing on Spotify), as /mix's songs are (a playlist file instead).
    song = synced["similar"]["options"][0]
    assert song["name"] == "song" and song["autocomplete"] is True and not song.get("required")
    playlist = {o["name"]: o for o in synced["mix"]["options"]}["playlist"]
    assert playlist["type"] == 11 and not playlist.get("required")


async def test_slash_discovery_option_reaches_the_answer(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    inter = await fake_discord.slash("similar", {"song": SEED, "discovery": "deep cuts"})
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "Discovery: deep cuts" in footer_of(follow.json)
    expected = bot.services.index.similar(SEED_ID, limit=10, ranking="deep cuts")
    first = expected.items[0].track.title
    assert follow.json["embeds"][0]["description"].split("\n**1.** ")[1].startswith(first)
    assert not fake_discord.requests.matching(lambda r: r.path.endswith("/typing"))


async def test_prefix_flag_is_kept_by_the_more_button(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!similar {SEED} --popular")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert sent.json["embeds"][0]["title"] == SEED_TITLE
    assert "Discovery: popular" in footer_of(sent.json)
    await (await fake_discord.click(sent.response, label="More")).wait_answer()
    edit = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert "Discovery: popular" in footer_of(edit.json)
    assert "**1.**" not in edit.json["embeds"][0]["description"]


async def test_foryou_takes_the_setting_after_the_command(fake_discord: FakeDiscord, bot) -> None:
    await fake_discord.send_message(f"!like {SEED}")
    await fake_discord.wait_for_request("POST", general(fake_discord))
    await fake_discord.send_message("!foryou --deep-cuts")
    picks = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert picks.json["embeds"][0]["title"] == "Picked for you"
    assert "Discovery: deep cuts" in footer_of(picks.json)


async def test_prefix_commands_show_typing_while_working(fake_discord: FakeDiscord, bot) -> None:
    typing_path = f"/channels/{fake_discord.channel_id}/typing"
    await fake_discord.send_message(f"!similar {SEED}")
    typing = await fake_discord.wait_for_request("POST", typing_path)
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert typing.status == 204 and typing.at <= reply.at
    assert reply.json["embeds"][0]["title"] == SEED_TITLE


async def test_a_failing_typing_indicator_does_not_cost_the_answer(
    fake_discord: FakeDiscord, bot
) -> None:
    typing_path = f"/channels/{fake_discord.channel_id}/typing"
    fake_discord.rate_limit("POST", typing_path, count=5, retry_after=5.0)
    await fake_discord.send_message(f"!similar {SEED}")
    reply = await fake_discord.wait_for_request("POST", general(fake_discord), timeout=2.0)
    assert reply.json["embeds"][0]["title"] == SEED_TITLE
