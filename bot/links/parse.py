"""Find a music link in what someone wrote and say what it points at. Pure: no network.

People paste links rather than type "artist - title". :func:`find_link` reads a message
(other words around the link, Discord's ``<...>`` form that hides the embed, markdown
around it, trailing punctuation) and returns:

* a :class:`Link` to one song: Spotify (``open.spotify.com/track/ID``, ``intl-xx/``,
  ``?si=``, ``spotify:track:ID``), Last.fm (artist and title read from the path), YouTube
  and YouTube Music (``watch?v=``, ``youtu.be/``, ``shorts/``, ``music.youtube.com``),
  Apple Music / iTunes (``album/...?i=TRACK``, ``song/.../TRACK``) and Deezer
  (``deezer.com/{lang}/track/ID``);
* an :class:`UnsupportedLink` for anything else that is a link (a playlist, an album, a
  short link, a cut-off id, another site), whose ``message`` says what works instead;
* None when the text holds no link at all (it is then read as "artist - title").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote_plus, urlsplit

from bot.i18n import N_, _, slash_name

SERVICE_NAMES = {
    "spotify": "Spotify",
    "youtube": "YouTube",
    "apple": "Apple Music",
    "deezer": "Deezer",
    "lastfm": "Last.fm",
}
Service = Literal["spotify", "youtube", "apple", "deezer", "lastfm"]
NotASong = Literal["playlist", "album", "artist", "short_link", "broken", "other"]

WORKING_LINKS = N_("Spotify, YouTube, YouTube Music, Apple Music, Deezer and Last.fm")
TYPE_INSTEAD = N_("type the song as `artist - title`")  # shown translated: _(TYPE_INSTEAD)
EXPORTIFY = "Exportify (exportify.net)"
KINDS = {"album": N_("album"), "artist": N_("artist"), "playlist": N_("playlist")}


@dataclass(frozen=True)
class Link:
    """A link to one song: the service's id for it, or (Last.fm) its artist and title."""

    service: Service
    url: str  # as pasted, without Discord's <...> and trailing punctuation
    id: str | None = None  # Spotify track id, YouTube video id, Apple or Deezer track id
    artist: str | None = None  # Last.fm links name the song in their path
    title: str | None = None
    region: str | None = None  # Apple's store country ("us", "jp"): lookups are per store

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES[self.service]

    @property
    def spotify_uri(self) -> str | None:
        """``spotify:track:ID`` for a Spotify link (how the index stores it), else None."""
        return f"spotify:track:{self.id}" if self.service == "spotify" and self.id else None


@dataclass(frozen=True)
class UnsupportedLink:
    """A link that names no single song we can read; ``message`` tells the user what to do."""

    url: str
    kind: NotASong
    service: Service | None = None
    message: str = ""


# A candidate link: a web address, a Spotify URI, or a music site's address typed without
# "https://". Discord's <...> is matched around it; trailing punctuation is trimmed after.
_MUSIC_HOSTS = (
    r"(?:spotify\.com|spotify\.link|youtube\.com|youtu\.be|youtube-nocookie\.com|"
    r"music\.apple\.com|itunes\.apple\.com|deezer\.com|deezer\.page\.link|"
    r"last\.fm|lastfm\.[a-z]{2,3}(?:\.[a-z]{2})?)"
)
_CANDIDATE = re.compile(
    r"<?("
    r"(?:https?://|www\.)[^\s<>]+"
    r"|spotify:[a-z]+(?::[^\s<>:]*)+"
    rf"|(?<![\w.@/-])(?:[a-z0-9-]+\.)*{_MUSIC_HOSTS}/[^\s<>]*"
    r")>?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*_~|…"
_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_YOUTUBE_ID = re.compile(r"^[0-9A-Za-z_-]{11}$")
_DIGITS = re.compile(r"^\d+$")
_LANG = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.IGNORECASE)


def find_link(text: str) -> Link | UnsupportedLink | None:
    """The first song link in ``text``; else the first other link; None without any link."""
    found = find_links(text)
    for link in found:
        if isinstance(link, Link):
            return link
    return found[0] if found else None


def find_links(text: str) -> list[Link | UnsupportedLink]:
    """Every link in ``text``, in order, each read as :func:`read_link` reads it."""
    out: list[Link | UnsupportedLink] = []
    for m in _CANDIDATE.finditer(text or ""):
        url = _trim(m.group(1))
        if url:
            out.append(read_link(url))
    return out


