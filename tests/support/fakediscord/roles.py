"""Members' permissions as Discord computes them: the guild's roles, a member's roles, and
the guild owner.

By default every member has the "Members" role, which allows everything but Administrator
(as the fake always did). ``await fake.set_permissions(user, discord.Permissions(...))``
gives a member a role with exactly those permissions instead, on top of @everyone's
(Discord's defaults for a new server: read, write, embed, attach, react, use commands), so
a test can have a member without Manage Server. Both places Discord carries permissions
agree: an interaction's ``member.permissions`` (resolved, as Discord sends it) and the
member's roles in messages and GUILD_CREATE (which discord.py resolves itself).
"""

from __future__ import annotations

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
