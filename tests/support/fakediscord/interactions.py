"""Interactions as Discord sends them, and what the fake remembers of the bot's answers.

``interaction_payload`` builds INTERACTION_CREATE data the way Discord fills it for each
context (guild, bot DM, private channel) and install type (guild or user), with the
``context``, ``authorizing_integration_owners`` and ``app_permissions`` fields discord.py reads.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .app_commands import LOCALES
from .payloads import (
    ALL_PERMISSIONS,
    CONTEXTS,
    INSTALLS,
    FakeUser,
    dm_channel_payload,
    group_dm_payload,
    member_payload,
    snowflake,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
# What a user-installed app may do where it is not a member (Discord's default subset).
USER_APP_PERMISSIONS = "2248473465835073"


@dataclass
class FakeInteraction:
    """An interaction the fake sent, and how the bot answered it."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    payload: dict[str, Any]
    user: FakeUser
    channel_id: int
    message_id: int | None = None  # the message a component sits on
    created: float = field(default_factory=time.monotonic)
    callback: dict[str, Any] | None = None  # the first (only valid) callback body
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    refusals: list[tuple[int, Any]] = field(default_factory=list)  # the fake's 4xx answers
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def age(self) -> float:
        return time.monotonic() - self.created

    async def wait_answer(self, timeout: float = 5.0) -> dict[str, Any]:
        """The callback body (``{"type": ..., "data": ...}``) once the bot has answered.

        Raises AssertionError if the bot did not answer in time, or if its answer was refused
        (too late, over Discord's limits...), quoting the error Discord would have returned.
        """
        try:
            await asyncio.wait_for(self.answered.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"interaction {self.id} not answered within {timeout} s") from None
        if self.callback is None:
            status, error = self.refusals[-1]
            raise AssertionError(
                f"the answer to interaction {self.id} was refused: {status} {error}"
            )
        return self.callback


def interaction_payload(
    fake: FakeDiscord,
    kind: int,
    user: FakeUser,
    *,
    context: str,
    install: str,
    channel_id: int | None,
    locale: str = "en-US",
) -> tuple[dict[str, Any], int]:
    """INTERACTION_CREATE data of ``kind`` from ``user`` (without ``data``) and its channel id.

    ``context`` is guild, dm or private_channel; ``install`` guild or user. A guild install
    in a guild gets every permission; a user install (or any DM) gets Discord's basic subset.
    ``locale`` is the user's client language, sent with every interaction as Discord does
    (``guild_locale`` is the server's, in servers only).
    """
    if locale not in LOCALES:
        raise ValueError(f"Discord has no locale {locale!r} (it has {', '.join(sorted(LOCALES))})")
    interaction_id = snowflake()
    token = f"itoken.{secrets.token_urlsafe(32)}"
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(fake.application_id),
        "type": kind,
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "context": CONTEXTS[context],
    }
    # Discord's authorizing_integration_owners: a guild install is keyed by the guild id
    # in a server and by "0" in the bot's DM; a user install by the user's id. A group DM
    # the bot is not in can only be reached through a user install.
    owners: dict[str, str] = {}
    if install == "guild" and context != "private_channel":
        owners[str(INSTALLS["guild"])] = str(fake.guild_id) if context == "guild" else "0"
    else:
        owners[str(INSTALLS["user"])] = str(user.id)
    payload["authorizing_integration_owners"] = owners
    if context == "guild":
        channel_id = channel_id or fake.channel_id
        payload.update(
            guild_id=str(fake.guild_id),
            guild_locale=fake.guild_locale,
            guild={"id": str(fake.guild_id), "locale": fake.guild_locale, "features": []},
            channel=fake.channels[channel_id],
            channel_id=str(channel_id),
            member=member_payload(user, permissions=fake.permissions_of(user)),
            # A user-installed app in a guild it is not in gets only the basic bits.
            app_permissions=ALL_PERMISSIONS if install == "guild" else USER_APP_PERMISSIONS,
        )
    elif context == "dm":
        channel_id = user.dm_channel_id
        fake.channels.setdefault(channel_id, dm_channel_payload(user))
        payload.update(
            channel=fake.channels[channel_id],
            channel_id=str(channel_id),
            user=user.payload(),
            app_permissions=USER_APP_PERMISSIONS,
        )
    else:  # a group DM the bot is not in: only a user-installed app can be used there
        channel_id = channel_id or snowflake()
        channel = fake.channels.get(channel_id) or group_dm_payload(channel_id, [user, fake.owner])
        payload.update(
            channel=channel,
            channel_id=str(channel_id),
            user=user.payload(),
            app_permissions=USER_APP_PERMISSIONS,
        )
    return payload, channel_id