def read_link(url: str) -> Link | UnsupportedLink:
    """What one link (already cut out of its text) points at."""
    if url.lower().startswith("spotify:"):
        return _spotify_uri(url)
    full = url if re.match(r"^https?://", url, re.IGNORECASE) else "https://" + url
    try:
        parts = urlsplit(full)
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unbalanced "[" in the host part
        return _other(url)
    host = host.removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    for matches, reader in _READERS:
        if matches(host):
            return reader(url, host, segments, query)
    return _other(url)


# --- one reader per service --------------------------------------------------------------


def _spotify(url: str, host: str, segs: list[str], query: dict) -> Link | UnsupportedLink:
    if host in ("spotify.link", "spotify.app.link") or host.endswith(".spotify.link"):
        return _short(url, "spotify")
    segs = [s for s in segs if not s.lower().startswith("intl-") and s.lower() != "embed"]
    if len(segs) >= 4 and segs[0] == "user" and segs[2] == "playlist":
        segs = segs[2:]  # the old /user/NAME/playlist/ID form
    if segs:  # "open.spotify.com/track/" with its id cut off reads as a cut-off link
        return _spotify_item(url, segs[0].lower(), segs[1] if len(segs) >= 2 else "")
    return _other(url, "spotify")


def _spotify_uri(uri: str) -> Link | UnsupportedLink:
    parts = uri.split(":")
    if len(parts) >= 5 and parts[1] == "user" and parts[3] == "playlist":
        parts = ["spotify", *parts[3:]]
    if len(parts) >= 2:  # "spotify:track:" (the id cut off) is a cut-off link too
        return _spotify_item(uri, parts[1].lower(), parts[2] if len(parts) >= 3 else "")
    return _other(uri, "spotify")


def _spotify_item(url: str, kind: str, item_id: str) -> Link | UnsupportedLink:
    if kind == "track":
        if _SPOTIFY_ID.match(item_id):
            return Link("spotify", url, id=item_id)
        return _broken(url, "spotify")
    if kind in ("playlist", "album", "artist"):
        return _not_a_song(url, kind, "spotify")
    return _other(url, "spotify")


def _youtube(url: str, host: str, segs: list[str], query: dict) -> Link | UnsupportedLink:
    if host == "youtu.be":
        video = segs[0] if segs else ""
    elif segs and segs[0] in ("watch", "watch_popup"):
        video = (query.get("v") or [""])[0]
    elif len(segs) >= 2 and segs[0] in ("shorts", "embed", "live", "v", "e"):
        video = segs[1]
    elif segs and segs[0] == "playlist":
        return _not_a_song(url, "playlist", "youtube")
    elif segs and (segs[0] in ("channel", "c", "user") or segs[0].startswith("@")):
        return _not_a_song(url, "artist", "youtube")
    elif len(segs) >= 2 and segs[0] == "browse":
        return _not_a_song(url, "album", "youtube")
    else:
        return _other(url, "youtube")
    if _YOUTUBE_ID.match(video):
        return Link("youtube", url, id=video)
    return _broken(url, "youtube")


def _apple(url: str, host: str, segs: list[str], query: dict) -> Link | UnsupportedLink:
    region = segs[0].lower() if segs and re.fullmatch(r"[a-z]{2}", segs[0], re.I) else None
    if region:
        segs = segs[1:]
    kind = segs[0].lower() if segs else ""
    track = (query.get("i") or [""])[0]
    if kind == "album" and track:
        return _apple_track(url, track, region)
    if kind in ("song", "music-video") and len(segs) >= 2:
        return _apple_track(url, segs[-1].removeprefix("id"), region)
    if kind in ("album", "playlist", "artist"):
        return _not_a_song(url, kind, "apple")
    return _other(url, "apple")


def _apple_track(url: str, track: str, region: str | None) -> Link | UnsupportedLink:
    if _DIGITS.match(track):
        return Link("apple", url, id=track, region=region)
    return _broken(url, "apple")


def _deezer(url: str, host: str, segs: list[str], query: dict) -> Link | UnsupportedLink:
    if host != "deezer.com":
        return _short(url, "deezer")  # deezer.page.link, link.deezer.com: redirects
    if segs and _LANG.match(segs[0]):
        segs = segs[1:]  # deezer.com/fr/track/ID
    if len(segs) >= 2 and segs[0] == "track":
        if _DIGITS.match(segs[1]):
            return Link("deezer", url, id=segs[1])
        return _broken(url, "deezer")
    if len(segs) >= 2 and segs[0] in ("album", "playlist", "artist"):
        return _not_a_song(url, segs[0], "deezer")  # type: ignore[arg-type]
    return _other(url, "deezer")


