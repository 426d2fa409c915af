"""Members' permissions as Discord computes them: the guild's roles, a member's roles, and
the guild owner, and a channel's permission overwrites.

By default every member has the "Members" role, which allows everything but Administrator
(as the fake always did). ``await fake.set_permissions(user, discord.Permissions(...))``
gives a member a role with exactly those permissions instead, on top of @everyone's
(Discord's defaults for a new server: read, write, embed, attach, react, use commands), so
a test can have a member without Manage Server. Both places Discord carries permissions
agree: an interaction's ``member.permissions`` (resolved, as Discord sends it) and the
member's roles in messages and GUILD_CREATE (which discord.py resolves itself).

``await fake.set_channel_permissions(channel_id, user_or_None, allow=..., deny=...)`` adds
an overwrite for a member (or @everyone) in one channel, told as CHANNEL_UPDATE;
:meth:`GuildRoles.channel_permissions` resolves it as Discord's docs do, which the REST API
uses to refuse what a member may not post there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

from .gateway import GUILD_MEMBERS, GUILDS
from .payloads import ALL_PERMISSIONS, FakeUser, iso_now, snowflake

if TYPE_CHECKING:
    from .gateway import Gateway

# What @everyone may do in a new Discord server (no moderation, no Manage Server).
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True,
    create_public_threads=True, embed_links=True, attach_files=True, add_reactions=True,
    use_external_emojis=True, read_message_history=True, use_application_commands=True,
    connect=True, speak=True, change_nickname=True, create_instant_invite=True,
).value  # fmt: skip


def role_payload(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "hoist": False,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


class GuildRoles:
    """The test guild's roles and each member's permissions (mixed into FakeDiscord)."""

    guild_id: int
    owner: FakeUser
    users: dict[int, FakeUser]
    channels: dict[int, dict[str, Any]]
    bot_user: FakeUser
    gateway: Gateway

    def _init_roles(self) -> None:
        self.members_role_id = snowflake()
        self.roles: dict[int, dict[str, Any]] = {
            self.guild_id: role_payload(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            self.members_role_id: role_payload(self.members_role_id, "Members", ALL_PERMISSIONS, 1),
        }

    def give_default_role(self, user: FakeUser) -> FakeUser:
        user.role_ids = [self.members_role_id]
        return user

    def permissions_of(self, user: FakeUser) -> int:
        """The member's guild permissions as Discord resolves them (no channel overwrites)."""
        if user.id == self.owner.id:
            return int(ALL_PERMISSIONS)
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in user.role_ids:
            value |= int(self.roles[role_id]["permissions"])
        return value

    async def set_permissions(self, user: FakeUser, permissions: discord.Permissions | int) -> None:
        """Make ``user`` a member whose only role allows ``permissions`` (plus @everyone's).

        A connected bot is told as Discord tells it: GUILD_ROLE_CREATE, then
        GUILD_MEMBER_UPDATE when it has the GUILD_MEMBERS intent.
        """
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        role_id = snowflake()
        role = role_payload(role_id, f"role {len(self.roles)}", value, len(self.roles))
        self.roles[role_id] = role
        user.role_ids = [role_id]
        session = self.gateway.session
        if session is None:
            return
        if session.has(GUILDS):
            await self.gateway.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": role}
            )
        if session.has(GUILD_MEMBERS):
            await self.gateway.dispatch(
                "GUILD_MEMBER_UPDATE",
                {"guild_id": str(self.guild_id), "roles": [str(r) for r in user.role_ids],
                 "user": user.payload(), "nick": None, "avatar": None, "joined_at": iso_now(),
                 "deaf": False, "mute": False, "flags": 0, "pending": False},
            )  # fmt: skip

    def channel_permissions(self, user: FakeUser, channel: dict[str, Any]) -> int:
        """``user``'s permissions in a guild ``channel``, overwrites applied in Discord's
        order: @everyone's, then the member's roles' together, then the member's own."""
        value = self.permissions_of(user)
        if user.id == self.owner.id or discord.Permissions(value).administrator:
            return discord.Permissions.all().value
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}

        def apply(allow: int, deny: int) -> None:
            nonlocal value
            value = (value & ~deny) | allow

        everyone = overwrites.get(self.guild_id)
        if everyone is not None:
            apply(int(everyone["allow"]), int(everyone["deny"]))
        roles = [overwrites[r] for r in user.role_ids if r in overwrites]
        apply(_union(o["allow"] for o in roles), _union(o["deny"] for o in roles))
        own = overwrites.get(user.id)
        if own is not None and own.get("type") == 1:
            apply(int(own["allow"]), int(own["deny"]))
        return value

    async def set_channel_permissions(
        self,
        channel_id: int,
        user: FakeUser | None,
        *,
        allow: discord.Permissions | None = None,
        deny: discord.Permissions | None = None,
    ) -> None:
        """Overwrite ``user``'s (None: @everyone's) permissions in one guild channel."""
        channel = self.channels[channel_id]
        target = self.guild_id if user is None else user.id
        overwrite = {
            "id": str(target),
            "type": 0 if user is None else 1,
            "allow": str(allow.value if allow else 0),
            "deny": str(deny.value if deny else 0),
        }
        others = [o for o in channel["permission_overwrites"] if o["id"] != str(target)]
        channel["permission_overwrites"] = [*others, overwrite]
        session = self.gateway.session
        if session is not None and session.has(GUILDS):
            await self.gateway.dispatch("CHANNEL_UPDATE", channel)

    def post_refusal(
        self, channel: dict[str, Any], body: dict[str, Any]
    ) -> tuple[tuple[int, str] | None, dict[str, Any]]:
        """Discord's refusal (code, message) of the bot's post in ``channel``, or None and the
        body as posted: 50001 without View Channel, 50013 without Send Messages or with only
        embeds and no Embed Links; with text, a post without Embed Links loses its embeds."""
        if not channel.get("guild_id"):
            return None, body
        perms = discord.Permissions(self.channel_permissions(self.bot_user, channel))
        if not perms.view_channel:
            return (50001, "Missing Access"), body
        if not perms.send_messages:
            return (50013, "Missing Permissions"), body
        if body.get("embeds") and not perms.embed_links:
            if not body.get("content"):
                return (50013, "Missing Permissions"), body
            return None, {**body, "embeds": []}
        return None, body


def _union(bits: Iterable[str]) -> int:
    """The permission bits of several overwrites together (Discord sends them as strings)."""
    value = 0
    for b in bits:
        value |= int(b)
    return value