def command_data(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None, focused: str | None, guild: bool
) -> dict[str, Any]:
    """The ``data`` of a slash command or autocomplete: the synced command's id and types.

    A guild command of that name wins over a global one (as in Discord's client); without a
    synced command the option types come from the Python values.
    """
    scopes = ([fake.guild_id] if guild else []) + [None]
    known: dict[str, Any] = next(
        (c for scope in scopes for c in fake.commands.get(scope, []) if c["name"] == name), {}
    )
    declared = {o["name"]: o["type"] for o in known.get("options", [])}
    opts = []
    for key, value in (options or {}).items():
        option = {
            "name": key,
            "type": declared.get(key, OPTION_TYPES.get(type(value), 3)),
            "value": value,
        }
        if key == focused:
            option["focused"] = True
        opts.append(option)
    data: dict[str, Any] = {
        "id": known.get("id", str(snowflake())),
        "name": name,
        "type": 1,
        "options": opts,
    }
    if known.get("guild_id"):
        data["guild_id"] = known["guild_id"]
    return data


# Where a global command is offered when its registration leaves the field out (Discord's
# defaults: every context; the app's default install type, a guild install).
DEFAULT_CONTEXTS = [0, 1, 2]
DEFAULT_INSTALLS = [0]


def offered_problem(command: dict[str, Any], context: str, install: str) -> str | None:
    """Why Discord would not offer ``command`` in ``context`` for ``install``, or None."""
    if command.get("guild_id"):
        if context != "guild" or install != "guild":
            return "a guild command is offered only in its guild, through the guild install"
        return None
    contexts = command.get("contexts")
    if contexts is None:
        contexts = [c for c in DEFAULT_CONTEXTS if c != 1 or command.get("dm_permission", True)]
    installs = command.get("integration_types") or DEFAULT_INSTALLS
    if CONTEXTS[context] not in contexts:
        return f"its contexts are {contexts}, not {CONTEXTS[context]} ({context})"
    if INSTALLS[install] not in installs:
        return f"its integration_types are {installs}, not {INSTALLS[install]} ({install})"
    return None


def resolved_message(message: dict[str, Any]) -> dict[str, Any]:
    """A message as ``resolved.messages`` carries it: the REST shape, content always included.

    Like Discord's documented example it has no ``guild_id`` or ``member``; the Message
    Content intent does not apply (reading the target message is what context menus are for).
    """
    return {k: v for k, v in message.items() if k not in ("guild_id", "member")}


def message_command_data(
    fake: FakeDiscord, name: str, message: dict[str, Any], *, context: str, install: str
) -> dict[str, Any]:
    """The ``data`` of a message context-menu command run on ``message``.

    Before the bot has synced anything the command gets a fresh id; afterwards it must be a
    synced message command (type 3) that Discord offers in this context and install type,
    else AssertionError: the user could not have clicked it.
    """
    scopes = ([fake.guild_id] if context == "guild" else []) + [None]
    synced = [c for scope in scopes for c in fake.commands.get(scope, [])]
    known = next((c for c in synced if c["name"] == name and c.get("type") == 3), None)
    if known is None and fake.commands:
        have = sorted(c["name"] for c in synced if c.get("type") == 3)
        raise AssertionError(f"no message command {name!r} is synced here; synced: {have}")
    if known is not None:
        problem = offered_problem(known, context, install)
        if problem:
            raise AssertionError(f"Discord would not offer {name!r} in {context}: {problem}")
    data: dict[str, Any] = {
        "id": known["id"] if known else str(snowflake()),
        "name": name,
        "type": 3,
        "target_id": message["id"],
        "resolved": {"messages": {message["id"]: resolved_message(message)}},
    }
    if known is not None and known.get("guild_id"):
        data["guild_id"] = known["guild_id"]
    return data


def find_component(
    message: dict[str, Any],
    *,
    type: int | None = None,
    label: str | None = None,
    custom_id: str | None = None,
) -> dict[str, Any]:
    """The first component in ``message`` (inside action rows) matching all given fields."""
    seen = []
    for row in message.get("components") or []:
        for comp in [row, *(row.get("components") or [])]:
            if comp.get("type") == 1:
                continue
            seen.append((comp.get("type"), comp.get("label"), comp.get("custom_id")))
            if type is not None and comp.get("type") != type:
                continue
            if label is not None and comp.get("label") != label:
                continue
            if custom_id is not None and comp.get("custom_id") != custom_id:
                continue
            return comp
    raise AssertionError(
        f"no component type={type} label={label!r} custom_id={custom_id!r}; have {seen}"
    )
