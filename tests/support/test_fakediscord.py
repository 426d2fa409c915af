"""The fake Discord, proved with the real discord.py client and a tiny bot defined here.

If these pass, a bot test that fails against the fake is the bot's fault, not the fake's:
prefix and mention commands in a channel and a DM, slash commands with defer and follow-up,
hybrid replies in place, autocomplete, buttons (and a stranger's click refused), 429 retries,
gateway close/drop and RESUME, intents, limits and tokens behave as on Discord.
"""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.support.fakediscord import EPHEMERAL, LOADING, FakeDiscord, find_component


class OwnerOnlyView(discord.ui.View):
    """A "More" button only the person who asked may press."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=30)
        self.owner_id = owner_id
        self.pages = 0

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("Only the asker can page.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="More")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.pages += 1
        await interaction.response.edit_message(content=f"page {self.pages + 1}", view=self)

    @discord.ui.select(options=[discord.SelectOption(label=x, value=x) for x in ("a", "b")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)


class MiniCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="echo", description="Say it back")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def echo(self, ctx: commands.Context, *, text: str) -> None:
        await ctx.send(f"echo: {text} @everyone")

    @app_commands.command(name="slow", description="Defer, then answer")
    async def slow(self, interaction: discord.Interaction, song: str) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send(f"slow: {song}")

    @slow.autocomplete("song")
    async def slow_song(self, interaction: discord.Interaction, current: str):
        return [
            app_commands.Choice(name=f"{current} {i}", value=f"{current}-{i}") for i in range(3)
        ]

    @commands.hybrid_command(name="later", description="Defer, then answer with buttons")
    async def later(self, ctx: commands.Context) -> None:
        await ctx.defer()
        await ctx.send("page 1", view=OwnerOnlyView(ctx.author.id))

    @app_commands.command(name="wide", description="Too many choices")
    async def wide(self, interaction: discord.Interaction, song: str) -> None:
        await interaction.response.send_message(song)

    @wide.autocomplete("song")
    async def wide_song(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=f"{current} {i}", value=str(i)) for i in range(26)]

    @commands.command()
    async def pager(self, ctx: commands.Context) -> None:
        await ctx.send("page 1", view=OwnerOnlyView(ctx.author.id))

    @commands.command()
    async def huge(self, ctx: commands.Context) -> None:
        try:
            await ctx.send(embed=discord.Embed(title="x" * 257))
        except discord.HTTPException as exc:
            await ctx.send(f"rejected {exc.code}")

    @commands.command()
    @commands.is_owner()
    async def sync(self, ctx: commands.Context) -> None:
        synced = await self.bot.tree.sync()
        await ctx.send(f"synced {len(synced)}")


class MiniBot(commands.Bot):
    def __init__(self, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(
            command_prefix=commands.when_mentioned_or("!"),
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def setup_hook(self) -> None:
        await self.add_cog(MiniCog(self))


async def eventually(condition, timeout: float = 2.0) -> None:
    """Wait for ``condition()`` to hold (the bot handles events in its own tasks)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


@pytest.fixture
async def bot(start_bot) -> MiniBot:
    return await start_bot(MiniBot())


def general(fake: FakeDiscord) -> str:
    """The REST path of a send to the test guild's #general."""
    return f"/channels/{fake.channel_id}/messages"


async def test_bot_sees_itself_the_guild_and_heartbeat_acks(fake_discord: FakeDiscord, bot):
    assert bot.user.id == fake_discord.bot_user.id
    assert bot.application_id == fake_discord.application_id
    assert (await bot.application_info()).owner.id == fake_discord.owner.id
    guild = bot.get_guild(fake_discord.guild_id)
    assert guild is not None and [c.name for c in guild.text_channels] == ["general"]
    await eventually(lambda: bot.latency < 1.0)  # op 1 was answered with op 11


async def test_prefix_command_in_channel_dm_and_by_mention(fake_discord: FakeDiscord, bot):
    sent = await fake_discord.send_message("!echo hi there")
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert reply.json["content"] == "echo: hi there @everyone"
    assert reply.status == 200 and reply.response["author"]["id"] == str(fake_discord.bot_user.id)
    assert reply.at >= 0 and sent["content"] == "!echo hi there"

    await fake_discord.send_message("!echo in private", dm=True)
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert dm.json["content"] == "echo: in private @everyone"

    await fake_discord.send_message("echo by mention", mention_bot=True)
    mentioned = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert mentioned.json["content"] == "echo: by mention @everyone"


