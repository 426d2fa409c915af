"""Links as the song: a pasted Spotify, YouTube, Apple Music, Deezer or Last.fm link.

People share music by pasting links. :class:`LinkReader` (the public face) reads the link
in a message and gives a :class:`LinkSeed`: a track found in the index by its Spotify URI,
an "artist - title" query to resolve like typed text, or a failure whose sentence says
what to do instead. Lookups share the bot's one aiohttp session, take at most 2 s, are
cached in the bot's SQLite database and never raise into a reply.

What lives where:

* :mod:`bot.links.parse`: pure: find a link in text and say what it points at.
* :mod:`bot.links.video_title`: pure: a YouTube title and channel → artist and title.
* :mod:`bot.links.services`: the keyless services (YouTube and Spotify oEmbed, iTunes
  lookup, Deezer) and their shared timeout, pause and cache handling.
* :mod:`bot.links.spotify_api`: a Spotify track's names with the bot's credentials.
* :mod:`bot.links.cache`: answers remembered in SQLite (Spotify cache's TTL rules).
* :mod:`bot.links.results`: the result types and the sentences users see.
* :mod:`bot.links.reader`: :class:`LinkReader` and :class:`LinkSeed`.
"""

from __future__ import annotations

from bot.links.cache import CachedName, LinkCache
from bot.links.parse import Link, UnsupportedLink, find_link, find_links, read_link
from bot.links.reader import FindUri, LinkReader, LinkSeed
from bot.links.results import LinkFailure, SongName
from bot.links.services import ServiceUrls
from bot.links.video_title import VideoSong, song_from_video

__all__ = [
    "CachedName",
    "FindUri",
    "Link",
    "LinkCache",
    "LinkFailure",
    "LinkReader",
    "LinkSeed",
    "ServiceUrls",
    "SongName",
    "UnsupportedLink",
    "VideoSong",
    "find_link",
    "find_links",
    "read_link",
    "song_from_video",
]
