"""What a Discord user is playing on Spotify, read from their presence ("what I'm playing").

Discord shows a connected Spotify account's current track in the user's presence, as a
:class:`discord.Spotify` activity carrying the exact track id. A bot sees presences only
with the privileged Presences and Members intents (``SONGSIM_PRESENCE=true``, and both
switched on in the Developer Portal), only for members of servers it is in, and only on
the member it caches: an interaction's own ``user``/``member`` carries no activities, so
the member is looked up in the guild.
"""

from __future__ import annotations

import discord

from bot.replies.seeds import Listening


def reads_presences(client: discord.Client) -> bool:
    """True when the bot asked Discord for presences and members (``SONGSIM_PRESENCE``)."""
    return bool(client.intents.presences and client.intents.members)


def listening_of(
    client: discord.Client, user: discord.abc.User, guild: discord.Guild | None
) -> Listening:
    """What ``user`` is playing on Spotify as ``client`` sees it in ``guild``, or why not."""
    if not reads_presences(client):
        return Listening(why_not="off")
    if guild is None:  # a DM, or a user install in a server the bot is not in
        return Listening(why_not="no_server")
    member = guild.get_member(user.id)
    for activity in member.activities if member is not None else ():
        if isinstance(activity, discord.Spotify) and (activity.track_id or activity.title):
            return Listening(
                track_id=activity.track_id or None,
                title=activity.title or None,
                artists=tuple(a for a in activity.artists if a),
            )
    return Listening(why_not="nothing")