async def test_slash_command_defers_then_follows_up(fake_discord: FakeDiscord, bot):
    inter = await fake_discord.slash("slow", {"song": "one more time"})
    answer = await inter.wait_answer()
    assert answer["type"] == 5  # deferred "thinking"
    follow = await fake_discord.wait_for_request(
        "POST", f"/webhooks/{fake_discord.application_id}/*"
    )
    assert follow.json["content"] == "slow: one more time"
    original = fake_discord.messages[inter.original_id]
    # The first follow-up after a thinking defer replaces the loading message, as on Discord.
    assert original["content"] == "slow: one more time"
    assert not original["flags"] & LOADING
    assert int(follow.response["id"]) == inter.original_id


async def test_deferred_hybrid_reply_keeps_working_buttons(fake_discord: FakeDiscord, bot):
    inter = await fake_discord.slash("later")
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request(
        "POST", f"/webhooks/{fake_discord.application_id}/*"
    )
    assert follow.query.get("wait") in ("1", "true", "True")
    message = fake_discord.messages[inter.original_id]
    pressed = await fake_discord.click(message, label="More")
    assert (await pressed.wait_answer())["type"] == 7
    assert fake_discord.messages[inter.original_id]["content"] == "page 2"

    await fake_discord.send_message("!later")  # the same command as a prefix command
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert sent.json["content"] == "page 1" and sent.json["components"]


async def test_hybrid_command_replies_in_place_in_guild_and_dm(fake_discord: FakeDiscord, bot):
    for context in ("guild", "dm", "private_channel"):
        inter = await fake_discord.slash("echo", {"text": context}, context=context, install="user")
        answer = await inter.wait_answer()
        assert answer["type"] == 4, context
        assert answer["data"]["content"] == f"echo: {context} @everyone"
    await asyncio.sleep(0.05)
    assert not [r for r in fake_discord.requests.entries if r.path.startswith("/channels/")]


async def test_autocomplete_answers_with_choices(fake_discord: FakeDiscord, bot):
    choices = await fake_discord.autocomplete("slow", {"song": "daft"}, focused="song")
    assert [c["value"] for c in choices] == ["daft-0", "daft-1", "daft-2"]
    assert all(c["name"].startswith("daft ") for c in choices)


async def test_buttons_answer_only_the_asker(fake_discord: FakeDiscord, bot):
    await fake_discord.send_message("!pager")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    message = sent.response
    assert find_component(message, label="More")["type"] == 2

    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.click(message, label="More", user=stranger)
    answer = await refused.wait_answer()
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert fake_discord.messages[int(message["id"])]["content"] == "page 1"

    pressed = await fake_discord.click(message, label="More")
    assert (await pressed.wait_answer())["type"] == 7
    assert fake_discord.messages[int(message["id"])]["content"] == "page 2"

    picked = await fake_discord.select(message, ["b"])
    assert (await picked.wait_answer())["type"] == 7
    stored = fake_discord.messages[int(message["id"])]
    assert stored["content"] == "picked b" and stored["components"] == []


async def test_rate_limited_send_is_retried_once(fake_discord: FakeDiscord, bot):
    path = general(fake_discord)
    fake_discord.rate_limit("POST", path, count=1, retry_after=0.1)
    await fake_discord.send_message("!echo later")
    first = await fake_discord.wait_for_request("POST", path)
    second = await fake_discord.wait_for_request("POST", path)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.1
    assert second.json["content"] == "echo: later @everyone"
    await asyncio.sleep(0.05)
    bot_posts = [r for r in fake_discord.requests.matching(lambda r: r.matches("POST", path))]
    assert len(bot_posts) == 2


