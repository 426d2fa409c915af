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

from .gateway import (
    DIRECT_MESSAGES,
    GUILD_MEMBERS,
    GUILD_MESSAGES,
    GUILD_PRESENCES,
    MESSAGE_CONTENT,
    Gateway,
)
from .interactions import FakeInteraction
from .journal import GatewayFrame, Journal, RecordedRequest
from .payloads import (
    FakeUser,
    apply_body,
    group_dm_payload,
    guild_payload,
    message_payload,
    snowflake,
    text_channel_payload,
)
from .presence import UserPresence
from .rest import RateLimitRule, RestApi
from .roles import GuildRoles
from .user_actions import UserActions

# Routes whose POST/PATCH body is a message (channel sends and edits, follow-ups and edits).
MESSAGE_ROUTE = re.compile(r"/channels/\d+/messages(/\d+)?|/webhooks/\d+/[^/]+(/messages/[^/]+)?")


class FakeDiscord(UserActions, UserPresence, GuildRoles):
    """One fake Discord: a bot account, its owner, a guild with #general, and users.

    What the users do (messages, commands, clicks, right-clicks, presences) comes from the
    UserActions and UserPresence mixins; this class holds the world and the plumbing.
    """

    def __init__(self, *, token: str | None = None, bot_name: str = "songsim") -> None:
        self.token = token or f"fake.{secrets.token_urlsafe(24)}"
        self.bot_user = FakeUser(id=snowflake(), username=bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner = FakeUser(id=snowflake(), username="owner")
        self.user = FakeUser(id=snowflake(), username="alice")  # the default actor
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner, self.user)}
        self.guild_id = snowflake()
        self._init_roles()
        for member in self.users.values():
            self.give_default_role(member)
        self.channel_id = snowflake()
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: text_channel_payload(self.channel_id, self.guild_id, "general")
        }
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[int, tuple[str, bytes, str]] = {}  # attachment id -> name, bytes, type
        self.presences: dict[int, tuple[str, list[dict[str, Any]]]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.interactions_by_token: dict[str, FakeInteraction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.requests: Journal[RecordedRequest] = Journal()
        self.unhandled: list[RecordedRequest] = []
        self.echo_own_messages = True  # Discord sends the bot its own MESSAGE_CREATEs
        # The server's primary language: GUILD_CREATE's preferred_locale and every
        # interaction's guild_locale (each user's own is the ``locale`` of their actions).
        self.guild_locale = "en-US"
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
        app.router.add_route("GET", "/attachments/{channel}/{id}/{name}", self._attachment)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def _attachment(self, request: web.Request) -> web.Response:
        """The CDN: an attachment's bytes, 404 for one the fake never stored."""
        stored = self.files.get(int(request.match_info["id"]))
        if stored is None or stored[0] != request.match_info["name"]:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored[1], content_type=stored[2])

    async def stop(self) -> None:
        self.rest.holds.release_all()
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
        user = self.give_default_role(FakeUser(id=snowflake(), username=username))
        self.users[user.id] = user
        return user

    def add_channel(self, name: str) -> int:
        """A new text channel in the test guild (add it before the bot connects); its id."""
        channel_id = snowflake()
        self.channels[channel_id] = text_channel_payload(channel_id, self.guild_id, name)
        return channel_id

    def group_dm(self, *users: FakeUser) -> int:
        """A group DM of ``users`` (default: the default actor and the owner) without the bot.

        Only a user-installed app reaches it (context PRIVATE_CHANNEL); returns its id, for
        ``add_message(channel_id=...)`` and ``slash(..., channel_id=...)``.
        """
        channel_id = snowflake()
        members = list(users) or [self.user, self.owner]
        self.channels[channel_id] = group_dm_payload(channel_id, members)
        return channel_id

    def set_privileged_intents(
        self, *, message_content: bool = True, presences: bool = False, members: bool = False
    ) -> None:
        """Which privileged intents are enabled "in the developer portal" (before IDENTIFY).

        By default only Message Content is; a bot asking for one not enabled is closed
        with 4014 "Disallowed intent(s)" (discord.py raises PrivilegedIntentsRequired).
        """
        self.gateway.allowed_privileged = (
            (MESSAGE_CONTENT if message_content else 0)
            | (GUILD_PRESENCES if presences else 0)
            | (GUILD_MEMBERS if members else 0)
        )

    def guild_payload(self, intents: int = GUILD_PRESENCES) -> dict[str, Any]:
        """GUILD_CREATE for a session with ``intents``.

        Without GUILD_PRESENCES Discord lists only the bot's own member and no presences;
        the rest come from member chunking (op 8), which needs GUILD_MEMBERS.
        """
        everyone = list(self.users.values())  # the bot is a member too
        with_presences = bool(intents & GUILD_PRESENCES)
        members = everyone if with_presences else [self.bot_user]
        channels = [c for c in self.channels.values() if c.get("guild_id") == str(self.guild_id)]
        return guild_payload(
            self.guild_id,
            "Test Server",
            self.owner,
            members,
            channels,
            member_count=len(everyone),
            presences=self.presence_payloads() if with_presences else [],
            roles=list(self.roles.values()),
            preferred_locale=self.guild_locale,
        )

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
            data = interaction.payload.get("data") or {}
            if interaction.type == 2 and data.get("type") == 3:  # a message command's target
                message["interaction_metadata"]["target_message_id"] = data["target_id"]
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
