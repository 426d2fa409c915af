"""JSON payloads shaped like Discord's, built from a few plain facts.

Kept apart from the server so the shapes (which discord.py parses field by field) live in
one place; every builder returns a fresh dict the caller may change.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count()
_counter_lock = threading.Lock()

# Every permission except Administrator: the bot may do anything a well-set-up server allows,
# while code that checks for a specific permission still sees real bits.
ALL_PERMISSIONS = str(discord.Permissions.all().value & ~discord.Permissions.administrator.flag)

EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Interaction context types and installation types, as Discord numbers them.
CONTEXTS = {"guild": 0, "dm": 1, "private_channel": 2}
INSTALLS = {"guild": 0, "user": 1}


def snowflake(at: float | None = None) -> int:
    """A unique id whose timestamp is now (discord.py treats old interaction ids as expired)."""
    ms = int((time.time() if at is None else at) * 1000)
    with _counter_lock:
        n = next(_counter)
    return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | (n & 0x1FFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class FakeUser:
    """A Discord account the fake knows: the bot, the owner or a simulated member."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    dm_channel_id: int = field(default_factory=snowflake)
    role_ids: list[int] = field(default_factory=list)  # in the test guild (roles.py)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name or self.username,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


def member_payload(
    user: FakeUser, *, with_permissions: bool = False, permissions: int | None = None
) -> dict[str, Any]:
    """A guild member; an interaction's carries its resolved ``permissions`` (``permissions``
    or, with ``with_permissions``, everything but Administrator)."""
    data: dict[str, Any] = {
        "user": user.payload(),
        "roles": [str(r) for r in user.role_ids],
        "nick": None,
        "avatar": None,
        "joined_at": iso_now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    elif with_permissions:
        data["permissions"] = ALL_PERMISSIONS
    return data


def text_channel_payload(channel_id: int, guild_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def dm_channel_payload(user: FakeUser) -> dict[str, Any]:
    return {
        "id": str(user.dm_channel_id),
        "type": 1,
        "last_message_id": None,
        "recipients": [user.payload()],
        "flags": 0,
    }


def group_dm_payload(channel_id: int, users: list[FakeUser]) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 3,
        "name": "friends",
        "icon": None,
        "owner_id": str(users[0].id),
        "last_message_id": None,
        "recipients": [u.payload() for u in users],
        "flags": 0,
    }


def guild_payload(
    guild_id: int,
    name: str,
    owner: FakeUser,
    members: list[FakeUser],
    channels: list[dict],
    *,
    member_count: int | None = None,
    presences: list[dict[str, Any]] | None = None,
    roles: list[dict[str, Any]] | None = None,
    preferred_locale: str = "en-US",
) -> dict[str, Any]:
    """GUILD_CREATE data: ``members`` as sent, ``member_count`` the guild's real size,
    ``roles`` the guild's roles (default: @everyone allowing everything),
    ``preferred_locale`` the server's primary language (a Community setting)."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(owner.id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": roles
        or [
            {
                "id": str(guild_id),
                "name": "@everyone",
                "color": 0,
                "hoist": False,
                "position": 0,
                "permissions": ALL_PERMISSIONS,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": preferred_locale,
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": iso_now(),
        "large": False,
        "unavailable": False,
        "member_count": len(members) if member_count is None else member_count,
        "members": [member_payload(m) for m in members],
        "channels": channels,
        "threads": [],
        "presences": list(presences or []),
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: FakeUser,
    content: str = "",
    guild_id: int | None = None,
    mentions: list[FakeUser] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "type": 0,
        "author": author.payload(),
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [u.payload() for u in mentions or []],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": False,
        "flags": 0,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["member"] = {k: v for k, v in member_payload(author).items() if k != "user"}
    if extra:
        data.update(extra)
    return data


def attachment_payload(
    attachment_id: int, filename: str, size: int, url: str, content_type: str
) -> dict[str, Any]:
    """An attachment object; ``url`` points at the fake, which serves the bytes."""
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "flags": 0,
    }


# Fields of an outgoing message body that a message payload keeps.
MESSAGE_BODY_FIELDS = ("content", "embeds", "components", "flags", "tts", "poll")


def apply_body(message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Copy what a send/edit body sets onto a stored message, as Discord would render it.

    The ephemeral bit is fixed when a message is created (callers set it), so a body's
    flags cannot add or remove it, and LOADING is Discord's own bit, never the body's.
    """
    for key in MESSAGE_BODY_FIELDS:
        if key in body and body[key] is not None:
            value = body[key]
            if key == "flags":
                value = (int(value) & ~(EPHEMERAL | LOADING)) | (
                    message.get("flags", 0) & EPHEMERAL
                )
            message[key] = value
    if "embed" in body and body["embed"] is not None:
        message["embeds"] = [body["embed"]]
    return message