@pytest.mark.parametrize("how", ["close", "drop", "reconnect"])
async def test_gateway_loss_resumes_and_replays_missed_events(fake_discord: FakeDiscord, bot, how):
    identify = await fake_discord.wait_for_gateway(2)
    session = fake_discord.gateway.session
    before = fake_discord.sequence
    if how == "close":
        await fake_discord.close_gateway(4000)
    elif how == "drop":
        await fake_discord.drop_gateway()
    else:
        await fake_discord.gateway.request_reconnect()  # op 7
    # Sent while the bot is away: Discord keeps it and replays it on RESUME.
    missed = await fake_discord.send_message("!echo while away")
    resume = await fake_discord.wait_for_gateway(6)
    assert resume.d["session_id"] == session.session_id == bot.ws.session_id
    assert resume.d["seq"] == before
    assert identify.d["token"] == resume.d["token"] == fake_discord.token
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert reply.json["content"] == "echo: while away @everyone"
    assert missed is not None and session.resumes == 1

    await fake_discord.send_message("!echo after")
    after = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert after.json["content"] == "echo: after @everyone"
    await eventually(lambda: bot.ws.sequence == fake_discord.sequence)
    assert fake_discord.sequence > before
    assert str(bot.ws.gateway) == fake_discord.resume_gateway_url
    assert len(fake_discord.gateway.frames.matching(lambda f: f.op == 2)) == 1  # no re-IDENTIFY


async def test_every_outgoing_message_has_mentions_disabled(fake_discord: FakeDiscord, bot):
    await fake_discord.send_message("!echo @everyone")
    await fake_discord.wait_for_request("POST", general(fake_discord))
    await (await fake_discord.slash("echo", {"text": "x"})).wait_answer()
    await (await fake_discord.slash("slow", {"song": "y"})).wait_answer()
    await fake_discord.wait_for_request("POST", "/webhooks/*")
    await fake_discord.send_message("!pager")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    await (await fake_discord.click(sent.response, label="More")).wait_answer()

    bodies = fake_discord.message_bodies()
    assert len(bodies) == 5
    assert fake_discord.unhandled == []  # every route the bot used is one the fake knows
    for req, body in bodies:
        assert body.get("allowed_mentions", {}).get("parse") == [], (req, body)
        assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get(
            "roles"
        )


async def test_owner_sync_records_contexts_and_install_types(fake_discord: FakeDiscord, bot):
    await fake_discord.send_message("!sync", author=fake_discord.owner)
    reply = await fake_discord.wait_for_request("POST", general(fake_discord))
    commands_sent = {c["name"]: c for c in fake_discord.synced_commands()}
    assert reply.json["content"] == f"synced {len(commands_sent)}"
    assert commands_sent["echo"]["contexts"] == [0, 1, 2]
    assert commands_sent["echo"]["integration_types"] == [0, 1]
    assert commands_sent["slow"]["options"][0]["autocomplete"] is True
    # A slash command now carries the synced command's id and option types.
    inter = await fake_discord.slash("echo", {"text": "synced"})
    stored = {c["name"]: c for c in fake_discord.commands[None]}
    assert inter.payload["data"]["id"] == stored["echo"]["id"]
    assert (await inter.wait_answer())["data"]["content"] == "echo: synced @everyone"

    await fake_discord.send_message("!sync")  # not the owner: is_owner fails, nothing synced
    await asyncio.sleep(0.1)
    assert len(fake_discord.requests.matching(lambda r: r.method == "PUT")) == 1


async def test_fake_rejects_what_discord_rejects(fake_discord: FakeDiscord, bot):
    await fake_discord.send_message("!huge")
    path = general(fake_discord)
    rejected = await fake_discord.wait_for_request("POST", path)
    assert rejected.status == 400 and rejected.response["code"] == 50035
    told = await fake_discord.wait_for_request("POST", path)
    assert told.json["content"] == "rejected 50035"

    # 26 autocomplete choices: refused, so the user would see no suggestions at all.
    with pytest.raises(AssertionError, match="refused: 400"):
        await fake_discord.autocomplete("wide", {"song": "x"}, focused="song")
    rejected_choices = await fake_discord.wait_for_request("POST", "/interactions/*")
    assert rejected_choices.status == 400 and rejected_choices.response["code"] == 50035

    fake_discord.interaction_deadline = 0.0  # every answer comes "after 3 s"
    inter = await fake_discord.slash("echo", {"text": "late"})
    with pytest.raises(AssertionError, match="Unknown interaction"):
        await inter.wait_answer()
    late = await fake_discord.wait_for_request("POST", "/interactions/*")
    assert late.status == 404 and late.response["code"] == 10062


