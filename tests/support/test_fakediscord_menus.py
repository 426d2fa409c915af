"""Message context menus and Spotify presences in the fake Discord, proved with real discord.py.

A tiny bot defined here registers a "Find similar songs" message command and a /playing
slash command that reads the caller's Spotify activity. If these pass, the fake hands
discord.py exactly what it needs for right-clicks (guild, bot DM, group DM through a user
install) and for "what I'm playing", and refuses what Discord refuses.
"""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.support.fakediscord import EPHEMERAL, FakeDiscord

TRACK = "4uLU6hMCjMI75M1A2tKUQC"
OTHER_TRACK = "0DiWol3AO6WpXZgp0goxAV"


async def find_similar(interaction: discord.Interaction, message: discord.Message) -> None:
    """Says back what the right-clicked message held, attachments read from the CDN."""
    files = [f"{a.filename}={(await a.read()).decode()}" for a in message.attachments]
    embeds = [e.title for e in message.embeds]
    text = f"seed: {message.content} | by {message.author.name} | {files} | {embeds}"
    await interaction.response.send_message(text, ephemeral=True)


async def guild_only_menu(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message("guild only")


def spotify_of(member: discord.Member | None) -> discord.Spotify | None:
    activities = member.activities if member is not None else ()
    return next((a for a in activities if isinstance(a, discord.Spotify)), None)


class MenuBot(commands.Bot):
    def __init__(self, *, presences: bool = False, members: bool = False) -> None:
        intents = discord.Intents.default()  # no Message Content
        intents.presences = presences
        intents.members = members
        super().__init__(
            command_prefix="!",
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        )
        self.presence_changes: list[tuple[int, str | None]] = []

    async def setup_hook(self) -> None:
        self.tree.add_command(
            app_commands.ContextMenu(name="Find similar songs", callback=find_similar)
        )
        only = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
        self.tree.add_command(
            app_commands.ContextMenu(
                name="Guild only", callback=guild_only_menu, allowed_contexts=only
            )
        )

        @self.tree.command(name="playing", description="What am I listening to?")
        async def playing(interaction: discord.Interaction) -> None:
            guild = interaction.guild
            cached = guild.get_member(interaction.user.id) if guild else None
            song = spotify_of(cached)
            if song is None:
                await interaction.response.send_message("nothing on Spotify")
                return
            artists = ", ".join(song.artists)
            await interaction.response.send_message(f"{song.track_id} {song.title} by {artists}")

    async def on_presence_update(self, before: discord.Member, after: discord.Member) -> None:
        song = spotify_of(after)
        self.presence_changes.append((after.id, song.track_id if song else None))


async def eventually(condition, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, start_bot) -> MenuBot:
    started = await start_bot(MenuBot())
    await started.tree.sync()
    return started


# --- message context menus ---------------------------------------------------------------------


async def test_message_command_is_registered_as_discord_stores_it(fake_discord, bot):
    sent = {c["name"]: c for c in fake_discord.synced_commands()}
    menu = sent["Find similar songs"]
    assert menu["type"] == 3 and "description" not in menu and "options" not in menu
    assert menu["contexts"] == [0, 1, 2] and menu["integration_types"] == [0, 1]
    assert sent["Guild only"]["contexts"] == [0]
    stored = {c["name"]: c for c in fake_discord.commands[None]}
    assert stored["Find similar songs"]["description"] == ""  # as Discord returns it
    fetched = {c.name: c for c in await bot.tree.fetch_commands()}
    assert fetched["Find similar songs"].type is discord.AppCommandType.message


async def test_right_click_in_a_guild_reads_the_message_without_content_intent(
    fake_discord: FakeDiscord, bot
):
    bob = fake_discord.add_user("bob")
    embed = {"type": "rich", "title": "Daft Punk - One More Time"}
    delivered = await fake_discord.send_message(
        "daft punk - one more time", author=bob, embeds=[embed], files={"mix.txt": b"a - b"}
    )
    assert delivered["content"] == "" and delivered["attachments"] == []  # no intent
    inter = await fake_discord.context_menu("Find similar songs", delivered)

    data = inter.payload["data"]
    assert data["type"] == 3 and data["target_id"] == delivered["id"]
    resolved = data["resolved"]["messages"][delivered["id"]]
    assert resolved["content"] == "daft punk - one more time"
    assert resolved["author"]["id"] == str(bob.id) and "member" not in resolved
    synced = {c["name"]: c for c in fake_discord.commands[None]}
    assert data["id"] == synced["Find similar songs"]["id"]
    assert inter.payload["context"] == 0
    assert inter.payload["authorizing_integration_owners"] == {"0": str(fake_discord.guild_id)}

    answer = await inter.wait_answer()
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == (
        "seed: daft punk - one more time | by bob | ['mix.txt=a - b'] "
        "| ['Daft Punk - One More Time']"
    )
    reply = fake_discord.messages[inter.original_id]
    assert reply["interaction_metadata"]["target_message_id"] == delivered["id"]


async def test_right_click_in_the_bots_dm_and_in_a_group_dm(fake_discord: FakeDiscord, bot):
    in_dm = await fake_discord.send_message("justice - genesis", dm=True)
    inter = await fake_discord.context_menu("Find similar songs", in_dm)
    assert inter.payload["context"] == 1 and "user" in inter.payload
    assert inter.payload["authorizing_integration_owners"] == {"0": "0"}
    assert (await inter.wait_answer())["data"]["content"].startswith("seed: justice - genesis")

    bob = fake_discord.add_user("bob")
    group = fake_discord.group_dm(fake_discord.user, bob)
    posted = fake_discord.add_message("air - la femme d'argent", author=bob, channel_id=group)
    inter = await fake_discord.context_menu("Find similar songs", posted, install="user")
    assert inter.payload["context"] == 2
    assert inter.payload["channel"]["type"] == 3
    assert inter.payload["authorizing_integration_owners"] == {"1": str(fake_discord.user.id)}
    answer = await inter.wait_answer()
    assert answer["data"]["content"].startswith("seed: air - la femme d'argent | by bob")

    with pytest.raises(ValueError, match="group DM"):
        await fake_discord.context_menu("Find similar songs", posted, install="guild")
    stranger = fake_discord.add_user("mallory")
    with pytest.raises(AssertionError, match="cannot see"):
        await fake_discord.context_menu("Find similar songs", posted, user=stranger)


async def test_only_commands_discord_would_offer_can_be_clicked(fake_discord: FakeDiscord, bot):
    posted = await fake_discord.send_message("anything")
    with pytest.raises(AssertionError, match="no message command 'Find songs'"):
        await fake_discord.context_menu("Find songs", posted)
    with pytest.raises(AssertionError, match="no message command 'playing'"):
        await fake_discord.context_menu("playing", posted)  # a slash command, not a menu
    in_dm = await fake_discord.send_message("anything", dm=True)
    with pytest.raises(AssertionError, match="contexts are \\[0\\]"):
        await fake_discord.context_menu("Guild only", in_dm)
    inter = await fake_discord.context_menu("Guild only", posted)
    assert (await inter.wait_answer())["data"]["content"] == "guild only"


@pytest.mark.parametrize(
    ("commands_body", "where", "code"),
    [
        ([{"name": "Find similar songs", "type": 3, "description": "x"}], "0.description", None),
        ([{"name": "Menu", "type": 3, "options": [{"type": 3, "name": "a"}]}], "0.options", None),
        ([{"name": "x" * 33, "type": 3}], "0.name", "BASE_TYPE_BAD_LENGTH"),
        (
            [{"name": "Similar", "type": 1, "description": "x"}],
            "0.name",
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            [{"name": "similar songs", "type": 1, "description": "x"}],
            "0.name",
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            [{"name": "similar", "type": 1, "description": ""}],
            "0.description",
            "BASE_TYPE_BAD_LENGTH",
        ),
        (
            [{"name": "Menu", "type": 3}, {"name": "Menu", "type": 3}],
            "1",
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
        ),
        ([{"name": "Menu", "type": 3, "contexts": [3]}], "0.contexts", None),
        ([{"name": "Menu", "type": 3, "sparkle": True}], "0.sparkle", "FAKE_UNKNOWN_FIELD"),
    ],
)
async def test_registrations_discord_refuses_are_refused(
    fake_discord: FakeDiscord, bot, commands_body, where, code
):
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_global_commands(bot.application_id, commands_body)
    assert refused.value.status == 400 and refused.value.code == 50035
    node = fake_discord.requests.entries[-1].response["errors"]
    for part in where.split("."):
        node = node[part]
    assert code is None or node["_errors"][0]["code"] == code
    assert {c["name"] for c in fake_discord.commands[None]} >= {"Find similar songs"}  # kept


async def test_too_many_message_commands_are_refused(fake_discord: FakeDiscord, bot):
    body = [{"name": f"Menu {i}", "type": 3} for i in range(16)]
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_global_commands(bot.application_id, body)
    assert refused.value.code == 30032
    accepted = await bot.http.bulk_upsert_global_commands(bot.application_id, body[:15])
    assert len(accepted) == 15


# --- presences ---------------------------------------------------------------------------------


async def test_presence_intents_must_be_enabled_in_the_portal(fake_discord, start_bot):
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_bot(MenuBot(presences=True, members=True))
    fake_discord.set_privileged_intents(presences=True)  # members still off
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_bot(MenuBot(presences=True, members=True))


async def test_spotify_activity_reaches_member_activities(fake_discord: FakeDiscord, start_bot):
    fake_discord.set_privileged_intents(presences=True, members=True)
    alice, bob = fake_discord.user, fake_discord.add_user("bob")
    before = await fake_discord.set_spotify_activity(
        alice, track_id=TRACK, title="Harder, Better", artists=["Daft Punk", "Pharrell"]
    )
    assert before is None  # no bot yet: GUILD_CREATE will carry it
    bot = await start_bot(MenuBot(presences=True, members=True))
    guild = bot.get_guild(fake_discord.guild_id)
    assert {m.id for m in guild.members} == set(fake_discord.users)
    song = spotify_of(guild.get_member(alice.id))
    assert song is not None and song.track_id == TRACK and song.title == "Harder, Better"
    assert song.artists == ["Daft Punk", "Pharrell"] and song.album == "Harder, Better"
    assert song.album_cover_url.startswith("https://i.scdn.co/image/ab67616d")
    assert song.duration.total_seconds() == 210

    sent = await fake_discord.set_spotify_activity(
        bob, track_id=OTHER_TRACK, title="Around the World", artists=["Daft Punk"], album="Homework"
    )
    activity = sent["activities"][0]
    assert (activity["type"], activity["name"], activity["flags"]) == (2, "Spotify", 48)
    assert activity["party"] == {"id": f"spotify:{bob.id}"} and sent["user"] == {"id": str(bob.id)}
    await eventually(lambda: (bob.id, OTHER_TRACK) in bot.presence_changes)
    await bot.tree.sync()
    inter = await fake_discord.slash("playing", user=bob)
    assert (await inter.wait_answer())["data"]["content"] == (
        f"{OTHER_TRACK} Around the World by Daft Punk"
    )
    # The interaction's own member carries no presence: a bot must read the cached member.
    assert "activities" not in inter.payload["member"]

    await fake_discord.clear_activity(bob)
    await eventually(lambda: bot.presence_changes[-1] == (bob.id, None))
    inter = await fake_discord.slash("playing", user=bob)
    assert (await inter.wait_answer())["data"]["content"] == "nothing on Spotify"


async def test_discord_drops_a_spotify_activity_with_a_title_over_128(fake_discord, start_bot):
    fake_discord.set_privileged_intents(presences=True, members=True)
    bot = await start_bot(MenuBot(presences=True, members=True))
    sent = await fake_discord.set_spotify_activity(track_id=TRACK, title="x" * 129, artists=["A"])
    assert sent["activities"] == [] and sent["status"] == "online"
    await eventually(lambda: bot.presence_changes == [(fake_discord.user.id, None)])
    with pytest.raises(ValueError, match="not a Spotify track id"):
        await fake_discord.set_spotify_activity(
            track_id="spotify:track:x", title="t", artists=["a"]
        )


async def test_without_presences_intent_no_presence_reaches_the_bot(fake_discord, start_bot):
    bot = await start_bot(MenuBot())  # default intents: neither presences nor members
    guild_create = next(p for p in fake_discord.gateway.session.sent if p["t"] == "GUILD_CREATE")[
        "d"
    ]
    assert [m["user"]["id"] for m in guild_create["members"]] == [str(bot.user.id)]
    assert guild_create["presences"] == [] and guild_create["member_count"] == 3
    assert await fake_discord.set_spotify_activity(track_id=TRACK, title="t", artists=["a"]) is None
    assert not [p for p in fake_discord.gateway.session.sent if p["t"] == "PRESENCE_UPDATE"]


async def test_members_intent_alone_fetches_members_by_chunking(fake_discord, start_bot):
    fake_discord.set_privileged_intents(members=True)
    fake_discord.add_user("bob")
    bot = await start_bot(MenuBot(members=True))
    request = await fake_discord.wait_for_gateway(8)  # discord.py asks for the member list
    assert int(request.d["guild_id"]) == fake_discord.guild_id
    guild = bot.get_guild(fake_discord.guild_id)
    await eventually(lambda: len(guild.members) == len(fake_discord.users))
    assert spotify_of(guild.get_member(fake_discord.user.id)) is None