def _lastfm(url: str, host: str, segs: list[str], query: dict) -> Link | UnsupportedLink:
    if segs and _LANG.match(segs[0]):
        segs = segs[1:]  # www.last.fm/de/music/...
    if not segs or segs[0] != "music":
        return _other(url, "lastfm")
    raw = [s for s in segs[1:] if s != "+noredirect"]
    # Sub-pages ("+wiki", "+similar", "+lyrics") start with "+"; a "+" in a name is "%2B".
    names = [unquote_plus(s).strip() for s in itertools.takewhile(_not_sub_page, raw)]
    # music/ARTIST/_/TRACK, or music/ARTIST/ALBUM/TRACK.
    if len(names) >= 3:
        artist, title = names[0], names[2]
        if artist and title:
            return Link("lastfm", url, artist=artist, title=title)
        return _broken(url, "lastfm")
    if len(names) == 2 and names[1] != "_":
        return _not_a_song(url, "album", "lastfm")
    if names and names[0]:
        return _not_a_song(url, "artist", "lastfm")
    return _other(url, "lastfm")


def _not_sub_page(segment: str) -> bool:
    return not segment.startswith("+")


def _is_spotify(host: str) -> bool:
    return host in ("open.spotify.com", "play.spotify.com", "spotify.link", "spotify.app.link")


def _is_youtube(host: str) -> bool:
    return host in (
        "youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
        "youtube-nocookie.com", "gaming.youtube.com",
    )  # fmt: skip


def _is_apple(host: str) -> bool:
    return host.endswith(("music.apple.com", "itunes.apple.com"))


def _is_deezer(host: str) -> bool:
    return host in ("deezer.com", "link.deezer.com", "deezer.page.link", "dzr.page.link")


def _is_lastfm(host: str) -> bool:
    return bool(re.fullmatch(r"(?:m\.|cn\.)?(?:last\.fm|lastfm\.[a-z]{2,3}(?:\.[a-z]{2})?)", host))


_READERS = (
    (_is_spotify, _spotify),
    (_is_youtube, _youtube),
    (_is_apple, _apple),
    (_is_deezer, _deezer),
    (_is_lastfm, _lastfm),
)


# --- what to say about links that name no song ------------------------------------------


def _not_a_song(url: str, kind: NotASong, service: Service) -> UnsupportedLink:
    name = SERVICE_NAMES[service]
    mix = "/" + slash_name("mix")
    if kind == "playlist" and service == "spotify":
        message = _(
            "Spotify no longer lets apps read other people's playlists (since February 2026). "
            "Export it with {exportify} and attach the CSV file to {mix}, or paste one song's link.",
            exportify=EXPORTIFY,
            mix=mix,
        )
    elif kind == "playlist":
        message = _(
            "That's a {service} playlist, not a song: paste one song's link, or attach a list of "
            "its songs (one per line) to {mix}.",
            service=name,
            mix=mix,
        )
    else:
        message = _(
            "That's a {service} {kind} link, not a song: paste one song's link, or {instead}.",
            service=name,
            kind=_(KINDS.get(kind, kind)),
            instead=_(TYPE_INSTEAD),
        )
    return UnsupportedLink(url, kind, service, message)


def _short(url: str, service: Service) -> UnsupportedLink:
    message = _(
        "{service} short links can't be read: open it, copy the song's full link "
        "and paste that, or {instead}.",
        service=SERVICE_NAMES[service],
        instead=_(TYPE_INSTEAD),
    )
    return UnsupportedLink(url, "short_link", service, message)


def _broken(url: str, service: Service) -> UnsupportedLink:
    message = _(
        "That {service} link looks cut off: copy it again, or {instead}.",
        service=SERVICE_NAMES[service],
        instead=_(TYPE_INSTEAD),
    )
    return UnsupportedLink(url, "broken", service, message)


def _other(url: str, service: Service | None = None) -> UnsupportedLink:
    if service is None:
        message = _(
            "I can read song links from {services}; that link isn't one. "
            "Paste one of those, or {instead}.",
            services=_(WORKING_LINKS),
            instead=_(TYPE_INSTEAD),
        )
    else:
        message = _(
            "That {service} link isn't a song: paste one song's link, or {instead}.",
            service=SERVICE_NAMES[service],
            instead=_(TYPE_INSTEAD),
        )
    return UnsupportedLink(url, "other", service, message)


def _trim(url: str) -> str:
    """The link without punctuation that ended the sentence (or markdown around it)."""
    while url:
        last = url[-1]
        # A closing bracket stays when the link opened it: last.fm/.../Song+(Live)
        unbalanced = last in ")]" and url.count(last) > url.count("(" if last == ")" else "[")
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url
