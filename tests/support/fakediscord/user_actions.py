"""What a test's simulated users do: post messages, run commands, click, right-click a message.

A mixin of FakeDiscord, kept apart from the server's plumbing: each method builds the event
Discord would send for that user action (with the intent rules and interaction shapes of
``interactions.py``), stores it, and dispatches it to the connected bot.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

from .gateway import DIRECT_MESSAGES, GUILD_MESSAGES, MESSAGE_CONTENT
from .interactions import (
    FakeInteraction,
    command_data,
    find_component,
    interaction_payload,
    message_command_data,
)
from .payloads import (
    FakeUser,
    attachment_payload,
    dm_channel_payload,
    message_payload,
    snowflake,
)

if TYPE_CHECKING:
    from .gateway import Gateway


class UserActions:
    """Simulated users acting in the fake's world (mixed into FakeDiscord)."""

    # Provided by FakeDiscord.
    user: FakeUser
    bot_user: FakeUser
    guild_id: int
    channel_id: int
    channels: dict[int, dict[str, Any]]
    messages: dict[int, dict[str, Any]]
    interactions: dict[int, FakeInteraction]
    interactions_by_token: dict[str, FakeInteraction]
    files: dict[int, tuple[str, bytes, str]]
    gateway: Gateway
    http_base: str

    # --- messages -------------------------------------------------------------------------------

    def _user_message(
        self,
        content: str,
        author: FakeUser,
        channel_id: int,
        *,
        mentions: list[FakeUser] | None = None,
        embeds: list[dict[str, Any]] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> dict[str, Any]:
        """Store and return a message ``author`` posted in ``channel_id`` (not delivered)."""
        channel = self.channels[channel_id]
        attachments = [self._upload(channel_id, name, data) for name, data in (files or {}).items()]
        message = message_payload(
            message_id=snowflake(),
            channel_id=channel_id,
            author=author,
            content=content,
            guild_id=int(channel["guild_id"]) if channel.get("guild_id") else None,
            mentions=mentions,
            extra={"embeds": list(embeds or []), "attachments": attachments},
        )
        self.messages[int(message["id"])] = message
        return message

    def _upload(self, channel_id: int, filename: str, data: bytes) -> dict[str, Any]:
        """An attachment the fake serves at its ``url`` (as Discord's CDN would)."""
        attachment_id = snowflake()
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        url = f"{self.http_base}/attachments/{channel_id}/{attachment_id}/{filename}"
        self.files[attachment_id] = (filename, data, kind)
        return attachment_payload(attachment_id, filename, len(data), url, kind)

    async def send_message(
        self,
        content: str,
        *,
        author: FakeUser | None = None,
        dm: bool = False,
        channel_id: int | None = None,
        mention_bot: bool = False,
        mentions: list[FakeUser] | None = None,
        embeds: list[dict[str, Any]] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> dict[str, Any] | None:
        """A user posts ``content`` in #general (or a DM with the bot) and the bot is told.

        ``mention_bot`` starts the text with the bot's mention, as the Discord client does.
        ``files`` ({filename: bytes}) become attachments the bot can download from the fake.
        Delivery follows Discord's intent rules: no MESSAGE_CREATE for guild messages without
        GUILD_MESSAGES (DMs need DIRECT_MESSAGES), and without MESSAGE_CONTENT a guild
        message that does not mention the bot arrives with empty content, embeds and
        attachments. Returns the payload as delivered (``None`` if the intents filtered it).
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
        message = self._user_message(
            content, author, channel_id, mentions=mentioned, embeds=embeds, files=files
        )
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

    def add_message(
        self,
        content: str,
        *,
        author: FakeUser | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        embeds: list[dict[str, Any]] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> dict[str, Any]:
        """Store a message the bot is never sent; returns it (to right-click it later).

        For messages posted before the bot connected, or in a group DM (``group_dm``) the
        bot is not in. ``dm`` puts it in the author's DM with the bot; default #general.
        """
        author = author or self.user
        if dm:
            channel_id = author.dm_channel_id
            self.channels.setdefault(channel_id, dm_channel_payload(author))
        channel_id = channel_id or self.channel_id
        return self._user_message(content, author, channel_id, embeds=embeds, files=files)

    # --- interactions ---------------------------------------------------------------------------

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
        files: dict[str, tuple[str, bytes]] | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user runs ``/name`` with ``options``; ``context`` is guild, dm or private_channel.

        Option types come from the synced command when there is one, else from the Python
        value (str 3, int 4, bool 5, float 10). ``files`` ({option: (filename, bytes)}) fills
        attachment options (type 11): the option's value is the attachment's id and the
        attachment itself is in ``data.resolved.attachments``, served by the fake.
        """
        user = user or self.user
        payload, channel_id = interaction_payload(
            self, 2, user, context=context, install=install, channel_id=channel_id, locale=locale
        )
        payload["data"] = command_data(self, name, options, None, context == "guild")
        for option, (filename, data) in (files or {}).items():
            attachment = self._upload(channel_id, filename, data)
            resolved = payload["data"].setdefault("resolved", {}).setdefault("attachments", {})
            resolved[attachment["id"]] = attachment
            payload["data"]["options"].append(
                {"name": option, "type": 11, "value": attachment["id"]}
            )
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
        locale: str = "en-US",
    ) -> list[dict[str, Any]]:
        """A user types in option ``focused`` of ``/name``; returns the bot's choices."""
        user = user or self.user
        payload, channel_id = interaction_payload(
            self, 4, user, context=context, install="guild", channel_id=None, locale=locale
        )
        payload["data"] = command_data(self, name, options, focused, context == "guild")
        inter = self._register(payload, user, channel_id)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        answer = await inter.wait_answer(timeout)
        return list((answer.get("data") or {}).get("choices") or [])

    async def context_menu(
        self,
        name: str,
        message: dict[str, Any] | int,
        *,
        user: FakeUser | None = None,
        install: str = "guild",
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user right-clicks ``message`` → Apps → ``name`` (a message command).

        The context follows the message's channel: #general is GUILD (0), the user's DM with
        the bot BOT_DM (1), a ``group_dm`` PRIVATE_CHANNEL (2, user installs only). The
        interaction carries the whole message in ``data.resolved.messages``, content
        included, whatever the bot's intents. Once the bot has synced commands, ``name``
        must be a synced message command allowed in that context and install type, or
        this fails as Discord would not have offered it.
        """
        user = user or self.user
        msg = self._stored(message)
        channel_id = int(msg["channel_id"])
        context = self._context_of(self.channels[channel_id], user)
        if context == "private_channel" and install != "user":
            raise ValueError("only a user-installed app can be used in a group DM (install='user')")
        payload, channel_id = interaction_payload(
            self, 2, user, context=context, install=install, channel_id=channel_id, locale=locale
        )
        payload["data"] = message_command_data(self, name, msg, context=context, install=install)
        inter = self._register(payload, user, channel_id)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _context_of(self, channel: dict[str, Any], user: FakeUser) -> str:
        """guild, dm or private_channel for a channel ``user`` right-clicks in."""
        if channel.get("guild_id"):
            return "guild"
        members = {int(u["id"]) for u in channel.get("recipients", [])}
        if user.id not in members:
            raise AssertionError(f"{user.username} cannot see channel {channel['id']}")
        return "dm" if channel["type"] == 1 else "private_channel"

    async def click(
        self,
        message: dict[str, Any] | int,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user presses a button (found by label or custom_id) on a message the bot sent."""
        msg = self._stored(message)
        button = find_component(msg, type=2, label=label, custom_id=custom_id)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._component(msg, data, user or self.user, locale)

    async def select(
        self,
        message: dict[str, Any] | int,
        values: list[str],
        *,
        custom_id: str | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user picks ``values`` in a select menu (the first one unless ``custom_id``)."""
        msg = self._stored(message)
        menu = find_component(msg, type=3, custom_id=custom_id)
        data = {"custom_id": menu["custom_id"], "component_type": 3, "values": list(values)}
        return await self._component(msg, data, user or self.user, locale)

    def _stored(self, message: dict[str, Any] | int) -> dict[str, Any]:
        mid = int(message["id"]) if isinstance(message, dict) else int(message)
        try:
            return self.messages[mid]
        except KeyError:
            raise AssertionError(f"the fake has no message {mid}") from None

    async def _component(
        self, msg: dict[str, Any], data: dict[str, Any], user: FakeUser, locale: str = "en-US"
    ) -> FakeInteraction:
        channel_id = int(msg["channel_id"])
        channel = self.channels.get(channel_id, {})
        context = "guild" if channel.get("guild_id") else "dm"
        payload, channel_id = interaction_payload(
            self, 3, user, context=context, install="guild", channel_id=channel_id, locale=locale
        )
        if context == "dm":  # the clicker is in the DM the message was sent to
            payload.update(channel=channel, channel_id=str(channel_id))
        payload["data"] = data
        payload["message"] = dict(msg)
        inter = self._register(payload, user, channel_id, message_id=int(msg["id"]))
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter
