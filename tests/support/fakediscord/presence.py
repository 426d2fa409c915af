"""Users' presences (status and activities, Spotify listening included) as Discord sends them.

GUILD_PRESENCES is a privileged intent (close 4014 unless the fake grants it, see
``FakeDiscord.set_privileged_intents``). With it, GUILD_CREATE lists every member and the
presences of those not offline, and each change arrives as PRESENCE_UPDATE; without it the
bot gets no PRESENCE_UPDATE and GUILD_CREATE holds only the bot's own member
(https://discord.com/developers/docs/events/gateway-events#guild-create).

A Spotify activity has the shape Discord relays from Spotify, the fields discord.py's
``discord.Spotify`` reads: ``sync_id`` is the track id, ``details`` the title, ``state`` the
artists joined by "; ", ``assets.large_text`` the album. Discord drops an activity whose
details, state or large text is over 128 characters (discord.py issue #1738), so such a
song shows as no activity at all.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .gateway import GUILD_PRESENCES
from .payloads import FakeUser

if TYPE_CHECKING:
    from .gateway import Gateway

SPOTIFY_FLAGS = 48  # SYNC | PLAY, as on every Spotify activity
ACTIVITY_TEXT = 128  # longer details/state/large_text and Discord drops the activity
TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")  # Spotify's base-62 track ids
STATUSES = ("online", "idle", "dnd", "offline")


def spotify_activity(
    user: FakeUser,
    *,
    track_id: str,
    title: str,
    artists: list[str],
    album: str,
    image_id: str | None = None,
    duration: float = 210.0,
    elapsed: float = 0.0,
) -> dict[str, Any]:
    """A "Listening to Spotify" activity for ``user`` playing ``track_id``."""
    if not TRACK_ID.fullmatch(track_id):
        raise ValueError(f"{track_id!r} is not a Spotify track id (22 base-62 characters)")
    if not artists:
        raise ValueError("a Spotify track has at least one artist")
    now_ms = int(time.time() * 1000)
    start = now_ms - int(elapsed * 1000)
    image = image_id or "ab67616d0000b273" + hashlib.sha1(track_id.encode()).hexdigest()[:24]
    return {
        "type": 2,
        "name": "Spotify",
        "id": "spotify:1",
        "flags": SPOTIFY_FLAGS,
        "sync_id": track_id,
        # The user's Discord client session; the same across their updates.
        "session_id": hashlib.md5(str(user.id).encode()).hexdigest(),
        "party": {"id": f"spotify:{user.id}"},
        "details": title,
        "state": "; ".join(artists),
        "assets": {"large_image": f"spotify:{image}", "large_text": album},
        "timestamps": {"start": start, "end": start + int(duration * 1000)},
        "created_at": now_ms,
    }


def shown(activity: dict[str, Any]) -> bool:
    """False for an activity Discord drops because a text field is too long."""
    texts = (
        activity.get("details"),
        activity.get("state"),
        (activity.get("assets") or {}).get("large_text"),
    )
    return all(len(text or "") <= ACTIVITY_TEXT for text in texts)


def presence_payload(
    user: FakeUser, status: str, activities: list[dict[str, Any]], guild_id: int | None = None
) -> dict[str, Any]:
    """A (partial) presence: the user object carries only the id, as Discord sends it."""
    data: dict[str, Any] = {
        "user": {"id": str(user.id)},
        "status": status,
        "activities": activities,
        "client_status": {} if status == "offline" else {"desktop": status},
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


class UserPresence:
    """Simulated users' statuses and activities (mixed into FakeDiscord)."""

    # Provided by FakeDiscord.
    user: FakeUser
    users: dict[int, FakeUser]
    guild_id: int
    presences: dict[int, tuple[str, list[dict[str, Any]]]]  # user id -> (status, activities)
    gateway: Gateway

    def presence_payloads(self) -> list[dict[str, Any]]:
        """The presences GUILD_CREATE lists: every member not offline."""
        return [
            presence_payload(self.users[uid], status, activities)
            for uid, (status, activities) in self.presences.items()
            if status != "offline"
        ]

    async def set_presence(
        self,
        user: FakeUser | None = None,
        *,
        status: str = "online",
        activities: Iterable[dict[str, Any]] = (),
    ) -> dict[str, Any] | None:
        """Set a user's status and activities; the bot gets PRESENCE_UPDATE if it may.

        Returns the PRESENCE_UPDATE as delivered, or None when no bot is connected yet
        (GUILD_CREATE will carry it) or the bot lacks GUILD_PRESENCES. Activities Discord
        would drop (text over 128 characters) are left out; offline users show none.
        """
        user = user or self.user
        if user.id not in self.users:
            raise AssertionError(f"{user.username} is not a member of the test guild")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        kept = [] if status == "offline" else [a for a in activities if shown(a)]
        self.presences[user.id] = (status, kept)
        session = self.gateway.session
        if session is None or not session.has(GUILD_PRESENCES):
            return None
        payload = presence_payload(user, status, kept, self.guild_id)
        await self.gateway.dispatch("PRESENCE_UPDATE", payload)
        return payload

    async def set_spotify_activity(
        self,
        user: FakeUser | None = None,
        *,
        track_id: str,
        title: str,
        artists: list[str],
        album: str = "",
        image_id: str | None = None,
        duration: float = 210.0,
        elapsed: float = 0.0,
    ) -> dict[str, Any] | None:
        """The user starts listening to a song on Spotify (their other activities stay).

        ``album`` defaults to the title (a single); ``duration`` and ``elapsed`` are
        seconds; ``image_id`` is the cover's id on i.scdn.co (made up if omitted). Returns the PRESENCE_UPDATE as delivered
        (see ``set_presence``); its Spotify activity is missing when Discord would drop it.
        """
        user = user or self.user
        activity = spotify_activity(
            user,
            track_id=track_id,
            title=title,
            artists=artists,
            album=album or title,
            image_id=image_id,
            duration=duration,
            elapsed=elapsed,
        )
        status, current = self.presences.get(user.id, ("online", []))
        others = [a for a in current if a.get("id") != "spotify:1"]
        status = "online" if status == "offline" else status
        return await self.set_presence(user, status=status, activities=[*others, activity])

    async def clear_activity(self, user: FakeUser | None = None) -> dict[str, Any] | None:
        """The user stops playing anything (still online); returns PRESENCE_UPDATE or None."""
        user = user or self.user
        status, _ = self.presences.get(user.id, ("online", []))
        return await self.set_presence(user, status=status, activities=[])