def test_fake_refuses_a_custom_id_used_twice_in_one_message() -> None:
    from tests.support.fakediscord import validate

    buttons = [
        {"type": 2, "style": 1, "label": "More", "custom_id": "page:2"},
        {"type": 2, "style": 2, "label": "Back", "custom_id": "page:2", "disabled": True},
    ]
    body = {"content": "x", "components": [{"type": 1, "components": buttons}]}
    error = validate.error_body(validate.message_problems(body))
    assert error["code"] == 50035
    field = error["errors"]["components"]["0"]["components"]["1"]["custom_id"]
    assert field["_errors"][0]["code"] == "COMPONENT_CUSTOM_ID_DUPLICATED"
    buttons[1]["custom_id"] = "page:0"
    assert validate.message_problems(body) == []


async def test_without_message_content_intent_only_mentions_and_dms_work(fake_discord, start_bot):
    await start_bot(MiniBot(message_content=False))
    path = general(fake_discord)
    delivered = await fake_discord.send_message("!echo nobody reads this")
    assert delivered["content"] == ""
    await fake_discord.send_message("echo heard", mention_bot=True)
    reply = await fake_discord.wait_for_request("POST", path)
    assert reply.json["content"] == "echo: heard @everyone"
    await fake_discord.send_message("!echo in dm", dm=True)
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert dm.json["content"] == "echo: in dm @everyone"
    assert len(fake_discord.requests.matching(lambda r: r.matches("POST", path))) == 1


async def test_bad_token_and_disallowed_intents_stop_start_up(fake_discord: FakeDiscord, start_bot):
    with pytest.raises(discord.LoginFailure):
        await start_bot(MiniBot(), token="not-the-token")
    assert fake_discord.requests.entries[0].status == 401

    fake_discord.gateway.allowed_privileged = 0  # message content not enabled in the portal
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_bot(MiniBot(message_content=True))


@pytest.mark.slow
def test_load_benchmark_runs_the_real_bot_and_counts_every_reply(demo_index):
    """scripts/bench_bot_load.py end to end, small: the real `songsim bot` process."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "bench_bot_load.py"
    args = ["--index", str(demo_index), "--commands", "10", "--users", "2"]
    args += ["--interval", "0.2", "--quiet", "0.5", "--startup-timeout", "60", "--json"]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert (result["commands"], result["answered"], result["lost"]) == (10, 10, 0)
    assert result["duplicates"] == 0 and result["error_statuses"] == 0
    assert 0 < result["p50_ms"] <= result["p99_ms"] and result["peak_rss_mb"] > 0


def test_fake_checks_localizations_and_locales_as_discord_does() -> None:
    from tests.support.fakediscord.app_commands import registration_problems
    from tests.support.fakediscord.interactions import interaction_payload

    good = {"name": "similar", "description": "Songs", "type": 1,
            "name_localizations": {"de": "ähnlich"},
            "description_localizations": {"de": "Songs, die Playlists teilen"},
            "options": [{"type": 3, "name": "song", "description": "a song",
                         "name_localizations": {"de": "lied"},
                         "choices": [{"name": "a", "value": "a",
                                      "name_localizations": {"de": "ä"}}]}]}  # fmt: skip
    assert registration_problems([good]) == []
    bad = {**good, "name_localizations": {"de": "Ähnlich Finden", "german": "x"},
           "description_localizations": {"de": "x" * 101}}  # fmt: skip
    fields = {"/".join(path) for path, *_ in registration_problems([bad])}
    assert fields == {
        "0/name_localizations/de",  # a slash name is lower case without spaces in every locale
        "0/name_localizations/german",  # not one of Discord's locales
        "0/description_localizations/de",  # 100 characters at most
    }
    menu = {"name": "Find similar songs", "type": 3,
            "name_localizations": {"de": "Ähnliche Songs finden"}}  # fmt: skip
    assert registration_problems([menu]) == []  # a context menu's name may have capitals

    fake = FakeDiscord()
    payload, _ = interaction_payload(fake, 2, fake.user, context="guild", install="guild",
                                     channel_id=None, locale="de")  # fmt: skip
    assert payload["locale"] == "de" and payload["guild_locale"] == fake.guild_locale == "en-US"
    with pytest.raises(ValueError, match="no locale 'de-XX'"):
        interaction_payload(fake, 2, fake.user, context="guild", install="guild",
                            channel_id=None, locale="de-XX")  # fmt: skip
