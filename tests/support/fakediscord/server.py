"""FakeDiscord: a local Discord (REST + Gateway on 127.0.0.1) for the real discord.py client.

A test starts it, points discord.py at it (``patch_discord`` or the ``DISCORD_API_BASE`` /
``DISCORD_GATEWAY_URL`` environment of ``env()``), runs the bot, then plays users: it sends
messages, slash commands, autocomplete and component clicks, and checks what the bot sent
with ``wait_for_request``. See README.md in this folder.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from typing import Any

import yarl
from aiohttp import web

from .gateway import DIRECT_MESSAGES, GUILD_MESSAGES, MESSAGE_CONTENT, Gateway
from .interactions import FakeInteraction, command_data, find_component, interaction_payload
from .journal import GatewayFrame, Journal, RecordedRequest
from .payloads import (
    FakeUser,
    apply_body,
    dm_channel_payload,
    guild_payload,
    member_payload,
    message_payload,
    snowflake,
    text_channel_payload,
)
from .rest import RateLimitRule, RestApi

# Routes whose POST/PATCH body is a message (channel sends and edits, follow-ups and edits).
MESSAGE_ROUTE = re.compile(r"/channels/\d+/messages(/\d+)?|/webhooks/\d+/[^/]+(/messages/[^/]+)?")


class FakeDiscord:
    """One fake Discord: a bot account, its owner, a guild with #general, and users."""

    def __init__(self, *, token: str | None = None, bot_name: str = "songsim") -> None:
        self.token = token or f"fake.{secrets.token_urlsafe(24)}"
        self.bot_user = FakeUser(id=snowflake(), username=bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner = FakeUser(id=snowflake(), username="owner")
        self.user = FakeUser(id=snowflake(), username="alice")  # the default actor
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner, self.user)}
        self.guild_id = snowflake()
        self.channel_id = snowflake()
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: text_channel_payload(self.channel_id, self.guild_id, "general")
        }
        self.messages: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.interactions_by_token: dict[str, FakeInteraction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.requests: Journal[RecordedRequest] = Journal()
        self.unhandled: list[RecordedRequest] = []
        self.echo_own_messages = True  # Discord sends the bot its own MESSAGE_CREATEs
        self.interaction_deadline = 3.0  # seconds Discord waits for an interaction callback
        self.token_lifetime = 900.0  # seconds an interaction token works for follow-ups
        self.rest = RestApi(self)
        self.gateway = Gateway(self)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("GET", "/gateway-resume", self.gateway.handle)
        app.router.add_route("*", "/api/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        self._patch = self.patch_discord()
        self._patch.__enter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._patch.__exit__(None, None, None)
        await self.stop()

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.http_base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-resume"

    def env(self) -> dict[str, str]:
        """Environment for a bot process (``songsim bot``) to run against this fake."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py in this process at the fake; both knobs are needed."""
        import discord.gateway
        import discord.http

        old = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old

    # --- the world ---------------------------------------------------------------------------

    def add_user(self, username: str) -> FakeUser:
        """A new member of the test guild (they can also DM the bot)."""
        user = FakeUser(id=snowflake(), username=username)
        self.users[user.id] = user
        return user

    def add_channel(self, name: str) -> int:
        """A new text channel in the test guild (add it before the bot connects); its id."""
        channel_id = snowflake()
        self.channels[channel_id] = text_channel_payload(channel_id, self.guild_id, name)
        return channel_id

    def member_payloads(self) -> list[dict[str, Any]]:
        return [member_payload(u) for u in self.users.values()]

    def guild_payload(self) -> dict[str, Any]:
        members = list(self.users.values())  # the bot is a member too
        channels = [c for c in self.channels.values() if c.get("guild_id") == str(self.guild_id)]
        return guild_payload(self.guild_id, "Test Server", self.owner, members, channels)

    def new_bot_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        interaction: FakeInteraction | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store and return a message the bot created (channel send, response or follow-up)."""
        channel = self.channels.get(channel_id, {})
        guild_id = int(channel["guild_id"]) if channel.get("guild_id") else None
        message = message_payload(
            message_id=snowflake(),
            channel_id=channel_id,
            author=self.bot_user,
            guild_id=guild_id,
            extra=extra,
        )
        apply_body(message, body)
        if interaction is not None:
            message["application_id"] = str(self.application_id)
            message["type"] = 20 if interaction.type == 2 else 0
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.payload(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
        self.messages[int(message["id"])] = message
        return message

    async def echo_message(self, message: dict[str, Any]) -> None:
        """Send the bot's own channel message back as MESSAGE_CREATE, as Discord does."""
        if not self.echo_own_messages or self.gateway.session is None:
            return
        session = self.gateway.session
        wanted = GUILD_MESSAGES if "guild_id" in message else DIRECT_MESSAGES
        if session.has(wanted):
            await self.gateway.dispatch("MESSAGE_CREATE", dict(message))

    # --- playing users: messages --------------------------------------------------------------

    async def send_message(
        self,
        content: str,
        *,
        author: FakeUser | None = None,
        dm: bool = False,
        channel_id: int | None = None,
        mention_bot: bool = False,
        mentions: list[FakeUser] | None = None,
    ) -> dict[str, Any] | None:
        """A user posts ``content`` in #general (or a DM with the bot) and the bot is told.

        ``mention_bot`` starts the text with the bot's mention, as the Discord client does.
        Delivery follows Discord's intent rules: no MESSAGE_CREATE for guild messages without
        GUILD_MESSAGES (DMs need DIRECT_MESSAGES), and without MESSAGE_CONTENT a guild
        message that does not mention the bot arrives with empty content. Returns the
        payload as delivered (``None`` if the intents filtered it out).
        """
        author = author or self.user
        mentioned = list(mentions or [])
        if mention_bot:
            content = f"{self.bot_user.mention} {content}".rstrip()
            mentioned.insert(0, self.bot_user)
        if dm:
            channel_id = author.dm_channel_id
            self.channels.setdefault(channel_id, dm_channel_payload(author))
        channel_id = channel_id or self.channel_id
        guild_id = None if dm else self.guild_id
        message = message_payload(
            message_id=snowflake(),
            channel_id=channel_id,
            author=author,
            content=content,
            guild_id=guild_id,
            mentions=mentioned,
        )
        self.messages[int(message["id"])] = message
        session = self.gateway.session
        if session is None:
            raise RuntimeError("no bot is connected to the fake gateway")
        if not session.has(DIRECT_MESSAGES if dm else GUILD_MESSAGES):
            return None
        delivered = dict(message)
        if not dm and not session.has(MESSAGE_CONTENT) and self.bot_user not in mentioned:
            delivered.update(content="", embeds=[], attachments=[], components=[])
        await self.gateway.dispatch("MESSAGE_CREATE", delivered)
        return delivered

    # --- playing users: interactions ---------------------------------------------------------

    def _register(
        self,
        payload: dict[str, Any],
        user: FakeUser,
        channel_id: int,
        message_id: int | None = None,
    ) -> FakeInteraction:
        inter = FakeInteraction(
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            payload=payload,
            user=user,
            channel_id=channel_id,
            message_id=message_id,
        )
        self.interactions[inter.id] = inter
        self.interactions_by_token[inter.token] = inter
        return inter

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        context: str = "guild",
        install: str = "guild",
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """A user runs ``/name`` with ``options``; ``context`` is guild, dm or private_channel.

        Option types come from the synced command when there is one, else from the Python
        value (str 3, int 4, bool 5, float 10).
        """
        user = user or self.user
        payload, channel_id = interaction_payload(
            self, 2, user, context=context, install=install, channel_id=channel_id
        )
        payload["data"] = command_data(self, name, options, None, context == "guild")
        inter = self._register(payload, user, channel_id)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: FakeUser | None = None,
        context: str = "guild",
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """A user types in option ``focused`` of ``/name``; returns the bot's choices."""
        user = user or self.user
        payload, channel_id = interaction_payload(
            self, 4, user, context=context, install="guild", channel_id=None
        )
        payload["data"] = command_data(self, name, options, focused, context == "guild")
        inter = self._register(payload, user, channel_id)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        answer = await inter.wait_answer(timeout)
        return list((answer.get("data") or {}).get("choices") or [])

    async def click(
        self,
        message: dict[str, Any] | int,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        user: FakeUser | None = None,
    ) -> FakeInteraction:
        """A user presses a button (found by label or custom_id) on a message the bot sent."""
        msg = self._stored(message)
        button = find_component(msg, type=2, label=label, custom_id=custom_id)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._component(msg, data, user or self.user)

    async def select(
        self,
        message: dict[str, Any] | int,
        values: list[str],
        *,
        custom_id: str | None = None,
        user: FakeUser | None = None,
    ) -> FakeInteraction:
        """A user picks ``values`` in a select menu (the first one unless ``custom_id``)."""
        msg = self._stored(message)
        menu = find_component(msg, type=3, custom_id=custom_id)
        data = {"custom_id": menu["custom_id"], "component_type": 3, "values": list(values)}
        return await self._component(msg, data, user or self.user)

    def _stored(self, message: dict[str, Any] | int) -> dict[str, Any]:
        mid = int(message["id"]) if isinstance(message, dict) else int(message)
        try:
            return self.messages[mid]
        except KeyError:
            raise AssertionError(f"the fake has no message {mid}") from None

    async def _component(
        self, msg: dict[str, Any], data: dict[str, Any], user: FakeUser
    ) -> FakeInteraction:
        channel_id = int(msg["channel_id"])
        channel = self.channels.get(channel_id, {})
        context = "guild" if channel.get("guild_id") else "dm"
        payload, channel_id = interaction_payload(
            self, 3, user, context=context, install="guild", channel_id=channel_id
        )
        if context == "dm":  # the clicker is in the DM the message was sent to
            payload.update(channel=channel, channel_id=str(channel_id))
        payload["data"] = data
        payload["message"] = dict(msg)
        inter = self._register(payload, user, channel_id, message_id=int(msg["id"]))
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    # --- observing the bot --------------------------------------------------------------------

    async def wait_for_request(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        timeout: float = 5.0,
        where=None,
    ) -> RecordedRequest:
        """The next request matching method/path (``*`` wildcards) not yet returned by a wait."""
        return await self.requests.wait(
            lambda r: r.matches(method, path) and (where is None or where(r)),
            timeout,
            f"{method or '*'} {path or '*'}",
        )

    async def wait_for_gateway(self, op: int, *, timeout: float = 5.0) -> GatewayFrame:
        """The next gateway payload with ``op`` the client sent (2 IDENTIFY, 6 RESUME, ...)."""
        return await self.gateway.frames.wait(lambda f: f.op == op, timeout, f"gateway op {op}")

    def message_bodies(self) -> list[tuple[RecordedRequest, dict[str, Any]]]:
        """Every outgoing message body: channel sends/edits, responses, follow-ups, edits."""
        out = []
        for req in self.requests.entries:
            body = req.json if isinstance(req.json, dict) else None
            if body is None or req.method not in ("POST", "PATCH"):
                continue
            if req.path.startswith("/interactions/"):
                if body.get("type") in (4, 7) and body.get("data") is not None:
                    out.append((req, body["data"]))
            elif MESSAGE_ROUTE.fullmatch(req.path):
                out.append((req, body))
        return out

    def synced_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The command list the bot last PUT (global, or for ``guild_id``), as it sent it."""
        path = f"/applications/{self.application_id}" + (
            f"/guilds/{guild_id}/commands" if guild_id else "/commands"
        )
        puts = [r for r in self.requests.entries if r.method == "PUT" and r.path == path]
        if not puts:
            raise AssertionError(f"the bot never synced commands to {path}")
        return puts[-1].json

    def rate_limit(
        self,
        method: str,
        path: str,
        *,
        count: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
        scope: str = "user",
    ) -> None:
        """Answer the next ``count`` matching requests with 429 and ``retry_after`` seconds."""
        self.rest.rate_limits.append(
            RateLimitRule(method.upper(), path, count, retry_after, is_global, scope)
        )

    # --- the connection -----------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any gateway event; returns its sequence number."""
        return await self.gateway.dispatch(event, data)

    async def close_gateway(self, code: int = 4000) -> None:
        """Close the bot's gateway connection with ``code``; the client should RESUME."""
        await self.gateway.close(code)

    async def drop_gateway(self) -> None:
        """Cut the gateway's TCP connection (no close frame), like a network failure."""
        await self.gateway.drop()

    @property
    def sequence(self) -> int:
        """The last sequence number sent in the current session."""
        return self.gateway.session.seq if self.gateway.session else 0
